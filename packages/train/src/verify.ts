// verifyTrainingStep: one training step of a checkpoint on a golden file's batch (train.input_ids,
// train.labels; shared/golden/README.md) — loss, every gradient, one AdamW step (golden's
// hyperparameters) — compared with golden train.loss, grad.<name> and after_adamw.<name>. In
// float64 (the step graph replayed, TrainingStep's precision) the gradients are checked to the
// relative bound a float64 reference allows; AdamW then takes them rounded to float32.
import { ExpError } from '@exp/data';
import {
  type TensorToWrite,
  readCheckpointTensors,
  readSafetensors,
  writeSafetensors,
  type RawTensor,
} from '@exp/models';
import { ADAMW_DEFAULTS, Optimizer, type AdamWHyper } from './optim/adamw.js';
import { TrainingStep, gradName, type StepPrecision } from './step-graph.js';

/** The golden run's AdamW: torch.optim.AdamW(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, wd=0.01). */
export const GOLDEN_ADAMW: AdamWHyper = ADAMW_DEFAULTS;

/** Golden README's float32 tolerances. */
export const TRAIN_TOLERANCES = {
  lossRel: 1e-6,
  gradAbs: 1e-6,
  /** after_adamw where |g| >= 1e-6 (or g = 0: p0 * (1 - lr*wd)). */
  afterAbs: 1e-6,
  /** after_adamw where 0 < |g| < 1e-6: g / (|g| + eps) amplifies float32 noise (bound 2*lr). */
  afterSmallGradAbs: 2e-3,
} as const;

/** Relative errors are taken over elements with |golden| above this (float32 step). */
export const REL_FLOOR = 1e-4;

/** A float64 step's gradients: relative error where |golden| > relFloor (golden is float64). */
export const F64_GRAD_TOLERANCES = { abs: 1e-6, rel: 1e-4, relFloor: 1e-6 } as const;

export class TrainVerifyError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'TrainVerifyError';
  }
}

export interface TrainCheck {
  name: string;
  /** Elements compared. */
  count: number;
  maxAbs: number;
  /** Max |ours - golden| / |golden| where |golden| > relFloor (0 when none). */
  maxRel: number;
  /** REL_FLOOR, or F64_GRAD_TOLERANCES.relFloor for a float64 step's gradients. */
  relFloor: number;
  /** What pass means, e.g. 'abs <= 1e-6'. */
  criterion: string;
  pass: boolean;
}

export interface TrainVerifyReport {
  checkpoint: string;
  goldenFile: string;
  precision: StepPrecision;
  checks: TrainCheck[];
  pass: boolean;
  /** Our values: loss, gradients and parameters after the step, by HF name. */
  loss: number;
  grads: Map<string, Float32Array>;
  after: Map<string, Float32Array>;
  shapes: ReadonlyMap<string, readonly number[]>;
  /** after_adamw names golden omits (l3 checkpoints), compared with the closed form instead. */
  closedForm: string[];
}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);
const fmtShape = (s: readonly number[]) => `[${s.join(', ')}]`;

/** Checks the golden file fits the checkpoint: every tensor named, shaped as the parameter. */
function checkGolden(
  file: string,
  dir: string,
  golden: ReadonlyMap<string, RawTensor>,
  shapes: ReadonlyMap<string, readonly number[]>,
): void {
  for (const name of ['train.input_ids', 'train.labels', 'train.loss']) {
    if (!golden.has(name)) throw new TrainVerifyError(`${file}: no tensor '${name}'`);
  }
  for (const [name, shape] of shapes) {
    for (const key of [gradName(name), `after_adamw.${name}`]) {
      const t = golden.get(key);
      if (!t) {
        if (key.startsWith('grad.')) {
          throw new TrainVerifyError(
            `${file}: no tensor '${key}' for parameter '${name}' of ${dir}`,
          );
        }
        continue;
      }
      if (!sameShape(t.shape, shape)) {
        throw new TrainVerifyError(
          `${file}: tensor '${key}' has shape ${fmtShape(t.shape)}, ${dir} has '${name}' ${fmtShape(shape)}`,
        );
      }
    }
  }
  for (const key of golden.keys()) {
    const m = /^(grad|after_adamw)\.(.+)$/.exec(key);
    if (m && !shapes.has(m[2]!)) {
      throw new TrainVerifyError(`${file}: tensor '${key}' names no parameter of ${dir}`);
    }
  }
}

type Pair = readonly [ArrayLike<number>, ArrayLike<number>, (i: number) => boolean];
/** Running max abs / rel error of ours vs golden over the kept elements. */
function errors(pairs: Iterable<Pair>, relFloor = REL_FLOOR) {
  const e = { count: 0, maxAbs: 0, maxRel: 0, relFloor };
  for (const [got, want, keep] of pairs) {
    for (let i = 0; i < want.length; i++) {
      if (!keep(i)) continue;
      const d = Math.abs(got[i]! - want[i]!);
      e.count++;
      if (!(d <= e.maxAbs)) e.maxAbs = d; // NaN sticks, and fails
      if (Math.abs(want[i]!) > relFloor) e.maxRel = Math.max(e.maxRel, d / Math.abs(want[i]!));
    }
  }
  return e;
}

/** Loss, gradients and one AdamW step of `checkpoint` on `goldenFile`'s batch, vs golden. */
export async function verifyTrainingStep(
  checkpoint: string,
  goldenFile: string,
  opts: { threads?: number; precision?: StepPrecision } = {},
): Promise<TrainVerifyReport> {
  const golden = readSafetensors(goldenFile);
  const precision = opts.precision ?? 'float32';
  const step = await TrainingStep.create(checkpoint, {
    session: { threads: opts.threads },
    precision,
  });
  try {
    const shapes = step.parameters;
    checkGolden(goldenFile, checkpoint, golden, shapes);
    const all = readCheckpointTensors(checkpoint);
    const params = new Map([...shapes.keys()].map((n) => [n, all.get(n)!]));
    const p0 = new Map([...params].map(([n, p]) => [n, p.slice()]));
    const ids = golden.get('train.input_ids')!;
    if (ids.shape.length !== 2 || ids.dtype !== 'I64') {
      throw new TrainVerifyError(`${goldenFile}: train.input_ids must be int64 [batch, sequence]`);
    }
    const { loss, grads, exactGrads } = await step.run(params, {
      dims: ids.shape as [number, number],
      inputIds: ids.data as BigInt64Array,
      labels: golden.get('train.labels')!.data as BigInt64Array,
    });
    new Optimizer(params, GOLDEN_ADAMW).step(grads);

    const T = TRAIN_TOLERANCES;
    const le = (what: string, tol: number) => `${what} <= ${tol.toExponential(0)}`;
    const all1 = () => true;
    const wantLoss = Number(golden.get('train.loss')!.data[0]);
    const lossErr = errors([[[loss], [wantLoss], all1]]);
    const lossRel = Math.abs(loss - wantLoss) / Math.abs(wantLoss);
    const g = (n: string) => golden.get(gradName(n))!.data as Float32Array;
    const F = F64_GRAD_TOLERANCES;
    const gradErr = errors(
      [...(exactGrads ?? grads)].map(([n, d]) => [d, g(n), all1] as const),
      exactGrads ? F.relFloor : REL_FLOOR,
    );
    const closedForm: string[] = [];
    const wantAfter = new Map<string, ArrayLike<number>>();
    for (const [n, p] of p0) {
      const stored = golden.get(`after_adamw.${n}`);
      if (stored) wantAfter.set(n, stored.data as Float32Array);
      else {
        // golden README section 5: p1 = p0 (1 - lr wd) - lr g / (|g| + eps) on step 1, in float64
        closedForm.push(n);
        const gn = g(n);
        const { lr, weightDecay: wd, eps } = GOLDEN_ADAMW;
        wantAfter.set(
          n,
          Float64Array.from(
            p,
            (x, i) => x * (1 - lr * wd) - (lr * gn[i]!) / (Math.abs(gn[i]!) + eps),
          ),
        );
      }
    }
    const small = (n: string) => (i: number) => g(n)[i] !== 0 && Math.abs(g(n)[i]!) < 1e-6;
    const afterPairs = (keepSmall: boolean) =>
      [...params].map(([n, p]) => {
        const isSmall = small(n);
        return [p, wantAfter.get(n)!, (i: number) => isSmall(i) === keepSmall] as const;
      });
    const big = errors(afterPairs(false));
    const tiny = errors(afterPairs(true));
    const checks: TrainCheck[] = [
      {
        name: 'train.loss',
        ...lossErr,
        maxRel: lossRel,
        criterion: le('rel', T.lossRel),
        pass: lossRel <= T.lossRel,
      },
      {
        name: 'grad.*',
        ...gradErr,
        criterion: exactGrads
          ? `${le('abs', F.abs)}, ${le('rel', F.rel)} where |g| > ${F.relFloor.toExponential(0)}`
          : le('abs', T.gradAbs),
        pass: exactGrads
          ? gradErr.maxAbs <= F.abs && gradErr.maxRel <= F.rel
          : gradErr.maxAbs <= T.gradAbs,
      },
      {
        name: 'after_adamw.* |g| >= 1e-6 or 0',
        ...big,
        criterion: le('abs', T.afterAbs),
        pass: big.maxAbs <= T.afterAbs,
      },
      {
        name: 'after_adamw.* 0 < |g| < 1e-6',
        ...tiny,
        criterion: le('abs', T.afterSmallGradAbs),
        pass: tiny.maxAbs <= T.afterSmallGradAbs,
      },
    ];
    return {
      checkpoint,
      goldenFile,
      precision,
      checks,
      pass: checks.every((c) => c.pass),
      loss,
      grads,
      after: params,
      shapes,
      closedForm,
    };
  } finally {
    await step.release();
  }
}

/** Writes our values under golden's names: train.loss [], grad.<name>, after_adamw.<name>. */
export async function writeTrainingStepValues(file: string, r: TrainVerifyReport): Promise<void> {
  const tensors: TensorToWrite[] = [
    { name: 'train.loss', dtype: 'F32', shape: [], data: Float32Array.of(r.loss) },
  ];
  for (const [name, shape] of r.shapes) {
    tensors.push({
      name: gradName(name),
      dtype: 'F32',
      shape: [...shape],
      data: r.grads.get(name)!,
    });
    tensors.push({
      name: `after_adamw.${name}`,
      dtype: 'F32',
      shape: [...shape],
      data: r.after.get(name)!,
    });
  }
  await writeSafetensors(file, tensors, { format: 'pt' });
}
