import { describe, expect, it } from 'vitest';
import { adapterFromLoaderLog, createSession, DeviceUnavailableError, probeFromChildLog, probeWebGpuAdapter } from '@onnxkit/node';

const mnistCnn = new URL('../../../../models/onnx/mnist-cnn.onnx', import.meta.url).pathname;

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
      unavailable: expect.stringMatching(
        /^Failed to get a WebGPU adapter: No supported adapters \(no Vulkan driver offered Dawn a usable GPU, see docs\/INSTALL\.md\)$/,
      ),
    });
    expect(probeFromChildLog('onnxkit-webgpu-probe-failed: "Protobuf parsing failed."')).toEqual({ unavailable: 'Protobuf parsing failed.' });
    expect(probeFromChildLog(`${NVIDIA}\n`)).toEqual({ adapter: expect.objectContaining({ name: 'NVIDIA H200' }) });
    expect(probeFromChildLog('Segmentation fault')).toBeUndefined();
  });

  it("finds no adapter when the Vulkan loader has no driver, and 'auto' falls back to cpu with ORT's reason", async () => {
    // A real probe (child process, real ORT): a driver list naming no file leaves Dawn without adapters.
    process.env.VK_ICD_FILENAMES = '/nonexistent/onnxkit-no-driver.json';
    const probe = await probeWebGpuAdapter();
    expect(probe).toEqual({ unavailable: expect.stringContaining('Failed to get a WebGPU adapter') });
    expect((probe as { unavailable: string }).unavailable).toContain('VK_ICD_FILENAMES=/nonexistent/onnxkit-no-driver.json limits the drivers');
    expect(await probeWebGpuAdapter()).toBe(probe);
    const s = await createSession(mnistCnn);
    expect(s.device).toBe('cpu');
    expect(s.fallbacks.find((f) => f.device === 'webgpu')?.error).toBe((probe as { unavailable: string }).unavailable);
    await s.release();

    // Named, it is started anyway and fails strictly, saying what the machine lacks.
    const e = (await createSession(mnistCnn, { device: 'webgpu' }).catch((x: unknown) => x)) as DeviceUnavailableError;
    expect(e).toBeInstanceOf(DeviceUnavailableError);
    expect(e.message).toMatch(/^device 'webgpu' failed to start: .*Failed to get a WebGPU adapter: No supported adapters \(no Vulkan driver offered Dawn a usable GPU/);
    expect(e.message).toContain('in Node on Linux, a Vulkan loader (libvulkan.so.1) and a Vulkan driver for the GPU');
  });
});
