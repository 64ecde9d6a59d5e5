#!/usr/bin/env python3
"""CPython's random.Random outputs for @exp/eval's PythonRandom (maintainers only, not in CI).

Writes packages/eval/test/fixtures/python-random.json: for several int seeds, the first 32-bit
words, getrandbits / _randbelow / random() draws and Random.sample over small (pool branch) and
large (set branch) populations; and the GSM8K train indices lm-eval 0.4.x's gsm8k task shows
documents 0..29 (one Random(1234), rnd.sample(train_docs, 5) per document in order).
Plain python3, no packages:  python3 tools/crosscheck/python_random_fixture.py
"""
import json
import pathlib
import platform
import random

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "packages/eval/test/fixtures/python-random.json"
GSM8K_TRAIN = 7473  # lines of GSM8K train.jsonl

SEEDS = [0, 1, 42, 1234, 2**32 - 1, 2**32, 2**40 + 12345, 2**64 + 7, -1234]
SAMPLES = [(3, 0), (5, 1), (10, 5), (21, 5), (22, 5), (30, 6), (45, 6), (46, 6), (200, 20), (7473, 5), (7473, 6), (7473, 20), (100000, 50)]


def case(seed):
    r = random.Random(seed)
    uint32 = [r.getrandbits(32) for _ in range(8)]
    bits = {str(k): str(r.getrandbits(k)) for k in (1, 7, 31, 33, 64, 100)}
    below = [r._randbelow(n) for n in (1, 2, 3, 10, 7473, 2**31 + 1, 2**32 - 1)]
    floats = [r.random() for _ in range(3)]
    samples = []
    for n, k in SAMPLES:
        samples.append({"n": n, "k": k, "out": r.sample(range(n), k)})
    return {"seed": str(seed), "uint32": uint32, "getrandbits": bits, "randbelow": below,
            "random": [repr(f) for f in floats], "sample": samples}


def lm_eval_gsm8k(docs, k=5, seed=1234):
    rnd = random.Random(seed)
    return [rnd.sample(range(GSM8K_TRAIN), k) for _ in range(docs)]


data = {
    "python": platform.python_version(),
    "cases": [case(s) for s in SEEDS],
    "lm_eval_gsm8k": {"seed": 1234, "k": 5, "train_size": GSM8K_TRAIN, "docs": lm_eval_gsm8k(30)},
}
OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")
print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
