// Reads the float32 initializers of an exported model.onnx (inline or in external data), so the
// runtime can rebuild the decoder as its fast external-KV variant without the checkpoint.
// The exporter names initializers by their HF state-dict names (src/arch/decoder.ts).
import { ExpError } from '@exp/data';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export class OnnxWeightsError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxWeightsError';
  }
}

/** name -> float32 data of every FLOAT initializer; other element types are reported by name. */
export interface OnnxWeights {
  floats: Map<string, Float32Array>;
  /** Initializers of another element type (e.g. float16 weights of an fp16 export). */
  otherTypes: Map<string, number>;
}

function readRange(file: string, offset: number, length: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const got = readSync(fd, buf, done, length - done, offset + done);
      if (got <= 0) throw new OnnxWeightsError(`${file}: ends before byte ${offset + length}`);
      done += got;
    }
    return buf;
  } finally {
    closeSync(fd);
  }
}

function toFloat32(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes); // copy: protobuf byte fields are not 4-byte aligned
  return out;
}

export function readOnnxWeights(modelPath: string): OnnxWeights {
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(readFileSync(modelPath));
  } catch (e) {
    throw new OnnxWeightsError(`${modelPath}: not a readable ONNX model: ${(e as Error).message}`);
  }
  const floats = new Map<string, Float32Array>();
  const otherTypes = new Map<string, number>();
  for (const t of model.graph?.initializer ?? []) {
    const name = t.name ?? '';
    if (t.dataType !== onnx.TensorProto.DataType.FLOAT) {
      otherTypes.set(name, t.dataType ?? 0);
      continue;
    }
    if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
      const entry = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
      const location = entry.get('location');
      if (!location || path.isAbsolute(location) || location.split(/[\\/]/).includes('..')) {
        throw new OnnxWeightsError(`${modelPath}: initializer ${name}: bad external data location`);
      }
      const file = path.join(path.dirname(modelPath), location);
      const count = (t.dims ?? []).reduce<number>((n, d) => n * Number(d), 1);
      const offset = Number(entry.get('offset') ?? 0);
      const length = Number(entry.get('length') ?? count * 4);
      floats.set(name, toFloat32(readRange(file, offset, length)));
    } else if (t.rawData && t.rawData.byteLength > 0) {
      floats.set(name, toFloat32(t.rawData));
    } else {
      floats.set(name, Float32Array.from(t.floatData ?? []));
    }
  }
  return { floats, otherTypes };
}
