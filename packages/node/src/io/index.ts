export { writeFileAtomic, type AtomicWriteOptions } from './atomic-write.js';
export { openModelFile, loadModelFile, type ModelFile, type ModelFileOptions } from './model-file.js';
export { decodeNpy, encodeNpy, NPY_DTYPES } from './npy.js';
export { decodeJsonTensor, encodeJsonTensor, tensorToJson, JSON_DTYPES, type JsonTensor } from './json-tensor.js';
export { decodeTensorProto, encodeTensorProto } from './tensor-proto.js';
export { readTensorFile, writeTensorFile, TENSOR_FILE_EXTENSIONS, type ReadTensorOptions } from './tensor-file.js';
export { FileAccessError, type FileAccessErrorCode } from './file-access-error.js';
export { readUntrustedFile, type ReadUntrustedOptions } from './read-untrusted.js';
export { FILE_LIMITS, fileLimit, type FileKind } from './limits.js';
