// Whole-model check: gradients() over each golden checkpoint's exported decoder (weights stay
// initializers, which are Values like any other) against golden train.loss and grad.<name>.
import {
  DataType,
  buildDecoderGraph,
  expectedWeights,
  loadModelConfig,
  withCheckpoint,
} from '@exp/models';
import { causalLmLoss, gradients } from '../src/index.js';
import { feeds, session, type HostTensor } from './fd.js';
import { MODELS, goldenDir, readGolden } from './golden-data.js';

describe('loss and every parameter gradient vs golden (float32)', () => {
  test.each(MODELS)(
    '%s: train.loss (rel 1e-6), grad.<name> (atol 1e-6; rel 1e-3 where |g| > 1e-4)',
    async (model) => {
      const DIR = goldenDir(model);
      const config = loadModelConfig(DIR);
      const golden = readGolden(model);
      const ids = golden.get('train.input_ids')!;
      const [B, S] = ids.shape as [number, number];
      const names = [...expectedWeights(config).keys()];

      // weights load lazily: encode (inside session()) while the checkpoint is open
      const s = await withCheckpoint(DIR, (ckpt) => {
        const g = buildDecoderGraph(ckpt, config);
        const logits = { name: 'logits' };
        const labels = g.input('labels', DataType.INT64, [B, S]);
        const loss = causalLmLoss(g, logits, labels);
        const grads = gradients(
          g,
          loss,
          names.map((name) => ({ name })),
        );
        g.output(loss, 'loss', DataType.FLOAT, []);
        grads.forEach((d, i) =>
          g.output(d, `grad.${names[i]}`, DataType.FLOAT, expectedWeights(config).get(names[i]!)!),
        );
        return session(g);
      });
      const i64 = (dims: number[], data: BigInt64Array): HostTensor => ({
        type: 'int64',
        dims,
        data,
      });
      const host: Record<string, HostTensor> = {
        input_ids: i64([B, S], ids.data as BigInt64Array),
        labels: i64([B, S], golden.get('train.labels')!.data as BigInt64Array),
        attention_mask: i64([B, S], new BigInt64Array(B * S).fill(1n)),
        position_ids: i64(
          [B, S],
          BigInt64Array.from({ length: B * S }, (_, i) => BigInt(i % S)),
        ),
      };
      const { numKvHeads: kv, headDim: d } = config;
      for (let l = 0; l < config.numLayers; l++) {
        for (const k of ['key', 'value']) {
          host[`past_key_values.${l}.${k}`] = {
            type: 'float32',
            dims: [B, kv, 0, d],
            data: new Float32Array(0),
          };
        }
      }
      const r = await s.run(feeds(host));
      const wantLoss = Number(golden.get('train.loss')!.data[0]);
      const lossErr = Math.abs(Number(r.loss!.data[0]) - wantLoss) / wantLoss;
      expect(lossErr).toBeLessThan(1e-6);
      // over all parameters: max abs error, and max relative error where |g| > 1e-6 / 1e-4
      const worst = { abs: 0, rel6: 0, rel4: 0 };
      for (const name of names) {
        const got = r[`grad.${name}`]!.data as Float32Array;
        const want = golden.get(`grad.${name}`)!.data as Float32Array;
        expect(got).toHaveLength(want.length);
        want.forEach((w, i) => {
          const e = Math.abs(got[i]! - w);
          worst.abs = Math.max(worst.abs, e);
          if (Math.abs(w) > 1e-6) worst.rel6 = Math.max(worst.rel6, e / Math.abs(w));
          if (Math.abs(w) > 1e-4) worst.rel4 = Math.max(worst.rel4, e / Math.abs(w));
        });
      }
      const f = (v: number) => v.toExponential(1);
      console.log(
        `${model}: loss rel ${f(lossErr)}, grads max abs ${f(worst.abs)}, ` +
          `max rel |g|>1e-6 ${f(worst.rel6)}, |g|>1e-4 ${f(worst.rel4)}`,
      );
      expect(worst.abs).toBeLessThanOrEqual(1e-6);
      // float32 noise: golden's own float32 vs float64 grads differ by 1.1e-4..3.3e-4 here
      expect(worst.rel4).toBeLessThanOrEqual(1e-3);
      await s.release();
    },
  );
});
