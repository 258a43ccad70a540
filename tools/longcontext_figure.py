#!/usr/bin/env python3
"""Accuracy against distance on the demo model's long-context split.

Reads the results.jsonl of one or more `directer eval` runs on models/directer-demo/ifeval-longcontext.jsonl (row keys
are long-DDDD-<type>-NNNN, DDDD = the context tokens between the system instruction and the question) and writes a
markdown table (stdout, and --md FILE) and a self-contained SVG line chart (--svg FILE): prompt-level strict IFEval
accuracy per method and distance.

    python3 tools/longcontext_figure.py artifacts/eval/lc-shipped --svg docs/images/longcontext.svg --md out.md
"""
import argparse
import json
import os
import re
import sys
from collections import defaultdict

KEY = re.compile(r"^long-(\d{4})-([a-z_]+)-\d{4}$")
COLORS = ["#444444", "#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"]


def read(folders, common=False):
    """(method, distance) -> [followed, total]; later folders override earlier ones for the same (method, key).
    With common, only keys that every method has (a fair comparison when some runs covered a subset)."""
    rows = {}
    for folder in folders:
        path = os.path.join(folder, "results.jsonl") if os.path.isdir(folder) else folder
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                r = json.loads(line)
                m = KEY.match(str(r["key"]))
                if not m:
                    sys.exit(f"{path}: key {r['key']!r} is not a long-context key (long-DDDD-type-NNNN)")
                rows[(r["method"], r["key"])] = (int(m.group(1)), all(i["strict"] for i in r["instructions"]))
    if common:
        methods = {m for m, _ in rows}
        keys = {k for _, k in rows}
        shared = {k for k in keys if all((m, k) in rows for m in methods)}
        rows = {mk: v for mk, v in rows.items() if mk[1] in shared}
    tally = defaultdict(lambda: [0, 0])
    for (method, _), (distance, ok) in rows.items():
        t = tally[(method, distance)]
        t[0] += ok
        t[1] += 1
    return tally


def table(tally, methods, distances):
    head = "| method | " + " | ".join(f"{d} tokens" for d in distances) + " |"
    lines = [head, "| --- |" + " ---: |" * len(distances)]
    for method in methods:
        cells = []
        for d in distances:
            ok, n = tally.get((method, d), (0, 0))
            cells.append(f"{100 * ok / n:.0f}% ({ok}/{n})" if n else "–")
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def svg(tally, methods, distances, title):
    w, h, left, right, top, bottom = 560, 340, 56, 150, 36, 44
    pw, ph = w - left - right, h - top - bottom
    dmax = max(distances) or 1

    def x(d):
        return left + pw * d / dmax

    def y(a):
        return top + ph * (1 - a)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{left}" y="20" font-size="14">{title}</text>']
    for a in (0, 0.25, 0.5, 0.75, 1.0):
        out.append(f'<line x1="{left}" y1="{y(a):.1f}" x2="{left + pw}" y2="{y(a):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y(a) + 4:.1f}" text-anchor="end">{int(a * 100)}%</text>')
    for d in distances:
        out.append(f'<text x="{x(d):.1f}" y="{top + ph + 18}" text-anchor="middle">{d}</text>')
    out.append(f'<text x="{left + pw / 2}" y="{h - 6}" text-anchor="middle">context tokens between the system instruction and the answer</text>')
    out.append(f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="black"/>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="black"/>')
    for i, method in enumerate(methods):
        color = COLORS[i % len(COLORS)]
        points = [(d, tally[(method, d)]) for d in distances if (method, d) in tally]
        path = " ".join(f"{x(d):.1f},{y(ok / n):.1f}" for d, (ok, n) in points)
        out.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for d, (ok, n) in points:
            out.append(f'<circle cx="{x(d):.1f}" cy="{y(ok / n):.1f}" r="3.5" fill="{color}"><title>{method}, {d} tokens: {ok}/{n} = {100 * ok / n:.0f}%</title></circle>')
        ly = top + 14 + 18 * i
        out.append(f'<line x1="{left + pw + 14}" y1="{ly - 4}" x2="{left + pw + 34}" y2="{ly - 4}" stroke="{color}" stroke-width="2"/>')
        out.append(f'<text x="{left + pw + 40}" y="{ly}">{method}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("runs", nargs="+", help="directer eval output folders (or results.jsonl files)")
    p.add_argument("--svg", help="write the chart here")
    p.add_argument("--md", help="also write the markdown table here")
    p.add_argument("--common", action="store_true", help="only rows that every method has")
    p.add_argument("--title", default="Demo model: instructions kept vs context length (IFEval strict, prompt level)")
    a = p.parse_args()
    tally = read(a.runs, a.common)
    methods = list(dict.fromkeys(m for m, _ in sorted(tally, key=lambda k: (k[0] != "none", k[0] != "directer", k[0]))))
    distances = sorted({d for _, d in tally})
    md = table(tally, methods, distances)
    sys.stdout.write(md)
    if a.md:
        with open(a.md, "w", encoding="utf-8") as f:
            f.write(md)
    if a.svg:
        os.makedirs(os.path.dirname(os.path.abspath(a.svg)), exist_ok=True)
        with open(a.svg, "w", encoding="utf-8") as f:
            f.write(svg(tally, methods, distances, a.title))


if __name__ == "__main__":
    main()
