#!/usr/bin/python3
"""Independent byte-level BPE reference (GPT-2's published algorithm) for Hugging Face
tokenizer.json files of the Qwen2 / Llama 3 / GPT-2 family, used because the `tokenizers`
library is not installable here. Supports exactly what the Directer tests use: added tokens
(matched first, longest first), NFC, pre-tokenizers Split(Regex, Isolated) / ByteLevel
(add_prefix_space, use_regex) / Digits / Sequence, ranked merges, ByteLevel decoding.

Re-make the goldens (from the repository root):
    for f in qwen2 llama3 gpt2 digits; do
      dotnet run --project tests/Directer.Testing -- write-tokenizer /tmp/directer-tok-$f $f
      /usr/bin/python3 reference/tokenizer_reference.py /tmp/directer-tok-$f tests/Directer.Core.Tests/Fixtures/tokenizers/bytelevel-goldens-$f.json
    done
"""
import json
import sys
import unicodedata

import regex

GPT2 = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
CASES = ["hello world", "12345678 and 1,234.5", "I'M here... ok!!  \n\n  done", "the the", "Hello, World! 123 4567", "naïve café — 東京 😀🚀", "  leading and trailing  ",
         "tabs\tand\nnew\r\nlines", "<|im_start|>user\nhello<|im_end|>\n", "don't we'll THEY'RE", "x² ∑ 🇫🇷 e\u0301", ""]


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


class Tokenizer:
    def __init__(self, path):
        spec = json.load(open(path, encoding="utf-8"))
        model = spec["model"]
        assert model["type"] == "BPE"
        self.vocab = model["vocab"]
        merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in model["merges"]]
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.added = sorted(spec.get("added_tokens", []), key=lambda t: -len(t["content"]))
        self.nfc = (spec.get("normalizer") or {}).get("type") == "NFC"
        self.steps = self._steps(spec.get("pre_tokenizer"))
        self.byte_encoder = bytes_to_unicode()
        self.byte_decoder = {v: k for k, v in self.byte_encoder.items()}
        self.id_to_token = {i: t for t, i in self.vocab.items()}
        for t in self.added:
            self.id_to_token[t["id"]] = t["content"]

    def _steps(self, pre):
        if pre is None:
            return []
        if pre["type"] == "Sequence":
            return [s for p in pre["pretokenizers"] for s in self._steps(p)]
        return [pre]

    def _split(self, pieces, step):
        out = []
        for piece in pieces:
            if step["type"] == "Split":
                pattern = regex.compile(step["pattern"]["Regex"])
            elif step["type"] == "ByteLevel":
                if step.get("add_prefix_space", True) and not piece.startswith(" "):
                    piece = " " + piece
                if not step.get("use_regex", True):
                    out.append(piece)
                    continue
                pattern = regex.compile(GPT2)
            elif step["type"] == "Digits":
                pattern = regex.compile(r"\p{N}" if step.get("individual_digits") else r"\p{N}+")
            else:
                raise ValueError(step["type"])
            last = 0
            for m in pattern.finditer(piece):
                if m.start() > last:
                    out.append(piece[last:m.start()])
                out.append(m.group())
                last = m.end()
            if last < len(piece):
                out.append(piece[last:])
        return [p for p in out if p]

    def _bpe(self, word):
        parts = list(word)
        while len(parts) > 1:
            pairs = [(self.ranks.get((a, b), float("inf")), i) for i, (a, b) in enumerate(zip(parts, parts[1:]))]
            rank, i = min(pairs)
            if rank == float("inf"):
                break
            parts = parts[:i] + [parts[i] + parts[i + 1]] + parts[i + 2:]
        return [self.vocab[p] for p in parts]

    def encode(self, text):
        ids, pos, plain = [], 0, ""
        while pos <= len(text):
            hit = next((t for t in self.added if text.startswith(t["content"], pos)), None) if pos < len(text) else None
            if hit is None and pos < len(text):
                plain += text[pos]
                pos += 1
                continue
            if plain:
                segment = unicodedata.normalize("NFC", plain) if self.nfc else plain
                pieces = [segment]
                for step in self.steps:
                    pieces = self._split(pieces, step)
                for piece in pieces:
                    ids += self._bpe("".join(self.byte_encoder[b] for b in piece.encode("utf-8")))
                plain = ""
            if hit is None:
                break
            ids.append(hit["id"])
            pos += len(hit["content"])
        return ids

    def decode(self, ids):
        data = bytearray()
        for i in ids:
            token = self.id_to_token[i]
            if any(t["id"] == i for t in self.added):
                data += token.encode("utf-8")
            else:
                data += bytes(self.byte_decoder[c] for c in token)
        return data.decode("utf-8", errors="replace")


def main():
    folder, out = sys.argv[1], sys.argv[2]
    tok = Tokenizer(folder + "/tokenizer.json")
    cases = [{"text": t, "ids": tok.encode(t), "decoded": tok.decode(tok.encode(t))} for t in CASES]
    json.dump({"generator": "reference/tokenizer_reference.py", "cases": cases}, open(out, "w", encoding="utf-8"), ensure_ascii=False, indent=1)
    print("wrote", out)


if __name__ == "__main__":
    main()
