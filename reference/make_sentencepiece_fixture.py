#!/usr/bin/python3
"""Trains a tiny SentencePiece BPE model (Llama 2 / Mistral style: byte fallback, dummy prefix,
no normalization) with Debian's python3-sentencepiece, and records golden encodings/decodings.

Re-make (from the repository root):
    /usr/bin/python3 reference/make_sentencepiece_fixture.py
Writes tests/Directer.Core.Tests/Fixtures/tokenizers/sentencepiece/{tokenizer.model,goldens.json}.
"""
import io
import json
import os
import sentencepiece as spm

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "Directer.Core.Tests", "Fixtures", "tokenizers", "sentencepiece")
CORPUS = [
    "Hello world. The quick brown fox jumps over the lazy dog.",
    "Answer in lowercase letters and do not use commas.",
    "Instruction following with steering makes models listen to the user.",
    "Numbers like 12 345 and 2024 appear in text as well as punctuation!",
    "the cat sat on the mat while the dog slept in the sun",
] * 40
CASES = [
    "Hello world",
    " leading space and  double  spaces",
    "lowercase letters, no commas",
    "naïve café — 東京 😀",
    "digits 0123456789",
    "",
]


def main():
    os.makedirs(OUT, exist_ok=True)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(CORPUS), model_writer=model, model_type="bpe", vocab_size=300,
        byte_fallback=True, character_coverage=1.0, normalization_rule_name="identity",
        add_dummy_prefix=True, remove_extra_whitespaces=False, split_digits=True,
        bos_id=1, eos_id=2, unk_id=0, pad_id=-1, allow_whitespace_only_pieces=True, seed_sentencepiece_size=1000)
    with open(os.path.join(OUT, "tokenizer.model"), "wb") as f:
        f.write(model.getvalue())
    sp = spm.SentencePieceProcessor(model_proto=model.getvalue())
    goldens = {
        "generator": "reference/make_sentencepiece_fixture.py",
        "sentencepiece": spm.__version__,
        "vocab_size": sp.get_piece_size(),
        "cases": [{"text": t, "ids": sp.encode(t), "decoded": sp.decode(sp.encode(t))} for t in CASES],
    }
    with open(os.path.join(OUT, "goldens.json"), "w", encoding="utf-8") as f:
        json.dump(goldens, f, ensure_ascii=False, indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
