// The models' one source of truth is the repository's models/onnx (where training writes them and the
// cards link); the package gets copies at build time, into models/ (ignored by git).
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const from = fileURLToPath(new URL('../../../models/onnx/', import.meta.url));
const to = fileURLToPath(new URL('../models/', import.meta.url));
rmSync(to, { recursive: true, force: true });
mkdirSync(to, { recursive: true });
for (const name of ['mnist-cnn', 'fashion-cnn']) {
  for (const ext of ['.onnx', '.md']) copyFileSync(from + name + ext, to + name + ext);
}
