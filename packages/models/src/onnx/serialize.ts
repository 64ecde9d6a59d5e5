// GraphBuilder -> ONNX ModelProto bytes (onnx-proto's generated protobufjs encoder), with the
// weights either inside the file or in an external data file beside it. Protobuf messages are
// limited to 2 GiB, so models with more weight bytes than that must use external data.
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import type { AttrValue, Dim, GraphBuilder, InitializerDef, NodeDef, ValueInfo } from './graph.js';

const { onnx } = onnxProto;
type ITensorProto = onnxProto.onnx.ITensorProto;
type IAttributeProto = onnxProto.onnx.IAttributeProto;

export interface OpsetImport {
  domain: string;
  version: number;
}

export interface ModelMeta {
  irVersion: number;
  opsetImports: readonly OpsetImport[];
  producerName: string;
  producerVersion: string;
  docString?: string;
  /** Free-form key/value pairs stored in ModelProto.metadata_props. */
  metadata?: Record<string, string>;
}

/** Weight bytes above which writeModel switches to external data by default (protobuf limit). */
export const DEFAULT_EXTERNAL_DATA_THRESHOLD = 2_000_000_000;

export interface WriteModelOptions {
  /** Use external data when the initializers total more bytes than this. */
  externalDataThreshold?: number;
  /** Tensors smaller than this stay inside the model even with external data (as onnx does). */
  inlineBelowBytes?: number;
}

export interface WrittenModel {
  modelPath: string;
  /** The external data file, or null when all weights are inside the model. */
  dataPath: string | null;
  modelBytes: number;
  dataBytes: number;
}

const ALIGN_LARGE = 65536; // tensors >= 1 MiB start on a 64 KiB boundary (mmap friendly)
const ALIGN_SMALL = 16;
const WRITE_CHUNK = 1 << 30;

function attribute(name: string, v: AttrValue): IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if ('f' in v) return { name, type: T.FLOAT, f: v.f };
  return { name, type: T.FLOATS, floats: [...v.floats] };
}

function nodeProto(n: NodeDef) {
  return {
    name: n.name,
    opType: n.opType,
    domain: n.domain,
    input: [...n.inputs],
    output: [...n.outputs],
    attribute: Object.entries(n.attrs).map(([k, v]) => attribute(k, v)),
  };
}

function dimProto(d: Dim) {
  return typeof d === 'number' ? { dimValue: d } : { dimParam: d };
}

function valueInfoProto(v: ValueInfo) {
  return {
    name: v.name,
    type: { tensorType: { elemType: v.dtype, shape: { dim: v.shape.map(dimProto) } } },
  };
}

function modelProto(graph: GraphBuilder, meta: ModelMeta, initializers: ITensorProto[]) {
  return onnx.ModelProto.create({
    irVersion: meta.irVersion,
    producerName: meta.producerName,
    producerVersion: meta.producerVersion,
    docString: meta.docString ?? '',
    opsetImport: meta.opsetImports.map((o) => ({ domain: o.domain, version: o.version })),
    metadataProps: Object.entries(meta.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: graph.name,
      node: graph.nodes.map(nodeProto),
      initializer: initializers,
      input: graph.inputs.map(valueInfoProto),
      output: graph.outputs.map(valueInfoProto),
      valueInfo: graph.valueInfos.map(valueInfoProto),
    },
  });
}

function inlineTensor(t: InitializerDef): ITensorProto {
  return { name: t.name, dataType: t.dtype, dims: [...t.dims], rawData: t.load() };
}

/** Encodes the whole model, weights inside, into bytes (for models under 2 GiB of weights). */
export function encodeModel(graph: GraphBuilder, meta: ModelMeta): Uint8Array {
  return onnx.ModelProto.encode(
    modelProto(graph, meta, graph.initializers.map(inlineTensor)),
  ).finish();
}

/** Decodes ONNX bytes into the protobufjs ModelProto object (for tests and inspection). */
export function decodeModel(bytes: Uint8Array): onnxProto.onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}

/**
 * Writes `graph` to `modelPath`. When the weights exceed the threshold they go to
 * `<modelPath>.data` (one tensor loaded, written and dropped at a time, so peak memory stays at
 * one tensor); otherwise everything is inside the model file.
 */
export function writeModel(
  graph: GraphBuilder,
  meta: ModelMeta,
  modelPath: string,
  opts: WriteModelOptions = {},
): WrittenModel {
  const threshold = opts.externalDataThreshold ?? DEFAULT_EXTERNAL_DATA_THRESHOLD;
  if (graph.initializerBytes <= threshold) {
    const bytes = encodeModel(graph, meta);
    writeFileSync(modelPath, bytes);
    return { modelPath, dataPath: null, modelBytes: bytes.byteLength, dataBytes: 0 };
  }
  const inlineBelow = opts.inlineBelowBytes ?? 1024;
  const dataPath = `${modelPath}.data`;
  const location = path.basename(dataPath);
  const fd = openSync(dataPath, 'w');
  const tensors: ITensorProto[] = [];
  let offset = 0;
  try {
    for (const t of graph.initializers) {
      if (t.byteLength < inlineBelow) {
        tensors.push(inlineTensor(t));
        continue;
      }
      const align = t.byteLength >= 1 << 20 ? ALIGN_LARGE : ALIGN_SMALL;
      offset = Math.ceil(offset / align) * align;
      const bytes = t.load();
      for (let done = 0; done < bytes.byteLength;) {
        const n = Math.min(WRITE_CHUNK, bytes.byteLength - done);
        done += writeSync(fd, bytes, done, n, offset + done);
      }
      tensors.push({
        name: t.name,
        dataType: t.dtype,
        dims: [...t.dims],
        dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [
          { key: 'location', value: location },
          { key: 'offset', value: String(offset) },
          { key: 'length', value: String(t.byteLength) },
        ],
      });
      offset += t.byteLength;
    }
  } finally {
    closeSync(fd);
  }
  const bytes = onnx.ModelProto.encode(modelProto(graph, meta, tensors)).finish();
  writeFileSync(modelPath, bytes);
  return { modelPath, dataPath, modelBytes: bytes.byteLength, dataBytes: offset };
}
