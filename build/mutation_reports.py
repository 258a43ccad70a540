"""What build/mutation-summary.py and build/mutation-survivors.py share: finding a Stryker report and naming its mutants."""
import glob
import json
import os
import sys


def load(folder, label=None):
    """The newest mutation-report.json under folder (exits naming the folder, and label when given, if there is none)."""
    reports = sorted(glob.glob(os.path.join(folder, "**", "mutation-report.json"), recursive=True), key=os.path.getmtime)
    if not reports:
        sys.exit(f"{label + ': ' if label else ''}no mutation-report.json under {folder}")
    with open(reports[-1], encoding="utf-8") as f:
        return json.load(f)


def key(path, m):
    """A mutant's identity across reports of the same source: file below src/, its span, mutator and replacement."""
    loc = m["location"]
    return (path.split("/src/", 1)[-1], loc["start"]["line"], loc["start"]["column"], loc["end"]["line"],
            loc["end"]["column"], m["mutatorName"], m.get("replacement", ""))
