import type { PreprocessingOption } from '@onnxkit/core';

/** The BullMQ queue `onnxkit classify --queue` fills and `onnxkit worker` drains. @defaultValue name */
export const CLASSIFY_QUEUE = 'onnxkit-classify';

/** One job: classify `files` (names relative to the worker's `--root`) with the model stored under `model`. */
export interface ClassifyJobData {
  /** The run the results belong to (their Redis hash is {@link resultsKey}). */
  run: string;
  /** sha256 of the model's bytes, stored at {@link modelKey}. */
  model: string;
  /** Classes listed per image. */
  top: number;
  preprocess?: PreprocessingOption;
  labels?: string[];
  maxPixels?: number;
  /** Names relative to the worker's root folder. */
  files: string[];
}

/** Most files one job may name (a job is one unit of retry). */
export const MAX_JOB_FILES = 4096;

/** Where a model's bytes live, by their sha256. */
export const modelKey = (sha: string): string => `onnxkit:model:${sha}`;
/** The hash of a run's results: field = file name, value = its JSON line. One field per name: a retried job overwrites, never duplicates. */
export const resultsKey = (run: string): string => `onnxkit:run:${run}:results`;

/** Checks a job that came off the queue (anyone who can write to Redis can add one); throws a TypeError naming the field. */
export function checkJobData(data: unknown): ClassifyJobData {
  const d = data as Partial<ClassifyJobData> | null;
  const bad = (field: string, want: string) => new TypeError(`classify job: '${field}' must be ${want}`);
  if (d === null || typeof d !== 'object') throw new TypeError('classify job: data must be an object');
  if (typeof d.run !== 'string' || !/^[\w.-]{1,128}$/.test(d.run)) throw bad('run', 'a name of letters, digits, _ . - (at most 128)');
  if (typeof d.model !== 'string' || !/^[0-9a-f]{64}$/.test(d.model)) throw bad('model', 'a sha256 in hex');
  if (!Number.isInteger(d.top) || (d.top as number) < 1) throw bad('top', 'a positive integer');
  if (!Array.isArray(d.files) || d.files.length === 0 || d.files.length > MAX_JOB_FILES || !d.files.every((f) => typeof f === 'string')) {
    throw bad('files', `1 to ${MAX_JOB_FILES} file names`);
  }
  if (d.labels !== undefined && (!Array.isArray(d.labels) || !d.labels.every((l) => typeof l === 'string'))) throw bad('labels', 'an array of strings');
  if (d.maxPixels !== undefined && (!Number.isInteger(d.maxPixels) || d.maxPixels < 1)) throw bad('maxPixels', 'a positive integer');
  return d as ClassifyJobData;
}
