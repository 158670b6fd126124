export { decodeWithSharp, nodeImageDecoder, NODE_IMAGE_FORMATS } from './sharp-decoder.js';
export { encodeImage, type EncodeImageOptions, type ImageFormat } from './encode-image.js';
export { IMAGE_EXTENSIONS, listImageFiles } from './image-files.js';
