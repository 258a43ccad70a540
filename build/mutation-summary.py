#!/usr/bin/env python3
"""Score and surviving mutants of a Stryker.NET JSON report (mutation-testing-elements schema).

    build/mutation-summary.py TARGET REPORT_DIR [--without TEST_SUBSTRING,...] [--rerun RERUN_DIR]
    (REPORT_DIR holds reports/mutation-report.json somewhere below)

--rerun takes the statuses of the mutants that a later, narrower run (build/mutation-survivors.py) tested again
and keeps the first report's for the rest: the score after tests were added, when the product code is unchanged.

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


def load(target, folder):
    reports = sorted(glob.glob(os.path.join(folder, "**", "mutation-report.json"), recursive=True), key=os.path.getmtime)
    if not reports:
        sys.exit(f"{target}: no mutation-report.json under {folder}")
    with open(reports[-1], encoding="utf-8") as f:
        return json.load(f)


def key(path, m):
    loc = m["location"]
    return (path.split("/src/", 1)[-1], loc["start"]["line"], loc["start"]["column"], loc["end"]["line"],
            loc["end"]["column"], m["mutatorName"], m.get("replacement", ""))


def main():
    target, folder = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    without = []
    rerun = {}
    while args:
        if args[0] == "--without" and len(args) > 1:
            without = [w for w in args[1].split(",") if w]
        elif args[0] == "--rerun" and len(args) > 1:
            for path, entry in load(target, args[1])["files"].items():
                for m in entry["mutants"]:
                    if m["status"] not in ("Ignored", "CompileError"):
                        rerun[key(path, m)] = m["status"]
        else:
            sys.exit(f"unknown option {args[0]}")
        args = args[2:]
    report = load(target, folder)
    if rerun:
        for path, entry in report["files"].items():
            for m in entry["mutants"]:
                if key(path, m) in rerun and m["status"] not in ("Ignored", "CompileError"):
                    m["status"] = rerun[key(path, m)]
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
