import { checkBytes, checkKey, type ByteStore } from './byte-store.js';

/** Options of {@link opfsStore}. */
export interface OpfsStoreOptions {
  /** Folder in the origin's private file system that holds the files. @defaultValue `'onnxkit'` */
  directory?: string;
}

/** The OPFS calls used here; typed locally because TypeScript's DOM lib lacks the async iterators. */
interface Directory {
  getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<Directory>;
  getFileHandle(name: string, options?: { create?: boolean }): Promise<FileHandle>;
  removeEntry(name: string): Promise<void>;
  keys(): AsyncIterable<string>;
}
interface FileHandle {
  getFile(): Promise<File>;
  createWritable?(): Promise<{ write(data: Uint8Array): Promise<void>; close(): Promise<void>; abort(): Promise<void> }>;
}

/** True when the browser offers OPFS with writable files (Chromium, Firefox; not Safari's main thread). */
export function hasOpfs(): boolean {
  const storage = typeof navigator !== 'undefined' ? navigator.storage : undefined;
  return (
    typeof storage?.getDirectory === 'function' &&
    typeof FileSystemFileHandle !== 'undefined' &&
    'createWritable' in FileSystemFileHandle.prototype
  );
}

/**
 * A {@link ByteStore} in the Origin Private File System: one file per key (the key URL-encoded into a
 * file name) in `options.directory`. Writes go through a swap file, so a crash leaves the old bytes.
 * Throws an Error when the browser has no usable OPFS (see {@link hasOpfs}).
 */
export async function opfsStore(options: OpfsStoreOptions = {}): Promise<ByteStore> {
  const name = options.directory ?? 'onnxkit';
  if (typeof name !== 'string' || name.length === 0 || /[\\/]/.test(name)) {
    throw new RangeError(`opfsStore: directory must be a non-empty folder name without slashes, got '${String(name)}'`);
  }
  if (!hasOpfs()) throw new Error('opfsStore: this browser has no Origin Private File System with writable files');
  const root = (await navigator.storage.getDirectory()) as unknown as Directory;
  const dir = await root.getDirectoryHandle(name, { create: true });
  const file = (key: string) => encodeURIComponent(key);
  return Object.freeze({
    kind: 'opfs',
    persistent: true,
    get: async (key: string) => {
      const handle = await dir.getFileHandle(file(checkKey('opfsStore.get', key))).catch(notFound);
      if (!handle) return undefined;
      return new Uint8Array(await (await handle.getFile()).arrayBuffer());
    },
    set: async (key: string, bytes: Uint8Array) => {
      checkBytes('opfsStore.set', bytes);
      const handle = await dir.getFileHandle(file(checkKey('opfsStore.set', key)), { create: true });
      const writable = await handle.createWritable!();
      try {
        await writable.write(bytes);
      } catch (e) {
        await writable.abort().catch(() => undefined);
        throw e;
      }
      await writable.close();
    },
    delete: async (key: string) => {
      try {
        await dir.removeEntry(file(checkKey('opfsStore.delete', key)));
        return true;
      } catch (e) {
        return notFound(e) ?? false;
      }
    },
    keys: async () => {
      const out: string[] = [];
      for await (const entry of dir.keys()) {
        // Swap files of unfinished writes (Chromium names them *.crswap) are not keys.
        if (!entry.endsWith('.crswap')) out.push(decodeURIComponent(entry));
      }
      return out.sort();
    },
  } satisfies ByteStore);
}

/** undefined for a missing file, the error itself otherwise. */
function notFound(e: unknown): undefined {
  if (e instanceof DOMException && e.name === 'NotFoundError') return undefined;
  throw e;
}
