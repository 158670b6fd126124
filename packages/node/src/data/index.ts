export { loadMnistDigits, type MnistDigitsOptions } from './mnist-digits.js';
export { loadIdxFolder, idxSplits, type IdxSplit } from './idx-folder.js';
