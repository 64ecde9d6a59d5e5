// Finite-difference harness: a tiny float64 graph, loss = sum(output * fixed random weights),
// analytic gradients from gradients() run in onnxruntime vs central differences of the loss.
import { createRng, type Rng } from '@exp/data';
import { createSession } from '@exp/models';
import {
  DataType,
  EXPORT_IR_VERSION,
  EXPORT_OPSET,
  GraphBuilder,
  Ops,
  encodeModel,
  type Dim,
  type Value,
} from '@exp/models/onnx';
import { gradients, type TypeInfo } from '../src/index.js';

type Session = Awaited<ReturnType<typeof createSession>>;
type Feeds = Parameters<Session['run']>[0];

/** A plain { type, dims, data } object: onnxruntime-node reads tensors by these fields. */
export interface HostTensor {
  type: 'float64' | 'float32' | 'int64';
  dims: readonly number[];
  data: Float64Array | Float32Array | BigInt64Array;
}

export function feeds(t: Record<string, HostTensor>): Feeds {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t)) out[k] = { ...v, dims: [...v.dims], location: 'cpu' };
  return out as Feeds;
}

export const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

export function randomDoubles(rng: Rng, dims: readonly number[], positive = false): Float64Array {
  return Float64Array.from({ length: size(dims) }, () =>
    positive ? 0.5 + rng.next() : 2 * rng.next() - 1,
  );
}

/** A session for `g`; float64 graphs without onnxruntime's extended fusions (they round scales to float32). */
export async function session(g: GraphBuilder): Promise<Session> {
  const meta = {
    irVersion: EXPORT_IR_VERSION,
    opsetImports: [{ domain: '', version: EXPORT_OPSET }],
    producerName: 'exp-train-test',
    producerVersion: '0',
  };
  const f64 = g.inputs.some((i) => i.dtype === DataType.DOUBLE);
  return createSession(encodeModel(g, meta), {
    threads: 1,
    ...(f64 ? { optimization: 'basic' } : {}),
  });
}

export interface OpCase {
  name: string;
  /** float64 inputs that get gradients: name -> dims. */
  inputs: Record<string, readonly number[]>;
  /** Draw the float inputs from [0.5, 1.5) (Sqrt, Log, denominators). */
  positive?: boolean;
  /** int64 inputs (indices), fed as given. */
  ints?: Record<string, { dims: readonly number[]; data: readonly number[] }>;
  /** Builds the op(s); `ty` declares an intermediate's float64 shape for the rules. */
  build(o: Ops, x: Record<string, Value>, ty: (v: Value, shape: readonly Dim[]) => Value): Value;
  /** Shape of the built output. */
  out: readonly number[];
  /** FD step (default 1e-5). */
  h?: number;
}

export interface FdResult {
  /** max over inputs and elements of |analytic - numeric| / max(|analytic|, |numeric|, 1e-3). */
  maxRelErr: number;
  analytic: Record<string, Float64Array>;
}

export async function checkGradients(c: OpCase, seed = c.name): Promise<FdResult> {
  const rng = createRng(seed);
  const g = new GraphBuilder('fd');
  const o = new Ops(g);
  const types = new Map<string, TypeInfo>();
  const ty = (v: Value, shape: readonly Dim[]) => {
    types.set(v.name, { dtype: DataType.DOUBLE, shape });
    return v;
  };
  const x: Record<string, Value> = {};
  const host: Record<string, HostTensor> = {};
  for (const [name, dims] of Object.entries(c.inputs)) {
    x[name] = g.input(name, DataType.DOUBLE, dims);
    host[name] = { type: 'float64', dims, data: randomDoubles(rng, dims, c.positive) };
  }
  for (const [name, t] of Object.entries(c.ints ?? {})) {
    x[name] = g.input(name, DataType.INT64, t.dims);
    host[name] = { type: 'int64', dims: t.dims, data: BigInt64Array.from(t.data.map(BigInt)) };
  }
  const y = ty(c.build(o, x, ty), c.out);
  const w = g.constant(DataType.DOUBLE, c.out, randomDoubles(rng, c.out), 'w');
  const loss = ty(g.node('ReduceSum', [ty(o.mul(y, w), c.out)], { keepdims: 0 })[0]!, []);
  const wrt = Object.keys(c.inputs);
  const grads = gradients(
    g,
    loss,
    wrt.map((n) => x[n]!),
    { types },
  );
  g.output(loss, 'loss', DataType.DOUBLE, []);
  grads.forEach((d, i) => g.output(d, `grad.${wrt[i]}`, DataType.DOUBLE, c.inputs[wrt[i]!]!));
  const s = await session(g);

  const res = await s.run(feeds(host));
  const lossAt = async (fs: Record<string, HostTensor>) =>
    Number((await s.run(feeds(fs), ['loss'])).loss!.data[0]);
  const h = c.h ?? 1e-5;
  let maxRelErr = 0;
  const analytic: Record<string, Float64Array> = {};
  for (const name of wrt) {
    const a = res[`grad.${name}`]!.data as Float64Array;
    analytic[name] = a;
    const base = host[name]!.data as Float64Array;
    for (let i = 0; i < base.length; i++) {
      const bump = (d: number) => {
        const data = base.slice();
        data[i]! += d;
        return lossAt({ ...host, [name]: { ...host[name]!, data } });
      };
      const numeric = ((await bump(h)) - (await bump(-h))) / (2 * h);
      const err = Math.abs(a[i]! - numeric) / Math.max(Math.abs(a[i]!), Math.abs(numeric), 1e-3);
      maxRelErr = Math.max(maxRelErr, err);
    }
  }
  await s.release();
  return { maxRelErr, analytic };
}
