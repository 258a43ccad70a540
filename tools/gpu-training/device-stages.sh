#!/usr/bin/env bash
# Trains several demo-model stages side by side on the accelerator machine inside one device lease, then packs them
# for the trip back (the device returns at most 8 files of 16 MiB: the folders travel as one tar split in parts).
#
#   MINUTES=6.5 bash tools/gpu-training/device-stages.sh artifacts/export "$OUT"
#
# Stages (each a line of STAGES: name and train.py options; the demo model is small, so three runs share one GPU
# with little slowdown): A continues the shipped weights; B and C start larger models (≤ 25 MB as float32) from
# random weights with the same tokenizer.
set -euo pipefail
data=$1
out=$2
minutes=${MINUTES:-6.5}
work=${WORK:-/tmp/stages}
init=models/directer-demo
STAGES=${STAGES:-"A|--init $init --lr 6e-4 --warmup 100 --batch 64 --seed 4101
B|--init $init --new-size hidden_size=320,num_hidden_layers=6,intermediate_size=640 --lr 1.5e-3 --warmup 300 --batch 64 --seed 4102
C|--init $init --new-size num_hidden_layers=8 --lr 1.5e-3 --warmup 300 --batch 64 --seed 4103"}

export PYTHONUNBUFFERED=1
mkdir -p "$work" "$out"
python3 tools/gpu-training/train.py --init "$init" --check 2>&1 | tee "$work/check.log"
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")' | tee -a "$work/check.log"

pids=()
while IFS='|' read -r name options; do
  [ -n "$name" ] || continue
  # shellcheck disable=SC2086  # options are words on purpose
  python3 tools/gpu-training/train.py --data "$data" --out "$work/$name" --minutes "$minutes" --steps 1000000 \
    --save-every 2000 --log-every 200 $options > "$work/$name.log" 2>&1 &
  pids+=($!)
done <<< "$STAGES"
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
tail -n 5 "$work"/*.log
tar -C "$work" -czf - . | split -b 15m -d - "$out/stages.tgz.part-"
ls -la "$out"
exit $status
