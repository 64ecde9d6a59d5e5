"""Maintainer cross-check (not in CI): our tiny presets against current transformers.

For each preset: `exp models init` writes the folder, AutoModelForCausalLM.from_pretrained loads
it with every warning captured (none may mention KV heads or max positions), and its logits on
fixed ids are compared with our ONNX export's (tools/crosscheck/ts-logits.mjs).
With `--checkpoints DIR...` it checks those HF checkpoint folders instead (e.g. the `final/`
folders `exp sft` / `exp run` write), copied into the workdir first.
Usage, from the repository root after `pnpm -F @exp/models build` and `pnpm -F @exp/cli build`:
    /tmp/V/bin/python tools/crosscheck/presets.py [workdir] [--checkpoints DIR...]
"""
import shutil
import json
import logging
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import torch
import transformers
from transformers import AutoModelForCausalLM

PRESETS = ["tiny-llama", "tiny-diffllama"]
# BOS then arbitrary ids across the vocabulary; 12 positions.
IDS = [128000, 9906, 1917, 11, 1268, 527, 499, 30, 128009, 100, 50000, 128255]
BAD = ("key_value", "kv head", "max_position", "original_max_position")


def load_quietly(folder: Path):
    """The model, and every warning and log record transformers emitted while loading it."""
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    handler = Keep(level=logging.DEBUG)
    root = logging.getLogger("transformers")
    root.addHandler(handler)
    transformers.logging.set_verbosity_warning()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    root.removeHandler(handler)
    return model.eval(), records + [str(w.message) for w in caught]


def main() -> int:
    args = sys.argv[1:]
    checkpoints = []
    if "--checkpoints" in args:
        i = args.index("--checkpoints")
        checkpoints = [Path(a) for a in args[i + 1:]]
        args = args[:i]
    work = Path(args[0] if args else "/tmp/crosscheck-presets")
    work.mkdir(parents=True, exist_ok=True)
    print(f"torch {torch.__version__}, transformers {transformers.__version__}")
    failed = False
    names = [f"{c.parent.name}-{c.name}" for c in checkpoints] if checkpoints else PRESETS
    for k, name in enumerate(names):
        folder = work / name
        if checkpoints:
            shutil.rmtree(folder, ignore_errors=True)
            shutil.rmtree(work / f"{name}.onnx", ignore_errors=True)
            shutil.copytree(checkpoints[k], folder)
        else:
            subprocess.run(
                ["node", "apps/cli/dist/main.js", "models", "init", "--preset", name, "--out", str(folder)],
                check=True,
            )
        model, messages = load_quietly(folder)
        bad = [m for m in messages if any(b in m.lower() for b in BAD)]
        with torch.no_grad():
            ours_hf = model(torch.tensor([IDS])).logits[0].numpy()
        subprocess.run(["node", "tools/crosscheck/ts-logits.mjs", str(folder), json.dumps(IDS)], check=True)
        onnx = json.loads((work / f"{name}.onnx-logits.json").read_text())
        ours = np.asarray(onnx["data"], dtype=np.float32).reshape(onnx["dims"])[0]
        diff = float(np.abs(ours - ours_hf).max())
        scale = float(np.abs(ours_hf).max())
        print(f"{name}: {len(messages)} load messages, {len(bad)} about kv heads / positions; "
              f"logits {list(ours.shape)}, max |logit| {scale:.4f}, max abs diff {diff:.3e}")
        for m in messages:
            print(f"  load message: {m}")
        failed |= bool(bad) or diff > 1e-4
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
