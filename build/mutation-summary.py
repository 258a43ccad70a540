#!/usr/bin/env python3
"""Score and surviving mutants of a Stryker.NET JSON report (mutation-testing-elements schema).

    build/mutation-summary.py TARGET REPORT_DIR [--without TEST_SUBSTRING,...]
    (REPORT_DIR holds reports/mutation-report.json somewhere below)

--without re-scores as if the tests whose names contain one of the substrings did not exist: a killed mutant
whose killers are all such tests counts as survived. With a report made with --disable-bail (every killing test
listed) this gives the score before those tests were added.

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
    without = []
    if len(sys.argv) > 4 and sys.argv[3] == "--without":
        without = [w for w in sys.argv[4].split(",") if w]
    reports = sorted(glob.glob(os.path.join(folder, "**", "mutation-report.json"), recursive=True), key=os.path.getmtime)
    if not reports:
        sys.exit(f"{target}: no mutation-report.json under {folder}")
    with open(reports[-1], encoding="utf-8") as f:
        report = json.load(f)
    names = {}
    for test_file in (report.get("testFiles") or {}).values():
        for test in test_file.get("tests", []):
            names[test["id"]] = test.get("name", "")

    def status(m):
        if without and m["status"] == "Killed":
            killers = m.get("killedBy") or []
            if killers and all(any(w in names.get(k, k) for w in without) for k in killers):
                return "Survived"
        return m["status"]

    counts = Counter()
    survivors = []
    per_file = {}
    for path, entry in sorted(report["files"].items()):
        name = path.split("/src/", 1)[-1]
        c = Counter(status(m) for m in entry["mutants"])
        per_file[name] = c
        counts.update(c)
        source_lines = entry.get("source", "").splitlines()
        for m in entry["mutants"]:
            if status(m) in ("Survived", "NoCoverage"):
                line = m["location"]["start"]["line"]
                code = source_lines[line - 1].strip() if 0 < line <= len(source_lines) else ""
                survivors.append((name, line, status(m), m["mutatorName"], m.get("replacement", ""), code))
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
