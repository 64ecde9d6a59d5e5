import { z } from 'zod';
import { resolveUserPath } from '@exp/data';
import { verifyTrainingStep, writeTrainingStepValues } from '@exp/train';
import { parseOptions } from '../errors.js';
import type { CommandFactory } from '../cli.js';

const VerifySchema = z.object({
  checkpoint: z.string().min(1),
  golden: z.string().min(1),
  out: z.string().min(1).optional(),
});

export const sftCommand: CommandFactory = (io) => (y) =>
  y.command('sft <action>', 'Supervised fine-tuning of Llama / DiffLlama checkpoints', (m) =>
    m
      .command(
        'verify',
        'One training step (loss, every gradient, one AdamW step) on a golden file batch, compared with golden',
        (c) =>
          c
            .option('checkpoint', {
              type: 'string',
              demandOption: true,
              describe: 'HF checkpoint folder (config.json + safetensors)',
            })
            .option('golden', {
              type: 'string',
              demandOption: true,
              describe: 'Reference file with train.*, grad.*, after_adamw.* (golden.safetensors)',
            })
            .option('out', {
              type: 'string',
              describe: 'Write our train.loss, grad.<name>, after_adamw.<name> as safetensors',
            }),
        async (argv) => {
          const o = parseOptions(VerifySchema, argv);
          const report = await verifyTrainingStep(
            resolveUserPath(o.checkpoint),
            resolveUserPath(o.golden),
          );
          const e = (v: number) => v.toExponential(2);
          for (const c of report.checks) {
            io.out(
              `${c.pass ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(30)} max abs ${e(c.maxAbs)}  max rel ${e(c.maxRel)}  (${c.criterion}; ${c.count} values)`,
            );
          }
          if (o.out) {
            const out = resolveUserPath(o.out);
            await writeTrainingStepValues(out, report);
            io.out(`sft verify: wrote ${out}`);
          }
          const failed = report.checks.filter((c) => !c.pass).map((c) => c.name);
          if (!report.pass) throw new Error(`verification failed: ${failed.join(', ')}`);
          const closed = report.closedForm.length
            ? ` (${report.closedForm.length} after_adamw from golden's closed form)`
            : '';
          io.out(`verified loss, ${report.grads.size} gradients and one AdamW step${closed}`);
        },
      )
      .demandCommand(1, 'name an sft action: verify'),
  );
