/** Whether a node's or opset's domain is the standard ONNX one (written `''` or `'ai.onnx'`). */
export function isDefaultDomain(domain: string): boolean {
  return domain === '' || domain === 'ai.onnx';
}
