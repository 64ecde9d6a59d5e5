// @exp/models/onnx: the ONNX graph IR for those who build or edit graphs (@exp/train's gradient
// graphs, custom exports): the builder and its ops, dtypes, retyping, protobuf serialisation, the
// decoder graph of a checkpoint, and the opset and IR version exports use.
export { DataType } from './onnx/dtype.js';
export {
  GraphBuilder,
  GraphError,
  type Value,
  type Dim,
  type AttrValue,
  type NodeDef,
  type InitializerDef,
  type ValueInfo,
  type TensorType,
} from './onnx/graph.js';
export { retypeGraph, type RetypeOptions } from './onnx/retype.js';
export { Ops, type FloatType } from './onnx/ops.js';
export {
  encodeModel,
  decodeModel,
  writeModel,
  type ModelMeta,
  type WriteModelOptions,
  type WrittenModel,
} from './onnx/serialize.js';
export { buildDecoderGraph, type DecoderExportOptions, type ExportDtype } from './arch/decoder.js';
export type { KvCacheMode } from './arch/layers.js';
export { EXPORT_OPSET, EXPORT_IR_VERSION } from './export.js';
