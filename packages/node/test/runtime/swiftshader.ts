/**
 * SwiftShader's Vulkan driver, as Debian's chromium package ships it, for tests of onnxruntime-node's WebGPU
 * provider on machines without a GPU. Pointing the Vulkan loader at it happens per test process (before
 * its first WebGPU session), not in CI's environment, so every other test keeps the machine's own drivers.
 */
import { existsSync } from 'node:fs';

/** Where Debian (chromium) and Ubuntu/Fedora-style packages put the ICD manifest. */
const CANDIDATES = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib64/chromium-browser/vk_swiftshader_icd.json'];

/** The SwiftShader ICD manifest found on this machine, if any. */
export const swiftShaderIcd: string | undefined = CANDIDATES.find((f) => existsSync(f));

/** Why SwiftShader tests cannot run here, or undefined when they can. */
export const swiftShaderSkipReason: string | undefined = swiftShaderIcd
  ? undefined
  : `no SwiftShader Vulkan driver (looked for ${CANDIDATES.join(', ')}; install Debian's chromium)`;

/** Environment that makes the Vulkan loader offer SwiftShader alone. */
export function swiftShaderEnv(): Record<string, string> {
  if (!swiftShaderIcd) throw new Error(swiftShaderSkipReason);
  return { VK_ICD_FILENAMES: swiftShaderIcd };
}

/** Makes this process's first WebGPU session (and every later one) run on SwiftShader. */
export function useSwiftShader(): void {
  Object.assign(process.env, swiftShaderEnv());
}
