import { resolveDevices, type Device, type DeviceOption } from '@onnxkit/core';
import { CliUsageError } from './errors.js';

/**
 * Parses `--device`: `auto`, one device (strict: no fallback), or a comma-separated list tried in order
 * (`cuda,cpu`). Unknown devices and devices Node does not offer are refused before any model is loaded.
 */
export function parseDevice(text: string): DeviceOption {
  const parts = text.split(',').map((s) => s.trim());
  const option: DeviceOption = parts.length === 1 ? (parts[0] as Device | 'auto') : (parts as Device[]);
  try {
    resolveDevices(option, 'node');
  } catch (err) {
    throw new CliUsageError(`--device ${text}: ${(err as Error).message.replace(/^device: /, '')}`);
  }
  return option;
}
