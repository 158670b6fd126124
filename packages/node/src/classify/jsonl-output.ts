import { createReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';

/** An append-only JSON-lines file that a rerun resumes: see {@link openJsonlOutput}. */
export interface JsonlOutput {
  /** The `file` of every complete line already in the file when it was opened. */
  readonly done: ReadonlySet<string>;
  /** Appends lines (one JSON value each); resolves once the bytes are written. */
  append(values: readonly unknown[]): Promise<void>;
  /** Flushes to disk and closes the file. */
  close(): Promise<void>;
}

/**
 * Opens (creating it when missing) a JSON-lines file of results that each name their `file`, for
 * appending. A line cut short by a crash (no final newline) is cut off, so appending starts on a clean
 * line; every complete line's `file` is in `done`, and a rerun skips those files. A complete line that
 * is not a JSON object with a string `file` is an error naming the line: that file is not ours to append to.
 */
export async function openJsonlOutput(file: string): Promise<JsonlOutput> {
  const done = new Set<string>();
  let size = 0;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new TypeError(`--output ${file}: not a regular file`);
    size = info.size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  let keep = 0;
  if (size > 0) keep = await readDone(file, done);
  const handle: FileHandle = await open(file, size > 0 ? 'r+' : 'a');
  if (keep < size) await handle.truncate(keep);
  let position = keep;
  return {
    done,
    async append(values) {
      if (values.length === 0) return;
      const text = Buffer.from(values.map((v) => `${JSON.stringify(v)}\n`).join(''));
      // One write per batch at an explicit offset: a crash leaves at most one torn last line.
      let written = 0;
      while (written < text.length) written += (await handle.write(text, written, text.length - written, position + written)).bytesWritten;
      position += text.length;
    },
    async close() {
      await handle.sync();
      await handle.close();
    },
  };
}

/** Reads the complete lines into `done`; returns the byte length of those lines (where appending resumes). */
async function readDone(file: string, done: Set<string>): Promise<number> {
  let complete = 0;
  let lineNo = 0;
  let pending: string | undefined;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (pending !== undefined) {
      record(pending, lineNo, file, done);
      complete += Buffer.byteLength(pending) + 1;
    }
    lineNo++;
    pending = line;
  }
  if (pending === undefined) return 0;
  // readline does not say whether the last line ended with a newline: the byte count does.
  const total = (await stat(file)).size;
  if (complete + Buffer.byteLength(pending) + 1 <= total) {
    record(pending, lineNo, file, done);
    complete += Buffer.byteLength(pending) + 1;
  }
  return complete;
}

function record(line: string, lineNo: number, file: string, done: Set<string>): void {
  if (line.trim() === '') return;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new SyntaxError(`--output ${file}: line ${lineNo} is not JSON, so this is not a results file to resume; move it away or pick another file`);
  }
  const name = (value as { file?: unknown } | null)?.file;
  if (typeof name !== 'string') throw new TypeError(`--output ${file}: line ${lineNo} has no "file" name, so this is not a results file to resume`);
  done.add(name);
}
