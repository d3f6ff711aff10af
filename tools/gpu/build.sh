#!/usr/bin/env bash
# Builds .gpu/ for a run on a lent GPU machine (docs/gpu-training.md): node, Dawn (npm 'webgpu',
# compressed), Vulkan loader packages (../shared/gpu/prepare.sh) and one minified bundle of the CLIs.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
[ -d node_modules/webgpu ] || npm i --no-save -E webgpu@0.6.2
bash ../shared/gpu/prepare.sh >/dev/null
dawn=.gpu/node_modules/webgpu/dist/linux-x64/dawn.node
[ -s "$dawn.xz" ] || xz -T2 -6 -k "$dawn"
rm -f "$dawn"
rm -rf .gpu/bundle
npx esbuild tools/gpu/main.ts --bundle --splitting --minify --platform=node --format=esm --external:webgpu \
  --banner:js="import {createRequire} from 'module';const require=createRequire(import.meta.url);" \
  --outdir=.gpu/bundle --out-extension:.js=.mjs --log-level=warning
du -sh .gpu; ls -la .gpu/bundle
