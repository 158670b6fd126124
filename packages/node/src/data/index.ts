export { loadMnistDigits, type MnistDigitsOptions } from './mnist-digits.js';
export { loadIdxFolder, idxSplits, type IdxSplit } from './idx-folder.js';
export { loadImageFolder, type ImageFolderOptions } from './image-folder.js';
