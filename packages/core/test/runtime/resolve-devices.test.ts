import { describe, expect, it } from 'vitest';
import { AUTO_DEVICES, DEVICES, isDevice, resolveDevices } from '../../src/runtime/index.js';

describe('device table', () => {
  it('is frozen and maps each device to one ORT provider and platform', () => {
    expect(Object.isFrozen(DEVICES)).toBe(true);
    expect(Object.isFrozen(DEVICES.cuda)).toBe(true);
    expect(Object.fromEntries(Object.entries(DEVICES).map(([d, i]) => [d, [i.provider, ...i.platforms]]))).toEqual({
      cpu: ['cpu', 'node'],
      cuda: ['cuda', 'node'],
      wasm: ['wasm', 'web'],
      webgpu: ['webgpu', 'node', 'web'],
    });
    // Only WebGPU hands back device-resident outputs, and only it can turn out to be a software renderer.
    expect(Object.entries(DEVICES).filter(([, i]) => i.outputsOnDevice).map(([d]) => d)).toEqual(['webgpu']);
    expect(Object.entries(DEVICES).filter(([, i]) => i.maybeSoftware).map(([d]) => d)).toEqual(['webgpu']);
    expect(DEVICES.cuda.installHint).toContain('--onnxruntime-node-install=cuda12');
    expect(DEVICES.cuda.installHint).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12');
    expect(DEVICES.cuda.installHint).toMatch(/CUDA 12 and cuDNN 9/);
  });

  it('recognises device names', () => {
    expect(['cpu', 'cuda', 'wasm', 'webgpu'].every(isDevice)).toBe(true);
    expect(isDevice('gpu')).toBe(false);
    expect(isDevice('toString')).toBe(false);
  });
});

describe('resolveDevices', () => {
  it("orders 'auto' accelerators first: node cuda→webgpu→cpu, web webgpu→wasm", () => {
    expect(resolveDevices('auto', 'node')).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(resolveDevices(undefined, 'node')).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(resolveDevices('auto', 'web')).toEqual(['webgpu', 'wasm']);
    expect(AUTO_DEVICES.web).toEqual(['webgpu', 'wasm']);
  });

  it('keeps a single device or a list in the given order', () => {
    expect(resolveDevices('cpu', 'node')).toEqual(['cpu']);
    expect(resolveDevices(['cpu', 'cuda'], 'node')).toEqual(['cpu', 'cuda']);
    expect(resolveDevices(['wasm'], 'web')).toEqual(['wasm']);
    expect(resolveDevices('webgpu', 'node')).toEqual(['webgpu']);
  });

  it('refuses a device the platform does not offer with a RangeError', () => {
    expect(() => resolveDevices('wasm', 'node')).toThrow(RangeError);
    expect(() => resolveDevices('wasm', 'node')).toThrow("device: 'wasm' is not offered on node; node offers 'cuda', 'webgpu', 'cpu'");
    expect(() => resolveDevices(['webgpu', 'cuda'], 'web')).toThrow("'cuda' is not offered on web");
  });

  it('refuses unknown names, empty and duplicated lists with RangeErrors', () => {
    expect(() => resolveDevices('gpu' as never, 'node')).toThrow(/unknown device 'gpu'; expected one of 'auto', 'cpu'/);
    expect(() => resolveDevices([], 'node')).toThrow(RangeError);
    expect(() => resolveDevices(['cpu', 'cpu'], 'node')).toThrow(/appears twice/);
    expect(() => resolveDevices(['auto', 'cpu'] as never, 'node')).toThrow(/'auto' cannot appear inside a list/);
  });

  it('refuses values of the wrong kind with TypeErrors', () => {
    expect(() => resolveDevices(3 as never, 'node')).toThrow(TypeError);
    expect(() => resolveDevices([null] as never, 'node')).toThrow(TypeError);
  });
});
