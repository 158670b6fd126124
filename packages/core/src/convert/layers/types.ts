import type { ConfigReader } from '../topology/config-values.js';
import type { LayerSpec } from '../topology/types.js';
import type { EmitContext } from '../emit/context.js';
import type { KTensor } from '../emit/tensor.js';

/** What a layer converter gets besides its inputs. */
export interface LayerArgs {
  layer: LayerSpec;
  /** Typed access to `layer.config`, errors naming the layer. */
  cfg: ConfigReader;
  ctx: EmitContext;
  /** `layer 'name' (Class)`, for error messages. */
  where: string;
}

/** Emits the ONNX nodes of one Keras layer call and returns its output. */
export type LayerConverter = (inputs: KTensor[], args: LayerArgs) => KTensor;

/** The single input of a one-input layer, or a ConvertError naming the layer. */
export function single(inputs: KTensor[], args: LayerArgs): KTensor {
  if (inputs.length !== 1) throw args.cfg.unsupported(`${inputs.length} inputs (expected 1)`);
  return inputs[0];
}

/** The Keras shape of a 4-D image input (batch, height, width, channels), or a ConvertError naming the layer. */
export function imageShape(t: KTensor, args: LayerArgs): (number | null)[] {
  if (t.shape.length !== 4) throw args.cfg.unsupported(`a ${t.shape.length}-D input (expected 4-D: batch, height, width, channels)`);
  return t.shape;
}
