// GroupSums (the step adds its gradients into the group's sums in place) vs GradientAccumulator
// over plain runs: the same float32 sums bit for bit, the same total and norm.
import { readCheckpointTensors } from '@exp/models';
import { GradientAccumulator } from '../src/optim/accumulate.js';
import { GroupSums } from '../src/group-sums.js';
import { TrainingStep, type TrainingBatch } from '../src/step-graph.js';
import { goldenDir, readGolden, trainBatch } from './golden-data.js';

const model = 'tiny-llama-tied';

/** The golden batch's rows as one-row micro-batches, with their label counts (the weights). */
function rows(): { batch: TrainingBatch; n: number }[] {
  const { dims, inputIds, labels } = trainBatch(readGolden(model));
  const S = dims[1];
  return [0, 1].map((r) => {
    const lab = labels.slice(r * S, (r + 1) * S);
    // the second row's last 4 labels ignored: unequal weights, so the scale is not 1
    if (r === 1) lab.fill(-100n, S - 4);
    return {
      batch: { dims: [1, S], inputIds: inputIds.slice(r * S, (r + 1) * S), labels: lab },
      n: lab.slice(1).filter((l) => l !== -100n).length,
    };
  });
}

test('two groups of two micro-batches: sums, total and norm equal GradientAccumulator exactly', async () => {
  const dir = goldenDir(model);
  const params = readCheckpointTensors(dir);
  const micro = rows();
  expect(micro.map((m) => m.n)).toEqual([12, 8]);
  const plain = await TrainingStep.create(dir, { session: { threads: 1 } });
  const accumulating = await TrainingStep.create(dir, {
    accumulate: true,
    session: { threads: 1 },
  });
  const ref = new GradientAccumulator();
  const sums = new GroupSums(accumulating);
  // the second group runs the micro-batches in the other order: the buffers start over from zero
  for (const order of [micro, [...micro].reverse()]) {
    const losses: [number, number][] = [];
    for (const [k, { batch, n }] of order.entries()) {
      const r = await plain.run(params, batch);
      ref.add(r.grads, n, { last: k === order.length - 1 });
      losses.push([r.loss, await sums.add(params, batch, n)]);
    }
    for (const [a, b] of losses) expect(b).toBe(a);
    const want = ref.take();
    const got = sums.take();
    expect(got.total).toBe(want.total);
    expect(got.norm).toBe(want.norm);
    expect([...got.sums.keys()]).toEqual([...want.sums.keys()]);
    for (const [name, s] of want.sums) {
      const g = got.sums.get(name)!;
      let differ = 0;
      s.forEach((v, i) => (differ += v === g[i] ? 0 : 1));
      expect([name, differ]).toEqual([name, 0]);
    }
  }
  await plain.release();
  await accumulating.release();
});

test('an accumulating step needs the sums, and a plain step takes none: one-line errors', async () => {
  const dir = goldenDir(model);
  const params = readCheckpointTensors(dir);
  const { batch } = rows()[0]!;
  const accumulating = await TrainingStep.create(dir, {
    accumulate: true,
    session: { threads: 1 },
  });
  await expect(accumulating.run(params, batch)).rejects.toThrow(
    'run: an accumulating step needs the sums to add to (acc)',
  );
  await expect(accumulating.run(params, batch, { into: new Map(), scale: 1 })).rejects.toThrow(
    "acc.into: 'model.embed_tokens.weight' needs 512 x 64 float32 values",
  );
  await accumulating.release();
  expect(() => new GroupSums(accumulating)).not.toThrow();
  const plain = await TrainingStep.create(dir, { session: { threads: 1 } });
  expect(() => new GroupSums(plain)).toThrow('GroupSums: the step must be built with accumulate');
  await plain.release();
});
