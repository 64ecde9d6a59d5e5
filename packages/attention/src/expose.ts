// exposeAttention: makes the post-softmax attention maps of a decoder ONNX graph it did not
// build (e.g. a PyTorch export) graph outputs `attentions.{i}`, so CausalLM.forward and
// forEachLayerAttention read them like maps of an export made with attentions.
//
// The rule: a node is layer i's attention softmax when
//   1. it is a Softmax (default domain) over the last axis,
//   2. its input comes, through elementwise ops only (scale, mask add, casts, soft-capping), from
//      a MatMul (or com.microsoft FusedMatMul) whose two inputs both depend on graph inputs: the
//      product of two activations, Q K^T, not a projection by a weight;
// and the found nodes form one chain (each depends on the one before), which orders them by
// layer. When the graph has present.{i}.key outputs their count must match.
import { ExpError } from '@exp/data';
import {
  copyFileSync,
  existsSync,
  linkSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type Graph = onnxProto.onnx.IGraphProto;
type Node = onnxProto.onnx.INodeProto;
type Tensor = onnxProto.onnx.ITensorProto;

export class ExposeError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'ExposeError';
  }
}

export interface ExposeOptions {
  /** Expected number of decoder layers (default: the count of present.{i}.key outputs, if any). */
  layers?: number;
}

export interface ExposedAttention {
  /** The added graph outputs, in layer order: attentions.0, attentions.1, ... */
  outputs: string[];
  /** The Softmax node (or its output's name when the node has none) behind each output. */
  softmaxNodes: string[];
  /** External data files referenced by the model, linked or copied beside onnxOut. */
  externalData: string[];
}

/** Ops that may sit between Q K^T and the softmax (scaling, masking, casts, soft-capping). */
const ELEMENTWISE = new Set([
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Where',
  'Cast',
  'Identity',
  'Tanh',
  'Max',
  'Min',
  'Clip',
]);
/** How many such ops the walk back from a softmax crosses at most. */
const MAX_HOPS = 8;
const FUSED_ATTENTION = [
  'Attention',
  'MultiHeadAttention',
  'GroupQueryAttention',
  'PackedAttention',
];
const PRESENT_KEY = /^present[._](\d+)[._]key$/;

const isDefaultDomain = (n: Node) => !n.domain || n.domain === 'ai.onnx';
const intAttr = (n: Node, name: string) => {
  const a = n.attribute?.find((x) => x.name === name);
  return a?.i === undefined || a.i === null ? undefined : Number(a.i);
};

/** Names of the values that depend on a graph input (not on weights and constants alone). */
function dynamicValues(g: Graph): Set<string> {
  const weights = new Set((g.initializer ?? []).map((t) => t.name!));
  const dynamic = new Set((g.input ?? []).map((v) => v.name!).filter((n) => !weights.has(n)));
  // ONNX requires nodes in topological order, so one pass suffices
  for (const n of g.node ?? []) {
    if ((n.input ?? []).some((i) => dynamic.has(i))) for (const o of n.output ?? []) dynamic.add(o);
  }
  return dynamic;
}

/** Element type of a value: declared, or carried along from the op's inputs (what it needs here). */
function elemTypeResolver(g: Graph): (v: string) => number | undefined {
  const known = new Map<string, number>();
  for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])]) {
    const t = v.type?.tensorType?.elemType;
    if (t) known.set(v.name!, t);
  }
  for (const t of g.initializer ?? []) known.set(t.name!, t.dataType!);
  const producer = producers(g);
  // a loop, not recursion: the chain back to a typed value can cross every layer
  return (v) => {
    const chain: string[] = [];
    let t: number | undefined;
    for (let cur: string | undefined = v; cur !== undefined && t === undefined;) {
      t = known.get(cur);
      const p = producer.get(cur);
      if (t !== undefined || !p) break;
      chain.push(cur);
      if (p.opType === 'Cast') t = intAttr(p, 'to');
      else if (p.opType === 'Constant')
        t = p.attribute?.find((a) => a.name === 'value')?.t?.dataType ?? undefined;
      else if (p.opType === 'Shape' || p.opType === 'Size') t = onnx.TensorProto.DataType.INT64;
      else cur = p.opType === 'Where' ? p.input?.[1] : p.input?.[0];
    }
    if (t) for (const c of chain) known.set(c, t);
    return t || undefined;
  };
}

function producers(g: Graph): Map<string, Node> {
  const m = new Map<string, Node>();
  for (const n of g.node ?? []) for (const o of n.output ?? []) m.set(o, n);
  return m;
}

/** The attention softmax nodes of `g` in graph (topological) order, per the rule above. */
export function findAttentionSoftmax(g: Graph, opset: number): Node[] {
  const producer = producers(g);
  const dynamic = dynamicValues(g);
  const fromScores = (v: string, hops: number): boolean => {
    const p = producer.get(v);
    if (!p) return false;
    const matmul =
      p.opType === 'MatMul' || (p.opType === 'FusedMatMul' && p.domain === 'com.microsoft');
    if (matmul) return (p.input ?? []).slice(0, 2).every((i) => dynamic.has(i));
    if (!isDefaultDomain(p) || !ELEMENTWISE.has(p.opType!) || hops >= MAX_HOPS) return false;
    return (p.input ?? []).some((i) => i && fromScores(i, hops + 1));
  };
  // Softmax before opset 13 flattens from `axis` (default 1); -1 is the last axis in every opset
  const defaultAxis = opset >= 13 ? -1 : 1;
  return (g.node ?? []).filter(
    (n) =>
      n.opType === 'Softmax' &&
      isDefaultDomain(n) &&
      (intAttr(n, 'axis') ?? defaultAxis) === -1 &&
      fromScores(n.input![0]!, 0),
  );
}

/** The first i such that found[i + 1] is not computed from found[i] (forward walk), or -1. */
function brokenChain(g: Graph, found: Node[]): number {
  const consumers = new Map<string, Node[]>();
  for (const n of g.node ?? []) {
    for (const i of n.input ?? []) {
      const list = consumers.get(i);
      if (list) list.push(n);
      else consumers.set(i, [n]);
    }
  }
  const reaches = (from: string, to: string) => {
    const seen = new Set([from]);
    const stack = [from];
    while (stack.length) {
      for (const n of consumers.get(stack.pop()!) ?? []) {
        for (const o of n.output ?? []) {
          if (o === to) return true;
          if (!seen.has(o)) {
            seen.add(o);
            stack.push(o);
          }
        }
      }
    }
    return false;
  };
  return found.findIndex(
    (n, i) => i + 1 < found.length && !reaches(n.output![0]!, found[i + 1]!.output![0]!),
  );
}

/** External data locations of the graph's tensors (initializers and Constant nodes, subgraphs too). */
function externalLocations(g: Graph, out = new Set<string>()): Set<string> {
  const visit = (t: Tensor | null | undefined) => {
    if (t?.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) return;
    const loc = t.externalData?.find((e) => e.key === 'location')?.value;
    if (loc) out.add(loc);
  };
  for (const t of g.initializer ?? []) visit(t);
  for (const n of g.node ?? []) {
    for (const a of n.attribute ?? []) {
      visit(a.t);
      for (const t of a.tensors ?? []) visit(t);
      if (a.g) externalLocations(a.g, out);
      for (const s of a.graphs ?? []) externalLocations(s, out);
    }
  }
  return out;
}

/** Makes `target` hold `source`'s bytes: a hard link (large weight files, instant), else a copy. */
function placeFile(source: string, target: string) {
  if (!existsSync(source)) throw new ExposeError(`${source}: external data file is missing`);
  if (existsSync(target)) {
    const [a, b] = [statSync(source), statSync(target)];
    if (a.ino === b.ino && a.dev === b.dev) return; // the same file (same folder, or linked before)
    unlinkSync(target);
  }
  try {
    linkSync(source, target);
  } catch {
    copyFileSync(source, target); // another filesystem
  }
}

/**
 * Writes `onnxOut`: `onnxIn` with each layer's attention Softmax output also as graph output
 * `attentions.{i}`. External data files the model references are linked (or copied) beside
 * onnxOut under the same relative names.
 */
export function exposeAttention(
  onnxIn: string,
  onnxOut: string,
  opts: ExposeOptions = {},
): ExposedAttention {
  if (path.resolve(onnxIn) === path.resolve(onnxOut)) {
    throw new ExposeError(`${onnxOut}: the output must be another file than the input`);
  }
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(readFileSync(onnxIn));
  } catch (e) {
    throw new ExposeError(`${onnxIn}: not an ONNX model (${(e as Error).message.split('\n')[0]})`);
  }
  if (opts.layers !== undefined && !(Number.isInteger(opts.layers) && opts.layers > 0)) {
    throw new ExposeError(`layers must be a positive integer, got ${opts.layers}`);
  }
  if (!model.graph?.node?.length) throw new ExposeError(`${onnxIn}: the model has no graph nodes`);
  // decoded messages carry every repeated field as an array
  const g = model.graph as onnxProto.onnx.GraphProto;
  if (g.output.some((o) => o.name!.startsWith('attentions.'))) {
    throw new ExposeError(
      `${onnxIn}: the graph already has attention outputs (${g.output.find((o) => o.name!.startsWith('attentions.'))!.name})`,
    );
  }
  const opset = Number(
    model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 0,
  );
  const found = findAttentionSoftmax(g, opset);
  if (found.length === 0) {
    const fused = g.node.find(
      (n) => FUSED_ATTENTION.includes(n.opType!) && n.domain === 'com.microsoft',
    );
    throw new ExposeError(
      `${onnxIn}: no attention Softmax found (a last-axis Softmax of a MatMul of two activations, Q K^T)` +
        (fused ? `; its fused ${fused.opType} node keeps the maps inside` : ''),
    );
  }
  const presents = g.output.filter((o) => PRESENT_KEY.test(o.name!)).length;
  const layers = opts.layers ?? (presents || undefined);
  if (layers !== undefined && found.length !== layers) {
    const why = opts.layers !== undefined ? 'layers option' : 'present.{i}.key outputs';
    throw new ExposeError(
      `${onnxIn}: found ${found.length} attention Softmax nodes but the model has ${layers} layers (${why})`,
    );
  }
  const broken = brokenChain(g, found);
  if (broken >= 0) {
    const label = (n: Node) => n.name || n.output![0];
    throw new ExposeError(
      `${onnxIn}: attention Softmax nodes ${label(found[broken]!)} and ${label(found[broken + 1]!)} ` +
        'are not one after the other (more than one per layer?)',
    );
  }
  const elemType = elemTypeResolver(g);
  const taken = new Set(g.node.flatMap((n) => n.output ?? []));
  const outputs = found.map((n, i) => {
    const name = `attentions.${i}`;
    if (taken.has(name)) throw new ExposeError(`${onnxIn}: a value is already named ${name}`);
    const source = n.output![0]!;
    const t = elemType(source);
    if (!t) throw new ExposeError(`${onnxIn}: cannot tell the element type of ${source}`);
    // a graph output is a value name, so an Identity gives the map its public name
    g.node.push(
      onnx.NodeProto.create({
        name: `expose_${name}`,
        opType: 'Identity',
        input: [source],
        output: [name],
      }),
    );
    g.output.push(onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: t } } }));
    return name;
  });
  const externalData = [...externalLocations(g)];
  for (const loc of externalData) {
    placeFile(path.resolve(path.dirname(onnxIn), loc), path.resolve(path.dirname(onnxOut), loc));
  }
  writeFileSync(onnxOut, onnx.ModelProto.encode(model).finish());
  return { outputs, softmaxNodes: found.map((n) => n.name || n.output![0]!), externalData };
}
