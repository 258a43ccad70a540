#!/usr/bin/env bash
# Regenerate the golden logits the C# tests compare against.
#
#   reference/make_goldens.sh            (from anywhere; it works from the repo root)
#
# 1. The C# test helper writes the tiny test checkpoints (HF layout) into a temp folder.
# 2. For each checkpoint folder there, the independent float32 PyTorch reference
#    (reference/llama_reference.py, Debian's /usr/bin/python3 with torch 1.13) writes
#    tests/Directer.Core.Tests/Fixtures/goldens/<checkpoint name>.json
#    with the prompt's logits and 8 greedy tokens (full recompute, no KV cache).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

python=/usr/bin/python3
prompt_ids="1,17,42,7,88,23,5,64,31,9,77,50"   # 12 ids, all < 96 (the tiny vocab)
new_tokens=8
out_dir="tests/Directer.Core.Tests/Fixtures/goldens"

if [[ ! -x "$python" ]] || ! "$python" -c "import torch, numpy" 2>/dev/null; then
  echo "error: $python with torch and numpy is needed (Debian: apt-get install python3-torch python3-numpy)" >&2
  exit 1
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/directer-goldens.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

dotnet run --project tests/Directer.Testing -- write-checkpoints "$tmp"

mkdir -p "$out_dir"
count=0
for dir in "$tmp"/*/; do
  dir="${dir%/}"
  [[ -f "$dir/config.json" ]] || continue
  name="$(basename "$dir")"
  "$python" reference/llama_reference.py "$dir" \
    --input-ids "$prompt_ids" --greedy-new-tokens "$new_tokens" \
    --out "$out_dir/$name.json"
  echo "wrote $out_dir/$name.json"
  count=$((count + 1))
done

if [[ $count -eq 0 ]]; then
  echo "error: write-checkpoints produced no checkpoint folder (with a config.json) under $tmp" >&2
  exit 1
fi
echo "$count golden file(s) written to $out_dir"
