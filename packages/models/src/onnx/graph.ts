// A small typed ONNX graph IR: inputs, outputs, initializers (eager or lazily loaded bytes) and
// nodes, with unique names generated from a scope stack. serialize.ts turns it into a ModelProto.
// It stays plain data so other code (e.g. autodiff for training) can walk `nodes`. typeOf() gives
// each value's element type and shape (symbolic dims allowed), inferred as nodes are added
// (infer.ts); inference only records, it never changes the nodes or what is serialized.
import { DimAlgebra } from './dims.js';
import { DATA_TYPE_BYTES, DataType } from './dtype.js';
import { GraphError } from './errors.js';
import { inferNode } from './infer.js';

/** A handle to a tensor in the graph (graph input, initializer or node output). */
export interface Value {
  readonly name: string;
}

/** A dimension: a fixed size or a symbolic name such as 'batch_size'. */
export type Dim = number | string;

/** Attribute values: numbers are INT(S); wrap floats with `{ f }` / `{ floats }`. */
export type AttrValue =
  number | number[] | string | { readonly f: number } | { readonly floats: readonly number[] };

export interface NodeDef {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
}

export interface ValueInfo {
  readonly name: string;
  readonly dtype: DataType;
  readonly shape: readonly Dim[];
}

/** Initializer bytes (little-endian), held now or produced on demand when the model is written. */
export interface InitializerDef {
  readonly name: string;
  readonly dtype: DataType;
  readonly dims: readonly number[];
  readonly byteLength: number;
  /** Returns the bytes; called once per serialisation, so a lazy source is read only then. */
  readonly load: () => Uint8Array;
  /**
   * The numbers a float constant was written from (its bytes are their rounding): a float64
   * replay of the graph (retypeGraph) uses these rather than the rounded bytes.
   */
  readonly exact?: readonly number[];
}

export { GraphError };

/** Element type and shape of a value, as type inference knows it. */
export interface TensorType {
  readonly dtype: DataType;
  readonly shape: readonly Dim[];
}

export interface NodeOptions {
  /** Number of outputs (default 1) or explicit output names. */
  outputs?: number | readonly string[];
  domain?: string;
  /** Node name; generated from the scope when omitted. */
  name?: string;
}

function byteLengthOf(dtype: DataType, dims: readonly number[]): number {
  const n = dims.reduce((a, b) => a * b, 1);
  return n * DATA_TYPE_BYTES[dtype];
}

export class GraphBuilder {
  readonly name: string;
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  readonly nodes: NodeDef[] = [];
  readonly initializers: InitializerDef[] = [];
  /** Optional type/shape annotations for intermediate values. */
  readonly valueInfos: ValueInfo[] = [];
  private readonly used = new Set<string>();
  private readonly scopes: string[] = [];
  private readonly constCache = new Map<string, Value>();
  /** Renames done by output(): old value name -> new name. */
  private readonly aliases = new Map<string, string>();
  private counter = 0;
  /** Inferred types by value name (kept apart from valueInfos, which are serialized). */
  private readonly types = new Map<string, TensorType>();
  /** Element values of small int64 tensors known at build time (constants, shapes), maybe symbolic. */
  private readonly known = new Map<string, readonly Dim[]>();
  /** Symbolic dim arithmetic and the aliases declared with defineDim. */
  readonly dims = new DimAlgebra();

  constructor(name = 'main') {
    this.name = name;
  }

  private claim(name: string): string {
    if (this.used.has(name)) throw new GraphError(`duplicate value name '${name}'`);
    this.used.add(name);
    return name;
  }

  private fresh(base: string): string {
    const prefix = this.scopes.length ? `/${this.scopes.join('/')}/` : '/';
    let name: string;
    do name = `${prefix}${base}_${this.counter++}`;
    while (this.used.has(name));
    return name;
  }

  /** Runs `fn` with `scope` appended to generated names (e.g. '/model/layers.0/attn/MatMul_12'). */
  scope<T>(scope: string, fn: () => T): T {
    this.scopes.push(scope);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  input(name: string, dtype: DataType, shape: readonly Dim[]): Value {
    this.inputs.push({ name: this.claim(name), dtype, shape: [...shape] });
    this.setType(name, dtype, shape);
    return { name };
  }

  /**
   * Marks `value` as graph output `name`. A node output is renamed in place (its consumers
   * follow, and later uses of the old handle resolve to the new name): an Identity before an
   * output costs onnxruntime a full copy per run, e.g. of every KV-cache tensor each decode step.
   * Graph inputs, initializers and values already output under another name get an Identity.
   */
  output(value: Value, name: string, dtype: DataType, shape: readonly Dim[]): void {
    const current = this.resolve(value.name);
    let outName = current;
    if (current !== name) {
      const producer = this.nodes.findIndex((n) => n.outputs.includes(current));
      const isOutput = this.outputs.some((o) => o.name === current);
      if (producer >= 0 && !isOutput) {
        this.claim(name);
        this.aliases.set(current, name);
        this.moveInferred(current, name);
        const swap = (n: string) => (n === current ? name : n);
        for (let i = 0; i < this.nodes.length; i++) {
          const n = this.nodes[i]!;
          if (n.inputs.includes(current) || n.outputs.includes(current)) {
            this.nodes[i] = { ...n, inputs: n.inputs.map(swap), outputs: n.outputs.map(swap) };
          }
        }
        for (let i = 0; i < this.valueInfos.length; i++) {
          const v = this.valueInfos[i]!;
          if (v.name === current) this.valueInfos[i] = { ...v, name };
        }
      } else {
        this.node('Identity', [{ name: current }], {}, { outputs: [name] });
      }
      outName = name;
    }
    this.outputs.push({ name: outName, dtype, shape: [...shape] });
  }

  private moveInferred(from: string, to: string): void {
    const t = this.types.get(from);
    if (t) this.types.set(to, t);
    const k = this.known.get(from);
    if (k) this.known.set(to, k);
    this.types.delete(from);
    this.known.delete(from);
  }

  /**
   * Element type and shape of a graph input, initializer or node output; undefined when inference
   * could not tell (an op it does not know, data-dependent shapes, dims it cannot relate).
   */
  typeOf(v: Value | string): TensorType | undefined {
    return this.types.get(this.resolve(typeof v === 'string' ? v : v.name));
  }

  /** Records the type of a value (used by inference; dims are kept in canonical form). */
  setType(name: string, dtype: DataType, shape: readonly Dim[]): void {
    const dims = shape.map((d) => this.dims.normalize(d));
    this.types.set(this.resolve(name), { dtype, shape: dims });
  }

  /**
   * Declares a symbolic dim equal to an expression of others (e.g. total_sequence_length =
   * past_sequence_length + sequence_length), so inference can relate them. Emits nothing.
   */
  defineDim(name: string, expr: Dim): void {
    this.dims.define(name, expr);
  }

  /** Build-time element values of a small int64 tensor (for Reshape/Slice/... inputs). */
  knownValues(v: Value | string): readonly Dim[] | undefined {
    return this.known.get(this.resolve(typeof v === 'string' ? v : v.name));
  }

  setKnownValues(name: string, values: readonly Dim[]): void {
    this.known.set(
      this.resolve(name),
      values.map((d) => this.dims.normalize(d)),
    );
  }

  /** The current name of a value (node outputs renamed by output() resolve to their new name). */
  private resolve(name: string): string {
    let n = name;
    for (let next = this.aliases.get(n); next !== undefined; next = this.aliases.get(n)) n = next;
    return n;
  }

  /** Adds a type/shape annotation for an intermediate value (helps tools and debugging). */
  annotate(value: Value, dtype: DataType, shape: readonly Dim[]): void {
    this.valueInfos.push({ name: this.resolve(value.name), dtype, shape: [...shape] });
  }

  /** An initializer from bytes in hand. */
  initializer(name: string, dtype: DataType, dims: readonly number[], data: Uint8Array): Value {
    const byteLength = byteLengthOf(dtype, dims);
    if (data.byteLength !== byteLength) {
      throw new GraphError(
        `initializer '${name}': ${data.byteLength} bytes given, dims [${dims.join(', ')}] need ${byteLength}`,
      );
    }
    return this.lazyInitializer(name, dtype, dims, () => data);
  }

  /** An initializer whose bytes are produced by `load` only when the model is written. */
  lazyInitializer(
    name: string,
    dtype: DataType,
    dims: readonly number[],
    load: () => Uint8Array,
  ): Value {
    const byteLength = byteLengthOf(dtype, dims);
    const checked = () => {
      const bytes = load();
      if (bytes.byteLength !== byteLength) {
        throw new GraphError(
          `initializer '${name}': loader gave ${bytes.byteLength} bytes, dims [${dims.join(', ')}] need ${byteLength}`,
        );
      }
      return bytes;
    };
    this.initializers.push({
      name: this.claim(name),
      dtype,
      dims: [...dims],
      byteLength,
      load: checked,
    });
    this.setType(name, dtype, dims);
    return { name };
  }

  /**
   * A constant initializer from typed values, deduplicated by content so shapes and axes used in
   * many places are stored once. `exact`: the numbers a float constant's bytes round (kept for
   * retypeGraph; constants of the same bytes but other numbers stay apart).
   */
  constant(
    dtype: DataType,
    dims: readonly number[],
    data: ArrayBufferView,
    hint = 'const',
    exact?: readonly number[],
  ): Value {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    const exactKey = exact ? `|${exact.join(',')}` : '';
    const key = `${dtype}|${dims.join(',')}|${Buffer.from(bytes).toString('base64')}${exactKey}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const v = this.initializer(this.fresh(hint), dtype, dims, bytes);
    if (exact) {
      const i = this.initializers.length - 1;
      this.initializers[i] = { ...this.initializers[i]!, exact: [...exact] };
    }
    if (dtype === DataType.INT64 && data instanceof BigInt64Array && data.length <= 64) {
      this.setKnownValues(v.name, Array.from(data, Number));
    }
    this.constCache.set(key, v);
    return v;
  }

  /** Adds a node; returns its outputs. Empty-string inputs stand for omitted optional inputs. */
  node(
    opType: string,
    inputs: readonly (Value | '')[],
    attrs: Record<string, AttrValue> = {},
    opts: NodeOptions = {},
  ): Value[] {
    const outNames =
      typeof opts.outputs === 'object'
        ? opts.outputs.map((n) => this.claim(n))
        : Array.from({ length: opts.outputs ?? 1 }, () => this.claim(this.fresh(opType)));
    const name = opts.name ?? this.fresh(`${opType}_node`);
    for (const [k, v] of Object.entries(attrs)) {
      if (typeof v === 'number' && !Number.isInteger(v)) {
        throw new GraphError(`${opType} attribute '${k}': ${v} is not an integer (use { f })`);
      }
    }
    const node: NodeDef = {
      name,
      opType,
      domain: opts.domain ?? '',
      inputs: inputs.map((i) => (i === '' ? '' : this.resolve(i.name))),
      outputs: outNames,
      attrs: { ...attrs },
    };
    // before the push, so a node whose inputs cannot be combined (GraphError) is not added
    inferNode(this, node);
    this.nodes.push(node);
    return outNames.map((n) => ({ name: n }));
  }

  /** Total bytes of all initializers. */
  get initializerBytes(): number {
    return this.initializers.reduce((a, t) => a + t.byteLength, 0);
  }
}
