// A graph's float computation in another float type: the same nodes replayed into a new builder
// with every float32 input, output, initializer and Cast target in float64 (or back); constants
// written from numbers (Ops.float) take those numbers unrounded, weights their float32 values. The
// maintainers' reference checks run the very graph they ship in float64, where float32 rounding
// would hide a wrong gradient below 1e-4 relative (golden README, section 6). Run the copy with
// createSession's `optimization: 'basic'`: onnxruntime's extended fusions round scale constants
// to float32 (SessionConfig.optimization).
import { DataType } from './dtype.js';
import { GraphBuilder, GraphError, type Value } from './graph.js';

export interface RetypeOptions {
  from?: DataType;
  to?: DataType;
}

function convert(bytes: Uint8Array, from: DataType, to: DataType): Uint8Array {
  const src =
    from === DataType.DOUBLE
      ? new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
      : new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const dst = to === DataType.DOUBLE ? Float64Array.from(src) : Float32Array.from(src);
  return new Uint8Array(dst.buffer);
}

/**
 * A copy of `g` computing in `to` (default float64) where it computed in `from` (default float32).
 * Type inference runs again on every node, so a node whose inputs no longer agree is a
 * GraphError here rather than at session creation. Only float32 <-> float64 is supported.
 */
export function retypeGraph(g: GraphBuilder, opts: RetypeOptions = {}): GraphBuilder {
  const from = opts.from ?? DataType.FLOAT;
  const to = opts.to ?? DataType.DOUBLE;
  const floats: DataType[] = [DataType.FLOAT, DataType.DOUBLE];
  if (!floats.includes(from) || !floats.includes(to)) {
    throw new GraphError('retypeGraph: only float32 <-> float64 is supported');
  }
  const t = (d: DataType) => (d === from ? to : d);
  const out = new GraphBuilder(g.name);
  for (const [name, expr] of g.dims.definitions()) out.defineDim(name, expr);
  for (const i of g.inputs) out.input(i.name, t(i.dtype), i.shape);
  for (const init of g.initializers) {
    let load = () => init.load();
    if (init.dtype === from) {
      const exact = to === DataType.DOUBLE ? init.exact : undefined;
      load = exact
        ? () => new Uint8Array(Float64Array.from(exact).buffer)
        : () => convert(init.load(), from, to);
    }
    out.lazyInitializer(init.name, t(init.dtype), init.dims, load);
  }
  const v = (name: string): Value | '' => (name === '' ? '' : { name });
  for (const n of g.nodes) {
    const attrs = { ...n.attrs };
    if (n.opType === 'Cast' && attrs.to === from) attrs.to = to;
    if (n.opType === 'ConstantOfShape' && attrs.value === undefined && from === DataType.FLOAT) {
      // its default output is float32 zeros (a tensor attribute the IR cannot hold): cast them
      const [zeros] = out.node('ConstantOfShape', n.inputs.map(v), attrs, { domain: n.domain });
      out.node('Cast', [zeros!], { to }, { outputs: n.outputs, name: n.name });
      continue;
    }
    out.node(n.opType, n.inputs.map(v), attrs, {
      outputs: n.outputs,
      name: n.name,
      domain: n.domain,
    });
  }
  for (const o of g.outputs) out.output({ name: o.name }, o.name, t(o.dtype), o.shape);
  for (const vi of g.valueInfos) out.annotate({ name: vi.name }, t(vi.dtype), vi.shape);
  return out;
}
