#!/usr/bin/python3
"""Golden chat-template renderings for the C# renderers in Directer.Core.Text.Templates.

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
        return datetime.now().strftime(fmt)

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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare with goldens.json instead of writing it")
    args = parser.parse_args()
    goldens = build()
    serialized = json.dumps(goldens, ensure_ascii=False, indent=1) + "\n"
    path = FIXTURES / "goldens.json"
    if args.check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != serialized:
            print(f"{path} is stale: run {Path(__file__).name} without --check", file=sys.stderr)
            return 1
        print("goldens.json is up to date")
        return 0
    path.write_text(serialized, encoding="utf-8")
    errors = sum(1 for r in goldens["results"] if "error" in r)
    print(f"wrote {len(goldens['results'])} renderings ({errors} template errors) to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
