import { AUTO_DEVICES, DEVICES, isDevice, type Device, type DeviceOption, type Platform } from './device.js';

const KNOWN = ['auto', ...Object.keys(DEVICES)].map((d) => `'${d}'`).join(', ');

/**
 * Turns a `device` option into the ordered list of devices to try on `platform`.
 * Throws a TypeError for a value of the wrong kind and a RangeError for an unknown device, an empty or
 * duplicated list, or a device the platform does not offer (e.g. `'webgpu'` in Node).
 */
export function resolveDevices(option: DeviceOption | undefined, platform: Platform): readonly Device[] {
  if (option === undefined || option === 'auto') return AUTO_DEVICES[platform];
  const list: readonly unknown[] = typeof option === 'string' ? [option] : Array.isArray(option) ? option : [];
  if (typeof option !== 'string' && !Array.isArray(option)) {
    throw new TypeError(`device must be 'auto', a device name or an array of device names; got ${describe(option)}`);
  }
  if (list.length === 0) throw new RangeError(`device: the list is empty; expected one or more of ${KNOWN}`);
  const seen = new Set<Device>();
  for (const d of list) {
    if (typeof d !== 'string') throw new TypeError(`device: expected a device name, got ${describe(d)}`);
    if (!isDevice(d)) {
      throw new RangeError(
        d === 'auto' && list.length > 1
          ? `device: 'auto' cannot appear inside a list`
          : `device: unknown device '${d}'; expected one of ${KNOWN}`,
      );
    }
    if (!DEVICES[d].platforms.includes(platform)) {
      throw new RangeError(
        `device: '${d}' is not offered on ${platform}; ${platform} offers ${AUTO_DEVICES[platform]
          .map((x) => `'${x}'`)
          .join(', ')}`,
      );
    }
    if (seen.has(d)) throw new RangeError(`device: '${d}' appears twice in the list`);
    seen.add(d);
  }
  return [...seen];
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? `'${v}'` : typeof v;
}
