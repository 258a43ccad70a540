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
from datetime import datetime
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
    "big": 10**20,  # past 64 bits, as a chat's JSON data can hold it
    # equal ints past CPython's small-int cache, distinct objects as json.loads makes them ('is sameas' tells)
    "k1": 1000,
    "k2": int("1000"),
}

# Non-finite floats, as a chat's data handed over as objects can hold them (strict JSON has no literal for them):
# the fixture names each by Python's repr, which the test turns into the double.
NON_FINITE = {"nan": float("nan"), "inf": float("inf"), "ninf": float("-inf")}

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
    # filters: keyword arguments, defaults, edges (mutation testing, issue 19)
    ("fk_trim_chars", "[{{ '--x--' | trim(chars='-') }}][{{ 'xx' | trim('x') }}]"),
    ("fk_items_not_mapping", "{{ items | items | list }}"),
    ("fk_selectattr_no_name", "{{ people | selectattr | list }}"),
    ("fk_selectattr_named", "{{ people | selectattr(attribute='age') | list }}"),
    ("fk_select_tests", "{{ items | select('==', 1) | list }} {{ items | select('!=', 1) | list }} {{ items | select('<', 2) | list }} {{ items | select('lessthan', 2) | list }} {{ items | select('<=', 2) | list }} {{ items | select('le', 2) | list }} {{ items | select('>', 2) | list }} {{ items | select('greaterthan', 2) | list }} {{ items | select('>=', 2) | list }} {{ items | select('ge', 2) | list }} {{ items | select('ne', 1) | list }} {{ items | select('equalto', 2) | list }} {{ items | select('gt', 1) | list }} {{ items | select('lt', 3) | list }} {{ items | select('eq', 3) | list }}"),
    ("fk_select_unknown_test", "{{ items | select('frob') | list }}"),
    ("fk_map_unknown_filter", "{{ items | map('frob') | list }}"),
    ("fk_map_no_name", "{{ items | map | list }}"),
    ("fk_map_args", "{{ ['a1', 'b1'] | map('replace', '1', '2') | list }} {{ people | map(attribute='zz') | join(',') }} {{ people | map(attribute='name', default='?') | join(',') }} {{ ['x', 'y'] | map('upper') | join }}"),
    ("fk_join", "[{{ items | join(d='-') }}][{{ [] | join(',') }}][{{ people | join(', ', 'name') }}][{{ [1] | join('-') }}]"),
    ("fk_capitalize_empty", "[{{ '' | capitalize }}][{{ 'x' | capitalize }}]"),
    ("fk_first_last_empty", "[{{ [] | first }}][{{ [] | last }}][{{ 'ab' | last }}]"),
    ("fk_first_empty_attr", "{{ ([] | first).x }}"),
    ("fk_last_empty_attr", "{{ ([] | last).x }}"),
    ("fk_default", "[{{ e | default('x', boolean=true) }}][{{ x | default(default_value='dv') }}][{{ x | default }}][{{ e | default('x', false) }}][{{ 0 | default('z', true) }}]"),
    ("fk_int_float", "{{ 'x' | int(default=9) }} {{ 'x' | float(default=1.5) }} {{ false | int }} {{ true | float }} {{ false | float }} {{ '1_000' | int }} {{ ' 12 ' | int }} {{ '-3' | int }} {{ 2.9 | int }} {{ -2.9 | int }} {{ nan | int(5) }} {{ none | int(7) }} {{ none | float(0.5) }} {{ ' 2.5 ' | float }}"),
    ("fk_int_inf", "{{ inf | int }}"),
    ("fk_unique", "{{ people | unique(attribute='age') | map(attribute='name') | list }} {{ ['a', 'A', 'b'] | unique | list }} {{ ['a', 'A', 'b'] | unique(true) | list }} {{ [1, 1.0, true, 2] | unique | list }}"),
    ("fk_escape", "{{ '<a href=\"x\">it\\'s & more</a>' | escape }} {{ \"'\" | e }} {{ 5 | e }}"),
    ("fk_abs", "{{ true | abs }} {{ false | abs }} {{ -2.5 | abs }} {{ 3 | abs }}"),
    ("fk_abs_str", "{{ 'x' | abs }}"),
    ("fk_round", "{{ 2.567 | round(precision=1) }} {{ 2.567 | round(1, 'floor') }} {{ 2.567 | round(method='ceil') }} {{ 2.561 | round(2, 'ceil') }} {{ -2.5 | round(0, 'floor') }} {{ 2.567 | round(2, method='floor') }} {{ 3.5 | round }} {{ 4.5 | round }} {{ 7 | round }} {{ -1.25 | round(1) }}"),
    ("fk_round_negative", "{{ 17 | round(-1) }} {{ 2.567 | round(-1) }} {{ 25 | round(-1) }} {{ 35 | round(-1) }} {{ 15.0 | round(-1) }} {{ 7 | round(0, 'ceil') }} {{ true | round }} {{ -17 | round(-1) }} {{ 1234 | round(-2) }}"),
    ("fk_round_bad_method", "{{ 1.5 | round(0, 'up') }}"),
    ("fk_float_spellings", "{{ '+inf' | float }} {{ 'INF' | float }} {{ ' -Infinity ' | float }} {{ 'nAn' | float }} {{ '-nan' | float }} {{ '--inf' | float }} {{ 'in' | float }} {{ 'infinityx' | float(2.5) }} {{ '+1.5' | float }} {{ '-inf' | int(3) }}"),
    ("fk_indent_edges", "[{{ 'a\n\nb' | indent(2, true, true) }}][{{ '' | indent(first=true) }}][{{ 'a\r\nb' | indent(1) }}][{{ 'x\ny' | indent(-2, true) }}][{{ '\nb' | indent(2, true) }}][{{ 'a\n' | indent(2) }}]"),
    ("fk_round_str", "{{ 'x' | round }}"),
    ("fk_sum_min_max", "{{ items | sum(start=10) }} {{ [[1], [2]] | sum(start=[]) }} [{{ [] | min }}][{{ [] | max }}] {{ words | max(case_sensitive=true) }} {{ words | min }} {{ ['a', 'A'] | max }} {{ ['B', 'a'] | min }} {{ ['a', 'B'] | max }} {{ people | min(attribute='age') | attr('name') }} {{ words | min(true) }}"),
    ("fk_max_empty_attr", "{{ ([] | max).x }}"),
    ("fk_dictsort", "{{ {'a': 1, 'B': 2} | dictsort }} {{ {'a': 1, 'B': 2} | dictsort(case_sensitive=true) }} {{ {'x': 2, 'y': 1} | dictsort(false, 'value') }} {{ {'b': 1, 'a': 2} | dictsort(reverse=true) }} {{ {'x': 'B', 'y': 'a'} | dictsort(by='value') }}"),
    ("fk_dictsort_bad_by", "{{ {'a': 1} | dictsort(by='nope') }}"),
    ("fk_dictsort_by_not_str", "{{ {'a': 1} | dictsort(by=1) }}"),
    ("fk_round_method_not_str", "{{ 1.5 | round(0, 2) }}"),
    ("mk_removeprefix_not_str", "{{ 'a'.removeprefix(1) }}"),
    ("fk_dictsort_not_mapping", "{{ items | dictsort }}"),
    ("fk_indent", "{{ 'a\\nb' | indent(width=1, first=true) }}|{{ 'a\\n \\nb' | indent(3) }}|{{ 'a\\n\\nb' | indent(2, false, true) }}|{{ 'a' | indent(first=true) }}"),
    ("fk_attr", "{% set ns = namespace(a=1) %}{{ ns | attr('a') }} {{ (s | attr('upper'))() }} {% for x in [1] %}{{ loop | attr('index') }}{% endfor %} [{{ d | attr('a') }}][{{ none | attr('x') }}] {{ (d | attr(name='keys'))() | list }}"),
    ("fk_attr_missing_raises", "{{ (d | attr('a')).x }}"),
    ("fk_tojson_bad_indent", "{{ d | tojson(indent=1.5) }}"),
    ("fk_sort_stable", "{{ (['b', 'B', 'a', 'A', 'c', 'C'] * 6) | sort | join }} {{ (['b', 'B', 'a', 'A', 'c', 'C'] * 6) | sort(reverse=true) | join }} {{ ['b', 'A'] | sort }} {{ ['a', 'B'] | sort }} {{ people | sort(attribute='age', reverse=true) | map(attribute='name') | join }}"),
    ("fk_wordcount", "{{ 'a-b c_d, e.f' | wordcount }} {{ '' | wordcount }} {{ ' x ' | wordcount }}"),
    ("fk_title", "{{ 'a1b' | title }} {{ 'x(y)z' | title }} {{ \"it's o'neil\" | title }}"),
    ("fk_list_none", "{{ none | list }}"),
    ("fk_length_int_raises", "{{ 5 | length }}"),
    ("fk_list_int_raises", "{{ 5 | list }}"),
    # string methods: edges and refusals
    ("mk_strip_keyword", "{{ 'xx'.strip(chars='x') }}"),
    ("mk_split_keywords", "{{ 'a,b,c'.split(sep=',') }} {{ 'a,b,c'.split(',', maxsplit=1) }} {{ 'a,b,c'.rsplit(sep=',', maxsplit=1) }} {{ 'a b c'.split(maxsplit=1) }}"),
    ("mk_split_bad_keyword", "{{ 'a b'.split(frob=1) }}"),
    ("mk_replace_keyword", "{{ 'aaa'.replace('a', 'b', count=1) }}"),
    ("mk_find_keyword", "{{ 'abc'.find(sub='b') }}"),
    ("mk_join_keyword", "{{ '-'.join(iterable=['a']) }}"),
    ("mk_startswith_keyword", "{{ 'abc'.startswith(prefix='a') }}"),
    ("mk_removeprefix_keyword", "{{ 'abc'.removeprefix(prefix='a') }}"),
    ("mk_get_keyword", "{{ d.get('a', default=1) }}"),
    ("mk_split_whitespace_max", "{{ 'a b'.split(none, 0) }} {{ ' a b  c '.split(none, 1) }} {{ ' a b  c '.rsplit(none, 1) }} {{ '  a b c'.rsplit(none, 0) }} {{ 'a b c '.rsplit(none, 5) }} {{ ' a  b '.rsplit() }} {{ 'a b  c d'.rsplit(none, 2) }} {{ 'a b  c d '.split(none, 2) }}"),
    ("mk_split_whitespace_rest", "{{ 'a b '.split(none, 1) }} {{ ' a b'.rsplit(none, 1) }} {{ 'a b '.split(none, 2) }} {{ ' a b '.split(none, 0) }} {{ ' a b '.rsplit(none, 0) }} {{ 'a  b  '.split(none, 1) }} {{ '  a  b'.rsplit(none, 1) }} {{ ' '.split(none, 0) }}"),
    ("mk_replace_fewer_than_count", "{{ 'ab'.replace('a', 'x', 5) }} {{ 'abab'.replace('b', '', 9) }}"),
    ("mk_split_edges", "{{ ',a'.split(',') }} {{ 'a,'.split(',') }} {{ 'a,b,c'.rsplit(',', 5) }} {{ 'a,b'.split(',', 1) }} {{ 'a::b::c'.split('::') }} {{ 'a::b::c'.rsplit('::', 1) }}"),
    ("mk_split_empty_sep", "{{ 'a'.split('') }}"),
    ("mk_replace_empty_old", "[{{ 'ab'.replace('', '-') }}][{{ 'ab'.replace('', '-', 2) }}][{{ 'ab'.replace('', '-', 0) }}][{{ ''.replace('', '-') }}][{{ 'ab'.replace('', '-', 9) }}][{{ 'aXbXc'.replace('X', '', 1) }}]"),
    ("mk_predicates", "{{ 'Ab'.isupper() }} {{ 'aB'.islower() }} {{ 'AB'.isupper() }} {{ 'ab'.islower() }} {{ '日'.isupper() }} {{ '日'.islower() }} {{ '日a'.title() }} {{ 'a1b'.title() }} {{ 'ab1'.isalnum() }} {{ 'a b'.isalnum() }} {{ '日本'.isalpha() }} {{ ' \\t\\n'.isspace() }} {{ 'abc'.isupper() }} {{ 'ABC'.islower() }}"),
    ("mk_splitlines", "{{ 'a\\nb\\n'.splitlines() }} {{ ''.splitlines() }} {{ 'a\\r\\nb'.splitlines() }} {{ 'a\\n\\nb'.splitlines() }} {{ 'a\\rb'.splitlines() }}"),
    ("mk_find_rfind", "{{ 'abcb'.rfind('b') }} {{ 'abc'.rfind('z') }} {{ '日本語'.find('語') }} {{ 'ab'.find('') }} {{ 'ab'.rfind('') }} {{ 'abab'.count('ab') }} {{ 'ab'.count('z') }}"),
    ("mk_swapcase", "{{ 'Hello World 1'.swapcase() }}"),
    ("mk_too_many_args", "{{ 'a'.strip('x', 'y') }}"),
    ("mk_no_args_method_given_one", "{{ 'a'.upper(1) }}"),
    ("mk_find_start", "{{ 'abcb'.find('b', 2) }}"),
    ("mk_arguments_taken", "[{{ 'xax'.rstrip('x') }}][{{ 'a\nb\r\nc\r'.splitlines(true) }}][{{ 'a\r'.splitlines() }}][{{ 'a\x0bb\x0cc\x1cd\x1de\x1ef\x85g\u2028h\u2029i'.splitlines() }}]"),
    ("mk_rfind_start", "{{ 'abcb'.rfind('b', 2) }}"),
    ("mk_index_start", "{{ 'abcb'.index('b', 2) }}"),
    ("mk_count_start", "{{ 'abcb'.count('b', 2) }}"),
    ("mk_startswith_start", "{{ 'abcb'.startswith('b', 1) }}"),
    ("mk_endswith_start", "{{ 'abcb'.endswith('b', 1) }}"),
    ("mk_titlecase_letters", "{{ 'Aǅ'.isupper() }} {{ 'aǅ'.islower() }} {{ 'ǅ'.isupper() }} {{ 'ǅ'.islower() }} {{ 'AB'.isupper() }}"),
    ("mk_get_no_args", "{{ d.get() }}"),
    ("mk_list_index_no_args", "{{ items.index() }}"),
    ("mk_list_count_no_args", "{{ items.count() }}"),
    ("mk_list_methods", "{{ [1, 2, 1].index(1) }} {{ ['a', 'b'].index('b') }} {{ [1, 2, 1.0, true].count(1) }} {{ [[1], [1]].count([1]) }}"),
    ("mk_unsafe_list_append", "{{ items.append() }}"),
    ("mk_unsafe_list_extend", "{{ items.extend() }}"),
    ("mk_unsafe_list_insert", "{{ items.insert() }}"),
    ("mk_unsafe_list_pop", "{{ items.pop() }}"),
    ("mk_unsafe_list_remove", "{{ items.remove() }}"),
    ("mk_unsafe_list_clear", "{{ items.clear() }}"),
    ("mk_unsafe_list_sort", "{{ items.sort() }}"),
    ("mk_unsafe_list_reverse", "{{ items.reverse() }}"),
    ("mk_unsafe_dict_update", "{{ d.update() }}"),
    ("mk_unsafe_dict_setdefault", "{{ d.setdefault() }}"),
    ("mk_unsafe_dict_popitem", "{{ d.popitem() }}"),
    ("mk_unsafe_dict_pop", "{{ d.pop() }}"),
    ("mk_unsafe_dict_clear", "{{ d.clear() }}"),
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
    # the renderer, values, tests, loop and dict objects: edges and errors (mutation testing, issue 19)
    ("r_truth", "{{ 0.0 or 'z' }} {{ 1.5 and 'y' }} {{ big and 'b' }} {{ {} or 'empty' }} {{ {'a': 1} and 'full' }} {{ namespace() and 'ns' }} {{ range and 'fn' }} {{ (0, ) and 't' }} {{ () or 'u' }}"),
    ("r_nonfinite", "{{ nan }} {{ inf }} {{ ninf }} {{ big }} {{ [nan, inf, ninf, big] }} {{ -big }} {{ 'nan' | float }} {{ '-inf' | float }} {{ 'Infinity' | float }}"),
    ("r_repr_escapes", "{{ ['\\r\\t', '\\u200b', '\\U000e0001', '\\x85', '\\xa0', '\\u0100', '\\xff', '\\x7f', '\\\\'] }}"),
    ("r_equality", "{{ none == 0 }} {{ 0 == none }} {{ nothing == 0 }} {{ 0 == nothing }} {{ '1' == 1 }} {{ 1 == '1' }} {{ big == big }} {{ big == 1e20 }} {{ 1e20 == big }} {{ big == 1 }} {{ [1] == (1,) }} {{ [1, 2] == [1] }} {{ [1, 2] == [1, 3] }} {{ {'a': 1} == {'a': 1} }} {{ {'a': 1} == {'a': 2} }} {{ {'a': 1} == {'b': 1} }} {{ {'a': 1} == {'a': 1, 'b': 2} }} {{ (1, 2) == (1, 2) }} {{ true == 1.0 }} {{ 2 == 2.0 }}"),
    ("r_ordering", "{{ [1, 2] < [1, 3] }} {{ [1, 2] < [1] }} {{ [1] < [1, 0] }} {{ [] < [1] }} {{ [2] < [1, 5] }} {{ 'ab' < 'abc' }} {{ 'abc' < 'ab' }} {{ 'ab' < 'ab' }} {{ '😀' > 'ｚ' }} {{ 1 < 1 }} {{ 1 <= 1 }} {{ 2 <= 1 }} {{ 1 >= 1 }} {{ 0 >= 1 }} {{ 2 > 1 }} {{ 1 > 1 }} {{ 1.5 < 2 }} {{ true < 2 }}"),
    ("r_false_as_index", "{{ range(false, 2) | list }} {{ items[false:] }} {{ items[:false] }} {{ 'abc' > 'ab' }} {{ 'ab' < 'ab\x00' }} {{ 'ab\x00' > 'ab' }} {{ 'ab' >= 'ab' }}"),
    ("r_order_mixed_raises", "{{ 1 < 'a' }}"),
    ("r_order_mixed_gt_raises", "{{ 'a' > 1 }}"),
    ("r_order_undefined_raises", "{{ nothing < 1 }}"),
    ("r_order_undefined_right_raises", "{{ 1 >= nothing }}"),
    ("r_unary", "{{ -true }} {{ +true }} {{ +false }} {{ -false }} {{ +2.5 }} {{ -big }} {{ +big }} {{ - -2.5 }}"),
    ("r_unary_minus_str", "{{ -'a' }}"),
    ("r_unary_plus_str", "{{ +'a' }}"),
    ("r_concat_undefined", "[{{ nothing ~ 'a' }}][{{ 'a' ~ nothing }}][{{ nothing ~ nothing }}][{{ 1 ~ 2 }}]"),
    ("r_arith_right_undefined", "{{ 1 + nothing }}"),
    ("r_arith", "{{ (1, 2) + (3,) }} {{ [1, 2] * 2 }} {{ [1] * 0 }} {{ 'ab' * -1 }} {{ 'ab' * 0 }} {{ true + true }} {{ 1 - false }} {{ true * 3 }} {{ 2 ** 0 }} {{ 2 ** -1 }} {{ 0 ** 0 }} {{ 2 ** 10 }} {{ 6 // -2 }} {{ 7 // -2 }} {{ -6 // 2 }} {{ 7 // 2 }} {{ 6 % -4 }} {{ -6 % 4 }} {{ 6 % 3 }} {{ 5 / 2 }} {{ 4 / 2 }} {{ true / 2 }}"),
    ("r_arith_float", "{{ 2.5 - 1 }} {{ 2.5 * 2 }} {{ 7.5 // 2 }} {{ -7.5 // 2 }} {{ 7.5 % -2 }} {{ -7.5 % 2 }} {{ 7.5 % 2 }} {{ 6.0 % 3 }} {{ 2.0 ** 3 }} {{ 2 ** 0.5 }} {{ 1 + 2.5 }} {{ 5 / 2.0 }} {{ -6.0 % 3 }}"),
    ("r_pow_big", "{{ 2 ** 64 }} {{ 10 ** 20 }} {{ (-2) ** 63 }} {{ 2 ** 62 }} {{ 9223372036854775807 + 1 }} {{ -9223372036854775807 - 2 }} {{ 4294967296 * 4294967296 }} {{ 9223372036854775807 * -1 }}"),
    ("r_div_zero", "{{ 1 / 0 }}"),
    ("r_floordiv_zero", "{{ 1 // 0 }}"),
    ("r_mod_zero", "{{ 1 % 0 }}"),
    ("r_float_div_zero", "{{ 1.0 / 0 }}"),
    ("r_float_floordiv_zero", "{{ 1.0 // 0 }}"),
    ("r_float_mod_zero", "{{ 1.0 % 0 }}"),
    ("r_add_mismatch", "{{ 1 + 'a' }}"),
    ("r_sub_lists", "{{ [1] - [1] }}"),
    ("r_in_errors_int_in_str", "{{ 1 in 'abc' }}"),
    ("r_in_errors_not_iterable", "{{ 1 in 3 }}"),
    ("r_in_undefined_in_str", "{{ nothing in 'abc' }}"),
    ("r_in", "{{ 'a' in ['a'] }} {{ 1.0 in [1] }} {{ 'x' in {'x': 1} }} {{ 'b' in 'abc' }} {{ '' in 'abc' }} {{ 3 in [1, 2] }} {{ 1 in (1, 2) }} {{ 1 not in [2] }}"),
    ("r_attr_errors_namespace", "{% set ns = namespace() %}{{ ns.missing.x }}"),
    ("r_attr_errors_loop", "{% for x in items %}{{ loop.zz.y }}{% endfor %}"),
    ("r_attr_errors_none", "{{ none.x.y }}"),
    ("r_attr_none", "[{{ none.x }}][{{ ns }}]"),
    ("r_attr_errors_dict", "{{ d.zz.y }}"),
    ("r_item_undefined", "{{ nothing[0] }}"),
    ("r_call_undefined", "{{ nothing() }}"),
    ("r_call_not_callable", "{{ n() }}"),
    ("r_items", "{{ items[true] }} {{ items[false] }} [{{ items[3] }}] {{ items[-3] }} [{{ items[-4] }}] {{ s[0] }} {{ s[-12] }} [{{ s[12] }}] [{{ s[-13] }}] {{ uni[4] }} {{ (1, 2)[1] }} [{{ n['a'] }}] [{{ n[none] }}] {{ d[none] is defined }}"),
    ("r_item_list_missing_raises", "{{ items[10].x }}"),
    ("r_item_str_missing_raises", "{{ s[100].x }}"),
    ("r_item_int_none_raises", "{{ n[none].x }}"),
    ("r_slices", "{{ items[10::-1] }} {{ items[-10:] }} {{ items[:-10] }} {{ items[-10::-1] }} {{ items[:10:-1] }} {{ items[1::-1] }} {{ items[::-2] }} {{ items[3:] }} {{ items[:3] }} {{ items[-1:-3:-1] }} {{ items[:-1:-1] }} {{ items[true:] }} {{ (1, 2, 3)[1:] }} {{ (1, 2, 3)[::-1] }} {{ items[:0] }} {{ items[-3:-1] }} {{ items[0:3:2] }} {{ items[2:0:-1] }} {{ items[:-5:-1] }} {{ items[5:0:-1] }}"),
    ("r_slices_str", "[{{ s[5:2] }}][{{ s[-100:3] }}][{{ s[3:-100] }}][{{ uni[::2] }}][{{ uni[5:2] }}][{{ uni[-1:] }}][{{ uni[:-1] }}][{{ s[::3] }}][{{ s[100:] }}]"),
    ("r_slice_bad_index", "{{ items['a':] }}"),
    ("r_slice_int", "{{ n[1:] }}"),
    ("r_slice_zero_step", "{{ items[::0] }}"),
    ("r_slice_undefined", "{{ nothing[1:] }}"),
    ("r_dict_keys", "{{ {1: 'a', true: 'b', 1.0: 'c'} }} {{ {2.0: 'x'}[2] }} {{ {2: 'x'}[2.0] }} {{ {0.5: 'h'}[0.5] }} {{ {true: 1}[1] }} {{ {false: 'f'}[0] }} {{ {1e20: 'e'}[1e20] }} {{ {-1: 'm'}[-1.0] }} {{ {'a': 1, 'a': 2} }} {{ {(1, 2): 't'}[(1, 2)] }}"),
    ("r_dict_key_none", "{{ {none: 1} }}"),
    ("r_dict_key_undefined", "{{ {nothing: 1} | length }}"),
    ("r_dict_tuple_keys", "{{ {(none, 1): 'n'}[(none, 1)] }} {{ {(1, (2, 3)): 'x'}[(1, (2, 3))] }} {{ {(1, 2): 'a'}[(2, 1)] is defined }}"),
    ("r_float_mod_signs", "{{ 6.0 % -3 }} {{ -6.0 % 3 }} {{ 0.0 % -2 }} {{ -0.0 % 2 }} {{ 5.5 % -2 }}"),
    ("r_pow_edges", "{{ (-2) ** 63 + 1 }} {{ (-2) ** 3 }} {{ 3 ** 40 }} {{ 1 ** 100 }}"),
    ("r_dict_key_list_raises", "{{ {[1]: 2} }}"),
    ("r_dict_key_dict_raises", "{{ {{}: 2} }}"),
    ("r_range", "{{ range(3, 0, -1) | list }} {{ range(true, 3) | list }} {{ range(0, 10, 3) | list }} {{ range(5, 1) | list }} {{ range(-2) | list }} {{ range(100000) | length }}"),
    ("r_range_too_big", "{{ range(100001) | length }}"),
    ("r_range_zero_step", "{{ range(1, 2, 0) }}"),
    ("r_range_float", "{{ range(1.5) }}"),
    ("r_range_no_args", "{{ range() }}"),
    ("r_range_four_args", "{{ range(1, 2, 3, 4) }}"),
    ("r_unpack_too_many", "{% for a, b in [[1, 2, 3]] %}{% endfor %}"),
    ("r_unpack_too_few", "{% set a, b, c = [1, 2] %}"),
    ("r_set_attr_not_namespace", "{% set x = 1 %}{% set x.a = 2 %}"),
    ("r_set_attr_undefined", "{% set y.a = 2 %}"),
    ("r_namespace_dict", "{% set ns = namespace({'a': 1}, b=2) %}{{ ns.a }}{{ ns.b }}{% set ns2 = namespace(d) %}{{ ns2.c.x }}"),
    ("r_dict_global", "{{ dict() }} {{ dict(d) }} {{ dict(d, a=9) }}"),
    ("r_raise_no_args", "{{ raise_exception() }}"),
    ("r_strftime_no_args", "{{ strftime_now() }}"),
    ("r_top_break", "a{% break %}b"),
    ("r_conditional_no_else_attr", "{{ ('x' if false).y }}"),
    ("r_macro_args", "{% macro greet(name, punct='!') %}{{ name }}{{ punct }}{% endmacro %}{{ greet('Bo', punct='?') }} {{ greet(punct='?', name='Al') }} {{ greet('Cy') }}"),
    ("r_macro_missing_param", "{% macro m(a) %}{{ a.x }}{% endmacro %}{{ m() }}"),
    ("r_macro_too_many", "{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}"),
    ("r_macro_bad_keyword", "{% macro m(a) %}{% endmacro %}{{ m(b=1) }}"),
    ("r_caller_bad_keyword", "{% macro m() %}{{ caller(x=1) }}{% endmacro %}{% call m() %}in{% endcall %}"),
    ("r_caller_args", "{% macro m() %}{{ caller(1) }}|{{ caller() }}{% endmacro %}{% call(a, b=5) m() %}{{ a }}-{{ b }}{% endcall %}"),
    ("r_filter_block_chain", "{% filter upper | replace('A', 'x') %}abc {{ 'a' }}{% endfilter %}"),
    ("r_set_block_filters", "{% set v | trim | upper %}  hi  {% endset %}[{{ v }}]"),
    ("r_loop_objects", "{% for x in items %}{{ loop.depth0 }}{{ loop.previtem is defined }}{{ loop.nextitem is defined }}{{ loop.cycle('a', 'b', 'c') }}{% endfor %}"),
    ("r_loop_previtem_raises", "{% for x in items %}{{ loop.previtem.x }}{% endfor %}"),
    ("r_loop_nextitem_raises", "{% for x in items %}{% if loop.last %}{{ loop.nextitem.x }}{% endif %}{% endfor %}"),
    ("r_loop_cycle_no_args", "{% for x in items %}{{ loop.cycle() }}{% endfor %}"),
    ("r_loop_continue_else", "{% for x in items %}{% continue %}{% else %}E{% endfor %}|{% for x in items %}{{ x }}{% else %}E{% endfor %}|{% for x in items %}{% if x == 2 %}{% continue %}{% endif %}{{ x }}{% else %}E{% endfor %}"),
    ("r_loop_break_else", "{% for x in items %}{% break %}{% else %}E{% endfor %}|{% for x in items %}{{ x }}{% if x == 1 %}{% break %}{% endif %}{% endfor %}"),
    # tests
    ("t_sameas", "{{ none is sameas false }} {{ false is sameas 0 }} {{ 256 is sameas 256 }} {{ -5 is sameas(-5) }} {{ none is sameas none }} {{ true is sameas 1 }} {{ 1 is sameas true }} {{ items is sameas items }} {{ d is sameas d }} {{ s is sameas s }} {{ 1.5 is sameas 1.5 }}"),
    ("t_sameas_big", "{{ k1 is sameas k2 }} {{ k1 is sameas k1 }} {{ 300 is sameas 300 }} {{ k1 == k2 }}"),
    ("t_numbers", "{{ true is odd }} {{ false is even }} {{ 4.0 is even }} {{ 2.5 is odd }} {{ 3.0 is odd }} {{ -3 is odd }} {{ -4 is even }} {{ 9 is divisibleby 3.0 }} {{ 9.0 is divisibleby 3 }} {{ 10 is divisibleby(-5) }} {{ 9 is divisibleby(2) }}"),
    ("t_divisibleby_zero", "{{ 9 is divisibleby 0 }}"),
    ("t_odd_str", "{{ 'a' is odd }}"),
    ("t_case", "{{ '123' is lower }} {{ '123' is upper }} {{ 'a1' is lower }} {{ 'A1' is upper }} {{ 5 is lower }} {{ 'Ab' is upper }} {{ 'aB' is lower }} {{ '' is lower }}"),
    ("t_misc", "{{ s is escaped }} {{ none is escaped }} {{ x is none }} {{ big is integer }} {{ big is number }} {{ 1.0 is integer }} {{ true is integer }} {{ true is number }} {{ none is number }} {{ 'a' is sequence }} {{ 1 is iterable }} {{ nothing is iterable }} {{ range is callable }} {{ d.items is callable }} {{ (1, 2) is sequence }} {{ d is iterable }}"),
    ("t_ge_mixed", "{{ 1 is ge 'a' }}"),
    ("t_gt_mixed", "{{ 1 is gt 'a' }}"),
    ("t_le_mixed", "{{ 1 is le 'a' }}"),
    ("t_lt_mixed", "{{ 1 is lt 'a' }}"),
    ("r_le_mixed", "{{ 1 <= 'a' }}"),
    ("r_ge_mixed", "{{ 1 >= 'a' }}"),
    ("t_missing_argument", "{{ 1 is eq }}"),
    ("t_in_missing_argument", "{{ 1 is in }}"),
    ("r_reprs", "{{ [namespace(a=1)] }} {{ namespace(a=1, b='x') }} {% for x in [1, 2] %}{{ [loop] }}{{ loop }}{% endfor %} {{ [dict, namespace] }} {% macro m() %}{% endmacro %}{{ [m] }} {{ m }} {% macro w() %}{{ [caller] }}{% endmacro %}{% call w() %}{% endcall %}"),
    ("r_type_name_none", "{{ none - 1 }}"),
    ("r_type_name_tuple", "{{ (1,) - (1,) }}"),
    ("r_type_name_float_str", "{{ 1.5 - 'a' }}"),
    ("r_type_name_bool", "{{ true - 'a' }}"),
    ("r_type_name_dict", "{{ d - 1 }}"),
    ("r_type_name_namespace", "{{ namespace() - 1 }}"),
    ("r_type_name_undefined", "{{ nothing | abs }}"),
    ("r_type_name_list_concat", "{{ [1] + (1,) }}"),
    ("r_type_name_tuple_concat", "{{ (1,) + [1] }}"),
    ("print_special", "{{ none }} {{ true }} {{ false }} {{ d }} {{ messages[2].tool_calls[0].function.arguments }}"),
]


# Python's datetime.strftime for every directive the engine implements, at times that tell them apart (AM and
# PM, midnight and noon for %I, one-digit days for %e, day 366 for %j), and an unknown directive and a lone '%'.
STRFTIME_TIMES = [datetime(2024, 1, 5, 9, 3, 7), datetime(2024, 12, 31, 23, 59, 59), datetime(2023, 7, 4, 0, 0, 0), datetime(2024, 7, 26, 12, 0, 0)]
STRFTIME_FORMATS = ["%d %m %Y %y", "%b %B %a %A", "%H %I %M %S %p", "%j|%e|%%|%Q|", "at %H:%M%", "plain"]


def build_strftime():
    return [{"time": t.isoformat(), "format": f, "output": t.strftime(f)} for t in STRFTIME_TIMES for f in STRFTIME_FORMATS]


def build():
    env = ref.make_environment()
    results = []
    for name, template in CASES:
        entry = {"name": name, "template": template}
        try:
            entry["output"] = env.from_string(template).render(**V, **NON_FINITE)
        except Exception as error:  # the engine must refuse too
            entry["error"] = f"{type(error).__name__}: {error}"
        results.append(entry)
    return {"generator": "reference/jinja_language_cases.py", "jinja2": ref.jinja2.__version__, "variables": V, "non_finite_variables": {k: repr(v) for k, v in NON_FINITE.items()}, "cases": results, "strftime": build_strftime()}


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
