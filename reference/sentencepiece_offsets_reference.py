#!/usr/bin/python3
"""Prints, for the texts of SentencePieceTests.OffsetsAreThoseOfTheInputCharactersEachPieceStandsFor, the pieces that
Google's sentencepiece (Debian's python3-sentencepiece) gives on the committed tokenizer.model: id, surface, and the
surface's range in the input (sentencepiece counts UTF-8 bytes; printed here as UTF-16 units, as C# counts). A control
token's text (<s>, </s>) is split off first, as Hugging Face and Directer do with added tokens, and the pieces around it
are encoded on their own.

sentencepiece gives the dummy-prefix ▁ an empty surface and puts a byte-fallback character's surface on its last byte
piece; Hugging Face (and Directer) give the dummy ▁ the first character's range and every byte piece the whole
character's range (the Rust tokenizers on the Mistral fixture: "Ω" → ▁ (0,1), <0xCE> (0,1), <0xA9> (0,1)), so the tests
take those two from Hugging Face and every other range from here.

    /usr/bin/python3 reference/sentencepiece_offsets_reference.py
"""
import os
import re
import sentencepiece as spm

MODEL = os.path.join(os.path.dirname(__file__), "..", "tests", "Directer.Core.Tests", "Fixtures", "tokenizers", "sentencepiece", "tokenizer.model")
TEXTS = ["Hello world", "a😀b", "😀", "x <s> y", "ab</s>", "a the"]


def varint(b, i):
    result = shift = 0
    while True:
        c = b[i]
        i += 1
        result |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return result, i


def fields(b):
    """The fields of a serialized protobuf message: (number, value) with varints as int and the rest as bytes."""
    i, out = 0, []
    while i < len(b):
        key, i = varint(b, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(b, i)
        elif wire == 2:
            length, i = varint(b, i)
            value, i = b[i:i + length], i + length
        elif wire == 5:
            value, i = b[i:i + 4], i + 4
        else:
            value, i = b[i:i + 8], i + 8
        out.append((number, value))
    return out


def utf16(text, byte_offset):
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore").encode("utf-16-le")) // 2


def main():
    sp = spm.SentencePieceProcessor(model_file=MODEL)
    for text in TEXTS:
        out = []
        at = 0
        for part in re.split(r"(<s>|</s>)", text):
            if part in ("<s>", "</s>"):
                out.append((sp.piece_to_id(part), part, at, at + len(part)))
            elif part:
                # SentencePieceText: 2 = pieces {2 id, 3 surface, 4 begin, 5 end} (byte offsets into part)
                for number, value in fields(sp.encode_as_serialized_proto(part)):
                    if number == 2:
                        piece = dict(fields(value))
                        begin, end = piece.get(4, 0), piece.get(5, 0)
                        out.append((piece.get(2, 0), piece.get(3, b"").decode("utf-8"), at + utf16(part, begin), at + utf16(part, end)))
            at += len(part)
        print(repr(text), out)


if __name__ == "__main__":
    main()
