import { sharedSlot } from '../shared-slot.js';
import type { Runtime } from './runtime.js';

// One registry per process, whichever copy of core (CJS or ESM build) registers or asks.
const registry = sharedSlot<{ current?: Runtime }>('runtime-registry', () => ({}));

/**
 * Makes `runtime` the one sessions are created with. `@onnxkit/node` and `@onnxkit/web` call this when
 * imported; registering again replaces the previous runtime (last import wins).
 */
export function registerRuntime(runtime: Runtime): void {
  if (runtime === null || typeof runtime !== 'object' || typeof runtime.createSession !== 'function') {
    throw new TypeError('registerRuntime: runtime must be an object implementing the Runtime interface');
  }
  if (runtime.platform !== 'node' && runtime.platform !== 'web') {
    const got = String(runtime.platform);
    throw new RangeError(`registerRuntime: runtime.platform must be 'node' or 'web', got '${got}'`);
  }
  registry.current = runtime;
}

/** The registered runtime; throws when none is, naming the packages that register one. */
export function getRuntime(): Runtime {
  const current = registry.current;
  if (!current) {
    throw new Error(
      'no ONNX Runtime registered: ' +
        "import '@onnxkit/node' (Node) or '@onnxkit/web' (browsers) instead of '@onnxkit/core'",
    );
  }
  return current;
}

/** True once a runtime is registered. */
export function hasRuntime(): boolean {
  return registry.current !== undefined;
}
