export { decodeInBrowser, webImageDecoder } from './canvas-decoder.js';
