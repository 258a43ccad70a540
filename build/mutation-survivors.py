#!/usr/bin/env python3
"""Stryker --mutate globs that cover only the surviving (and uncovered) mutants of a report, by whole lines.

    MUTATE="$(build/mutation-survivors.py REPORT_DIR)" MUTATION_OUT=/tmp/rerun build/mutation.sh TARGET

Re-testing only those lines after adding tests is enough when the product code did not change: a test added can
only kill more mutants. build/mutation-summary.py TARGET FIRST_DIR --rerun RERUN_DIR then scores the first report
with the statuses of the re-tested mutants. Spans are Stryker's character offsets ({from..to}, 0-based), each the
full lines of one survivor, so a pattern matches that survivor and any other mutant inside those lines.
With --timeouts, timed-out mutants count as survivors too: Stryker scores a timeout as detected, but on a loaded
machine a surviving mutant can time out, so re-testing them on an idle one tells which were.
With --rerun RERUN_DIR (repeatable, as in build/mutation-summary.py) the statuses of the mutants those later runs
tested replace the first report's, so the globs cover what is left after them.
"""
import sys

from mutation_reports import key, load


def main():
    args = [a for a in sys.argv[1:] if a != "--timeouts"]
    statuses = ("Survived", "NoCoverage", "Timeout") if "--timeouts" in sys.argv[1:] else ("Survived", "NoCoverage")
    folder = args[0]
    reruns = [args[i + 1] for i in range(1, len(args) - 1) if args[i] == "--rerun"]
    report = load(folder)
    for rerun in reruns:
        later = {key(path, m): m["status"] for path, entry in load(rerun)["files"].items() for m in entry["mutants"]
                 if m["status"] not in ("Ignored", "CompileError")}
        for path, entry in report["files"].items():
            for m in entry["mutants"]:
                if key(path, m) in later and m["status"] not in ("Ignored", "CompileError"):
                    m["status"] = later[key(path, m)]
    patterns = []
    for path, entry in sorted(report["files"].items()):
        lines = entry.get("source", "").split("\n")
        starts = [0]
        for line in lines:
            starts.append(starts[-1] + len(line) + 1)
        spans = set()
        for m in entry["mutants"]:
            if m["status"] in statuses:
                first, last = m["location"]["start"]["line"], m["location"]["end"]["line"]
                spans.add((starts[first - 1], starts[last] - 1))
        if spans:
            relative = path.split("/src/", 1)[-1]
            patterns.append("**/" + relative + "".join(f"{{{a}..{b}}}" for a, b in sorted(spans)))
    print(" ".join(patterns))


if __name__ == "__main__":
    main()
