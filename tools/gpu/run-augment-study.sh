#!/usr/bin/env bash
# Leave-one-out test of `--augment strong` on a lent GPU (docs/gpu-training.md), from the repo root
# after tools/gpu/build.sh and pack-data.ts filled .gpu/ and `train --steps 0` wrote .gpu/runs/init.
# Four configurations, {test patient07, test patient19} x {basic, strong}, train from the same
# untrained weights on the other case (+ transplants), two local-SGD ranks each: eight processes
# on the one GPU. Each rank 0 then segments its held-out whole volume, scored at five thresholds.
# Results under $OUT: logs.tar.gz (training logs, evaluations), models.tar.gz (the four models).
# DRY_RUN=1 runs it here on wasm with tiny batches, to check the script before spending device time.
set -uo pipefail
MINUTES=${MINUTES:-5.5} BACKEND=webgpu BATCH=16 SYNC=10 SEG_LIMIT=120 SEG_EXTRA= TRANSPLANTS=8 LOAD_S=90
if [ -n "${DRY_RUN:-}" ]; then
  MINUTES=0.1 BACKEND=wasm BATCH=1 SYNC=2 SEG_LIMIT=900 SEG_EXTRA="--overlap 0" TRANSPLANTS=1 LOAD_S=400; OUT=${OUT:-/tmp/study-out}; mkdir -p "$OUT"
  run() { npx tsx tools/gpu/main.ts "$@"; }
else
  source .gpu/env.sh
  dawn=.gpu/node_modules/webgpu/dist/linux-x64/dawn.node
  python3 -c "import lzma,shutil;shutil.copyfileobj(lzma.open('$dawn.xz'),open('$dawn','wb'))"
  run() { node .gpu/bundle/main.mjs "$@"; }
fi
D=.gpu/data/cases; R=/tmp/study-runs; L=$OUT/logs; mkdir -p "$L" "$R"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > "$L/gpu.txt" 2>&1
limit=$(awk "BEGIN { print int($MINUTES * 60 + $LOAD_S) }")
# name test-case train-case augment
CONFIGS=("f07-basic patient07 patient19 basic" "f07-strong patient07 patient19 strong"
         "f19-basic patient19 patient07 basic" "f19-strong patient19 patient07 strong")
for config in "${CONFIGS[@]}"; do
  read -r name test train augment <<< "$config"
  for rank in 0 1; do
    timeout "$limit" bash -c "$(declare -f run); run train --backend $BACKEND --data .gpu/data --out $R/$name-w$rank \
      --init-from .gpu/runs/init --workers 2 --rank $rank --sync-dir $R/$name-sync --sync-every $SYNC --checkpoint-every $((SYNC * 5)) \
      --cases $train --exclude-donors $test --augment $augment --transplants $TRANSPLANTS --seed 21 --batch $BATCH --lr 2e-3 \
      --loss fbeta --beta 1.5 --steps 100000 --minutes $MINUTES" > "$L/$name-w$rank.log" 2>&1 &
  done
done
wait
for config in "${CONFIGS[@]}"; do
  read -r name test train augment <<< "$config"
  (timeout $SEG_LIMIT bash -c "$(declare -f run); run segment --backend $BACKEND --model $R/$name-w0 --flair $D/$test/FLAIR.nii.gz \
      --t1 $D/$test/T1.nii.gz --t2 $D/$test/T2.nii.gz --out $R/$name-mask.nii.gz --prob $R/$name-prob.nii.gz $SEG_EXTRA" > "$L/$name-segment.log" 2>&1
   for t in 0.1 0.3 0.5 0.7 0.9; do
     timeout 90 bash -c "$(declare -f run); run evaluate --pred $R/$name-prob.nii.gz --prob $R/$name-prob.nii.gz \
       --truth $D/$test/lesion_mask.nii.gz --threshold $t" > "$L/$name-eval-$t.json" 2>&1 &
   done; wait) &
done
wait
grep -h "ms/step" "$L"/*-w0.log | tail -n 4
for f in "$L"/*-eval-*.json; do echo "$(basename "$f" .json) $(tr -d ' \n' < "$f" | grep -oE '"(dice|precision|recall|ap)":[^,]*' | tr '\n' ' ')"; done
tar czf "$OUT/models.tar.gz" -C "$R" $(cd "$R" && ls -d f*-w0)
tar czf "$OUT/logs.tar.gz" -C "$OUT" logs && rm -rf "$L"
ls -la "$OUT"
