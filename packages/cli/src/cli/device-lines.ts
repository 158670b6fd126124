import { formatAdapter, type AdapterInfo, type DeviceFailure } from '@onnxkit/core';
import { oneLine } from './errors.js';

/** `--device` help, shared by the commands that run a model. */
export const DEVICE_HELP = "auto, cpu, cuda, webgpu, or a list tried in order such as 'cuda,cpu'";

/** The text report's head: the device that ran (with its adapter when known), then each fallback. */
export function deviceLines(report: { device: string; adapter?: AdapterInfo; fallbacks: readonly DeviceFailure[] }): string[] {
  const adapter = report.adapter ? ` on ${formatAdapter(report.adapter)}` : '';
  return [
    `device: ${report.device}${adapter}`,
    ...report.fallbacks.map((f) => `fallback: ${f.device} did not start: ${oneLine(f.error)}`),
  ];
}
