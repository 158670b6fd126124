export { findHead, type ClassifierHead, type HeadWeight } from './find-head.js';
export { replaceHead, headParameters, type ReplaceHeadOptions, type ReplacedHead } from './replace-head.js';
