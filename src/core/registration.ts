/**
 * Rigid registration of a scan to the template, engine-agnostic: the images elastix is given (the
 * template at 2 mm, the scan's FLAIR on the model's axes averaged to 2 mm, both in the 1 mm model
 * grid's mm), the parameter map (Euler transform, Mattes mutual information, 3 resolutions) and the
 * transform read back. The engine (elastix's WASM build: @itk-wasm/elastix) is passed in, so the
 * worker and the CLI share this code.
 */
import { blockAverage2 } from './rigid-resample.ts';
import { identityRigid, type RigidTransform, rigidFromElastix, rotationDeg, shiftAtMm } from './rigid-transform.ts';
import type { RegistrationTemplate } from './registration-template.ts';
import type { Vec3 } from './types.ts';

/** An image as itk-wasm takes it (structurally: core does not import itk-wasm). */
export interface EngineImage {
  imageType: { dimension: 3; componentType: 'float32'; pixelType: 'Scalar'; components: 1 };
  name: string;
  origin: number[];
  spacing: number[];
  direction: Float64Array;
  size: number[];
  metadata: Map<string, unknown>;
  data: Float32Array;
}

/** An elastix parameter map: every value a list of strings. */
export type ParameterMap = Record<string, string[]>;

/** Runs elastix on one parameter map and returns its transform parameter object (one map per stage). */
export type RegistrationEngine = (parameterMap: ParameterMap, fixed: EngineImage, moving: EngineImage) => Promise<ParameterMap[]>;

/** A found transform below both of these is taken as none (the scan already lies as the template). */
export const IDENTITY_TOLERANCE = { rotationDeg: 1, shiftMm: 1 } as const;

/** A 2 mm image of the 1 mm model grid: voxel (a, b, c) at (2a + 0.5, 2b + 0.5, 2c + 0.5) mm. */
export function engineImage(name: string, data: Float32Array, dims: Vec3): EngineImage {
  return {
    imageType: { dimension: 3, componentType: 'float32', pixelType: 'Scalar', components: 1 },
    name, origin: [0.5, 0.5, 0.5], spacing: [2, 2, 2], direction: new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]),
    size: [...dims], metadata: new Map(), data,
  };
}

/**
 * elastix's rigid map, as its default 'rigid' map (AdaptiveStochasticGradientDescent, Mattes MI,
 * smoothing pyramids) with: 3 resolutions, 250 iterations each, the centres of gravity aligned
 * first, a fixed random seed (the same scan gives the same transform), no result image.
 */
export function rigidParameterMap(): ParameterMap {
  return {
    Registration: ['MultiResolutionRegistration'], Transform: ['EulerTransform'], Metric: ['AdvancedMattesMutualInformation'],
    Optimizer: ['AdaptiveStochasticGradientDescent'], AutomaticParameterEstimation: ['true'], AutomaticScalesEstimation: ['true'],
    AutomaticTransformInitialization: ['true'], AutomaticTransformInitializationMethod: ['CenterOfGravity'],
    NumberOfResolutions: ['3'], MaximumNumberOfIterations: ['250'], NumberOfHistogramBins: ['32'],
    FixedImagePyramid: ['FixedSmoothingImagePyramid'], MovingImagePyramid: ['MovingSmoothingImagePyramid'],
    ImageSampler: ['RandomCoordinate'], NumberOfSpatialSamples: ['4096'], NewSamplesEveryIteration: ['true'], CheckNumberOfSamples: ['true'],
    MaximumNumberOfSamplingAttempts: ['8'], RandomSeed: ['121212'], Interpolator: ['LinearInterpolator'],
    ResampleInterpolator: ['FinalLinearInterpolator'], Resampler: ['DefaultResampler'], DefaultPixelValue: ['0'],
    HowToCombineTransforms: ['Compose'], WriteResultImage: ['false'], WriteIterationInfo: ['false'], ResultImagePixelType: ['float'],
  };
}

/** What the registration found. */
export interface RegistrationResult {
  /** Template (model-grid) point -> scan point, both in the 1 mm grids' mm. */
  transform: RigidTransform;
  rotationDeg: number;
  /** How far the template's centre moves (mm). */
  shiftMm: number;
  /** True when both are under IDENTITY_TOLERANCE: the scan is used as it is. */
  identity: boolean;
  seconds: number;
}

/**
 * Registers `moving` (the FLAIR on the model's axes, 1 mm, `dims`) to the template; throws a
 * one-line Error when the engine fails.
 */
export async function registerToTemplate(template: RegistrationTemplate, moving: Float32Array, dims: Vec3, engine: RegistrationEngine): Promise<RegistrationResult> {
  const started = performance.now();
  const small = blockAverage2(moving, dims);
  let maps: ParameterMap[];
  try {
    maps = await engine(rigidParameterMap(), engineImage('template', template.data, template.dims), engineImage('scan', small.data, small.dims));
  } catch (error) {
    const first = String((error as Error).message ?? error).split('\n').find((line) => line.trim() !== '') ?? 'unknown error';
    throw new Error(`the registration to the template failed: ${first.trim().slice(0, 200)}`);
  }
  const last = maps[maps.length - 1];
  if (!last) throw new Error('the registration to the template returned no transform');
  return describeTransform(rigidFromElastix(last), template, (performance.now() - started) / 1000);
}

/** The transform with its rotation, shift at the template's centre and whether it counts as none. */
export function describeTransform(transform: RigidTransform, template: RegistrationTemplate, seconds: number): RegistrationResult {
  const centre: Vec3 = [(template.modelDims[0] - 1) / 2, (template.modelDims[1] - 1) / 2, (template.modelDims[2] - 1) / 2];
  const rotation = rotationDeg(transform);
  const shift = shiftAtMm(transform, centre);
  const identity = rotation < IDENTITY_TOLERANCE.rotationDeg && shift < IDENTITY_TOLERANCE.shiftMm;
  return { transform: identity ? identityRigid(transform.centre) : transform, rotationDeg: rotation, shiftMm: shift, identity, seconds };
}
