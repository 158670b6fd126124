import { describe, expect, it } from 'vitest';
import { adapterFromLoaderLog, createSession, probeFromChildLog, probeWebGpuAdapter } from '@onnxkit/node';

// Lines as the Vulkan loader (VK_LOADER_DEBUG=driver) prints them when Dawn opens a device.
const SWIFTSHADER = 'DRIVER:                  Using "SwiftShader Device (Subzero)" with driver: "/usr/lib/chromium/./libvk_swiftshader.so"';
const LAVAPIPE = 'DRIVER:   Using "llvmpipe (LLVM 15.0.6, 256 bits)" with driver: "/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so"';
const NVIDIA = 'DRIVER:   Using "NVIDIA H200" with driver: "/usr/lib/x86_64-linux-gnu/libGLX_nvidia.so.0"';

describe('telling WebGPU adapters apart from the Vulkan loader log', () => {
  it('names the adapter and its driver, and marks software renderers', () => {
    expect(adapterFromLoaderLog(`noise\n${SWIFTSHADER}\nmore`)).toEqual({
      name: 'SwiftShader Device (Subzero)',
      driver: '/usr/lib/chromium/libvk_swiftshader.so',
      software: true,
    });
    expect(adapterFromLoaderLog(LAVAPIPE)).toMatchObject({ name: 'llvmpipe (LLVM 15.0.6, 256 bits)', software: true });
    expect(adapterFromLoaderLog(NVIDIA)).toEqual({ name: 'NVIDIA H200', driver: '/usr/lib/x86_64-linux-gnu/libGLX_nvidia.so.0', software: false });
    expect(adapterFromLoaderLog('DRIVER: Found ICD manifest file /usr/share/vulkan/icd.d/lvp_icd.x86_64.json')).toBeUndefined();
  });

  it("reads ORT's reason when no device was opened, and nothing from a log that says neither", () => {
    expect(probeFromChildLog(`x\nonnxkit-webgpu-probe-failed: "Failed to get a WebGPU adapter: No supported adapters"`)).toEqual({
      unavailable: 'Failed to get a WebGPU adapter: No supported adapters',
    });
    expect(probeFromChildLog(`${NVIDIA}\n`)).toEqual({ adapter: expect.objectContaining({ name: 'NVIDIA H200' }) });
    expect(probeFromChildLog('Segmentation fault')).toBeUndefined();
  });

  it("finds no adapter when the Vulkan loader has no driver, and 'auto' falls back to cpu with ORT's reason", async () => {
    // A real probe (child process, real ORT): a driver list naming no file leaves Dawn without adapters.
    process.env.VK_ICD_FILENAMES = '/nonexistent/onnxkit-no-driver.json';
    const probe = await probeWebGpuAdapter();
    expect(probe).toEqual({ unavailable: expect.stringContaining('Failed to get a WebGPU adapter') });
    expect(await probeWebGpuAdapter()).toBe(probe);
    const s = await createSession(new URL('../../../../models/onnx/mnist-cnn.onnx', import.meta.url).pathname);
    expect(s.device).toBe('cpu');
    expect(s.fallbacks.find((f) => f.device === 'webgpu')?.error).toBe((probe as { unavailable: string }).unavailable);
    await s.release();
  });
});
