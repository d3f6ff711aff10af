/**
 * A synthetic brain with MS-like lesions (the app's demo case and the e2e tests' input), generated
 * from a seed: no downloaded or copied data.
 *
 * Geometry: 1 mm voxels in an MNI-like orientation (i runs right to left, j posterior to anterior,
 * k inferior to superior; the affine flips i as MNI152 does). Anatomy, all in mm from the centre:
 * a brain-shaped ellipsoid with a folded cortical ribbon, sulci and an interhemispheric fissure,
 * crescent lateral ventricles, deep grey matter, and ovoid lesions: most periventricular with their
 * long axis perpendicular to the ventricle wall ("Dawson's fingers"), a few in deep white matter.
 *
 * Intensities are tuned so that, z-scored over the brain as the model's input is, tissues land
 * where they do in the real MNI scans of docs/method.md section 6 (FLAIR: CSF ~ -1.5, white matter
 * ~ 0, grey matter ~ +0.5, lesions ~ +1.5; T1: CSF ~ -2, white matter ~ +0.8; T2: CSF ~ +1.3,
 * lesions ~ +0.7), with partial-volume blur, a smooth bias field and noise; outside the brain is 0
 * (skull-stripped), so FLAIR > 0 is the brain.
 */
import { gaussianBlur3d } from './gaussian-blur.ts';
import { createRng, randomNormal, type Rng } from './random.ts';
import type { Affine, Vec3, Volume } from './types.ts';
import { voxelCount } from './volume.ts';

/** Options of `generatePhantom`. */
export interface PhantomOptions {
  /** Grid size in voxels (1 mm each). Default [64, 76, 64]; each axis at least 24. */
  dims?: Vec3;
  /** Seed of every random choice (lesion places and sizes, noise). Default 1. */
  seed?: number;
  /** Number of lesions. Default 8. */
  lesionCount?: number;
  /** Noise standard deviation as a fraction of white-matter intensity. Default 0.03. */
  noiseFraction?: number;
}

/** One generated lesion: an ellipsoid in voxel coordinates. */
export interface PhantomLesion {
  centreVox: Vec3;
  /** Semi-axes in mm along the lesion's own axes (the first is the long one). */
  radiiMm: Vec3;
  /** Unit vector of the long axis in voxel space. */
  axis: Vec3;
  kind: 'periventricular' | 'deep';
}

/** The generated case: co-registered scans and the true lesion mask (dataType uint8, values 0/1). */
export interface Phantom {
  flair: Volume;
  t1: Volume;
  t2: Volume;
  mask: Volume;
  lesions: PhantomLesion[];
  /** Tissue class per voxel: 0 background, 1 CSF, 2 grey matter, 3 white matter, 4 deep grey, 5 lesion. */
  tissue: Uint8Array;
}

/** Tissue classes of the phantom's label map. */
const Tissue = { Background: 0, Csf: 1, GreyMatter: 2, WhiteMatter: 3, DeepGrey: 4, Lesion: 5 } as const;
type Tissue = (typeof Tissue)[keyof typeof Tissue];

/** Intensity per tissue (index = Tissue) for each modality, in arbitrary scanner-like units. */
const INTENSITY = {
  flair: [0, 16, 68, 58, 66, 90],
  t1: [0, 18, 60, 88, 68, 62],
  t2: [0, 160, 84, 60, 78, 130],
} as const;

type ModalityName = keyof typeof INTENSITY;

/**
 * Generates the phantom: ~0.1-0.3 s for the default 64x76x64 grid, ~5 s for 182x218x182.
 * @example const { flair, mask } = generatePhantom({ dims: [48, 48, 48], seed: 3 });
 */
export function generatePhantom(options: PhantomOptions = {}): Phantom {
  const dims = options.dims ?? [64, 76, 64];
  if (!dims.every((d) => Number.isInteger(d) && d >= 24)) {
    throw new Error(`phantom dims must be integers of at least 24 voxels, got ${dims.join('x')}`);
  }
  const rng = createRng(options.seed ?? 1);
  const anatomy = anatomyFor(dims);
  const labels = labelMap(anatomy);
  const lesions = placeLesions(anatomy, labels, options.lesionCount ?? 8, rng);
  paintLesions(labels, dims, lesions);
  const brain = labels.map((t) => (t === Tissue.Background ? 0 : 1));
  const bias = biasField(dims, rng);
  const noise = options.noiseFraction ?? 0.03;
  const affine = mniLikeAffine(dims);
  const scan = (name: ModalityName): Volume => ({
    dims, spacingMm: [1, 1, 1], affine, dataType: 'float32',
    data: synthesize(labels, brain, dims, INTENSITY[name], bias, noise * INTENSITY[name][Tissue.WhiteMatter], rng),
  });
  const truth = new Float32Array(labels.length);
  for (let v = 0; v < labels.length; v++) truth[v] = labels[v] === Tissue.Lesion ? 1 : 0;
  return {
    flair: scan('flair'), t1: scan('t1'), t2: scan('t2'),
    mask: { dims, spacingMm: [1, 1, 1], affine, dataType: 'uint8', data: truth },
    lesions,
    tissue: labels,
  };
}

/** Voxel-to-mm affine like MNI152's (x flipped), with the grid centre at the origin. */
export function mniLikeAffine(dims: Vec3): Affine {
  const c = dims.map((d) => (d - 1) / 2);
  return [[-1, 0, 0, c[0]], [0, 1, 0, -c[1]], [0, 0, 1, -c[2]], [0, 0, 0, 1]];
}

/** Sizes (mm) and places of the structures, derived from the grid. */
interface Anatomy {
  dims: Vec3;
  centre: Vec3;
  /** Brain semi-axes along i, j, k. */
  radii: Vec3;
  /** Lateral ventricles: centres of the two bodies (mm offsets from centre) and semi-axes. */
  ventricleOffset: Vec3;
  ventricleRadii: Vec3;
}

function anatomyFor(dims: Vec3): Anatomy {
  const radii: Vec3 = [dims[0] * 0.46, dims[1] * 0.46, dims[2] * 0.45];
  return {
    dims,
    centre: [(dims[0] - 1) / 2, (dims[1] - 1) / 2, (dims[2] - 1) / 2 - dims[2] * 0.03],
    radii,
    ventricleOffset: [radii[0] * 0.16, -radii[1] * 0.05, radii[2] * 0.12],
    ventricleRadii: [radii[0] * 0.12, radii[1] * 0.5, radii[2] * 0.16],
  };
}

/**
 * Normalised ventricle distance of a point (mm from the brain centre): < 1 inside either lateral
 * ventricle. Each body is an ellipsoid bent into a crescent (its centre rises mid-way and its horns
 * curve down and outward).
 */
function ventricleDistance(a: Anatomy, x: number, y: number, z: number): number {
  const [ox, oy, oz] = a.ventricleOffset;
  const [rx, ry, rz] = a.ventricleRadii;
  const t = (y - oy) / ry;
  const bend = 1 - Math.min(1, t * t);
  const cz = oz - rz * 0.9 * (1 - bend);
  const cx = ox + rx * 0.8 * t * t;
  const side = Math.abs(x);
  return Math.hypot((side - cx) / rx, t, (z - cz) / (rz * (0.55 + 0.45 * bend)));
}

/** Tissue class per voxel, lesions not yet painted. */
function labelMap(a: Anatomy): Uint8Array {
  const [nx, ny, nz] = a.dims;
  const labels = new Uint8Array(voxelCount(a.dims));
  const meanRadius = (a.radii[0] + a.radii[1] + a.radii[2]) / 3;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const x = i - a.centre[0];
        const y = j - a.centre[1];
        const z = k - a.centre[2];
        labels[i + nx * (j + ny * k)] = tissueAt(a, x, y, z, meanRadius);
      }
    }
  }
  return labels;
}

function tissueAt(a: Anatomy, x: number, y: number, z: number, meanRadius: number): Tissue {
  const u = x / a.radii[0];
  const v = y / a.radii[1];
  const w = z / a.radii[2];
  // flatter base, narrower front: a rough brain outline
  const r = Math.hypot(u * (1 + 0.12 * Math.max(0, v)), v, w < 0 ? w * 1.3 : w);
  if (r > 1) return Tissue.Background;
  const depthMm = (1 - r) * meanRadius;
  const theta = Math.atan2(v, u);
  const phi = Math.acos(Math.max(-1, Math.min(1, w / Math.max(r, 1e-6))));
  const fold = Math.sin(7 * theta + 2 * Math.sin(3 * phi)) * Math.sin(6 * phi + 1.3 * Math.cos(4 * theta));
  if (Math.abs(fold) < 0.12 && depthMm < 6) return Tissue.Csf; // sulci
  if (depthMm < 0.9) return Tissue.Csf; // surface CSF
  if (Math.abs(x) < 0.9 && w > -0.1 && r > 0.45) return Tissue.Csf; // interhemispheric fissure
  if (ventricleDistance(a, x, y, z) < 1) return Tissue.Csf;
  if (Math.abs(x) < 0.8 && Math.abs(v + 0.05) < 0.22 && Math.abs(w + 0.02) < 0.14) return Tissue.Csf; // third ventricle
  if (depthMm < 2.6 + 1.6 * (0.5 + 0.5 * fold)) return Tissue.GreyMatter; // cortex, thicker on gyral crowns
  const thalamus = Math.hypot((Math.abs(u) - 0.14) / 0.12, (v + 0.12) / 0.18, (w + 0.1) / 0.15);
  const caudate = Math.hypot((Math.abs(u) - 0.2) / 0.07, (v - 0.25) / 0.14, (w - 0.08) / 0.11);
  if (thalamus < 1 || caudate < 1) return Tissue.DeepGrey;
  return Tissue.WhiteMatter;
}

/**
 * Lesions: periventricular ovoids pointing away from the ventricle wall, and a few deep ones. Each
 * candidate must have its centre in white matter and keep 2 mm clear of the lesions placed before
 * it, so that every lesion is its own connected component; up to 200 tries per lesion.
 */
function placeLesions(a: Anatomy, labels: Uint8Array, count: number, rng: Rng): PhantomLesion[] {
  const lesions: PhantomLesion[] = [];
  for (let n = 0, tries = 0; n < count && tries < 200 * count; tries++) {
    const candidate = lesionCandidate(a, n < Math.ceil(count * 0.75), n % 2 === 0 ? 1 : -1, rng);
    const [ci, cj, ck] = candidate.centreVox.map(Math.round);
    const inside = ci >= 0 && cj >= 0 && ck >= 0 && ci < a.dims[0] && cj < a.dims[1] && ck < a.dims[2];
    if (!inside || labels[ci + a.dims[0] * (cj + a.dims[1] * ck)] !== Tissue.WhiteMatter) continue;
    const clear = lesions.every((other) =>
      Math.hypot(...sub(other.centreVox, candidate.centreVox)) > other.radiiMm[0] + candidate.radiiMm[0] + 2);
    if (!clear) continue;
    lesions.push(candidate);
    n++;
  }
  return lesions;
}

function lesionCandidate(a: Anatomy, periventricular: boolean, side: number, rng: Rng): PhantomLesion {
  const [ox, oy, oz] = a.ventricleOffset;
  const [rx, ry, rz] = a.ventricleRadii;
  const long = 3 + rng() * 3;
  const short = 2 + rng() * Math.min(1.6, long - 2);
  const radiiMm: Vec3 = [long, short, short * (0.8 + rng() * 0.3)];
  if (periventricular) {
    // a point on the outer wall or roof of one body, pushed outward so the lesion touches the wall
    const t = (rng() * 2 - 1) * 0.75;
    const angle = (rng() * 0.6 + 0.05) * Math.PI;
    const axis: Vec3 = [Math.cos(angle) * side, 0, Math.sin(angle)];
    const bend = 1 - t * t;
    const push = 0.8 + rng() * 1.2 + long;
    const centreVox: Vec3 = [
      a.centre[0] + side * (ox + rx * 0.8 * t * t) + axis[0] * (rx + push),
      a.centre[1] + oy + t * ry,
      a.centre[2] + oz - rz * 0.9 * (1 - bend) + axis[2] * (rz * (0.55 + 0.45 * bend) + push),
    ];
    return { centreVox: centreVox.map(round1) as unknown as Vec3, radiiMm, axis, kind: 'periventricular' };
  }
  const u = (0.25 + rng() * 0.3) * side;
  const v = (rng() * 2 - 1) * 0.5;
  const w = 0.1 + rng() * 0.35;
  const centreVox: Vec3 = [a.centre[0] + u * a.radii[0], a.centre[1] + v * a.radii[1], a.centre[2] + w * a.radii[2]];
  const angle = rng() * Math.PI * 2;
  return { centreVox: centreVox.map(round1) as unknown as Vec3, radiiMm, axis: [Math.cos(angle), Math.sin(angle), 0], kind: 'deep' };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function sub(a: Vec3, b: Vec3): Vec3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}

/** Marks lesion voxels over white and deep grey matter (never CSF, cortex or background). */
function paintLesions(labels: Uint8Array, dims: Vec3, lesions: readonly PhantomLesion[]): void {
  const [nx, ny, nz] = dims;
  for (const lesion of lesions) {
    const [a, b, c] = lesion.radiiMm;
    const e1 = lesion.axis;
    const e2 = normalise(Math.abs(e1[2]) < 0.9 ? cross(e1, [0, 0, 1]) : cross(e1, [1, 0, 0]));
    const e3 = cross(e1, e2);
    const reach = Math.ceil(a) + 1;
    const [ci, cj, ck] = lesion.centreVox;
    for (let k = Math.max(0, Math.floor(ck - reach)); k <= Math.min(nz - 1, Math.ceil(ck + reach)); k++) {
      for (let j = Math.max(0, Math.floor(cj - reach)); j <= Math.min(ny - 1, Math.ceil(cj + reach)); j++) {
        for (let i = Math.max(0, Math.floor(ci - reach)); i <= Math.min(nx - 1, Math.ceil(ci + reach)); i++) {
          const d: Vec3 = [i - ci, j - cj, k - ck];
          const q = (dot(d, e1) / a) ** 2 + (dot(d, e2) / b) ** 2 + (dot(d, e3) / c) ** 2;
          const v = i + nx * (j + ny * k);
          if (q <= 1 && (labels[v] === Tissue.WhiteMatter || labels[v] === Tissue.DeepGrey)) labels[v] = Tissue.Lesion;
        }
      }
    }
  }
}

/** A smooth multiplicative field within +-5%: a random low-order polynomial over the grid. */
function biasField(dims: Vec3, rng: Rng): Float32Array {
  const [nx, ny, nz] = dims;
  const g = [rng() - 0.5, rng() - 0.5, rng() - 0.5].map((x) => x * 0.08);
  const q = rng() * 0.06 - 0.03;
  const field = new Float32Array(voxelCount(dims));
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const x = i / (nx - 1) - 0.5;
        const y = j / (ny - 1) - 0.5;
        const z = k / (nz - 1) - 0.5;
        field[i + nx * (j + ny * k)] = 1 + g[0] * x + g[1] * y + g[2] * z + q * (x * x + y * y - z * z);
      }
    }
  }
  return field;
}

/** Tissue intensities, partial-volume blur, bias, noise; skull-stripped: 0 outside, > 0 inside. */
function synthesize(
  labels: Uint8Array, brain: Uint8Array, dims: Vec3, table: readonly number[],
  bias: Float32Array, noiseSd: number, rng: Rng,
): Float32Array {
  const clean = new Float32Array(labels.length);
  for (let v = 0; v < labels.length; v++) clean[v] = table[labels[v]];
  const blurred = gaussianBlur3d(clean, dims, 0.65);
  const out = new Float32Array(labels.length);
  for (let v = 0; v < labels.length; v++) {
    if (!brain[v]) continue;
    // tissue next to the background keeps its own intensity (no dark rim from the blur)
    const value = blurred[v] < table[labels[v]] * 0.6 ? table[labels[v]] : blurred[v];
    out[v] = Math.max(0.5, value * bias[v] + noiseSd * randomNormal(rng));
  }
  return out;
}

function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function normalise(a: Vec3): Vec3 {
  const n = Math.hypot(a[0], a[1], a[2]);
  return [a[0] / n, a[1] / n, a[2] / n];
}
