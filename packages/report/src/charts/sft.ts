// sft_loss: the training loss per optimiser step of each fine-tuned model (sft/<model>/loss.jsonl).
import type { SftLossRecord } from '@exp/train';
import {
  modelColourChannel,
  PADDING,
  title,
  VEGA_LITE_SCHEMA,
  type ModelColours,
  type Spec,
} from './common.js';

export interface LossCurve {
  model: string;
  points: SftLossRecord[];
}

export function sftLossSpec(curves: readonly LossCurve[], colours?: ModelColours): Spec {
  const models = curves.map((c) => c.model);
  const values = curves.flatMap((c) =>
    c.points.map((p) => ({ model: c.model, step: p.step, loss: p.loss, lr: p.lr })),
  );
  return {
    $schema: VEGA_LITE_SCHEMA,
    padding: PADDING,
    title: title('SFT training loss', ['per optimiser step, from sft/<model>/loss.jsonl']),
    data: { values },
    width: 420,
    height: 240,
    mark: { type: 'line', point: values.length <= 200 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field: 'loss', type: 'quantitative', title: 'loss', scale: { zero: false } },
      color: modelColourChannel(models, colours),
      tooltip: [
        { field: 'model', type: 'nominal' },
        { field: 'step', type: 'quantitative' },
        { field: 'loss', type: 'quantitative', format: '.4f' },
        { field: 'lr', type: 'quantitative', format: '.2e' },
      ],
    },
  } as Spec;
}
