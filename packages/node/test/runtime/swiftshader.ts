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

/** Where Debian-style systems keep the Vulkan loader that Dawn opens (`libvulkan.so.1`, package libvulkan1). */
const LOADERS = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib64/libvulkan.so.1', '/usr/lib/libvulkan.so.1'];

/** Why SwiftShader tests cannot run here, or undefined when they can. */
export const swiftShaderSkipReason: string | undefined = !swiftShaderIcd
  ? `no SwiftShader Vulkan driver (looked for ${CANDIDATES.join(', ')}; install Debian's chromium)`
  : !LOADERS.some((f) => existsSync(f))
    ? 'no Vulkan loader libvulkan.so.1 (install libvulkan1)'
    : undefined;

/** Environment that makes the Vulkan loader offer SwiftShader alone. */
export function swiftShaderEnv(): Record<string, string> {
  if (!swiftShaderIcd) throw new Error(swiftShaderSkipReason);
  return { VK_ICD_FILENAMES: swiftShaderIcd };
}

/** Makes this process's first WebGPU session (and every later one) run on SwiftShader. */
export function useSwiftShader(): void {
  Object.assign(process.env, swiftShaderEnv());
}
