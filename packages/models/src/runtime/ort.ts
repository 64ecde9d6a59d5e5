// The one file in src that imports onnxruntime-node: everything else goes through `ort` here.
import { createRequire } from 'node:module';
import path from 'node:path';

export * as ort from 'onnxruntime-node';

/** Folder of the installed onnxruntime-node package (where its native binaries live). */
export function onnxruntimeNodeDir(): string {
  const require = createRequire(import.meta.url);
  // main is dist/index.js; the package root is two levels up
  return path.resolve(path.dirname(require.resolve('onnxruntime-node')), '..');
}
