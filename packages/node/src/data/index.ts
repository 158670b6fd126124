export { loadMnistDigits, type MnistDigitsOptions } from './mnist-digits.js';
export { loadIdxFolder, idxSplits, type IdxSplit } from './idx-folder.js';
export { loadImageFolder, listImageFolder, type ImageFolderOptions, type ImageFolderListing } from './image-folder.js';
