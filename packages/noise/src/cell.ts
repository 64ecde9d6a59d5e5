import { DEFAULT_PLACEMENT, type Placement } from './apply.js';
import { BUILTIN_NOISE_TYPES } from './builtin.js';
import { NOISE_POSITIONS, type NoisePosition } from './insert.js';

/**
 * One noisy set of a design: a noise type (for `mix`, the types it draws from) and how its
 * sentences are placed. Its name is what `exp run --datasets` takes and what files are named by.
 */
export interface NoiseCell extends Placement {
  type: string;
  /** `mix` only: the sentence types each sentence's type is drawn from. */
  typesMix?: readonly string[];
}

const POSITION_ALT = NOISE_POSITIONS.join('|');
const CELL = new RegExp(
  `^(mix(?:\\.[a-z][a-z0-9-]*)*|[a-z][a-z0-9-]*?)(?:-k([1-9][0-9]*)-(${POSITION_ALT})(-indep)?)?$`,
  'u',
);

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((t, i) => t === b[i]);

/**
 * A cell's name: the type (`mix.inf.sd` for a mix of other than inf,rcs,sd) alone for the
 * default placement (one sentence, random slot shared across types), else
 * `<type>-k<K>-<position>`, plus `-indep` for random slots drawn per type. `explicit` always
 * writes the placement (`inf-k1-random`), as sweeps do.
 */
export function noiseCellName(cell: NoiseCell, opts: { explicit?: boolean } = {}): string {
  const mix = cell.typesMix;
  const type =
    cell.type === 'mix' && mix && !sameList(mix, BUILTIN_NOISE_TYPES)
      ? `mix.${mix.join('.')}`
      : cell.type;
  const indep = cell.position === 'random' && cell.slots === 'independent';
  const isDefault = cell.sentences === 1 && cell.position === 'random' && !indep;
  if (isDefault && !opts.explicit) return type;
  return `${type}-k${cell.sentences}-${cell.position}${indep ? '-indep' : ''}`;
}

/**
 * The cell a name stands for (`inf`, `sd-k2-late`, `mix.inf.sd-k4-early`, `rcs-k1-random-indep`),
 * or null when the name has no such shape. Whether its type exists is for the caller to check.
 */
export function parseNoiseCell(name: string): NoiseCell | null {
  const m = CELL.exec(name);
  if (!m) return null;
  const [type, ...mix] = m[1]!.split('.');
  const cell: NoiseCell = {
    type: type!,
    sentences: m[2] === undefined ? DEFAULT_PLACEMENT.sentences : Number(m[2]),
    position: (m[3] ?? DEFAULT_PLACEMENT.position) as NoisePosition,
    slots: m[4] ? 'independent' : 'shared',
  };
  if (type === 'mix') cell.typesMix = mix.length ? mix : [...BUILTIN_NOISE_TYPES];
  else if (mix.length) return null;
  return cell;
}
