#!/usr/bin/python3
"""Real chat templates of current instruct models, from public npm data, and their jinja2 goldens.

Source: the npm package @huggingface/ollama-utils (MIT, Hugging Face), file src/chat-template-automap.ts: for
each model of the ollama library it records the Hugging Face chat template found in the model's GGUF metadata
(the `chat_template` of its tokenizer_config.json) under the key `gguf`. The template texts themselves belong to
the models' publishers (see hub_templates.json: each entry names the ollama model it was read from).

  --extract PACKAGE   PACKAGE is the package tarball (`npm pack @huggingface/ollama-utils@0.0.18`) or its
                      unpacked folder; rewrites Fixtures/templates/hub/*.jinja and hub_templates.json.
  (default)           renders every hub template on the hand-written conversations (cases.json) and on
                      HUB_RANDOM_CASES seeded random conversations with transformers' jinja2 environment
                      (template_reference.make_environment) and writes hub_goldens.json.
  --check             fails if hub_goldens.json is stale.

bos_token/eos_token: the npm data holds the template only, so each entry gets the usual special tokens of its
family (FAMILY_TOKENS below); both renderers receive the same values, so they only need to be plausible.
Nothing here runs at test time; the tests read the committed files.
"""

import argparse
import json
import random
import re
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import template_reference as ref  # noqa: E402

FIXTURES = ref.FIXTURES
HUB = FIXTURES / "hub"
PACKAGE = "@huggingface/ollama-utils"
PACKAGE_VERSION = "0.0.18"
AUTOMAP = "package/src/chat-template-automap.ts"
HUB_RANDOM_SEED = 20261203
HUB_RANDOM_CASES = 24

# (prefix of the ollama model name, bos_token, eos_token); first match wins.
FAMILY_TOKENS = [
    ("llama3", "<|begin_of_text|>", "<|eot_id|>"), ("llama4", "<|begin_of_text|>", "<|eot|>"),
    ("llama-guard3", "<|begin_of_text|>", "<|eot_id|>"), ("nemotron:", "<|begin_of_text|>", "<|eot_id|>"),
    ("hermes3", "<|begin_of_text|>", "<|im_end|>"), ("dolphin-llama3", "<|begin_of_text|>", "<|im_end|>"),
    ("cogito", "<|begin_of_text|>", "<|eot_id|>"), ("firefunction", "<|begin_of_text|>", "<|eot_id|>"),
    ("deepseek", "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"), ("r1-1776", "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"),
    ("deepcoder", "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"),
    ("gemma", "<bos>", "<eos>"), ("shieldgemma", "<bos>", "<eos>"),
    ("command", "<BOS_TOKEN>", "<|END_OF_TURN_TOKEN|>"), ("aya", "<BOS_TOKEN>", "<|END_OF_TURN_TOKEN|>"),
    ("granite", "<|end_of_text|>", "<|end_of_text|>"), ("olmo2", "<|endoftext|>", "<|endoftext|>"),
    ("phi4", "<|endoftext|>", "<|endoftext|>"), ("phi3", "<s>", "<|endoftext|>"), ("llava-phi3", "<s>", "<|end|>"),
    ("dolphin-phi", "<|endoftext|>", "<|im_end|>"), ("nuextract", "<s>", "<|end|>"),
    ("qwen", None, "<|im_end|>"), ("qwq", None, "<|im_end|>"), ("marco-o1", None, "<|im_end|>"),
    ("smallthinker", None, "<|im_end|>"), ("sailor2", None, "<|im_end|>"), ("opencoder", None, "<|im_end|>"),
    ("smollm2", "<|im_start|>", "<|im_end|>"), ("internlm2", "<s>", "</s>"), ("nous-hermes2", "<s>", "<|im_end|>"),
    ("exaone", "[BOS]", "[|endofturn|]"), ("glm4", None, "<|user|>"), ("yi", "<|startoftext|>", "<|im_end|>"),
    ("tulu3", "<|endoftext|>", "<|endoftext|>"), ("nemotron-mini", "<s>", "</s>"), ("rnj-1", "<s>", "</s>"),
]


def tokens_for(model):
    name = model.split("/")[-1]
    for prefix, bos, eos in FAMILY_TOKENS:
        if name.startswith(prefix):
            return bos, eos
    return "<s>", "</s>"


def read_automap(package):
    package = Path(package)
    if package.is_dir():
        return (package / AUTOMAP.removeprefix("package/")).read_text(encoding="utf-8")
    with tarfile.open(package) as tar:
        return tar.extractfile(AUTOMAP).read().decode("utf-8")


JS_STRING = r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""


def js_string(literal):
    """The value of a double- or single-quoted JavaScript string literal."""
    body, out, i = literal[1:-1], [], 0
    simple = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        e = body[i + 1]
        if e in simple:
            out.append(simple[e]); i += 2
        elif e == "x":
            out.append(chr(int(body[i + 2:i + 4], 16))); i += 4
        elif e == "u" and body[i + 2] == "{":
            end = body.index("}", i)
            out.append(chr(int(body[i + 3:end], 16))); i = end + 1
        elif e == "u":
            out.append(chr(int(body[i + 2:i + 6], 16))); i += 6
        elif e == "\n":
            i += 2
        else:
            out.append(e); i += 2
    text = "".join(out)
    # JS strings are UTF-16: re-join surrogate pairs written as \u escapes
    return text.encode("utf-16", "surrogatepass").decode("utf-16")


def parse_entries(source):
    """(model, template) pairs; the generated TS writes them as single- or double-quoted literals."""
    pattern = re.compile(r"model:\s*" + JS_STRING + r",\s*gguf:\s*" + JS_STRING, re.S)
    return [(js_string(m.group(1)), js_string(m.group(2))) for m in pattern.finditer(source)]


def extract(package):
    entries = parse_entries(read_automap(package))
    if not entries:
        raise SystemExit("no model/gguf entries found: is this @huggingface/ollama-utils?")
    HUB.mkdir(parents=True, exist_ok=True)
    for old in HUB.glob("*.jinja"):
        old.unlink()
    specs, seen, used_ids = [], set(), set()
    for model, template in entries:
        if template in seen:
            continue
        seen.add(template)
        base = re.sub(r"[^a-z0-9.]+", "-", model.split("/")[-1].lower()).strip("-")
        tid, n = base, 2
        while tid in used_ids:
            tid, n = f"{base}-v{n}", n + 1
        used_ids.add(tid)
        (HUB / f"{tid}.jinja").write_text(template, encoding="utf-8", newline="")
        bos, eos = tokens_for(model)
        specs.append({"id": tid, "file": f"hub/{tid}.jinja", "ollama_model": model, "bos_token": bos, "eos_token": eos})
    doc = {
        "description": "Chat templates of current models, as published in the npm package "
                       f"{PACKAGE}@{PACKAGE_VERSION} (MIT), src/chat-template-automap.ts (key 'gguf' = the model's "
                       "Hugging Face chat_template). The template texts belong to the model publishers. bos/eos: "
                       "the family's usual tokens (not in the npm data). Regenerate: reference/hub_templates.py --extract.",
        "source": {"package": PACKAGE, "version": PACKAGE_VERSION, "license": "MIT", "file": "src/chat-template-automap.ts"},
        "templates": specs,
    }
    (FIXTURES / "hub_templates.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"extracted {len(specs)} distinct templates of {len(entries)} entries into {HUB}")


def build():
    env = ref.make_environment()
    specs = json.loads((FIXTURES / "hub_templates.json").read_text(encoding="utf-8"))["templates"]
    cases = json.loads((FIXTURES / "cases.json").read_text(encoding="utf-8"))["cases"]
    rng = random.Random(HUB_RANDOM_SEED)
    cases = cases + [ref.random_case(rng, i) for i in range(HUB_RANDOM_CASES)]
    results, compile_errors = [], {}
    for spec in specs:
        text = (FIXTURES / spec["file"]).read_text(encoding="utf-8")
        try:
            env.from_string(text)
        except Exception as error:  # jinja2 itself cannot compile it: not a usable fixture
            compile_errors[spec["id"]] = f"{type(error).__name__}: {error}"
            continue
        for case in cases:
            entry = {"template": spec["id"], "case": case["name"]}
            entry.update(ref.render(env, text, spec, case))
            results.append(entry)
    return {
        "generator": "reference/hub_templates.py",
        "jinja2": ref.jinja2.__version__,
        "random_seed": HUB_RANDOM_SEED,
        "random_cases": [c for c in cases if c["name"].startswith("random_")],
        "jinja2_compile_errors": compile_errors,
        "results": results,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--extract", metavar="PACKAGE", help="the @huggingface/ollama-utils tarball or folder")
    parser.add_argument("--check", action="store_true", help="compare with hub_goldens.json instead of writing it")
    args = parser.parse_args()
    if args.extract:
        extract(args.extract)
    goldens = build()
    serialized = json.dumps(goldens, ensure_ascii=False, indent=0) + "\n"
    path = FIXTURES / "hub_goldens.json"
    if args.check:
        if path.read_text(encoding="utf-8") != serialized:
            print(f"{path} is stale: run {Path(__file__).name} without --check", file=sys.stderr)
            return 1
        print("hub_goldens.json is up to date")
        return 0
    path.write_text(serialized, encoding="utf-8")
    errors = sum(1 for r in goldens["results"] if "error" in r)
    print(f"wrote {len(goldens['results'])} renderings ({errors} template errors, "
          f"{len(goldens['jinja2_compile_errors'])} templates jinja2 cannot compile) to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
