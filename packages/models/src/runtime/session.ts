// onnxruntime session creation for a device, plus the I/O description the runtime reads from it.
import os from 'node:os';
import { CudaUnavailableError, cudaLibrariesInstalled } from './backends.js';
import { ort } from './ort.js';

export type Device = 'cpu' | 'cuda';

export interface SessionConfig {
  device?: Device;
  /** Intra-op threads (default: all cores). */
  threads?: number;
  /** CUDA device index (default 0). */
  deviceId?: number;
  /** onnxruntime log level: 0 verbose .. 4 fatal (default 3, errors only). */
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
  /** onnxruntime session config entries, e.g. { 'session.intra_op.allow_spinning': '0' }. */
  configEntries?: Record<string, string>;
  /**
   * onnxruntime graph optimizations (default 'all'). A float64 graph wants 'basic': the extended
   * level's MatMulScaleFusion folds a constant factor into FusedMatMul's float32 `alpha`
   * attribute, i.e. rounds it to float32 (DiffLlama's 1 - lambda_init, gradients' scales).
   */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * onnxruntime's memory pattern (default true): from the second run on, one block planned for
   * all intermediates. Training steps turn it off: that block came to 7 GB more than the first
   * run's peak at 375M parameters (a tiny real-vocabulary step: 1.88 GiB vs 1.10 GiB peak).
   */
  memPattern?: boolean;
  /**
   * onnxruntime's CPU memory arena (default true). Training steps turn it off: the arena keeps a
   * run's peak of intermediates after the run, beside the copies of the outputs the binding makes
   * at its end (at 375M parameters 2.8-5.8 GiB held over a step's 1.5 GB of gradients).
   */
  memArena?: boolean;
}

export type InferenceSession = ort.InferenceSession;
export type OrtTensor = ort.Tensor;

export function sessionOptions(cfg: SessionConfig): ort.InferenceSession.SessionOptions {
  const threads = cfg.threads ?? os.availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) {
    throw new Error(`threads must be a positive integer, got ${cfg.threads}`);
  }
  return {
    executionProviders:
      cfg.device === 'cuda' ? [{ name: 'cuda', deviceId: cfg.deviceId ?? 0 }, 'cpu'] : ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: cfg.optimization ?? 'all',
    ...(cfg.memPattern === false ? { enableMemPattern: false } : {}),
    ...(cfg.memArena === false ? { enableCpuMemArena: false } : {}),
    logSeverityLevel: cfg.logSeverityLevel ?? 3,
    ...(cfg.configEntries ? { extra: nest(cfg.configEntries) } : {}),
  };
}

/** 'a.b.c': v -> { a: { b: { c: v } } }, the shape onnxruntime-node flattens back. */
function nest(entries: Record<string, string>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entries)) {
    const parts = key.split('.');
    let node = root;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts.at(-1)!] = value;
  }
  return root;
}

/**
 * A float32 CPU tensor over `data` (no copy) as onnxruntime's own class: a preallocated output
 * of session.run must be one (plain { type, dims, data } objects are not taken as fetches).
 */
export function cpuTensor(data: Float32Array, dims: readonly number[]): OrtTensor {
  return new ort.Tensor('float32', data, [...dims]);
}

/** A session on the asked device; CUDA problems become one CudaUnavailableError line. */
export async function createSession(
  model: string | Uint8Array,
  cfg: SessionConfig = {},
): Promise<InferenceSession> {
  if (cfg.device === 'cuda' && !cudaLibrariesInstalled()) {
    throw new CudaUnavailableError('its libraries are not installed in onnxruntime-node');
  }
  try {
    return await ort.InferenceSession.create(model as string, sessionOptions(cfg));
  } catch (e) {
    const msg = (e as Error).message;
    if (cfg.device === 'cuda' && /cuda|providers_shared|libcu/i.test(msg)) {
      throw new CudaUnavailableError(msg.split('\n')[0]!);
    }
    const where = typeof model === 'string' ? model : 'in-memory model';
    throw new Error(`cannot load ${where}: ${msg.split('\n')[0]}`);
  }
}

/** Element type and shape of a session input/output, from its metadata. */
export interface TensorSpec {
  name: string;
  type: string;
  shape: (number | string)[];
}

export function describeIo(session: InferenceSession): {
  inputs: Map<string, TensorSpec>;
  outputs: Map<string, TensorSpec>;
} {
  const toMap = (meta: readonly ort.InferenceSession.ValueMetadata[]) =>
    new Map(
      meta.map((m) => [
        m.name,
        {
          name: m.name,
          type: m.isTensor ? m.type : 'non-tensor',
          shape: m.isTensor ? [...m.shape] : [],
        },
      ]),
    );
  return { inputs: toMap(session.inputMetadata), outputs: toMap(session.outputMetadata) };
}
