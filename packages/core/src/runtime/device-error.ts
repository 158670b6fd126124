import { brandClass } from '../shared-slot.js';
import type { AdapterInfo } from './adapter.js';
import type { Device } from './device.js';

/** A device that was tried and failed to start, with ORT's error text (plus the runtime's diagnosis). */
export interface DeviceFailure {
  /** The device tried. */
  readonly device: Device;
  /** Why it failed. */
  readonly error: string;
  /** The adapter it would have run on, when the runtime identified one (e.g. a skipped software one). */
  readonly adapter?: AdapterInfo;
}

/** Thrown by {@link createSession} when no requested device could start. */
export class DeviceUnavailableError extends Error {
  /** Devices tried, in order. */
  readonly devices: readonly Device[];
  /** Each device's failure, in the order tried. */
  readonly fallbacks: readonly DeviceFailure[];

  constructor(message: string, devices: readonly Device[], fallbacks: readonly DeviceFailure[], cause?: unknown) {
    super(message, { cause });
    this.name = 'DeviceUnavailableError';
    this.devices = devices;
    this.fallbacks = fallbacks;
  }
}
// `instanceof DeviceUnavailableError` holds across copies of the package (CJS and ESM builds in one process).
brandClass(DeviceUnavailableError, 'DeviceUnavailableError');

/** The message of any thrown value. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : String(error);
}
