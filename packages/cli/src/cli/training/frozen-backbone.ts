import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { DeviceOption, ImageDataset, PreprocessingSpec, SplitModel } from '@onnxkit/core';
import { DiskEmbeddingStore, embedDataset, embedImageFolder, idxSplits, type EmbeddedData } from '@onnxkit/node';
import type { CliContext } from '../context.js';
import { CliUsageError } from '../errors.js';
import { loadDataSource, namesAllKnown, type DataDescription, type DataSourceOptions } from './data-source.js';

/** How `finetune --head-only` trains the head alone on a frozen backbone's embeddings. */
export interface FrozenBackbone {
  split: SplitModel;
  /** The embedding cache folder, or undefined to keep embeddings in memory only. */
  cacheDir: string | undefined;
}

/** What embedding the data took, as the report shows it. */
export interface EmbeddingReport {
  /** Images the backbone ran on, and images whose embedding the cache had. */
  computed: number;
  cached: number;
  /** Features per image (the head's input). */
  features: number;
  seconds: number;
  /** The cache folder, when there is one. */
  cache?: string;
}

/**
 * The embedding cache when `--embedding-cache` is not given: `$XDG_CACHE_HOME/onnxkit/embeddings`, else
 * `$HOME/.cache/onnxkit/embeddings`; undefined (memory only) when the environment names neither.
 */
export function defaultEmbeddingCache(env: CliContext['env']): string | undefined {
  const base = env.XDG_CACHE_HOME || (env.HOME ? path.join(env.HOME, '.cache') : undefined);
  return base ? path.join(base, 'onnxkit', 'embeddings') : undefined;
}

/**
 * Loads `--data` as embeddings of the frozen backbone: an image folder is hashed file by file and only
 * files the cache lacks are decoded and embedded; IDX folders and `mnist` are decoded, then embedded
 * (keys from the prepared values). The result is the dataset the head trains on.
 */
export async function loadEmbeddedData(
  source: string,
  frozen: FrozenBackbone,
  options: DataSourceOptions & { device: DeviceOption },
): Promise<{ dataset: ImageDataset; description: DataDescription; embedding: EmbeddingReport }> {
  const store = frozen.cacheDir ? new DiskEmbeddingStore(frozen.cacheDir) : undefined;
  const common = { device: options.device, ...(store ? { store } : {}) };
  const dir = path.resolve(source);
  const isImageFolder = source !== 'mnist' && (await stat(dir).catch(() => undefined))?.isDirectory() && idxSplits(dir).length === 0;
  let embedded: EmbeddedData;
  let description: Omit<DataDescription, 'examples' | 'classes'>;
  if (isImageFolder) {
    if (options.split) throw new CliUsageError(`--split applies to IDX folders; '${source}' is an image folder`);
    const { input } = options;
    const spec: PreprocessingSpec = options.preprocessing ?? {
      layout: 'NCHW',
      height: input.height,
      width: input.width,
      channels: input.channels === 3 ? 3 : 1,
      scale: [0, 1],
      polarity: 'any',
      procedure: 'resize',
      fit: 'stretch',
    };
    const classNames = options.classNames && (await namesAllKnown(dir, options.classNames)) ? options.classNames : undefined;
    embedded = await embedImageFolder(frozen.split.backbone, dir, { ...common, preprocessing: spec, ...(classNames ? { classNames } : {}) }).catch(
      (err: unknown) => {
        throw new CliUsageError(`--data '${source}': ${(err as Error).message.replace(/^loadImageFolder: /, '')}`);
      },
    );
    description = { source: dir, kind: 'image-folder' };
  } else {
    const loaded = await loadDataSource(source, options);
    embedded = await embedDataset(frozen.split.backbone, loaded.dataset, common);
    description = loaded.description;
  }
  const { dataset, embeddings } = embedded;
  return {
    dataset,
    description: { ...description, examples: dataset.count, classes: dataset.classes } as DataDescription,
    embedding: {
      computed: embeddings.computed,
      cached: embeddings.stored,
      features: embeddings.dims,
      seconds: Math.round(embedded.seconds * 10) / 10,
      ...(frozen.cacheDir ? { cache: frozen.cacheDir } : {}),
    },
  };
}
