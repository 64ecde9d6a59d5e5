/** `exp run --instructions`: the short usage guide. */
export const INSTRUCTIONS = `exp: noise robustness of DiffLlama vs Llama on GSM8K

Set up:     pnpm install            (offline: export EXP_GSM8K_DIR=/path/to/gsm8k)
Data:       pnpm exp data pull      (or: pnpm exp data import <folder with train.jsonl, test.jsonl>)
Noise:      pnpm exp noise generate [--seed N] [--types inf,rcs,sd] [--templates FILE]
Run:        pnpm exp run --quick-test
            pnpm exp run --mode quick|medium|full
            pnpm exp run --datasets clean,inf --models diffllama,llama --max-samples 100
Continue:   pnpm exp run --resume <run-id>   (a stopped or failed run, with the options it started with)
Check:      pnpm exp doctor [--quick]

Modes: quick = 20 eval samples, no SFT, 5 attention samples (--enable-sft turns SFT on);
       medium = 100 eval samples, SFT 200 x 2 epochs, 10 attention samples;
       full = all 1,319 samples, SFT 500 x 2 epochs, 20 attention samples.
SFT keeps the last 2 checkpoint-<step>/ of each model (--save-total-limit N, 0 = all) and
saves final/ in the model's own dtype (--save-dtype); the plan says how much disk the run needs.
Every run writes results/<run-id>/manifest.json (options, versions, seeds, data hashes, status,
and each attempt's timings).`;
