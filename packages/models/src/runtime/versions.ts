import { ort } from './ort.js';

/** onnxruntime versions in use, for run manifests. */
export function runtimeVersions(): Record<string, string> {
  const v = ort.env.versions as Record<string, string | undefined>;
  return { 'onnxruntime-node': v.node ?? 'unknown', 'onnxruntime-common': v.common ?? 'unknown' };
}
