// Gather's gradient with repeated ids on several threads. onnxruntime's ScatterND (reduction
// 'add') splits its slices across the intra-op pool with no ordering: two threads adding to the
// same embedding row lose updates and sum in a run-dependent order, so fine-tuning (every
// repeated token, in every batch) gave other weights from run to run. The rule must give the
// exact sum, the same on every run, whatever the thread count.
import { createSession } from '@exp/models';
import {
  DataType,
  GraphBuilder,
  Ops,
  encodeModel,
  EXPORT_IR_VERSION,
  EXPORT_OPSET,
} from '@exp/models/onnx';
import { gradients } from '../src/index.js';
import { feeds } from './fd.js';

const [V, H, N] = [5, 2048, 600];

async function gatherGradSession(axis: 0 | 1) {
  const g = new GraphBuilder('gather-grad');
  const o = new Ops(g);
  const dims = axis === 0 ? [V, H] : [H, V];
  const table = g.input('table', DataType.FLOAT, dims);
  const ids = g.input('ids', DataType.INT64, [N]);
  const y = o.gather(table, ids, axis);
  const loss = g.node('ReduceSum', [y], { keepdims: 0 })[0]!;
  const [grad] = gradients(g, loss, [table]);
  g.output(grad!, 'grad', DataType.FLOAT, dims);
  const meta = {
    irVersion: EXPORT_IR_VERSION,
    opsetImports: [{ domain: '', version: EXPORT_OPSET }],
    producerName: 't',
    producerVersion: '0',
  };
  return { session: await createSession(encodeModel(g, meta), { threads: 4 }), dims };
}

// id i % 3 for position i, and -1 (row V - 1) every 7th: rows 0..2 and 4 get known counts
const ids = BigInt64Array.from({ length: N }, (_, i) => BigInt(i % 7 === 0 ? -1 : i % 3));
const counts = new Array<number>(V).fill(0);
for (const id of ids) counts[(Number(id) + V) % V]!++;

test.each([0, 1] as const)(
  'axis %i: every repeated id adds once, the same on every run',
  async (axis) => {
    const { session, dims } = await gatherGradSession(axis);
    const table = { type: 'float32' as const, dims, data: new Float32Array(V * H) };
    const idsT = { type: 'int64' as const, dims: [N], data: ids };
    for (let run = 0; run < 20; run++) {
      const grad = (await session.run(feeds({ table, ids: idsT }))).grad!.data as Float32Array;
      const sums = counts.map((_, r) => {
        let lo = Infinity,
          hi = -Infinity;
        for (let j = 0; j < H; j++) {
          const v = axis === 0 ? grad[r * H + j]! : grad[j * V + r]!;
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
        return lo === hi ? lo : [lo, hi];
      });
      expect(sums).toEqual(counts);
    }
    await session.release();
  },
);
