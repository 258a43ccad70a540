#!/usr/bin/python3
"""GPT-2's byte-to-unicode table (bytes_to_unicode of openai/gpt-2 src/encoder.py, which Hugging Face tokenizers'
ByteLevel pre-tokenizer and decoder reproduce), for ByteLevelAlphabetTests in Directer.Core.Tests.

The function below is GPT-2's, unchanged but for names (reference/tokenizer_reference.py holds the same one; it needs
the `regex` module, which Debian's python3 lacks, so this script stands alone).

Run: /usr/bin/python3 reference/byte_level_alphabet_reference.py           (rewrites Fixtures/tokenizers/gpt2_bytes_to_unicode.json)
     /usr/bin/python3 reference/byte_level_alphabet_reference.py --check   (fails if it is stale)
"""

import argparse
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "Directer.Core.Tests" / "Fixtures" / "tokenizers" / "gpt2_bytes_to_unicode.json"


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(2**8):
        if b not in bs:
            bs.append(b)
            cs.append(2**8 + n)
            n += 1
    cs = [chr(n) for n in cs]
    return dict(zip(bs, cs))


def build():
    table = bytes_to_unicode()
    return {"generator": "reference/byte_level_alphabet_reference.py", "byte_to_code_point": [ord(table[b]) for b in range(256)]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    serialized = json.dumps(build()) + "\n"
    if args.check:
        if OUT.read_text(encoding="utf-8") != serialized:
            print(f"{OUT} is stale", file=sys.stderr)
            return 1
        print("gpt2_bytes_to_unicode.json is up to date")
        return 0
    OUT.write_text(serialized, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
