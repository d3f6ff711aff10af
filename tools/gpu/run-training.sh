#!/usr/bin/env bash
# Runs on a lent GPU machine from the repo root, after tools/gpu/build.sh filled .gpu/ here and the
# device tool carried it (docs/gpu-training.md). Continues the four light models of .gpu/runs/ in
# parallel on one GPU through tfjs-webgpu on Dawn (the shipped beta=1.5 and Dice models and the two
# leave-one-out models), calibrates them (temperature scaling), then segments and scores each
# leave-one-out model's held-out case.
# Results: $OUT/models.tar.gz (model folders), $OUT/logs.tar.gz, $OUT/evalNN.tar.gz (mask, probability).
set -uo pipefail
MINUTES=${MINUTES:-6}
source .gpu/env.sh
dawn=.gpu/node_modules/webgpu/dist/linux-x64/dawn.node
python3 -c "import lzma,shutil;shutil.copyfileobj(lzma.open('$dawn.xz'),open('$dawn','wb'))"
R=.gpu/runs; L=$OUT/logs; mkdir -p "$L"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > "$L/gpu.txt" 2>&1
(timeout 120 node .gpu/bundle/main.mjs grad-check webgpu > "$L/grad-check.json" 2> "$L/grad-check.log") &
common="--backend webgpu --data .gpu/data --batch 8 --steps 100000 --minutes $MINUTES --checkpoint-every 50 --resume"
limit=$(awk "BEGIN { print int($MINUTES * 60 + 90) }")
train_named() { local name=$1; shift; timeout "$limit" node .gpu/bundle/main.mjs train --out "$R/$name" "$@" $common > "$L/$name.log" 2>&1; }
train_named light-fbeta15 --loss fbeta --beta 1.5 --seed 11 &
train_named light-dice --loss dice --seed 12 &
train_named loo-test07 --loss fbeta --beta 1.5 --cases patient19 --exclude-donors patient07 --seed 13 &
train_named loo-test19 --loss fbeta --beta 1.5 --cases patient07 --exclude-donors patient19 --seed 14 &
wait
# temperature scaling on each model's own training cases (README, calibrate): written beside the
# training folders, which stay uncalibrated so that --resume continues them
calibrate_named() { local name=$1; shift; timeout 300 node .gpu/bundle/main.mjs calibrate --backend webgpu --data .gpu/data \
  --model "$R/$name" --out "$R/$name-calibrated" "$@" > "$L/$name-calibrate.log" 2>&1; }
calibrate_named light-fbeta15 & calibrate_named light-dice &
calibrate_named loo-test07 --cases patient19 & calibrate_named loo-test19 --cases patient07 &
wait
for c in 07 19; do
  (d=.gpu/data/cases/patient$c; o=$OUT/eval$c; mkdir -p "$o"
   timeout 60 node .gpu/bundle/main.mjs segment --backend webgpu --flair $d/FLAIR.nii.gz --t1 $d/T1.nii.gz --t2 $d/T2.nii.gz \
     --model $R/loo-test$c-calibrated --out "$o/mask.nii.gz" --prob "$o/prob.nii.gz" 2> "$L/segment$c.log" &&
   node .gpu/bundle/main.mjs evaluate --pred "$o/mask.nii.gz" --truth $d/lesion_mask.nii.gz --prob "$o/prob.nii.gz" > "$L/eval$c.json" 2>&1) &
done
wait
grep -h "ms/step" "$L"/*.log | tail -n 8
cat "$L"/eval*.json "$L/grad-check.json" 2>/dev/null | grep -E '"(dice|precision|recall|worstRelativeError)"'
tar czf "$OUT/models.tar.gz" -C .gpu runs
for c in 07 19; do tar czf "$OUT/eval$c.tar.gz" -C "$OUT" "eval$c" && rm -rf "$OUT/eval$c"; done
tar czf "$OUT/logs.tar.gz" -C "$OUT" logs && rm -rf "$L"
ls -la "$OUT"
