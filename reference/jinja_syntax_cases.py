#!/usr/bin/env python3
"""The syntax side of Directer's jinja engine against jinja2 3.1.6 in transformers' environment.

Writes tests/Directer.Core.Tests/Fixtures/templates/jinja_syntax.json, which Templates/Jinja/JinjaSyntaxTests reads:

  tokens   jinja2's token stream (env.lexer.tokenize: whitespace control, trim_blocks/lstrip_blocks, comments, raw,
           string escapes, numbers, operators) with each token's line, for the engine's lexer to reproduce;
  renders  small templates (whitespace control, precedence, parsing edge cases) rendered by jinja2, or the error it
           raises with the template line jinja2 names (TemplateSyntaxError.lineno; for an error raised while
           rendering, the last template frame of the traceback);
  tojson   transformers' tojson filter (json.dumps with ensure_ascii=False by default) on nested values, keys,
           escapes, indents and separators;
  names    jinja2.meta.find_undeclared_variables: every name a template reads from its context (the engine's
           ReferencedNames must hold all of them).

String values in token streams are written as lists of UTF-16 code units, so that a lone surrogate (\\ud800 in a
literal) survives the JSON file.

The fixture is generated: edit the cases here and run (needs jinja2 3.1.6; the pyenv `python3` has it, not /usr/bin/python3):
     python3 reference/jinja_syntax_cases.py           (rewrites Fixtures/templates/jinja_syntax.json)
     python3 reference/jinja_syntax_cases.py --check   (fails if it is stale)
"""

import argparse
import json
import sys
import traceback
from pathlib import Path

import jinja2.meta

sys.path.insert(0, str(Path(__file__).resolve().parent))
import template_reference as ref  # noqa: E402

OUT = ref.FIXTURES / "jinja_syntax.json"

V = {
    "x": 1,
    "s": "Hi",
    "items": [3, 1, 2],
    "d": {"b": 2, "a": 1},
    "msg": {"role": "user", "content": "<b>&'\"x\"</b> é 😀"},
}

TOKENS = [
    ("mixed", "a\n  {%- if x -%}\n{{ {'a': 1}}} {# c\n #}{{ 's\\n' 't' }}{% raw %}{{x}}{% endraw %}\n{{ 1_000 + 1e3 + 2.5 // 3 ** 4 }}{{ x|f(y=1) }}{% endif %}"),
    ("multiline_tags", "{{\n x\n +\n 1\n}}\n{%\nif\ny\n%}\nz{% endif %}\nend"),
    ("comment_lines", "a{# one\ntwo\nthree #}b\n{{ x }}\n{#- four\n -#}\n\n{{ y }}"),
    ("comment_signs", "a  {#- c -#}  b\n  {#+ c +#}\nd\n  {# e #}\nf {#+ g #}\nh"),
    ("comment_at_end", "a\n{# last #}"),
    ("raw_spaced", "{%   raw   %}{% if %}{%endraw%}|{%raw-%}  w{%  endraw  -%}  z"),
    ("raw_inner_tags", "{% raw %}{% endfor %}{%- x %}{% endraw"),
    ("not_raw", "{% rawx = 1 %}{% set raw = 2 %}{{ raw }}"),
    ("lstrip_at_start", "  {% if x %}a{% endif %}"),
    ("lstrip_after_newline_in_text", "{{ x }}a\n  \t{% if x %}b{% endif %}\n  {{ y }}\n  {%+ if x %}c{% endif %}"),
    ("lstrip_not_mid_line", "{% if x %}a{% endif %}  {% if x %}b{% endif %}\n {#c#}"),
    ("trim_after_block", "{% if x %}\nA\n{% endif %}\n\nB{% if x +%}\nC{% endif %}"),
    ("strip_newlines", "a\n\n {{- x -}} \n\n b\n {%- if x -%} \n\n c{% endif %}\n{{ y -}}\n\n\nz"),
    ("string_escapes", "{{ 'a\\r\\b\\f\\v\\a\\t\\n' }}{{ \"\\\\\\'\\\"\" }}{{ '\\0\\7\\101\\1234\\08\\18' }}"),
    ("string_hex", "{{ '\\x41\\x7e\\u00e9\\u20AC\\U0001F600\\U00000041' }}{{ '\\ud800' }}{{ '\\x00\\uffff\\U0010FFFF\\U00010000' }}"),
    ("string_unknown_escape", "{{ '\\q\\%\\ \\z' }}"),
    ("string_line_continuation", "{{ 'a\\\nb' }}\n{{ x }}"),
    ("string_newline_inside", "{{ 'a\nb\n' }}\n{{ x }}"),
    ("string_quotes", "{{ \"it's\" }}{{ 'say \"hi\"' }}{{ '' }}{{ \"\" }}"),
    ("string_adjacent", "{{ 'a' \"b\"\n 'c' }}"),
    ("numbers", "{{ 0 }}{{ 42 }}{{ 1_000_000 }}{{ 1.5 }}{{ 0.25 }}{{ 1_0.2_5 }}{{ 1e3 }}{{ 1E3 }}{{ 1e+3 }}{{ 2.5e-1 }}{{ 1e }}{{ 1.e }}{{ 7.0 }}{{ 99999999999999999999 }}"),
    ("number_then_dot", "{{ x.1 }}{{ items.0 }}{{ 1.x }}"),
    ("operators", "{{ a // b ** c == d != e <= f >= g + h - i * j / k % l ~ m < n > o = p . q , r : s | t ( u ) [ v ] { w } }}"),
    ("operators_tight", "{{a//b**c==d!=e<=f>=g+h-i*j/k%l~m<n>o}}{{-1}}{{+1}}"),
    ("names", "{{ _a }}{{ a_1 }}{{ B2c }}{{ __x__ }}"),
    ("dict_closing_braces", "{{ {'a': {'b': 1}}}}{{ {'c': [1, {'d': (2)}]}}}{{ x[0]}}{{ f(x)}}{{ {}}}"),
    ("tag_end_signs", "{{- x -}}{%- if x -%}{%+ if y +%}{% endif %}{% endif %}"),
    ("template_end_crlf", "a\r\n"),
    ("template_end_cr", "a\r"),
    ("template_end_two_newlines", "a\n\n"),
    ("data_only", "just text"),
    ("empty", ""),
    ("lone_braces", "{ a } {x} %} #} }} {"),
    ("raw_lines", "{% raw %}\na\nb{% endraw %}\n{{ x }}\n{% raw -%}\n  c\n{%- endraw %}\n{{ y }}"),
    ("raw_signs", "p {%- raw -%}  q  {%- endraw -%}  r\n{%+ raw %}s{%+ endraw %}\nt\n{% raw %}u{% endraw +%}\nv"),
    ("trim_crlf", "{% if x %}\r\nA\r\n{% endif %}\r\nB\rC{% if x %}\rD{% endif %}\r\n"),
    ("variable_keeps_newline", "{{ x }}\n{{ y +}}\n{{- z }}"),
    ("string_cr_inside", "{{ 'a\r\nb\rc' }}\n{{ x }}"),
    ("raw_endraw_line_start", "{% raw %}a\n  {% endraw %}|{% raw %}b\n  {%+ endraw %}|{% raw %}c  {% endraw %}"),
    ("raw_end_tag_over_lines", "{% raw %}a\n{%\nendraw\n%}\n{{ y }}"),
    ("newline_then_operator", "{{ x\n+1\n}}{%\nif x\n%}{% endif %}"),
    ("parens_close_before_tag_end", "{{ (1) }}{{ [2] }}{{ f(3)}}"),
    ("string_octal_digits", "{{ '\\17\\77\\177\\1777\\78' }}"),
    ("raw_only_spaces_on_its_line", "{% raw %}  {% endraw %}|{% raw %}\t{%+ endraw %}|{% raw %} {%- endraw %}|"),
    ("raw_open_tag_over_lines", "{% raw\n-%}\n\nX{% endraw %}\n{{ y }}{%\nraw\n%}\nY{% endraw %}{{ z }}{%- raw %}Z{% endraw %}\n{{ w }}"),
]

RENDERS = [
    # whitespace control as the chat templates use it
    ("ws_lstrip_at_template_start", "  {% if true %}a{% endif %}|"),
    ("ws_lstrip_after_text_on_previous_line", "{{ 'x' }}a\n  {% if true %}b{% endif %}"),
    ("ws_lstrip_not_after_tag_on_same_line", "{% if true %}a{% endif %}  {% if true %}b{% endif %}"),
    ("ws_lstrip_after_trimmed_line", "{% if true %}\n  {% if true %}b{% endif %}{% endif %}"),
    ("ws_lstrip_tabs_and_unicode_spaces", "a\n\t\u00a0 {% if true %}b{% endif %}\n\u2003{# c #}d"),
    ("ws_lstrip_only_whitespace", "a\n  x {% if true %}b{% endif %}"),
    ("ws_lstrip_comment", "a\n   {# c #}\nb"),
    ("ws_no_lstrip_variable", "a\n   {{ 'v' }}\nb"),
    ("ws_plus_variable_begin", "a\n  {{+ 'v' }}\nb"),
    ("ws_plus_block_end_keeps_newline", "{% if true +%}\nA{% endif +%}\nB"),
    ("ws_minus_block_end", "{% if true -%}\n\n  A  {%- endif %}|"),
    ("ws_minus_variable", "[ \n {{- 'v' -}} \n ]"),
    ("ws_minus_unicode_space", "[\u3000\u00a0\n{{- 'v' -}}\u2028\u0085 ]"),
    ("ws_trim_block_crlf", "{% if true %}\r\nA{% endif %}\r\nB"),
    ("ws_trim_only_one_newline", "{% if true %}\n\nA{% endif %}\n\n\nB"),
    ("ws_comment_trims_newline", "a{# c #}\nb{#+ c +#}\nc{#- c -#}\n  d"),
    ("ws_comment_multiline", "a\n  {# one\ntwo #}\nb"),
    ("ws_comment_empty_with_signs", "a{#-#} \nb{#+#}\nc{##}\nd"),
    ("ws_minus_python_only_spaces", "[\x1c\x1d\x1e\x1f{{- 'v' -}}\x1c\x1f]"),
    ("ws_raw_keeps_leading_spaces", "{% raw %}  x {% endraw %}  y"),
    ("ws_raw_minus", "a  {%- raw -%}\n  b  \n  {%- endraw -%}  \n  c"),
    ("ws_raw_lstrip", "x\n    {% raw %}r{% endraw %}\ny"),
    ("ws_trailing_crlf", "a\r\n"),
    ("ws_trailing_cr", "a\r"),
    ("ws_trailing_two_newlines", "a\n\n"),
    ("ws_crlf_data_kept_as_newline", "a\r\nb\rc"),
    ("ws_macro_like_chat_template", "{%- for m in items %}\n    {%- if m > 1 %}\n        {{- '<' + m|string + '>' }}\n    {%- endif %}\n{%- endfor %}\n"),
    # strings and numbers through rendering
    ("str_escapes", "{{ 'a\\tb\\nc\\\\d\\'e\\\"f' }}|{{ '\\x41\\u00e9\\U0001F600' }}|{{ '\\101\\60\\0' | length }}|{{ '\\q\\ ' }}"),
    ("str_line_continuation", "{{ 'a\\\nb' }}"),
    ("str_cr_in_literal", "{{ 'a\r\nb\rc' | length }}"),
    ("str_adjacent", "{{ 'a' 'b' \"c\" }}"),
    ("num_literals", "{{ 1_000 }} {{ 1e3 }} {{ 1E-2 }} {{ 2.5e+1 }} {{ 0.5 }} {{ 99999999999999999999 }} {{ 1_0.5 }}"),
    ("num_int_dot", "{{ items.0 }} {{ items.2 }}"),
    # precedence and associativity
    ("prec_arith", "{{ 2 + 3 * 4 }} {{ 2 * 3 + 4 }} {{ 10 - 4 - 3 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }} {{ 7 // 2 * 2 }} {{ 7 % 4 * 2 }} {{ 8 / 2 / 2 }}"),
    ("prec_concat", "{{ 1 ~ 2 * 3 }} {{ 'a' ~ 'b' + 'c' }} {{ 1 - 1 ~ 2 if false else 0 }}"),
    ("prec_concat_binds_tighter_than_plus", "{{ 1 + 2 ~ 3 }}"),
    ("prec_logic", "{{ true or false and false }} {{ not true or true }} {{ not (true or true) }} {{ false and true or true }} {{ not 1 == 2 }} {{ not 1 in [1] }}"),
    ("prec_compare_chain", "{{ 1 < 2 < 3 }} {{ 3 > 2 > 1 }} {{ 1 < 2 > 3 }} {{ 1 == 1 != 2 }} {{ 2 <= 2 >= 1 }} {{ 1 in [1] in [true] }}"),
    ("prec_not_in", "{{ 1 not in [2] }} {{ 'a' not in 'abc' }} {{ not 'a' in 'b' }}"),
    ("prec_filter_binds_tight", "{{ -1 | abs }} {{ 2 * 3 | string }} {{ 'a' ~ 1 | string }} {{ (2 ** 2) | string }}"),
    ("prec_test_binds_tight", "{{ 1 + 1 is odd }} {{ not 2 is odd }} {{ 2 * 3 is divisibleby 3 }}"),
    ("prec_conditional", "{{ 1 if true else 2 }} {{ 1 if false else 2 if false else 3 }} {{ 'a' ~ 'b' if false else 'c' }} {{ (1 if false) is defined }}"),
    ("prec_conditional_chain", "{{ 1 if true if false else 2 }}|{{ 'a' if x if true else 'b' }}|{{ 1 if x is odd else 2 }}"),
    ("prec_conditional_in_for", "{% for i in items if i > 1 %}{{ i }}{% endfor %}|{% for i in [1, 2] if i %}{{ i }}{% else %}none{% endfor %}"),
    ("prec_unary", "{{ - -3 }} {{ -x + 2 }} {{ -(1 + 2) }} {{ +x }} {{ -items[0] }} {{ -d.a }}"),
    ("prec_pow_right_operand_filtered", "{{ 2 ** 3 | string }}"),
    # literal syntax
    ("lit_tuples", "{{ () }} {{ (1,) }} {{ (1, 2,) }} {{ ((1)) }} {{ (1, (2, 3)) | length }}"),
    ("lit_lists", "{{ [] }} {{ [1,] }} {{ [1, [2, []]] }}"),
    ("lit_dicts", "{{ {} }} {{ {'a': 1,} }} {{ {'a': {'b': [1]}} }} {{ {1: 'x', true: 'y'} }}"),
    ("lit_names", "{{ true }} {{ True }} {{ false }} {{ False }} {{ none }} {{ None }} {{ none is none }} {{ True is true }}"),
    # access and calls
    ("access_slices", "{{ s[:] }}|{{ s[1:] }}|{{ s[:1] }}|{{ s[::-1] }}|{{ s[0:2:1] }}|{{ s[::] }}|{{ s[1::] }}|{{ items[1:3:] }}"),
    ("access_chain", "{{ msg.content[0] }}{{ msg['role'].upper() }}{{ d.items() | list | length }}"),
    ("call_trailing_comma", "{{ range(3,) | list }}{{ s.split('i',) }}{{ 'a,b'.split(',', 1,) }}"),
    ("call_keyword_args", "{{ items | join(d='x') if false else items | join(',') }}{{ dict(a=1) }}"),
    ("filter_chain_args", "{{ s | lower | replace('h', 'H') | length }} {{ items | sort(reverse=true) | join('-') }}"),
    ("filter_block_chain", "{% filter upper | replace('A', '_') %}abc{% endfilter %}"),
    ("set_block_filter_chain", "{% set y | upper | trim %}  ab  {% endset %}[{{ y }}]"),
    ("set_tuple_trailing_comma", "{% set a, b = 1, 2, %}{{ a }}{{ b }}"),
    ("set_namespace_attr", "{% set ns = namespace(v=1) %}{% set ns.v = ns.v + 1 %}{{ ns.v }}"),
    ("macro_trailing_comma_call", "{% macro m(a, b=2) %}{{ a }}{{ b }}{% endmacro %}{{ m(1,) }}{{ m(1, b=3,) }}"),
    ("macro_defaults_use_expressions", "{% macro m(a=1 + 1, b='x' ~ 'y') %}{{ a }}{{ b }}{% endmacro %}{{ m() }}"),
    ("call_block_params", "{% macro w() %}[{{ caller(1, 2) }}]{% endmacro %}{% call(a, b) w() %}{{ a + b }}{% endcall %}"),
    ("generation_tag", "{% generation %}g{% endgeneration %}"),
    ("if_elif_else", "{% for v in [0, 1, 2] %}{% if v == 0 %}z{% elif v == 1 %}o{% else %}t{% endif %}{% endfor %}"),
    ("for_unpack_paren", "{% for (a, b) in [(1, 2)] %}{{ a }}{{ b }}{% endfor %}{% for a, b in [(3, 4)] %}{{ a }}{{ b }}{% endfor %}"),
    ("tests_without_parens", "{{ 4 is divisibleby 2 }} {{ x is sameas 1 }} {{ x is eq 1 }} {{ 's' is in 'as' }} {{ x is ge [0][0] }} {{ x is lt {'a': 1}.a + 1 }} {{ x is number and true }} {{ x is defined or false }} {{ x is not none }} {{ (x is odd) if true else 0 }}"),
    ("tests_operator_names_in_filters", "{{ items | select('==', 1) | list }} {{ items | reject('!=', 1) | list }} {{ items | select('<', 2) | list }} {{ items | select('<=', 2) | list }} {{ items | select('>', 2) | list }} {{ items | select('>=', 2) | list }}"),
    ("tests_word_names", "{{ 1 is equalto 1 }} {{ 1 is ne 1 }} {{ 1 is lt 2 }} {{ 1 is lessthan 2 }} {{ 1 is le 0 }} {{ 2 is gt 1 }} {{ 2 is greaterthan 3 }} {{ 2 is ge 2 }} {{ 'ab' is lower }} {{ 'AB' is upper }} {{ 'a' is escaped }} {{ x is sameas x }}"),
    ("tests_more_names", "{{ x is integer }} {{ 1.5 is float }} {{ x is number }} {{ s is string }} {{ d is mapping }} {{ items is iterable }} {{ items is sequence }} {{ range is callable }} {{ true is boolean }} {{ none is none }} {{ x is true }} {{ false is false }} {{ zz is undefined }}"),
    ("filters_rare_names", "{{ 'a b c' | wordcount }} {{ '<&>' | e }} {{ '<&>' | escape }} {{ msg | attr('role') }}"),
    ("ws_trim_block_cr", "{% if true %}\rA{% endif %}\rB"),
    ("ws_raw_trims_newline", "{% raw %}\n{{ x }}\n{% endraw %}\nafter"),
    ("ws_raw_plus_end", "{% raw %}a{% endraw +%}\nb"),
    ("err_macro_trailing_comma", "{% macro m(a,) %}{% endmacro %}"),
    # behaviour that differed from jinja2 before 2026-12-05 (each a case that failed before its fix)
    ("ws_raw_endraw_lstrip", "{% raw %}a\n  {% endraw %}|{% raw %}b\n  {%+ endraw %}|{% raw %}c  {% endraw %}|{% raw %}\n  {% endraw %}|"),
    ("ws_crlf_lstrip", "a\r\n  {% if true %}b{% endif %}\r\n  {% if true %}c{% endif %}\r  {#d#}\re"),
    ("ws_raw_crlf", "{% raw %}x{% endraw %}\r\ny{% raw %}\r\n{% endraw %}\rz"),
    ("err_endmacro_with_name", "{% macro m() %}M{% endmacro m %}{{ m() }}"),
    ("err_test_operator_name", "{{ 1 is == 1 }}"),
    ("err_test_argument_if", "{{ x is odd if true else 0 }}"),
    ("err_variable_plus_end", "{{ x +}}"),
    ("err_call_params_trailing_comma", "{% macro w() %}{{ caller(1) }}{% endmacro %}{% call(a,) w() %}{{ a }}{% endcall %}"),
    ("str_named_escape", "{{ '\\N{BULLET}' }}"),
    ("filter_then_call", "{{ range | default(none)(3) | list }}"),
    # errors: jinja2 names the line; the engine must too
    ("err_open_variable_at_end", "a{{"),
    ("err_open_block_at_end", "a{%"),
    ("err_raw_unfinished", "a{% raw"),
    ("err_raw_unfinished_space", "a{% raw  "),
    ("err_raw_then_open_at_end", "{% raw %}x{%"),
    ("err_raw_then_open_space_at_end", "{% raw %}x{% "),
    ("err_raw_then_endraw_at_end", "{% raw %}x{% endraw"),
    ("err_raw_then_endraw_space_at_end", "{% raw %}x{% endraw "),
    ("err_raw_then_endraw_minus_at_end", "{% raw %}x{% endraw -"),
    ("err_half_close_at_end", "{{ x }"),
    ("err_number_at_end", "{{ 1"),
    ("err_float_at_end", "{{ 1.5"),
    ("err_number_dot_at_end", "{{ 1."),
    ("err_exponent_letter_at_end", "{{ 1e"),
    ("err_exponent_sign_at_end", "{{ 1e+"),
    ("err_exponent_at_end", "{{ 1e5"),
    ("err_string_backslash_at_end", "{{ 'a\\"),
    ("err_hex_at_end", "{{ '\\x41"),
    ("err_hex_truncated_at_end", "{{ '\\x4"),
    ("err_paren_then_close", "{{ ( }}"),
    ("err_bracket_then_close", "{{ [ }}"),
    ("err_brace_then_close", "{{ { }}"),
    ("err_block_set_two_names", "{% set a, b %}x{% endset %}"),
    ("err_unclosed_variable", "a\n{{ x"),
    ("err_unclosed_block", "a\n\n{% if x"),
    ("err_unclosed_comment", "a\n{# never closed"),
    ("err_unclosed_raw", "a\n{% raw %}b"),
    ("err_unclosed_string", "a\n{{ 'abc }}"),
    ("err_unexpected_character", "a\n{{ x ; y }}"),
    ("err_unexpected_char_block", "{% if x $ %}{% endif %}"),
    ("err_malformed_hex", "\n{{ '\\x4' }}"),
    ("err_malformed_unicode", "\n\n{{ '\\u12g4' }}"),
    ("err_big_escape", "{{ '\\U00110000' }}"),
    ("err_unclosed_if", "{% if x %}\na"),
    ("err_unclosed_for", "{% for a in items %}\n{{ a }}\n"),
    ("err_unclosed_macro", "{% macro m() %}\n"),
    ("err_unclosed_set_block", "{% set y %}\n"),
    ("err_unclosed_nested", "{% for a in items %}{% if a %}\n{% endfor %}"),
    ("err_end_without_open_endif", "a\n{% endif %}"),
    ("err_end_without_open_endfor", "{% endfor %}"),
    ("err_end_without_open_endset", "{% endset %}"),
    ("err_end_without_open_endmacro", "{% endmacro %}"),
    ("err_end_without_open_endcall", "{% endcall %}"),
    ("err_end_without_open_endfilter", "{% endfilter %}"),
    ("err_end_without_open_else", "{% else %}"),
    ("err_end_without_open_elif", "{% elif x %}"),
    ("err_end_without_open_endgeneration", "{% endgeneration %}"),
    ("err_end_without_open_endraw", "{% endraw %}"),
    ("err_unknown_tag", "\n{% include 'x' %}"),
    ("err_for_no_in", "{% for a on items %}{% endfor %}"),
    ("err_for_target_not_name", "{% for 'a' in items %}{% endfor %}"),
    ("err_for_recursive", "{% for a in items recursive %}{% endfor %}"),
    ("err_for_paren_unclosed", "{% for (a, b in items %}{% endfor %}"),
    ("err_set_attr_no_equals", "{% set ns.v 1 %}"),
    ("err_set_no_value", "{% set y = %}"),
    ("err_if_extra_token", "{% if x y %}{% endif %}"),
    ("err_variable_extra_token", "{{ x y }}"),
    ("err_empty_variable", "a\n{{ }}"),
    ("err_dot_then_string", "{{ x.'a' }}"),
    ("err_call_star_args", "{{ range(*items) }}"),
    ("err_call_double_star", "{{ dict(**d) }}"),
    ("err_positional_after_keyword", "{{ dict(a=1, 2) }}"),
    ("err_call_block_not_call", "{% call x %}{% endcall %}"),
    ("err_test_name_string", "{{ x is 'a' }}"),
    ("err_unknown_filter", "\n{{ x | frobnicate }}"),
    ("err_unknown_filter_dotted", "{{ x | a.b }}"),
    ("err_unknown_test", "{{ x is frob }}"),
    ("err_macro_name_missing", "{% macro (a) %}{% endmacro %}"),
    ("err_endif_with_argument", "{% if x %}{% endif x %}"),
    ("err_subscript_unclosed", "{{ items[0 }}"),
    ("err_list_missing_comma", "{{ [1 2] }}"),
    ("err_dict_missing_colon", "{{ {'a' 1} }}"),
    ("err_break_with_argument", "{% for a in items %}{% break 1 %}{% endfor %}"),
    ("err_tojson_not_serializable", "\n{{ range | tojson }}"),
    ("err_tojson_tuple_key", "{{ {(1, 2): 1} | tojson }}"),
    ("err_octal_at_end", "{{ '\\1"),
    ("err_octal_two_digits_at_end", "{{ '\\17"),
    ("err_keyword_argument_not_a_name", "{{ range(1=2) }}"),
    ("err_keyword_argument_string", "{{ dict('a'=2) }}"),
    ("ws_raw_only_spaces", "{% raw %}  {% endraw %}|{% raw %}\t{% endraw %}|"),
    ("err_line_after_raw_tag_over_lines", "{% raw\n%}r{% endraw %}\n{{ 1 + 'a' }}"),
]

TOJSON = [
    ("nested", "{{ {'a': [1, 2.5, none, true, false, 'x'], 'b': {'c': {}, 'd': []}} | tojson }}"),
    ("html_characters_not_escaped", "{{ msg | tojson }}|{{ '<script>&amp;\\'</script>' | tojson }}"),
    ("control_characters", "{{ '\\x00\\x01\\x1f\\x7f\\b\\f\\n\\r\\t\"\\\\/' | tojson }}"),
    ("unicode", "{{ 'é😀\\u2028\\u2029\\ufeff' | tojson }}|{{ 'é😀\\u2028' | tojson(ensure_ascii=true) }}|{{ '~\\x7f\\x80' | tojson(ensure_ascii=true) }}"),
    ("unicode_keys_ascii", "{{ {'ключ': 'é'} | tojson(ensure_ascii=true) }}"),
    ("keys_non_string", "{{ {1: 'i', 2.5: 'f', true: 't', false: 'f2'} | tojson }}|{{ {true: 1, false: 0} | tojson }}|{{ {true: 1} | tojson(sort_keys=true) }}"),
    ("keys_sorted", "{{ {'b': 1, 'a': {'d': 1, 'c': 2}, 'B': 3} | tojson(sort_keys=true) }}"),
    ("indent_nested", "{{ {'a': [1, {'b': []}], 'c': {}} | tojson(indent=2) }}"),
    ("indent_string", "{{ [1, [2]] | tojson(indent='--') }}"),
    ("indent_zero", "{{ [1, {'a': 2}] | tojson(indent=0) }}"),
    ("separators", "{{ {'a': [1, 2]} | tojson(separators=(';', '=')) }}|{{ {'a': [1, 2]} | tojson(indent=1, separators=(',', ': ')) }}"),
    ("numbers", "{{ [0, -1, 1.0, 0.1, 1e16, 1e-7, -0.0, 12345678901234567890, 18446744073709551616] | tojson }}"),
    ("empty_containers", "{{ [[], {}, [[]], {'a': {}}] | tojson }}|{{ [] | tojson(indent=2) }}"),
    ("string_with_data_keys", "{{ {msg.content: msg.role} | tojson }}"),
]

NAMES = [
    ("print", "{{ a }}{{ b.c }}{{ d['e'] }}"),
    ("call_arguments", "{{ f(g, k=h) }}{{ i | join(j) }}{{ m is divisibleby n }}"),
    ("inside_if_and_for", "{% if a %}{{ b }}{% elif c %}{{ e }}{% else %}{{ f }}{% endif %}{% for x in g if h %}{{ i }}{% else %}{{ j }}{% endfor %}"),
    ("dict_and_list_literals", "{{ {a: b} }}{{ [c, (e, f)] }}{{ g if h else i }}{{ j[k:l:m] }}"),
    ("macro_and_call", "{% macro w(p=a) %}{{ b }}{{ caller() }}{% endmacro %}{% call w() %}{{ c }}{% endcall %}"),
    ("set_and_filters", "{% set x = a %}{% set y %}{{ b }}{% endset %}{% filter upper %}{{ c }}{% endfilter %}{{ d | default(e) }}"),
    ("tool_detection", "{%- if tools is defined and tools %}{{ tools | tojson }}{% endif %}{% for message in messages %}{{ message.content }}{% endfor %}{{ add_generation_prompt }}"),
]


def error_line(error):
    """The template line jinja2 names for an error: a syntax error carries it; a runtime error is located by the
    traceback's template frames (jinja2 rewrites them to the template's lines)."""
    if getattr(error, "lineno", None):
        return error.lineno
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == "<template>"]
    return frames[-1].lineno if frames else None


def render(env, template):
    entry = {"template": template}
    try:
        entry["output"] = env.from_string(template).render(**V)
    except Exception as error:  # the engine must refuse too, naming the same line
        entry["error"] = f"{type(error).__name__}: {error}"
        entry["line"] = error_line(error)
    return entry


def token_stream(env, template):
    """(line, kind, value) of every token, as the engine names its kinds; None where jinja2 refuses the template."""
    try:
        stream = env.lexer.tokenize(template)
        tokens = []
        for token in stream:
            kind = {
                "data": "Data", "variable_begin": "VariableBegin", "variable_end": "VariableEnd",
                "block_begin": "BlockBegin", "block_end": "BlockEnd", "name": "Name", "string": "String",
                "integer": "Integer", "float": "Float",
            }.get(token.type, "Operator")
            value = token.value
            if kind == "String":
                units = value.encode("utf-16-le", "surrogatepass")
                value = [int.from_bytes(units[i:i + 2], "little") for i in range(0, len(units), 2)]
            elif kind in ("Integer", "Float"):
                value = repr(value)
            tokens.append([token.lineno, kind, value])
        tokens.append([stream.current.lineno, "End", stream.current.value])
        return {"tokens": tokens}
    except Exception as error:
        return {"error": f"{type(error).__name__}: {error}", "line": error_line(error)}


def build():
    env = ref.make_environment()
    return {
        "generator": "reference/jinja_syntax_cases.py",
        "jinja2": ref.jinja2.__version__,
        "variables": V,
        "tokens": [{"name": name, "template": t, **token_stream(env, t)} for name, t in TOKENS],
        "renders": [{"name": name, **render(env, t)} for name, t in RENDERS],
        "tojson": [{"name": name, **render(env, t)} for name, t in TOJSON],
        "names": [{"name": name, "template": t, "undeclared": sorted(jinja2.meta.find_undeclared_variables(env.parse(t)))} for name, t in NAMES],
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
        print("jinja_syntax.json is up to date")
        return 0
    OUT.write_text(serialized, encoding="utf-8")
    print(f"wrote {len(TOKENS)} token streams, {len(RENDERS)} renders, {len(TOJSON)} tojson cases, {len(NAMES)} name sets to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
