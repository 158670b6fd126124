import type { DataType } from '../onnx/dtype.js';
import type { OrtTensorLike, TensorArray } from './runtime.js';

/**
 * One output of {@link Session.run}: dtype, dims and data, plus the raw ORT tensor (to feed it back, or to
 * keep it on the GPU with `preferredOutputLocation: 'gpu-buffer'`).
 */
export class OutputTensor {
  /** Output name. */
  readonly name: string;
  /** Element type. */
  readonly dtype: DataType;
  /** Dimensions. */
  readonly dims: readonly number[];
  /** The ORT tensor itself, from the runtime's own onnxruntime-common copy. */
  readonly tensor: OrtTensorLike;

  constructor(name: string, tensor: OrtTensorLike) {
    this.name = name;
    this.tensor = tensor;
    this.dtype = tensor.type as DataType;
    this.dims = Object.freeze([...tensor.dims]);
  }

  /** Where the data lives: `'cpu'`, or `'gpu-buffer'` when the session keeps outputs on the GPU. */
  get location(): OrtTensorLike['location'] {
    return this.tensor.location;
  }

  /** The elements; throws for GPU-resident outputs, which need {@link OutputTensor.getData}. */
  get data(): TensorArray {
    if (this.tensor.location !== 'cpu' && this.tensor.location !== 'cpu-pinned') {
      throw new Error(
        `output '${this.name}' is on '${this.tensor.location}', not the CPU; use await output.getData() to download it`,
      );
    }
    return this.tensor.data as TensorArray;
  }

  /** The elements, downloading them first when they live on the GPU. */
  async getData(): Promise<TensorArray> {
    return (await this.tensor.getData()) as TensorArray;
  }

  /** Frees the tensor (GPU memory for GPU outputs). */
  dispose(): void {
    this.tensor.dispose();
  }
}
