// Completion agreement of two `exp run` folders (tools/gpu-check.sh): every sample log of the
// first (samples/ and samples_post_sft/, <model>/<dataset>.jsonl) against the same file of the
// second, sample by sample (by id). Prints one line per file, then a total line that starts with
// 'all identical' when every completion of the first equals the second's.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const [a, b] = process.argv.slice(2);
if (!a || !b) {
  console.error('usage: gpu-check-compare.mjs RUN_DIR REFERENCE_RUN_DIR');
  process.exit(2);
}
const read = (file) =>
  new Map(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .map((r) => [r.id, r.completion]),
  );
let same = 0;
let total = 0;
let missing = 0;
for (const kind of ['samples', 'samples_post_sft']) {
  const root = path.join(a, kind);
  if (!existsSync(root)) continue;
  for (const model of readdirSync(root).sort()) {
    for (const f of readdirSync(path.join(root, model)).sort()) {
      const mine = read(path.join(root, model, f));
      const refFile = path.join(b, kind, model, f);
      const ref = existsSync(refFile) ? read(refFile) : new Map();
      let s = 0;
      for (const [id, c] of mine) {
        if (!ref.has(id)) missing++;
        else if (ref.get(id) === c) s++;
      }
      same += s;
      total += mine.size;
      console.log(`${kind}/${model}/${f}: ${s} of ${mine.size} completions identical`);
    }
  }
}
if (total === 0) {
  console.log('no samples found');
  process.exit(1);
}
const head = same === total ? 'all identical' : 'differ';
console.log(`${head}: ${same} of ${total} completions (${missing} without a reference sample)`);
