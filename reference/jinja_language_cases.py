#!/usr/bin/python3
"""Jinja language cases for Directer's engine, with expected outputs computed by jinja2 in transformers' environment.

The cases re-express, as small templates of our own, the features that the test suites of jinja2 and
@huggingface/jinja exercise and that fall inside the chat-template subset: whitespace control and
trim_blocks/lstrip_blocks, raw, comments, literals, operators, comparisons, slicing, attribute and item access,
tests, filters, string and dict methods, for loops (loop variables, else, filters, unpacking, break/continue),
scoping, set/block set, namespace, macro and call, conditional expressions and undefined values.

Run: /usr/bin/python3 reference/jinja_language_cases.py           (rewrites Fixtures/templates/jinja_language.json)
     /usr/bin/python3 reference/jinja_language_cases.py --check   (fails if it is stale)
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import template_reference as ref  # noqa: E402

OUT = ref.FIXTURES / "jinja_language.json"

V = {
    "messages": [
        {"role": "system", "content": "  Be brief.\n"},
        {"role": "user", "content": "Hi there"},
        {"role": "assistant", "content": "<think>plan</think>\n\nHello!", "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": {"a": 1, "b": [True, None, 2.5]}}}]},
        {"role": "tool", "content": "{\"ok\": true}", "name": "f"},
    ],
    "d": {"b": 2, "a": 1, "c": {"x": "y"}},
    "items": [3, 1, 2],
    "words": ["b", "A", "a", "C"],
    "s": "Hello, World",
    "n": 7,
    "f": 2.5,
    "e": "",
    "none": None,
    "people": [{"name": "Ann", "age": 31, "tags": ["x"]}, {"name": "bob", "age": 25}, {"name": "Cy", "age": 31, "tags": []}],
    "uni": "日本語 😀 é",
}

CASES = [
    # whitespace control, trim_blocks, lstrip_blocks, comments, raw
    ("ws_trim_blocks", "{% if true %}\nyes\n{% endif %}\nafter"),
    ("ws_lstrip_blocks", "a\n    {% if true %}\n    b\n    {% endif %}\nc"),
    ("ws_minus_both", "a   {%- if true -%}   b   {%- endif -%}   c"),
    ("ws_expr_minus", "a \n {{- 'x' -}} \n b"),
    ("ws_plus_keeps", "a\n    {%+ if true %}b{% endif %}"),
    ("ws_expr_not_lstripped", "a\n    {{ 'x' }}\n"),
    ("ws_comment_trim", "a\n  {# comment #}\nb\n{#- c -#}  c"),
    ("ws_trailing_newline", "line\n"),
    ("ws_crlf_data", "a\r\nb{% if true %}\r\nc{% endif %}"),
    ("raw_block", "{% raw %}{{ not rendered }}{% if %}{% endraw %}!"),
    ("raw_strip", "a {%- raw -%}  x  {%- endraw -%} b"),
    # literals and operators
    ("lit_strings", "{{ 'a\\'b' }}|{{ \"q\\\"x\" }}|{{ 'tab\\tnl\\n' }}|{{ '\\u00e9\\x41' }}|{{ 'ab' 'cd' }}"),
    ("lit_numbers", "{{ 1 }} {{ 1.5 }} {{ 1e3 }} {{ 10 / 4 }} {{ 10 // 4 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 7 % -3 }} {{ 1_000 }}"),
    ("lit_float_str", "{{ 0.1 + 0.2 }} {{ 1.0 }} {{ 1e16 }} {{ 1e-5 }} {{ 3 * 1.0 }} {{ f * 2 }}"),
    ("lit_containers", "{{ [1, 'a', none, true] }} {{ (1,) }} {{ (1, 2) }} {{ {'k': 'v', 'n': [1]} }} {{ [] }} {{ {} }}"),
    ("lit_repr_quotes", "{{ [\"it's\", 'say \"hi\"', 'both \\' \"', 'nl\\n', '\\x01'] }}"),
    ("ops_concat", "{{ 'a' ~ 1 ~ none ~ true ~ undefined_x }}|{{ 'a' + 'b' }}|{{ [1] + [2] }}|{{ 'ab' * 3 }}|{{ 3 * 'x' }}"),
    ("ops_logic", "{{ 1 and 'x' }}|{{ 0 or 'y' }}|{{ none or [] }}|{{ not e }}|{{ not not s }}|{{ e and 1 }}"),
    ("ops_compare", "{{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }} {{ 'a' < 'b' }} {{ 1 == 1.0 }} {{ true == 1 }} {{ none == none }} {{ [1,2] == [1,2] }} {{ 'a' != 'a' }}"),
    ("ops_in", "{{ 'ell' in s }} {{ 2 in items }} {{ 'a' in d }} {{ 'z' not in d }} {{ 'x' in undefined_y }} {{ none in [none] }}"),
    ("ops_precedence", "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ -2 ** 2 }} {{ 2 ~ (3 + 4) }} {{ not 1 == 2 }} {{ 1 if 0 else 2 if 0 else 3 }}"),
    ("ops_concat_binds_tighter_raises", "{{ 2 + 3 ~ 4 }}"),
    ("ops_conditional_no_else", "[{{ 'x' if false }}]"),
    ("ops_unary", "{{ -n }} {{ +n }} {{ -f }} {{ - -1 }}"),
    # access and slicing
    ("access_attr_item", "{{ d.a }} {{ d['b'] }} {{ d.c.x }} {{ messages[1].content }} {{ messages[-1]['name'] }} {{ items.1 }}"),
    ("access_missing", "[{{ d.zz }}][{{ d['zz'] }}][{{ items[10] }}][{{ d.zz is defined }}][{{ messages[0].tool_calls is defined }}]"),
    ("access_method_vs_key", "{{ d.items() | list }} {{ d.keys() | list }} {{ d.values() | list }} {{ d.get('a') }} {{ d.get('q', 'dflt') }} {{ d.get('q') }}"),
    ("slice_list", "{{ items[1:] }} {{ items[:-1] }} {{ items[::-1] }} {{ items[::2] }} {{ items[5:] }} {{ items[-2:] }} {{ messages[1:] | length }}"),
    ("slice_string", "{{ s[:5] }}|{{ s[-5:] }}|{{ s[::-1] }}|{{ s[7] }}|{{ s[-1] }}|{{ uni[:4] }}|{{ uni[4:5] }}|{{ uni | length }}"),
    # tests
    ("tests_types", "{{ s is string }} {{ n is number }} {{ n is integer }} {{ f is float }} {{ d is mapping }} {{ items is iterable }} {{ s is iterable }} {{ items is sequence }} {{ none is none }} {{ true is boolean }} {{ n is boolean }}"),
    ("tests_defined", "{{ x is defined }} {{ x is undefined }} {{ s is defined }} {{ none is defined }} {{ d.zz is not defined }}"),
    ("tests_values", "{{ n is odd }} {{ n is even }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(4) }} {{ 'a' is lower }} {{ 'A' is upper }} {{ n is equalto 7 }} {{ n is eq(8) }} {{ n is sameas 7 }} {{ true is sameas true }} {{ none is sameas none }} {{ 2 is in items }} {{ n is gt 3 }} {{ n is lt 3 }} {{ n is ge 7 }} {{ n is le 6 }} {{ n is ne 7 }}"),
    ("tests_true_false", "{{ true is true }} {{ 1 is true }} {{ false is false }} {{ 0 is false }} {{ d.get is callable }} {{ s is callable }}"),
    # filters
    ("f_trim_case", "[{{ '  x y \\n' | trim }}] {{ s | upper }} {{ s | lower }} {{ 'hello wORLD-foo (bar' | title }} {{ 'hELLO world' | capitalize }} {{ '--x--' | trim('-') }}"),
    ("f_length_first_last", "{{ items | length }} {{ s | length }} {{ d | length }} {{ items | first }} {{ items | last }} {{ s | first }} {{ [] | first }}|{{ items | count }}"),
    ("f_default", "{{ x | default('dflt') }} {{ e | default('dflt') }} {{ e | default('dflt', true) }} {{ none | default('dflt') }} {{ x | d('dd') }} {{ s | default('z') }}"),
    ("f_join_map", "{{ items | join(',') }} {{ words | join }} {{ people | map(attribute='name') | join(', ') }} {{ people | join('|', attribute='age') }} {{ words | map('lower') | list }} {{ people | map(attribute='zz', default='?') | list }}"),
    ("f_selectattr", "{{ people | selectattr('age', 'equalto', 31) | map(attribute='name') | list }} {{ people | rejectattr('tags') | map(attribute='name') | list }} {{ people | selectattr('tags', 'defined') | list | length }} {{ messages | selectattr('role', 'eq', 'user') | list | length }} {{ people | selectattr('name', 'in', ['Ann', 'Cy']) | list | length }}"),
    ("f_select", "{{ [0, 1, '', 'a', none] | select | list }} {{ items | select('odd') | list }} {{ items | reject('odd') | list }} {{ [1, none, 2] | reject('none') | list }}"),
    ("f_items_dictsort", "{{ d | items | list }} {% for k, v in d | dictsort %}{{ k }}={{ v }};{% endfor %} {{ {'x': 2, 'y': 1, 'z': 3} | dictsort(by='value', reverse=true) }}"),
    ("f_list_string_int", "{{ 'abc' | list }} {{ 12 | string }} {{ '42' | int + 1 }} {{ '4.7' | int }} {{ 'x' | int }} {{ 'x' | int(5) }} {{ 3.9 | int }} {{ '2.5' | float }} {{ true | int }} {{ none | string }}"),
    ("f_unique_sort", "{{ words | unique | list }} {{ words | unique(case_sensitive=true) | list }} {{ items | sort }} {{ words | sort }} {{ words | sort(case_sensitive=true) }} {{ items | sort(reverse=true) }} {{ people | sort(attribute='age') | map(attribute='name') | list }}"),
    ("f_replace_reverse", "{{ s | replace('l', 'L') }} {{ s | replace('l', 'L', 2) }} {{ items | reverse | list }} {{ 'abc' | reverse }} {{ s.replace('o', '0') }}"),
    ("f_numbers", "{{ -3 | abs }} {{ 2.567 | round(2) }} {{ 2.5 | round }} {{ 2.1 | round(0, 'ceil') }} {{ items | sum }} {{ people | sum(attribute='age') }} {{ items | min }} {{ items | max }} {{ words | max }} {{ people | max(attribute='age') | attr('name') }}"),
    ("f_indent", "{{ 'a\\nb\\n\\nc' | indent(2) }}|{{ 'a\\nb' | indent(2, true) }}|{{ 'a\\n\\nb' | indent(2, blank=true) }}|{{ 'a\\nb' | indent('> ') }}"),
    ("f_misc", "{{ '<a href=\"x\">&</a>' | e }} {{ 'x' | safe }} {{ 'one two  three' | wordcount }}"),
    ("f_tojson", "{{ d | tojson }}|{{ messages[2].tool_calls | tojson }}|{{ 'é\"\\\\\\n\\u0001' | tojson }}|{{ [1.0, 1e21, -0.0, 1e-7, 123456789.123] | tojson }}|{{ none | tojson }}|{{ true | tojson }}"),
    ("f_tojson_options", "{{ d | tojson(indent=2) }}|{{ d | tojson(indent=0) }}|{{ items | tojson(indent='\\t') }}|{{ d | tojson(sort_keys=true) }}|{{ d | tojson(separators=(',', ':')) }}|{{ uni | tojson(ensure_ascii=true) }}|{{ {} | tojson(indent=2) }}|{{ [[]] | tojson(indent=2) }}"),
    ("f_tojson_unicode_keys", "{{ {'ключ': 'значение', 'emoji😀': [1, {'a': none}]} | tojson }}"),
    # string methods
    ("m_strip", "[{{ messages[0].content.strip() }}][{{ '  x  '.lstrip() }}][{{ '  x  '.rstrip() }}][{{ 'xxhixx'.strip('x') }}][{{ '\\n\\nA\\n'.lstrip('\\n') }}]"),
    ("m_split", "{{ 'a,b,,c'.split(',') }} {{ ' a  b c '.split() }} {{ 'a b c'.split(' ', 1) }} {{ 'a,b,c'.rsplit(',', 1) }} {{ messages[2].content.split('</think>')[-1].lstrip('\\n') }} {{ ''.split() }} {{ ''.split(',') }}"),
    ("m_starts_ends", "{{ s.startswith('Hell') }} {{ s.endswith('x') }} {{ s.startswith(('x', 'He')) }} {{ s.endswith('World') }}"),
    ("m_case_find", "{{ s.upper() }} {{ s.lower() }} {{ 'hello world'.title() }} {{ 'hELLO'.capitalize() }} {{ s.find('o') }} {{ s.rfind('o') }} {{ s.find('z') }} {{ s.count('l') }} {{ ', '.join(words) }}"),
    ("m_predicates", "{{ '123'.isdigit() }} {{ 'abc'.isalpha() }} {{ ' '.isspace() }} {{ 'ABC'.isupper() }} {{ 'abc'.islower() }} {{ ''.isdigit() }}"),
    ("m_find_edges", "{{ 'abc'.find('a') }} {{ 'abca'.rfind('a') }} {{ 'abc'.rfind('a') }} {{ 'abcabc'.index('c') }} {{ 'abc'.index('a') }} {{ ''.count('') }} {{ 'abc'.count('') }} {{ 'aaaa'.count('aa') }} {{ 'aaa'.count('a') }}"),
    ("m_index_missing", "{{ 'abc'.index('z') }}"),
    ("m_prefix_suffix", "[{{ 'abcabc'.removeprefix('ab') }}][{{ 'abc'.removeprefix('x') }}][{{ 'abc'.removeprefix('') }}][{{ 'abcabc'.removesuffix('bc') }}][{{ 'abc'.removesuffix('x') }}][{{ 'abc'.removesuffix('') }}]"),
    ("m_case_edges", "[{{ 'aBc D'.swapcase() }}][{{ ''.capitalize() }}][{{ 'a'.capitalize() }}][{{ 'éA'.swapcase() }}]"),
    ("m_predicate_edges", "{{ '12a'.isdigit() }} {{ ''.isalpha() }} {{ 'ab1'.isalpha() }} {{ 'ab1'.isalnum() }} {{ ''.isalnum() }} {{ ''.isspace() }} {{ ' a'.isspace() }} {{ 'A1'.isupper() }} {{ '1'.isupper() }} {{ 'a1'.islower() }} {{ ''.islower() }} {{ ''.isupper() }}"),
    ("m_split_counts", "{{ 'a,b,c'.split(',', 0) }} {{ 'a b  c'.split(none, 1) }} {{ 'a,b,c'.rsplit(',', 0) }} {{ 'a,b,c'.split(',', -1) }}"),
    ("m_replace_count", "{{ 'aaa'.replace('a', 'b', 2) }} {{ 'aaa'.replace('a', 'b', 0) }} {{ 'aaa'.replace('a', 'b', -1) }} {{ 'aaa'.replace('a', 'b') }}"),
    ("m_join_edges", "[{{ '-'.join([]) }}][{{ '-'.join(['a']) }}][{{ ''.join(['a', 'b']) }}][{{ ', '.join('xy') }}]"),
    ("m_join_not_str", "{{ '-'.join(['a', 1]) }}"),
    ("m_list_methods", "{{ [1, 2, 1].index(1) }} {{ [1, 2, 1].index(2) }} {{ [1, 2, 1].count(1) }} {{ [1, 2, 1].count(3) }}"),
    ("m_list_index_missing", "{{ [1, 2].index(3) }}"),
    ("m_mutating_refused", "{{ items.append(4) }}"),
    ("m_dict_mutating_refused", "{{ d.update({'z': 1}) }}"),
    # loops
    ("loop_vars", "{% for x in items %}{{ loop.index }}/{{ loop.index0 }}/{{ loop.revindex }}/{{ loop.revindex0 }}/{{ loop.first }}/{{ loop.last }}/{{ loop.length }};{% endfor %}"),
    ("loop_prev_next_cycle", "{% for x in items %}[{{ loop.previtem }}|{{ loop.nextitem }}|{{ loop.cycle('a', 'b') }}]{% endfor %}"),
    ("loop_else_filter", "{% for x in [] %}no{% else %}empty{% endfor %} {% for x in items if x > 1 %}{{ x }}{{ loop.length }}{% endfor %} {% for x in items if x > 5 %}{% else %}none{% endfor %}"),
    ("loop_unpack", "{% for k, v in d.items() %}{{ k }}:{{ v }} {% endfor %}{% for a, b in [[1, 2], (3, 4)] %}{{ a + b }}{% endfor %}{% for (k, v) in d | items %}{{ k }}{% endfor %}"),
    ("loop_dict_string", "{% for k in d %}{{ k }}{% endfor %} {% for c in 'abc' %}{{ c }}.{% endfor %} {% for x in undefined_z %}x{% endfor %}"),
    ("loop_break_continue", "{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %}"),
    ("loop_nested", "{% for a in [1, 2] %}{% for b in 'xy' %}{{ loop.index }}{{ a }}{{ b }}{{ loop.depth }} {% endfor %}{{ loop.index }}|{% endfor %}"),
    ("loop_scoping", "{% set x = 0 %}{% for i in range(3) %}{{ x }}{% set x = i %}{{ x }}|{% endfor %}{{ x }}"),
    ("loop_range", "{{ range(3) | list }} {{ range(1, 4) | list }} {{ range(10, 0, -3) | list }} {{ range(0) | list }}"),
    # set, namespace, macro, call
    ("set_basic", "{% set a = 1 %}{% set b, c = 2, 3 %}{% set t = (4, 5) %}{% set e1, e2 = t %}{{ a }}{{ b }}{{ c }}{{ e1 }}{{ e2 }}"),
    ("set_block", "{% set block %}\n  Hello {{ s }}!\n{% endset %}[{{ block }}]{% set up | upper %}x{{ 1 }}{% endset %}{{ up }}"),
    ("set_in_if", "{% if true %}{% set inside = 'yes' %}{% endif %}{{ inside }}"),
    ("namespace", "{% set ns = namespace(found=false, count=0) %}{% for m in messages %}{% if m.role == 'user' %}{% set ns.found = true %}{% endif %}{% set ns.count = ns.count + 1 %}{% endfor %}{{ ns.found }} {{ ns.count }} {{ ns.missing is defined }}"),
    ("macro_basic", "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('Ann') }} {{ greet('Bo', '?') }} {{ greet(name='Cy', punct='.') }} {{ greet() }}"),
    ("macro_scope", "{% set x = 1 %}{% macro m() %}{{ x }}{% endmacro %}{% set x = 2 %}{{ m() }}"),
    ("macro_whitespace", "{%- macro item(x) -%}\n  <{{ x }}>\n{%- endmacro -%}\n{% for i in items %}{{ item(i) }}{% endfor %}"),
    ("macro_call_block", "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}bold {{ s }}{% endcall %}"),
    ("macro_call_args", "{% macro each(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %}{% call(v) each(items) %}[{{ v * 2 }}]{% endcall %}"),
    ("filter_block", "{% filter upper %}hello {{ s }}{% endfilter %}"),
    ("generation_block", "{% generation %}gen {{ n }}{% endgeneration %}"),
    # undefined
    ("undefined_print", "[{{ nothing }}][{{ nothing | length }}][{{ nothing | string }}][{{ nothing is none }}][{{ nothing == nothing2 }}][{{ nothing | default(1) }}]"),
    ("undefined_attr_raises", "{{ nothing.attr }}"),
    ("undefined_add_raises", "{{ nothing + 1 }}"),
    ("undefined_iterate", "{% for x in nothing %}x{% else %}empty{% endfor %}{{ nothing | list }}"),
    ("undefined_tojson_raises", "{{ nothing | tojson }}"),
    ("type_error_concat", "{{ 'a' + 1 }}"),
    ("raise_exception", "{% if true %}{{ raise_exception('Custom refusal: ' ~ n) }}{% endif %}"),
    ("strftime_now", "{{ strftime_now('%d %b %Y') }} {{ strftime_now('%Y-%m-%d %H:%M') }} {{ strftime_now('%B %A %j') }}"),
    ("dict_global", "{{ dict(a=1, b='x') }} {{ dict(d, z=0) | length }}"),
    ("sandbox_append_raises", "{% set l = [] %}{{ l.append(1) }}"),
    ("unicode_text", "{{ uni }} {{ uni | upper }} {{ uni[::-1] }} {{ uni.split() }}"),
    ("print_special", "{{ none }} {{ true }} {{ false }} {{ d }} {{ messages[2].tool_calls[0].function.arguments }}"),
]


def build():
    env = ref.make_environment()
    results = []
    for name, template in CASES:
        entry = {"name": name, "template": template}
        try:
            entry["output"] = env.from_string(template).render(**V)
        except Exception as error:  # the engine must refuse too
            entry["error"] = f"{type(error).__name__}: {error}"
        results.append(entry)
    return {"generator": "reference/jinja_language_cases.py", "jinja2": ref.jinja2.__version__, "variables": V, "cases": results}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    serialized = json.dumps(build(), ensure_ascii=False, indent=1) + "\n"
    if args.check:
        if OUT.read_text(encoding="utf-8") != serialized:
            print(f"{OUT} is stale", file=sys.stderr)
            return 1
        print("jinja_language.json is up to date")
        return 0
    OUT.write_text(serialized, encoding="utf-8")
    print(f"wrote {len(CASES)} cases to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
