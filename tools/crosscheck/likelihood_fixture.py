"""Maintainer cross-check (not in CI): reference log-probabilities for @exp/eval's likelihood.

Writes packages/eval/test/likelihood/fixtures/likelihood-transformers.json, which
packages/eval/test/likelihood/fixture.test.ts compares exp's teacher-forced log-probabilities with
(tolerance 1e-5):
- `golden`: for each golden checkpoint (../shared/golden/<name>), the two rows of case_a's ids
  and, for t >= 1, log_softmax(logits[t - 1])[ids[t]], from AutoModelForCausalLM (float32
  logits; the log-softmax in float64, as exp reduces them).
- `presets`: for tiny-llama and tiny-diffllama (`exp models init --preset`, default seed), four
  texts built from one made-up problem (no GSM8K text), clean and with a noise sentence, in the
  `sft` format (`Question: {q}\\n\\nAnswer: {solution}`) and the `seed` protocol's bare prompt
  (`{q} {solution}`): the ids AutoTokenizer gives (BOS included), the same per-token
  log-probabilities, the answer position (the first token whose offset ends after the last
  `#### `) and, there, the log-probabilities of the first tokens of 57 (gold), 45 and 1250.
Usage, from the repository root after `pnpm -F @exp/cli build`:
    /tmp/V/bin/python tools/crosscheck/likelihood_fixture.py [workdir]
"""
import json
import subprocess
import sys
from pathlib import Path

import torch
import transformers
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM, AutoTokenizer

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT.parent / "shared" / "golden"
OUT = ROOT / "packages/eval/test/likelihood/fixtures/likelihood-transformers.json"
GOLDEN_MODELS = ["tiny-llama", "tiny-llama-tied", "tiny-diffllama", "tiny-llama-l3", "tiny-diffllama-l3"]
PRESETS = ["tiny-llama", "tiny-diffllama"]

QUESTION = (
    "A baker sells 12 muffins each morning and 7 each afternoon. "
    "How many muffins does she sell in 3 days?"
)
NOISE = "Her neighbour keeps 45 cats and 1250 stamps. "
NOISY_QUESTION = QUESTION.replace("How many", NOISE + "How many")
SOLUTION = (
    "Each day she sells 12 + 7 = <<12+7=19>>19 muffins.\n"
    "In 3 days she sells 19 * 3 = <<19*3=57>>57 muffins.\n#### 57"
)
NUMBERS = ["57", "45", "1250"]


def logprobs(model, ids):
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0].double()
    lp = torch.log_softmax(logits, dim=-1)
    return lp, [float(lp[t - 1, ids[t]]) for t in range(1, len(ids))]


def main() -> int:
    work = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/likelihood-fixture")
    work.mkdir(parents=True, exist_ok=True)
    out = {
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
        "texts": {"question": QUESTION, "noisy_question": NOISY_QUESTION, "solution": SOLUTION},
        "golden": [],
        "presets": [],
    }
    for name in GOLDEN_MODELS:
        model = AutoModelForCausalLM.from_pretrained(GOLDEN / name, dtype=torch.float32).eval()
        ids = load_file(GOLDEN / name / "golden.safetensors")["case_a.input_ids"]
        for row in ids.tolist():
            _, lps = logprobs(model, row)
            out["golden"].append({"model": name, "ids": row, "logprobs": lps})
    for name in PRESETS:
        folder = work / name
        subprocess.run(
            ["node", "apps/cli/dist/main.js", "models", "init", "--preset", name, "--out", str(folder)],
            cwd=ROOT, check=True, capture_output=True,
        )
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
        tok = AutoTokenizer.from_pretrained(folder)
        first = {n: tok(n, add_special_tokens=False).input_ids[0] for n in NUMBERS}
        for question, noisy in [(QUESTION, False), (NOISY_QUESTION, True)]:
            for fmt, prompt in [("sft", f"Question: {question}\n\nAnswer:"), ("bare", question)]:
                text = f"{prompt} {SOLUTION}"
                enc = tok(text, return_offsets_mapping=True)
                ids = enc.input_ids
                final_char = len(prompt) + 1 + SOLUTION.rindex("#### ") + len("#### ")
                final_start = next(i for i, (_, e) in enumerate(enc.offset_mapping) if e > final_char)
                lp, lps = logprobs(model, ids)
                out["presets"].append({
                    "model": name, "format": fmt, "noisy": noisy, "ids": ids, "logprobs": lps,
                    "final_start": final_start,
                    "numbers": {n: [i, float(lp[final_start - 1, i])] for n, i in first.items()},
                })
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
