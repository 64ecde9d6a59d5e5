"""Maintainer cross-check (not in CI): attention knockout against transformers' 4D masks.

Writes packages/models/test/fixtures/knockout-logits.json, which
packages/models/test/runtime/knockout.test.ts compares exp's knockout (export option `knockout`,
CausalLM.forward({ knockout })) with to 1e-5.

The knockout (issue 18 part 2): in layers >= from_layer, query q of row b gets
finfo(float32).min on key k when blocked[b, k] and not blocked[b, q]; tokens inside a span attend
normally. transformers takes a 4D float `attention_mask` [B, 1, Q, K] as it is (masking_utils
returns a 4D mask unchanged; Llama's and DiffLlama's eager attention add it to the scores of
every head, so both softmax maps of a DiffLlama head see it). The mask is
where(causal & padding & !knocked, 0, finfo(float32).min). For from_layer > 0 a forward pre-hook
on each decoder layer below from_layer swaps its `attention_mask` kwarg for the plain causal +
padding mask. position_ids are passed as clamp(cumsum(mask) - 1, 0) (transformers 5 does not
derive them from the mask).

Each case stores, for its valid (non-padding) positions, the logits at 32 vocabulary ids spread
over the vocabulary plus the log-sum-exp of each position's full row, and that log-sum-exp for the plain model (no
knockout), so the test also checks that the knockout changes the logits. Values are float32
written with 9 significant digits (exact).

Usage, from the repository root (the presets written by `exp models init`, seed default):
    pnpm -F @exp/models build && pnpm -F @exp/cli build
    node apps/cli/dist/main.js models init --preset tiny-llama --out /tmp/ko/tiny-llama
    node apps/cli/dist/main.js models init --preset tiny-diffllama --out /tmp/ko/tiny-diffllama
    /tmp/V/bin/python tools/crosscheck/knockout_fixture.py /tmp/ko
"""
import json
import sys
from pathlib import Path

import torch
import transformers
from transformers import AutoModelForCausalLM

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT.parent / "shared" / "golden"
OUT = ROOT / "packages/models/test/fixtures/knockout-logits.json"

SEQ = 12
# row 1 is left-padded by 2; spans are [start, end) columns of input_ids
MASK = [[1] * SEQ, [0, 0] + [1] * (SEQ - 2)]
SPANS = [[[3, 6]], [[5, 7], [9, 10]]]
# (model, folder, from_layer values)
CASES = [
    ("tiny-llama", GOLDEN / "tiny-llama", [0, 1]),
    ("tiny-diffllama", GOLDEN / "tiny-diffllama", [0, 2]),
    ("tiny-llama-l3", GOLDEN / "tiny-llama-l3", [2]),
    ("tiny-diffllama-l3", GOLDEN / "tiny-diffllama-l3", [1]),
    ("preset:tiny-llama", None, [0]),
    ("preset:tiny-diffllama", None, [0, 1]),
]


def input_ids(vocab: int) -> list[list[int]]:
    return [[(7 + 37 * i + 101 * b) % vocab for i in range(SEQ)] for b in range(2)]


def masks(blocked: torch.Tensor, pad: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The plain and the knocked-out additive masks [B, 1, S, S] (float32)."""
    s = pad.shape[1]
    causal = torch.tril(torch.ones(s, s, dtype=torch.bool))
    allowed = causal[None, None] & pad.bool()[:, None, None, :]
    knocked = blocked.bool()[:, None, None, :] & ~blocked.bool()[:, None, :, None]
    low = torch.finfo(torch.float32).min
    plain = torch.where(allowed, 0.0, low).float()
    return plain, torch.where(allowed & ~knocked, 0.0, low).float()


def logits_of(model, ids, pad, mask4, plain4, from_layer):
    hooks = []
    for i, layer in enumerate(model.model.layers):
        if i < from_layer:

            def swap(_mod, args, kwargs):
                kwargs["attention_mask"] = plain4
                return args, kwargs

            hooks.append(layer.register_forward_pre_hook(swap, with_kwargs=True))
    try:
        positions = (pad.cumsum(-1) - 1).clamp(min=0)
        with torch.no_grad():
            return model(input_ids=ids, attention_mask=mask4, position_ids=positions).logits
    finally:
        for h in hooks:
            h.remove()


def f32(x) -> float:
    return float(f"{float(x):.9g}")


def summary(logits: torch.Tensor, pad: torch.Tensor, picked: list[int] | None):
    rows = []
    for b in range(logits.shape[0]):
        for p in range(logits.shape[1]):
            if not pad[b, p]:
                continue
            row = logits[b, p]
            r = {"row": b, "pos": p, "lse": f32(torch.logsumexp(row.double(), -1))}
            if picked:
                r["picked"] = [f32(x) for x in row[picked]]
            rows.append(r)
    return rows


def main() -> None:
    presets = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/ko")
    out = []
    for name, folder, from_layers in CASES:
        folder = folder or presets / name.split(":")[1]
        model = AutoModelForCausalLM.from_pretrained(
            folder, dtype=torch.float32, attn_implementation="eager"
        ).eval()
        vocab = model.config.vocab_size
        picked = [round(j * (vocab - 1) / 31) for j in range(32)]
        ids = torch.tensor(input_ids(vocab))
        pad = torch.tensor(MASK)
        blocked = torch.zeros(2, SEQ, dtype=torch.long)
        for b, spans in enumerate(SPANS):
            for s, e in spans:
                blocked[b, s:e] = 1
        plain4, ko4 = masks(blocked, pad)
        plain = logits_of(model, ids, pad, plain4, plain4, 0)
        for fl in from_layers:
            ko = logits_of(model, ids, pad, ko4, plain4, fl)
            out.append(
                {
                    "model": name,
                    "from_layer": fl,
                    "input_ids": ids.tolist(),
                    "attention_mask": MASK,
                    "spans": SPANS,
                    "picked_ids": picked,
                    "knockout": summary(ko, pad, picked),
                    "plain": summary(plain, pad, None),
                    "max_abs_change": f32((ko - plain)[pad.bool()].abs().max()),
                }
            )
            print(f"{name} from_layer {fl}: max |knockout - plain| {out[-1]['max_abs_change']:.4g}")
    OUT.write_text(
        json.dumps(
            {"transformers": transformers.__version__, "torch": torch.__version__, "cases": out},
            indent=None,
            separators=(",", ":"),
        )
        + "\n"
    )
    print(f"wrote {OUT} ({len(out)} cases, {OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
