import { execFile } from 'node:child_process';
import path from 'node:path';
import type { AdapterInfo, AdapterProbe } from '@onnxkit/core';
import { identityModel } from './identity-model.js';
import { ortPackageDir } from './ort-binary-dir.js';

/**
 * The Vulkan loader's line for the physical device a `VkDevice` is created on, which is the adapter Dawn
 * (inside ORT's WebGPU provider) picked, e.g.
 * `Using "SwiftShader Device (Subzero)" with driver: "/usr/lib/chromium/./libvk_swiftshader.so"`.
 */
const USING = /Using "([^"\n]+)" with driver: "([^"\n]+)"/;

/** Software renderers by device name or driver library: SwiftShader, Mesa's lavapipe/llvmpipe, Windows WARP. */
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|vulkan_lvp|softpipe|microsoft basic render/i;

/** Environment variables that change which Vulkan driver or device the loader and Mesa hand out. */
const VULKAN_ENV = [
  'VK_ICD_FILENAMES',
  'VK_DRIVER_FILES',
  'VK_ADD_DRIVER_FILES',
  'VK_LOADER_DRIVERS_SELECT',
  'VK_LOADER_DRIVERS_DISABLE',
  'MESA_VK_DEVICE_SELECT',
  'DRI_PRIME',
];

/** The probe's whole output is a few hundred loader lines; more means something else is talking. */
const MAX_LOG_BYTES = 4 * 1024 * 1024;
const PROBE_TIMEOUT_MS = 60_000;
/** Marks the child's line carrying ORT's error, as a JSON string. */
const FAILED = 'onnxkit-webgpu-probe-failed: ';

/**
 * Runs in a child Node process: starts a WebGPU session on a one-node model with onnxruntime-node, so the
 * Vulkan loader (told to by VK_LOADER_DEBUG) prints the device it opens on the child's stderr.
 */
const PROBE_SCRIPT = [
  'const ort = require(process.argv[1]);',
  "ort.env.logLevel = 'fatal';",
  "ort.InferenceSession.create(Buffer.from(process.argv[2], 'base64'), { executionProviders: ['webgpu'] })",
  '  .then((s) => s.release())',
  `  .then(() => process.exit(0), (e) => { process.stderr.write('\\n${FAILED}' + JSON.stringify(String(e && e.message))); process.exit(1); });`,
].join('\n');

const probes = new Map<string, Promise<AdapterProbe | undefined>>();

/** Reads the adapter from a Vulkan loader log (`VK_LOADER_DEBUG=driver`); undefined when no device was opened. */
export function adapterFromLoaderLog(log: string): AdapterInfo | undefined {
  const m = USING.exec(log);
  if (!m) return undefined;
  const [, name, driver] = m;
  const software = SOFTWARE.test(name) || SOFTWARE.test(path.basename(driver));
  return Object.freeze({ name, driver: path.normalize(driver), software });
}

/**
 * Reads a probe child's stderr: the adapter the Vulkan loader opened, else ORT's reason for failing (the
 * provider has no adapter here), else undefined (the child did not get as far as saying either).
 */
export function probeFromChildLog(log: string): AdapterProbe | undefined {
  const adapter = adapterFromLoaderLog(log);
  if (adapter) return Object.freeze({ adapter });
  const line = log.split('\n').find((l) => l.startsWith(FAILED));
  if (line === undefined) return undefined;
  let error: string;
  try {
    error = String(JSON.parse(line.slice(FAILED.length))).trim();
  } catch {
    return undefined;
  }
  const extra = explainWebGpuFailure(error);
  return Object.freeze({ unavailable: extra ? `${error} (${extra})` : error });
}

/**
 * The adapter onnxruntime-node's WebGPU provider gets in this environment, or ORT's reason for having
 * none, found by starting a WebGPU session in a child process with the Vulkan loader's log on: ORT reports
 * no adapter information itself, and Dawn's and Mesa's complaints about unusable drivers stay in the
 * child's stderr. Undefined when it cannot tell (no Vulkan loader log: WebGPU over D3D12 or Metal, or the
 * child did not run). Asked once per process and Vulkan environment.
 */
export function probeWebGpuAdapter(): Promise<AdapterProbe | undefined> {
  const key = VULKAN_ENV.map((k) => `${k}=${process.env[k] ?? ''}`).join('\n');
  let probe = probes.get(key);
  if (!probe) {
    probe = runProbe();
    probes.set(key, probe);
  }
  return probe;
}

/**
 * Extra words for a WebGPU start that found no adapter: ORT's text names Dawn's request, not what the
 * machine lacks. Undefined for other errors.
 */
export function explainWebGpuFailure(error: unknown): string | undefined {
  if (!/WebGPU adapter/i.test(error instanceof Error ? error.message : String(error))) return undefined;
  const limited = ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES'].find((k) => process.env[k]);
  return (
    'no Vulkan driver offered Dawn a usable GPU, see docs/INSTALL.md' +
    (limited ? `; ${limited}=${process.env[limited]} limits the drivers the loader may use` : '')
  );
}

function runProbe(): Promise<AdapterProbe | undefined> {
  const ortDir = ortPackageDir();
  if (ortDir === undefined) return Promise.resolve(undefined);
  const model = Buffer.from(identityModel('float32')).toString('base64');
  const env = { ...process.env, VK_LOADER_DEBUG: 'driver' };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-e', PROBE_SCRIPT, ortDir, model],
      { env, timeout: PROBE_TIMEOUT_MS, maxBuffer: MAX_LOG_BYTES, encoding: 'utf8', windowsHide: true },
      (_error, _stdout, stderr) => resolve(probeFromChildLog(stderr ?? '')),
    );
  });
}
