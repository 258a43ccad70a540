#!/usr/bin/python3
"""Golden chat-template renderings for the C# renderers in Directer.Core.Templates.

Renders every conversation in tests/Directer.Core.Tests/Fixtures/templates/cases.json with every real
chat template listed in templates.json, the way Hugging Face transformers' apply_chat_template does
(tokenize=False), and writes the results to goldens.json next to them. A template that refuses a
conversation (raise_exception, or any other jinja error) is recorded as {"error": message}.

The jinja environment follows transformers' chat-template utilities (_compile_jinja_template):
ImmutableSandboxedEnvironment with trim_blocks=True, lstrip_blocks=True, the loopcontrols extension and
a {% generation %} block tag; a `tojson` filter that is json.dumps(ensure_ascii=False, indent=...,
separators=..., sort_keys=...); globals raise_exception (raises TemplateError) and strftime_now. The
template variables are messages, tools (None when there are none), documents=None,
add_generation_prompt, and the tokenizer's special tokens (bos_token, eos_token) when it has them.

Run: /usr/bin/python3 reference/template_reference.py            (rewrites goldens.json)
     /usr/bin/python3 reference/template_reference.py --check    (fails if goldens.json is stale)
"""

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

import jinja2
import jinja2.ext
import jinja2.nodes
from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "Directer.Core.Tests" / "Fixtures" / "templates"
FIXED_NOW = datetime(2024, 7, 26, 12, 0, 0)
RANDOM_SEED = 20241124
RANDOM_CASES = 120


class GenerationBlock(jinja2.ext.Extension):
    """Accepts transformers' {% generation %}...{% endgeneration %} tag; renders its body unchanged."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_render_body"), [], [], body).set_lineno(lineno)

    def _render_body(self, caller):
        return caller()


def make_environment():
    def raise_exception(message):
        raise TemplateError(message)

    def tojson(value, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(fmt):
        # fixed, so that goldens do not depend on the day they were written (no template under test calls it)
        return FIXED_NOW.strftime(fmt)

    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[GenerationBlock, jinja2.ext.loopcontrols]
    )
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def to_hf_tools(tools):
    """ToolDefinition(Name, Description, ParametersJsonSchema) -> the OpenAI-style dict HF templates expect."""
    if not tools:
        return None  # the C# API's empty tool list means "no tools"
    result = []
    for tool in tools:
        function = {"name": tool["name"]}
        if tool.get("description") is not None:
            function["description"] = tool["description"]
        function["parameters"] = json.loads(tool["parameters"])
        result.append({"type": "function", "function": function})
    return result


def to_hf_messages(turns):
    """ChatTurn(Role, Content){ToolCalls, ToolCallId, ToolName} -> HF message dicts."""
    messages = []
    for turn in turns:
        message = {"role": turn["role"], "content": turn["content"]}
        calls = turn.get("toolCalls") or []
        if calls:
            message["tool_calls"] = []
            for call in calls:
                hf_call = {}
                if call.get("id") is not None:
                    hf_call["id"] = call["id"]
                hf_call["type"] = "function"
                hf_call["function"] = {"name": call["name"], "arguments": json.loads(call["arguments"])}
                message["tool_calls"].append(hf_call)
        if turn.get("toolCallId") is not None:
            message["tool_call_id"] = turn["toolCallId"]
        if turn.get("toolName") is not None:
            message["name"] = turn["toolName"]
        messages.append(message)
    return messages


def render(env, template_text, spec, case):
    template = env.from_string(template_text)
    special = {}
    if spec.get("bos_token") is not None:
        special["bos_token"] = spec["bos_token"]
    if spec.get("eos_token") is not None:
        special["eos_token"] = spec["eos_token"]
    try:
        text = template.render(
            messages=to_hf_messages(case["turns"]),
            tools=to_hf_tools(case.get("tools")),
            documents=None,
            add_generation_prompt=case["addGenerationPrompt"],
            **special,
        )
        return {"text": text}
    except TemplateError as error:
        return {"error": str(error)}
    except Exception as error:  # a template bug on this input (e.g. a missing key) is an error too
        return {"error": f"{type(error).__name__}: {error}"}


def build():
    env = make_environment()
    templates = json.loads((FIXTURES / "templates.json").read_text(encoding="utf-8"))["templates"]
    cases = json.loads((FIXTURES / "cases.json").read_text(encoding="utf-8"))["cases"]
    results = []
    for spec in templates:
        text = (FIXTURES / spec["file"]).read_text(encoding="utf-8")
        for case in cases:
            entry = {"template": spec["id"], "case": case["name"]}
            entry.update(render(env, text, spec, case))
            results.append(entry)
    return {
        "generator": "reference/template_reference.py",
        "jinja2": jinja2.__version__,
        "results": results,
    }


# ---------------------------------------------------------------------------------------------------------------
# Random conversations (seeded): a differential test of the renderers beyond the hand-written cases. Contents mix
# scripts, surrogate pairs, Python-only white space (U+001C-U+001F, U+0085) and template-looking text; tool schemas
# and call arguments are random JSON written in random styles (escapes, exponents, indentation); conversations are
# mostly well formed, some deliberately not (templates that raise must make the renderer throw).

_PIECES = [
    "hello", "world", "Réponds", "en français", "日本語", "你好，世界。", "Привет", "😀", "👋🏽", "é", "\"quoted\"",
    "back\\slash", "{{ x }}", "{% if %}", "<|im_end|>", "[INST]", "[/INST]", "<tool_call>", "</s>", "<<SYS>>",
    "[[", "]]", "<tag>", "&amp;", "a\u0301", "\u200b", "x" * 40, "1e5", "null", "{\"k\": 1}", "'single'",
]
_SPACES = [" ", "  ", "\n", "\n\n", "\t", "\r\n", "\u00a0", "\u3000", "\u2028", "\u0085", "\x1c", "\x1f", "\x0b", "\x0c"]
_KEYS = ["type", "properties", "required", "name", "city", "unit", "n", "ключ", "キー", "emoji😀", "quote\"d", "a b", "", "z", "A"]
_FLOATS = [0.0, -0.0, 1.5, -2.25, 1e21, 1e-05, 0.0001, 1e16, 123456789.123456789, 3.14159, 2.5e-300, 1e300, 0.1, 100.0]


def _text(rng, allow_empty=True):
    if allow_empty and rng.random() < 0.08:
        return ""
    parts = []
    if rng.random() < 0.3:
        parts.append(rng.choice(_SPACES))
    for i in range(rng.randint(1, 6)):
        if i:
            parts.append(rng.choice(_SPACES) if rng.random() < 0.3 else " ")
        parts.append(rng.choice(_PIECES))
    if rng.random() < 0.3:
        parts.append(rng.choice(_SPACES))
    return "".join(parts)


def _json_value(rng, depth=0):
    kind = rng.random()
    if depth < 3 and kind < 0.25:
        return {rng.choice(_KEYS) + ("" if rng.random() < 0.7 else str(i)): _json_value(rng, depth + 1) for i in range(rng.randint(0, 4))}
    if depth < 3 and kind < 0.4:
        return [_json_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if kind < 0.55:
        return rng.choice([rng.randint(-1000, 1000), rng.randint(-10**25, 10**25), 0])
    if kind < 0.7:
        return rng.choice(_FLOATS) if rng.random() < 0.6 else rng.uniform(-1e6, 1e6)
    if kind < 0.78:
        return rng.choice([True, False, None])
    return _text(rng)


def _json_text(rng, value):
    style = rng.random()
    if style < 0.4:
        return json.dumps(value, ensure_ascii=False)
    if style < 0.6:
        return json.dumps(value, ensure_ascii=True)
    if style < 0.8:
        return json.dumps(value, ensure_ascii=rng.random() < 0.5, indent=rng.choice([1, 2, 4]))
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    # other spellings of the same numbers, as another JSON writer may produce them
    return text.replace("e+", "E+").replace(".5,", ".50,")


def _call_id(rng):
    if rng.random() < 0.9:
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(9))
    return rng.choice(["call_1", "0123456789", "abc"])


def _tools(rng):
    tools = []
    for i in range(rng.randint(1, 3)):
        schema = {"type": "object", "properties": {}}
        for _ in range(rng.randint(0, 3)):
            schema["properties"][rng.choice(_KEYS)] = _json_value(rng, 1)
        if rng.random() < 0.5:
            schema["required"] = list(schema["properties"])[:1]
        tools.append({
            "name": rng.choice(["get_weather", "search", "calc", "lookup_ñ"]) + str(i),
            "description": None if rng.random() < 0.2 else _text(rng),
            "parameters": _json_text(rng, schema),
        })
    return tools


def random_case(rng, index):
    tools = _tools(rng) if rng.random() < 0.45 else []
    turns = []
    if rng.random() < 0.55:
        turns.append({"role": "system", "content": _text(rng)})
    if rng.random() < 0.12:
        for _ in range(rng.randint(1, 5)):  # any role order
            turns.append({"role": rng.choice(["system", "user", "assistant", "tool"]), "content": _text(rng)})
    else:
        for exchange in range(rng.randint(1, 3)):
            turns.append({"role": "user", "content": _text(rng, allow_empty=rng.random() < 0.3)})
            if rng.random() < 0.3 and exchange > 0:
                break
            if tools and rng.random() < 0.5:
                calls = []
                for _ in range(1 if rng.random() < 0.7 else rng.randint(2, 3)):
                    call = {"name": rng.choice(tools)["name"], "arguments": _json_text(rng, _json_value(rng, 3) if rng.random() < 0.1 else {k: _json_value(rng, 1) for k in rng.sample(_KEYS, rng.randint(0, 3))})}
                    if rng.random() < 0.9:
                        call["id"] = _call_id(rng)
                    calls.append(call)
                turns.append({"role": "assistant", "content": "" if rng.random() < 0.8 else _text(rng), "toolCalls": calls})
                for call in calls:
                    result = {"role": "tool", "content": _text(rng) if rng.random() < 0.6 else _json_text(rng, _json_value(rng, 1))}
                    if "id" in call:
                        result["toolCallId"] = call["id"]
                    if rng.random() < 0.7:
                        result["toolName"] = call["name"]
                    turns.append(result)
                if rng.random() < 0.3:
                    break
            turns.append({"role": "assistant", "content": _text(rng)})
    if rng.random() < 0.1 and len(turns) > 1 and turns[-1]["role"] == "assistant":
        turns.pop()
    case = {"name": f"random_{index:03d}", "addGenerationPrompt": rng.random() < 0.7, "turns": turns}
    if tools:
        case["tools"] = tools
    return case


def build_random():
    import random

    rng = random.Random(RANDOM_SEED)
    env = make_environment()
    templates = json.loads((FIXTURES / "templates.json").read_text(encoding="utf-8"))["templates"]
    texts = {spec["id"]: (spec, (FIXTURES / spec["file"]).read_text(encoding="utf-8")) for spec in templates}
    cases = []
    for index in range(RANDOM_CASES):
        case = random_case(rng, index)
        case["goldens"] = {tid: render(env, text, spec, case) for tid, (spec, text) in texts.items()}
        cases.append(case)
    return {
        "generator": "reference/template_reference.py (random conversations)",
        "seed": RANDOM_SEED,
        "jinja2": jinja2.__version__,
        "cases": cases,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare with goldens.json instead of writing it")
    args = parser.parse_args()
    stale = 0
    for name, goldens in (("goldens.json", build()), ("random_goldens.json", build_random())):
        serialized = json.dumps(goldens, ensure_ascii=False, indent=1) + "\n"
        path = FIXTURES / name
        if args.check:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != serialized:
                print(f"{path} is stale: run {Path(__file__).name} without --check", file=sys.stderr)
                stale += 1
            else:
                print(f"{name} is up to date")
            continue
        path.write_text(serialized, encoding="utf-8")
        results = goldens["results"] if "results" in goldens else [g for c in goldens["cases"] for g in c["goldens"].values()]
        errors = sum(1 for r in results if "error" in r)
        print(f"wrote {len(results)} renderings ({errors} template errors) to {path}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
