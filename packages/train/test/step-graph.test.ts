// The training-step graph (parameters as inputs) vs golden train.loss and grad.<name>.
import { readCheckpointTensors } from '@exp/models';
import { TrainingStep, buildTrainingStep } from '../src/index.js';
import { MODELS, goldenDir, readGolden, trainBatch } from './golden-data.js';

describe('buildTrainingStep', () => {
  test('parameters are graph inputs named as in the state dict; inputs ids/mask/labels', () => {
    const { graph, parameters, trainable } = buildTrainingStep(goldenDir('tiny-llama-tied'));
    expect(graph.initializers.map((t) => t.name)).not.toContain('model.embed_tokens.weight');
    const inputs = graph.inputs.map((v) => v.name);
    expect(inputs.filter((n) => !parameters.has(n))).toEqual([
      'input_ids',
      'attention_mask',
      'labels',
    ]);
    expect(inputs.filter((n) => parameters.has(n)).sort()).toEqual([...parameters.keys()].sort());
    expect(parameters.has('lm_head.weight')).toBe(false);
    expect(graph.outputs.map((v) => v.name)).toEqual([
      'loss',
      ...trainable.map((n) => `grad.${n}`),
    ]);
  });

  test('an unknown trainable name is a one-line error', () => {
    const dir = goldenDir('tiny-llama-tied');
    expect(() => buildTrainingStep(dir, { trainable: ['lm_head.weight'] })).toThrow(
      `${dir}: 'lm_head.weight' is not a parameter of this llama`,
    );
  });
});

describe('TrainingStep vs golden (float32)', () => {
  test('frozen parameters: only the trainable ones get a gradient, with the same values', async () => {
    const dir = goldenDir('tiny-llama');
    const golden = readGolden('tiny-llama');
    const trainable = ['model.norm.weight', 'model.layers.1.mlp.up_proj.weight'];
    const step = await TrainingStep.create(dir, { trainable, session: { threads: 1 } });
    const r = await step.run(readCheckpointTensors(dir), trainBatch(golden));
    await step.release();
    expect([...r.grads.keys()]).toEqual(trainable);
    for (const name of trainable) {
      const ref = golden.get(`grad.${name}`)!.data as Float32Array;
      ref.forEach((w, i) => expect(Math.abs(r.grads.get(name)![i]! - w)).toBeLessThanOrEqual(1e-6));
    }
  });

  test('a missing or mis-sized parameter is a one-line error naming it', async () => {
    const dir = goldenDir('tiny-llama');
    const step = await TrainingStep.create(dir, { session: { threads: 1 } });
    const params = readCheckpointTensors(dir);
    const batch = {
      dims: [1, 4] as [number, number],
      inputIds: new BigInt64Array(4).fill(5n),
      labels: new BigInt64Array(4).fill(5n),
    };
    params.set('model.norm.weight', new Float32Array(3));
    await expect(step.run(params, batch)).rejects.toThrow(
      "params: 'model.norm.weight' has 3 values, shape [64] needs 64",
    );
    params.set('model.norm.weight', new Float32Array(64));
    params.delete('lm_head.weight');
    await expect(step.run(params, batch)).rejects.toThrow("params: no value for 'lm_head.weight'");
    await step.release();
  });

  // tied checkpoints: one embedding input, read by Gather and the LM head; the walk sums both
  test.each(MODELS)('%s: loss rel <= 1e-6, grads max abs <= 1e-6', async (model) => {
    const dir = goldenDir(model);
    const golden = readGolden(model);
    const step = await TrainingStep.create(dir, { session: { threads: 1 } });
    const r = await step.run(readCheckpointTensors(dir), trainBatch(golden));
    await step.release();
    const want = Number(golden.get('train.loss')!.data[0]);
    const lossRel = Math.abs(r.loss - want) / want;
    let worst = 0;
    for (const [name, got] of r.grads) {
      const ref = golden.get(`grad.${name}`)!.data as Float32Array;
      expect(got).toHaveLength(ref.length);
      ref.forEach((w, i) => (worst = Math.max(worst, Math.abs(got[i]! - w))));
    }
    const f = (v: number) => v.toExponential(1);
    console.log(`${model}: loss rel ${f(lossRel)}, grads max abs ${f(worst)}`);
    expect(r.grads.size).toBe(step.parameters.size);
    expect(lossRel).toBeLessThanOrEqual(1e-6);
    expect(worst).toBeLessThanOrEqual(1e-6);
  });
});
