import type { Category } from '../category.js';
import { checkpointCategory } from './checkpoint.js';
import { externalCategory } from './external.js';
import { idxCategory } from './idx.js';
import { imagesCategory } from './images.js';
import { kerasCategory } from './keras.js';
import { onnxCategory } from './onnx.js';
import { pathsCategory } from './paths.js';
import { tensorsCategory } from './tensors.js';
import { tfjsCategory } from './tfjs.js';

/** Every fuzz category, in the order the table prints them. */
export const CATEGORIES: readonly Category[] = [
  onnxCategory,
  externalCategory,
  checkpointCategory,
  kerasCategory,
  tfjsCategory,
  idxCategory,
  tensorsCategory,
  imagesCategory,
  pathsCategory,
];
