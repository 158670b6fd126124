/** Where a Keras model came from, as onnxkit detected it from the file's content. */
export type SourceFormat =
  /** Keras 3 `.keras` zip: `config.json` + `model.weights.h5` (+ `metadata.json`). */
  | 'keras-v3'
  /** Legacy full-model HDF5 (`model.save('x.h5')`, Keras 2.x or Keras 3). */
  | 'keras-h5'
  /** A topology JSON (`model.to_json()`) with a weights-only HDF5 file. */
  | 'keras-json'
  /** A TF.js Layers `model.json` with its binary weight shards. */
  | 'tfjs-layers'
  /** A TF.js graph model (`format: 'graph-model'`): a TensorFlow GraphDef as JSON, weights in shards. */
  | 'tfjs-graph';

/** One weight array as the source stores it (Keras layout, float32). */
export interface WeightValue {
  /** The weight's name in the source (`kernel`, `bias`, `gamma`, …), or its index for Keras 3 vars. */
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Weights by layer name, each layer's weights in Keras's order (e.g. kernel then bias). */
export interface WeightSource {
  /** The layer's weights, or undefined when the source has no entry for the layer. */
  layer(name: string): WeightValue[] | undefined;
}

/** A Keras model read from its files: topology and weights, before conversion. */
export interface KerasModel {
  format: SourceFormat;
  /** `keras_version` as recorded (e.g. `2.2.4`, `3.11.3`, `tfjs-layers 0.8.5`), when the file says. */
  kerasVersion?: string;
  /** `backend` as recorded (e.g. `tensorflow`), when the file says. */
  backend?: string;
  /** The model's Keras config: `{ class_name, config }` as `model.to_json()` writes it (a TF.js graph model: its model.json less the weights manifest). */
  config: Record<string, unknown>;
  weights: WeightSource;
}

/** A reference to a layer call's output tensor, as Keras configs write it: layer name, call index, output index. */
export interface TensorRef {
  layer: string;
  node: number;
  index: number;
}

/** A layer as the topology declares it. */
export interface LayerSpec {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** Keras 3's `module` and `registered_name`, which tell a custom layer apart. */
  module?: string;
  registeredName?: string;
}

/** One call of a layer on its input tensors (a shared layer has several). */
export interface LayerCall {
  layer: LayerSpec;
  /** Which call of the layer this is (the `node` of the {@link TensorRef}s to its outputs). */
  node: number;
  inputs: TensorRef[];
}

/** A model input. */
export interface GraphInput {
  /** The input layer's name, used as the ONNX input name. */
  name: string;
  /** Keras shape, batch first (`null` = any size). */
  shape: (number | null)[];
  dtype: string;
  ref: TensorRef;
}

/** A Keras model's topology, normalised across Sequential/Functional and Keras 2, Keras 3 and TF.js configs. */
export interface ModelGraph {
  name: string;
  /** `Sequential` or `Functional` (Keras 2's `Model`). */
  kind: 'Sequential' | 'Functional';
  /** Every layer, InputLayers included, in config order. */
  layers: LayerSpec[];
  /** Layer calls in an order where every call comes after the calls it reads. */
  calls: LayerCall[];
  inputs: GraphInput[];
  outputs: TensorRef[];
}
