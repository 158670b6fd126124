import type { SpecDim } from '../../runtime/tensor-spec.js';
import {
  checkPreprocessingSpec,
  PREPROCESSING_PRESETS,
  type PartialPreprocessingSpec,
  type PreprocessingSpec,
} from './preprocessing-spec.js';

/** A spec, a partial spec completed from the model's input shape, or a preset name (`'mnist'`, `'resize'`). */
export type PreprocessingOption = PreprocessingSpec | PartialPreprocessingSpec | keyof typeof PREPROCESSING_PRESETS;

const isChannels = (d: SpecDim | undefined): boolean => d === 1 || d === 3;

/**
 * Completes `option` into a full spec for a model input of `shape`: layout, size and channels default to
 * what the shape says (`[N,C,H,W]` → NCHW, `[N,H,W,C]` → NHWC, `[N,H,W]` → one channel), preset names
 * expand first, and given fields win. Throws a RangeError when the shape cannot hold such images.
 */
export function resolvePreprocessingSpec(option: PreprocessingOption, shape: readonly SpecDim[] = []): PreprocessingSpec {
  const where = 'preprocessing';
  let given: PartialPreprocessingSpec;
  if (typeof option === 'string') {
    const preset = PREPROCESSING_PRESETS[option as keyof typeof PREPROCESSING_PRESETS];
    if (!preset) {
      throw new RangeError(`${where}: unknown preset '${option}' (known: ${Object.keys(PREPROCESSING_PRESETS).join(', ')}), or give a spec object`);
    }
    given = preset;
  } else if (option !== null && typeof option === 'object' && !Array.isArray(option)) {
    const preset = option.procedure ? PREPROCESSING_PRESETS[option.procedure] : undefined;
    given = { ...(preset ?? {}), ...option };
  } else {
    throw new TypeError(`${where}: must be a preset name ('mnist', 'resize') or a spec object, got ${option === null ? 'null' : typeof option}`);
  }
  const fromShape = shapeDefaults(shape, given);
  const spec = checkPreprocessingSpec({ ...fromShape, ...given }, where);
  checkFits(spec, shape);
  return spec;
}

function shapeDefaults(shape: readonly SpecDim[], given: PartialPreprocessingSpec): PartialPreprocessingSpec {
  const num = (d: SpecDim | undefined) => (typeof d === 'number' && d > 0 ? d : undefined);
  if (shape.length === 4) {
    const nhwc = given.layout ? given.layout === 'NHWC' : isChannels(shape[3]) && !isChannels(shape[1]);
    const [c, h, w] = nhwc ? [shape[3], shape[1], shape[2]] : [shape[1], shape[2], shape[3]];
    return prune({ layout: nhwc ? 'NHWC' : 'NCHW', height: num(h), width: num(w), channels: c === 1 || c === 3 ? c : undefined });
  }
  if (shape.length === 3) return prune({ layout: 'NCHW', height: num(shape[1]), width: num(shape[2]), channels: 1 });
  const side = given.procedure === 'mnist' ? 28 : undefined;
  return prune({ layout: 'NCHW', height: side, width: side, channels: given.procedure === 'mnist' ? 1 : undefined });
}

function prune(o: Record<string, unknown>): PartialPreprocessingSpec {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as PartialPreprocessingSpec;
}

/** The model must take exactly height·width·channels values per image (any rank), or a spec is wrong. */
function checkFits(spec: PreprocessingSpec, shape: readonly SpecDim[]): void {
  if (shape.length < 2) return;
  const rest = shape.slice(1);
  if (!rest.every((d) => typeof d === 'number')) return;
  const per = (rest as number[]).reduce((a, b) => a * b, 1);
  const want = spec.height * spec.width * spec.channels;
  if (per !== want) {
    throw new RangeError(
      `preprocessing: the spec makes ${spec.height}x${spec.width}x${spec.channels} = ${want} values per image, ` +
        `but the model input [${shape.map((d) => (d === '' ? '?' : d)).join(',')}] takes ${per}`,
    );
  }
}
