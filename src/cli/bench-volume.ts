/**
 * The benchmark's whole-volume part: the 'classic' tiling (before issue 34) and the 'fast' default
 * on one real case (FLAIR+T1+T2), one after the other in one run on one machine, each in a process
 * of its own (bench-volume-child.ts) so that each peak RSS is its own. Prints seconds, GFLOP/s
 * against this CPU's matMul, peak memory, and the Dice of the two final masks against each other
 * and against the reference.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { confusionCounts, voxelMetrics } from '../core/metrics.ts';
import { referenceLesions } from '../core/volume.ts';
import { describePlan, type SpeedPreset, TILING_PLANS } from '../model/speed-presets.ts';
import { readVolume } from './read-volume.ts';

interface ChildResult {
  speed: SpeedPreset;
  seconds: number;
  modelSeconds: number;
  patches: number;
  voxelsComputed: number;
  lesions: number;
  threads: number;
  peakRssMiB: number;
}

/** The machine's side: FLOPs per voxel of one pass, one thread's matMul GFLOP/s (bench-flops.ts). */
export interface MachineFigures {
  flopsPerVoxel: number;
  matMulGflops: number;
}

function runChild(caseDir: string, speed: SpeedPreset, mask: string, threads: number): Promise<ChildResult> {
  const entry = fileURLToPath(new URL('./bench-volume-child.ts', import.meta.url));
  // the same node with tsx's loader flags this process was started with
  const child = spawn(process.execPath, [...process.execArgv, entry, '--case', caseDir, '--speed', speed, '--mask', mask, '--threads', String(threads)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`the ${speed} run exited with code ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').pop() as string) as ChildResult);
    });
  });
}

const dice = (a: ArrayLike<number>, b: ArrayLike<number>) => voxelMetrics(confusionCounts(a, b)).dice;

/** Runs `speeds` in order on the case in `caseDir` (it holds FLAIR, T1, T2 and lesion_mask .nii.gz). */
export async function benchSideBySide(caseDir: string, speeds: readonly SpeedPreset[], threads: number, machine: MachineFigures, print: (line: string) => void): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'bench-volume-'));
  try {
    const truth = referenceLesions((await readVolume('lesion_mask', path.join(caseDir, 'lesion_mask.nii.gz'))).data);
    const runs: { result: ChildResult; mask: Uint8Array }[] = [];
    for (const speed of speeds) {
      const file = path.join(work, `${speed}.mask`);
      const result = await runChild(caseDir, speed, file, threads);
      runs.push({ result, mask: new Uint8Array(readFileSync(file)) });
    }
    print(`| path | tiling | tiles | voxels computed | total s | model s | GFLOP | GFLOP/s | of ${threads} x matMul | peak RSS MiB | lesions | Dice vs reference |`);
    print('|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const { result: r, mask } of runs) {
      const gflop = (r.voxelsComputed * machine.flopsPerVoxel) / 1e9;
      const rate = gflop / r.modelSeconds;
      print(`| ${r.speed} | ${describePlan(TILING_PLANS[r.speed])} | ${r.patches} | ${(r.voxelsComputed / 1e6).toFixed(1)} M | ` +
        `${r.seconds.toFixed(1)} | ${r.modelSeconds.toFixed(1)} | ${gflop.toFixed(0)} | ${rate.toFixed(1)} | ${((100 * rate) / (r.threads * machine.matMulGflops)).toFixed(0)}% | ` +
        `${r.peakRssMiB.toFixed(0)} | ${r.lesions} | ${dice(mask, truth).toFixed(4)} |`);
    }
    for (let a = 0; a < runs.length; a++) {
      for (let b = a + 1; b < runs.length; b++) {
        const ratio = runs[a].result.seconds / runs[b].result.seconds;
        print(`${runs[a].result.speed} / ${runs[b].result.speed}: ${ratio.toFixed(2)}x the time; Dice of the two masks ${dice(runs[a].mask, runs[b].mask).toFixed(4)}`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
