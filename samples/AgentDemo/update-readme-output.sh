#!/usr/bin/env bash
# Runs the demo (offline, built-in model) and replaces the output quoted in README.md, between the
# "<!-- agentdemo-output:begin -->" and "<!-- agentdemo-output:end -->" markers, with what it printed.
# Timings depend on the machine and its load; the README says where they were measured.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build samples/AgentDemo -c Release >/dev/null
output=$(dotnet samples/AgentDemo/bin/Release/net10.0/AgentDemo.dll)
printf '%s\n' "$output"
DEMO_OUTPUT="$output" python3 - <<'PY'
import os, re
path = "README.md"
text = open(path, encoding="utf-8").read()
begin, end = "<!-- agentdemo-output:begin -->", "<!-- agentdemo-output:end -->"
if begin not in text or end not in text:
    raise SystemExit(f"{path}: the markers {begin} / {end} are missing")
block = begin + "\n```text\n$ dotnet run --project samples/AgentDemo\n" + os.environ["DEMO_OUTPUT"].rstrip() + "\n```\n" + end
text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
open(path, "w", encoding="utf-8").write(text)
print(f"updated {path}")
PY
