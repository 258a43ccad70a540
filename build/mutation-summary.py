#!/usr/bin/env python3
"""Score and surviving mutants of a Stryker.NET JSON report (mutation-testing-elements schema).

    build/mutation-summary.py TARGET REPORT_DIR [--without TEST_SUBSTRING,...] [--rerun RERUN_DIR] [--union ISA_DIR]
                              [--speed-only FILE]
    (REPORT_DIR holds reports/mutation-report.json somewhere below)

--rerun takes the statuses of the mutants that a later, narrower run (build/mutation-survivors.py) tested again
and keeps the first report's for the rest: the score after tests were added, when the product code is unchanged.

--union takes a run of the same code and tests under another instruction set (DOTNET_EnableAVX512=0 or
DOTNET_EnableAVX2=0 exported, see build/mutation.sh): a mutant counts as detected if either run detected it, as
survived if either covered it, so the branches for other CPUs are scored by the run that took them and a mutant the
other run did not reach keeps its status. (--rerun would let that run's "no coverage" replace a kill.)

--speed-only FILE (build/mutation-speed-only.txt) prints a second score without the mutants FILE lists (mutants that
can only change speed, e.g. software prefetches) and lists those apart; the first line stays Stryker's count of all.

--without re-scores as if the tests whose names contain one of the substrings did not exist: a killed mutant
whose killers are all such tests counts as survived. With a report made with --disable-bail (every killing test
listed) this gives the score before those tests were added.

Score = (killed + timeout) / (killed + timeout + survived + no coverage), Stryker's definition; compile errors
and ignored mutants do not count. Survivors are printed as 'file:line mutator: replacement' for docs/TESTING.md.
"""
import sys
from collections import Counter

import mutation_reports
from mutation_reports import key


def load(target, folder):
    return mutation_reports.load(folder, target)


def main():
    target, folder = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    without = []
    rerun = {}
    union = []
    speed_only = []
    while args:
        if args[0] == "--without" and len(args) > 1:
            without = [w for w in args[1].split(",") if w]
        elif args[0] == "--rerun" and len(args) > 1:
            for path, entry in load(target, args[1])["files"].items():
                for m in entry["mutants"]:
                    if m["status"] not in ("Ignored", "CompileError"):
                        rerun[key(path, m)] = m["status"]
        elif args[0] == "--union" and len(args) > 1:
            union.append({key(path, m): m["status"] for path, entry in load(target, args[1])["files"].items()
                          for m in entry["mutants"] if m["status"] not in ("Ignored", "CompileError")})
        elif args[0] == "--speed-only" and len(args) > 1:
            with open(args[1], encoding="utf-8") as f:
                for line in f:
                    line = line.strip()
                    if line and not line.startswith("#"):
                        parts = line.split(":", 2)
                        first, _, last = parts[1].partition("-")
                        speed_only.append((parts[0], int(first), int(last or first), parts[2] if len(parts) > 2 else None))
        else:
            sys.exit(f"unknown option {args[0]}")
        args = args[2:]
    report = load(target, folder)
    if rerun:
        for path, entry in report["files"].items():
            for m in entry["mutants"]:
                if key(path, m) in rerun and m["status"] not in ("Ignored", "CompileError"):
                    m["status"] = rerun[key(path, m)]
    rank = {"Killed": 3, "Timeout": 3, "Survived": 2, "NoCoverage": 1}
    for other in union:
        for path, entry in report["files"].items():
            for m in entry["mutants"]:
                s = other.get(key(path, m))
                if s and m["status"] in rank and rank[s] > rank[m["status"]]:
                    m["status"] = s

    def original(entry, m):
        lines = entry.get("source", "").split("\n")
        loc = m["location"]
        a, b = loc["start"], loc["end"]
        if a["line"] == b["line"]:
            return lines[a["line"] - 1][a["column"] - 1:b["column"] - 1]
        return None

    def is_speed_only(name, entry, m):
        line = m["location"]["start"]["line"]
        return any(name == f and first <= line <= last and (code is None or original(entry, m) == code)
                   for f, first, last, code in speed_only)

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
    set_aside = Counter()
    survivors = []
    speed = []
    per_file = {}
    for path, entry in sorted(report["files"].items()):
        name = path.split("/src/", 1)[-1]
        c = Counter(status(m) for m in entry["mutants"])
        per_file[name] = c
        counts.update(c)
        source_lines = entry.get("source", "").splitlines()
        for m in entry["mutants"]:
            if speed_only and status(m) not in ("Ignored", "CompileError") and is_speed_only(name, entry, m):
                set_aside[status(m)] += 1
                line = m["location"]["start"]["line"]
                speed.append((name, line, status(m), m["mutatorName"], m.get("replacement", "")))
                continue
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
    if speed_only:
        d = detected - set_aside["Killed"] - set_aside["Timeout"]
        t = total - sum(set_aside.values())
        print(f"{target}: {100.0 * d / t if t else float('nan'):.1f}% ({d} of {t}) without the {sum(set_aside.values())} "
              f"speed-only mutants (survived {set_aside['Survived']}, no coverage {set_aside['NoCoverage']}, "
              f"killed {set_aside['Killed']}, timeout {set_aside['Timeout']}; listed as SPEED-ONLY)")
    for name, c in per_file.items():
        d = c["Killed"] + c["Timeout"]
        t = d + c["Survived"] + c["NoCoverage"]
        if t:
            print(f"  {name}: {d}/{t}")
    for name, line, status, mutator, replacement, code in survivors:
        print(f"  SURVIVOR {name}:{line} [{status}] {mutator}: `{replacement}`  in `{code}`")
    for name, line, status, mutator, replacement in speed:
        print(f"  SPEED-ONLY {name}:{line} [{status}] {mutator}: `{replacement}`")


if __name__ == "__main__":
    main()
