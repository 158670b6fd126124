/** The physical adapter a GPU device runs on, as the runtime identified it. */
export interface AdapterInfo {
  /** The adapter's name as its driver reports it, e.g. `'SwiftShader Device (Subzero)'`. */
  readonly name: string;
  /** The driver that serves it, when known, e.g. the Vulkan driver library's path. */
  readonly driver?: string;
  /** True for a software renderer (the CPU emulating a GPU), which `device: 'auto'` never picks. */
  readonly software: boolean;
}

/**
 * What a runtime found out, before starting a session, about a device that can be a software renderer:
 * the adapter it gets, or why it has none here.
 */
export type AdapterProbe = { readonly adapter: AdapterInfo } | { readonly unavailable: string };

/** `'SwiftShader Device (Subzero)' (software, /usr/lib/chromium/libvk_swiftshader.so)`. */
export function formatAdapter(adapter: AdapterInfo): string {
  const details = [adapter.software ? 'software' : 'hardware', ...(adapter.driver ? [adapter.driver] : [])];
  return `'${adapter.name}' (${details.join(', ')})`;
}
