import type { DeviceFailure, Prediction } from '@onnxkit/web';

/**
 * The page's state on `window.__demo`, for the browser tests (and the curious, in the console). Only
 * read, never written, from outside.
 */
export interface DemoState {
  ready: boolean;
  /** The last error shown to the user. */
  error?: string;
  device?: string;
  deviceTitle?: string;
  deviceDetail?: string;
  fallbacks: readonly DeviceFailure[];
  storage?: string;
  modelSource?: string;
  labels: string[];
  /** Top-3 of the current drawing ([] when the pad is empty). */
  top: Prediction[];
  /** Classifications finished so far; `pending` while one is running or due. */
  predictions: number;
  pending: boolean;
  /** Examples and the model's current prediction for each (class index). */
  examples: { label: number; predicted?: number }[];
  /** The images of the examples as the model sees them (0..255), to compare runs. */
  exampleBytes: number[];
  busy: boolean;
  training?: {
    done: boolean;
    device?: string;
    parametersLocation?: string;
    losses: number[];
    epochs: { epoch: number; loss: number; accuracy: number; retention?: number }[];
    before?: { loss: number; accuracy: number };
    after?: { loss: number; accuracy: number };
    trainable?: string[];
  };
  /** Options the URL asked for that were not understood. */
  ignoredOptions: string[];
}

/** Creates the state object and publishes it as `window.__demo`. */
export function createState(ignoredOptions: string[]): DemoState {
  const state: DemoState = {
    ready: false,
    fallbacks: [],
    labels: [],
    top: [],
    predictions: 0,
    pending: false,
    examples: [],
    exampleBytes: [],
    busy: false,
    ignoredOptions,
  };
  (globalThis as { __demo?: DemoState }).__demo = state;
  return state;
}
