#!/usr/bin/python3
"""Which strings Python's json.loads accepts, for PythonJsonSyntax (Directer.Core.PythonCompat) in Directer.Core.Tests.

The verdict of every case is json.loads's own (CPython 3.11's C scanner, strict=True): accepted, or ValueError
(json.JSONDecodeError). The cases walk the grammar the scanner implements: every value kind at top level and inside
objects and lists; each literal, its prefixes, its case variants and what may follow it; the number syntax piece by
piece (sign, leading zero, fraction, exponent, non-ASCII digits); every character after a backslash in a string, every
control character raw in a string, \\u escapes with each hex digit kind; every candidate whitespace character at every
place a token boundary allows it; and the unterminated form of each construct. Nesting depth is not here: Python's
limit is its recursion limit (about 990 levels from a shallow caller, RecursionError, not ValueError), and
PythonJsonSyntax's MaxDepth is its own rule, tested directly.

Run: /usr/bin/python3 reference/python_json_syntax_cases.py           (rewrites Fixtures/templates/python_json_syntax.json)
     /usr/bin/python3 reference/python_json_syntax_cases.py --check   (fails if it is stale)
"""

import argparse
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "Directer.Core.Tests" / "Fixtures" / "templates" / "python_json_syntax.json"

# Characters tried as whitespace: JSON's four, the other ASCII controls and space-like characters Python's str.isspace
# (or .NET's char.IsWhiteSpace) accept but JSON does not.
SPACES = [" ", "\t", "\n", "\r"]
NOT_SPACES = ["\x0b", "\x0c", "\x00", "\x1c", "\x1f", "\x85", "\xa0", "\u2028", "\u3000", "\ufeff"]


def cases():
    out = []

    def add(*texts):
        out.extend(texts)

    # Scalars at top level, the literals and what is near them.
    add("null", "true", "false", "NaN", "Infinity", "-Infinity", "0", "-0", "1", '"x"', '""', "{}", "[]")
    for literal in ["null", "true", "false", "NaN", "Infinity", "-Infinity"]:
        add(literal + "x", literal + "1", literal[:-1], literal[:1], literal.upper(), literal.lower(), literal.capitalize())
        add("[" + literal + "]", '{"k": ' + literal + "}", "[" + literal[:-1] + "]", literal + " " + literal)
    add("-", "-I", "-Inf", "-NaN", "+Infinity", "--1", "- 1", "-x", "-[]", "Nan", "nul", "tru", "fals", "n", "t", "f", "N", "I")
    add("None", "True", "False", "undefined", "'x'", "x", "", " ", "\t\n\r ")

    # Numbers: sign, integer part, fraction, exponent, in every combination the scanner tells apart.
    for integer in ["0", "-0", "7", "-7", "10", "-10", "1234567890", "00", "01", "-01", "007", "+1"]:
        for fraction in ["", ".", ".5", ".05", ".50", ".x", "..5", ".e5"]:
            for exponent in ["", "e", "E", "e5", "E5", "e+5", "e-5", "E+05", "e+", "e-", "ex", "e+x", "e5.5", "ee5", "e--5"]:
                add(integer + fraction + exponent)
    add(".5", "5.", "1.5.5", "0x10", "1_000", "1e400", "-1e400", "1e-400", "12345678901234567890123456789", "\u0661", "1\u0661", "\uff11", "1,5")
    add("[1.]", "[1.5]", "[1e]", "[1e5]", "[1E+5]", "[-]", "[-1]", "[01]", "[0]", "[-0.0e-0]", '{"a": 1.}', '{"a": -}', '{"a": 1e5}')

    # Strings: every character after a backslash, every raw control character, \u escapes.
    for code in range(0x20, 0x7F):
        add('"\\' + chr(code) + '"', '"a\\' + chr(code) + 'b"')
    for code in list(range(0x00, 0x21)) + [0x7F, 0x80, 0x9F, 0xA0, 0x2028, 0xFEFF, 0xD7FF]:
        add('"' + chr(code) + '"', '"a' + chr(code) + 'b"')
    for escape in ["0041", "00e9", "00E9", "aBcD", "ffff", "FFFF", "d800", "dc00", "d83d\\ude00", "12", "123", "12g4", "g123", "0x41", "004", "00-1", " 041", "+041"]:
        add('"\\u' + escape + '"', '["\\u' + escape + '"]', '"\\u' + escape)
    add('"\\U0041"', '"\\"', '"\\', '"\\\\"', '"\\\\\\"', '"a', '"', '"""', '"a"b"', '"\'"', '"/"', '"é😀"', '["a", "b\\n", "\\"c\\""]')

    # Containers: empty, one and two members, each separator missing, doubled or trailing, each form unterminated.
    add("[", "]", "[[", "[]]", "[[]", "[1", "[1,", "[1,2", "[1 2]", "[1,,2]", "[,1]", "[1,]", "[,]", "[1;2]", "[1:2]", "[[],[]]", "[[],]", "[[1],2,[3,[4]]]")
    add("{", "}", "{{}}", "{}}", '{"a"', '{"a":', '{"a":1', '{"a":1,', '{"a":1,"b"', '{"a" 1}', '{"a"=1}', '{"a"::1}', '{"a":1 "b":2}', '{"a":1,,"b":2}')
    add('{,"a":1}', '{"a":1,}', '{"a":}', '{:1}', "{1:2}", "{a:1}", "{'a':1}", '{"a":1;"b":2}', '{"a":1,"b":2}', '{"a":{"b":{}}}', '{"a":[{}]}')
    add('{"a":1,"a":2}', '{"":0}', '{"\\u0000":0}', '{"a\\"":1}', '{"a":1}{', '{"a":1}]', '[1]}', '{"a":1]', '[1}', '{"a"}', '{"a",1}', '{null:1}')
    add('[{"a":[1,{"b":null}]},"x",-2.5e-3,true,false,NaN,-Infinity]', '{"a":"}"}', '["]"]', '{"a":"\\"}"}', '["[", "{"]')

    # A container closed by the other kind's bracket inside the other kind: the inner one must refuse the closer, not
    # leave it to the outer one.
    add('[{"a":1]', '[{"a":1]}', '{"a":[1}', '{"a":[1}]', '[{"a":1}]', '{"a":[1]}', '[{"a":1,]', '{"a":[1,}')

    # A raw control character that is also JSON white space, then what would close or continue the string's container
    # if the string ended before it.
    for space in ["\t", "\n", "\r"]:
        add('["' + space + ',1]', '["a' + space + ']', '{"a":"' + space + '}', '{"a":"' + space + ',"b":1}', '{"' + space + ':1}')

    # Extra data after a complete value.
    add("1 2", "[] []", "{}x", '"a""b"', "null null", "1,", "[]1", "true]", '"a" :')

    # Whitespace: each candidate character at every token boundary of an object holding a list.
    slots = ["{", '"a"', ":", "[", "1", ",", "2", "]", ",", '"b"', ":", "{", "}", "}"]
    for space in SPACES + NOT_SPACES:
        for i in range(len(slots) + 1):
            add("".join(slots[:i]) + space + "".join(slots[i:]))
        add(space * 3 + "[ ]" + space * 3, space + "{" + space + "}" + space)
    add(" \t\n\r[ \t\n\r1 \t\n\r, \t\n\r2 \t\n\r] \t\n\r", "[\n]", "{\r}", "[\t1]", "[1\t]", '{"a"\n:\n1\n}')
    add("\ufeff[]", "[]\ufeff", "\x00[]", "[]\x00")

    seen = set()
    unique = []
    for text in out:
        if text not in seen:
            seen.add(text)
            unique.append(text)
    return unique


def accepts(text):
    try:
        json.loads(text)
        return True
    except ValueError:
        return False


def build():
    return {
        "generator": "reference/python_json_syntax_cases.py",
        "python": sys.version.split()[0],
        "cases": [{"text": text, "valid": accepts(text)} for text in cases()],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    serialized = json.dumps(build(), ensure_ascii=True, indent=1) + "\n"
    if args.check:
        if OUT.read_text(encoding="utf-8") != serialized:
            print(f"{OUT} is stale", file=sys.stderr)
            return 1
        print("python_json_syntax.json is up to date")
        return 0
    OUT.write_text(serialized, encoding="utf-8")
    document = json.loads(serialized)
    valid = sum(1 for c in document["cases"] if c["valid"])
    print(f"wrote {len(document['cases'])} cases ({valid} accepted) to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
