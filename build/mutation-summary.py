#!/usr/bin/env python3
"""Score and surviving mutants of a Stryker.NET JSON report (mutation-testing-elements schema).

    build/mutation-summary.py TARGET REPORT_DIR      (REPORT_DIR holds reports/mutation-report.json somewhere below)

Score = (killed + timeout) / (killed + timeout + survived + no coverage), Stryker's definition; compile errors
and ignored mutants do not count. Survivors are printed as 'file:line mutator: replacement' for docs/TESTING.md.
"""
import glob
import json
import os
import sys
from collections import Counter


def main():
    target, folder = sys.argv[1], sys.argv[2]
    reports = sorted(glob.glob(os.path.join(folder, "**", "mutation-report.json"), recursive=True), key=os.path.getmtime)
    if not reports:
        sys.exit(f"{target}: no mutation-report.json under {folder}")
    with open(reports[-1], encoding="utf-8") as f:
        report = json.load(f)
    counts = Counter()
    survivors = []
    per_file = {}
    for path, entry in sorted(report["files"].items()):
        name = path.split("/src/", 1)[-1]
        c = Counter(m["status"] for m in entry["mutants"])
        per_file[name] = c
        counts.update(c)
        source_lines = entry.get("source", "").splitlines()
        for m in entry["mutants"]:
            if m["status"] in ("Survived", "NoCoverage"):
                line = m["location"]["start"]["line"]
                code = source_lines[line - 1].strip() if 0 < line <= len(source_lines) else ""
                survivors.append((name, line, m["status"], m["mutatorName"], m.get("replacement", ""), code))
    detected = counts["Killed"] + counts["Timeout"]
    undetected = counts["Survived"] + counts["NoCoverage"]
    total = detected + undetected
    score = 100.0 * detected / total if total else float("nan")
    print(f"{target}: {score:.1f}% ({detected} of {total} killed or timed out; survived {counts['Survived']}, "
          f"no coverage {counts['NoCoverage']}, compile errors {counts['CompileError']}, ignored {counts['Ignored']})")
    for name, c in per_file.items():
        d = c["Killed"] + c["Timeout"]
        t = d + c["Survived"] + c["NoCoverage"]
        if t:
            print(f"  {name}: {d}/{t}")
    for name, line, status, mutator, replacement, code in survivors:
        print(f"  SURVIVOR {name}:{line} [{status}] {mutator}: `{replacement}`  in `{code}`")


if __name__ == "__main__":
    main()
