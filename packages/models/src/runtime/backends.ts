// Which execution providers this install can use, for `exp doctor` and for clear errors.
import { ExpError } from '@exp/data';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { ort, onnxruntimeNodeDir } from './ort.js';

/** Native libraries the CUDA EP needs next to onnxruntime_binding.node (from NuGet). */
export const CUDA_PROVIDER_LIBRARIES = [
  'libonnxruntime_providers_shared.so',
  'libonnxruntime_providers_cuda.so',
] as const;

/** Where onnxruntime-node keeps its native binaries for this platform. */
export function nativeBinaryDir(): string {
  return path.join(onnxruntimeNodeDir(), 'bin', 'napi-v6', process.platform, process.arch);
}

/**
 * The command that downloads the CUDA EP into onnxruntime-node (the package's own install
 * script; `exp setup --cuda` runs it). Needs network access to api.nuget.org, and at run time
 * CUDA 12 + cuDNN 9 libraries on the library path.
 */
export function cudaInstallCommand(): string {
  return `ONNXRUNTIME_NODE_INSTALL=1 node ${path.join(onnxruntimeNodeDir(), 'script', 'install.js')}`;
}

/**
 * Runs the install script of {@link cudaInstallCommand} (pnpm skips it, see pnpm-workspace.yaml):
 * its stdout goes to the terminal, its stderr is returned with the exit code.
 */
export function installCudaProvider(): { status: number; stderr: string; error?: Error } {
  const dir = onnxruntimeNodeDir();
  // stdout (download progress) shown; stderr kept, so a failure can be told in one line
  const r = spawnSync(process.execPath, [path.join(dir, 'script', 'install.js')], {
    cwd: dir,
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: '1' },
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
  });
  return { status: r.status ?? 1, stderr: r.stderr ?? '', ...(r.error ? { error: r.error } : {}) };
}

export class CudaUnavailableError extends ExpError {
  constructor(reason: string) {
    super(
      `CUDA execution provider unavailable (${reason}); install it with \`exp setup --cuda\` ` +
        `(runs: ${cudaInstallCommand()}), or use device 'cpu'`,
    );
    this.name = 'CudaUnavailableError';
  }
}

export function cudaLibrariesInstalled(): boolean {
  if (process.platform !== 'linux' && process.platform !== 'win32') return false;
  const dir = nativeBinaryDir();
  const libs =
    process.platform === 'win32'
      ? ['onnxruntime_providers_shared.dll', 'onnxruntime_providers_cuda.dll']
      : CUDA_PROVIDER_LIBRARIES;
  return libs.every((f) => existsSync(path.join(dir, f)));
}

/** A one-node model (Identity on float32 [1]) to try an execution provider with. */
function probeModel(): Uint8Array {
  const { onnx } = onnxProto;
  const io = (name: string) =>
    onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType: onnx.TensorProto.DataType.FLOAT,
          shape: { dim: [{ dimValue: 1 }] },
        },
      },
    });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'probe',
      node: [{ opType: 'Identity', input: ['x'], output: ['y'], name: 'identity' }],
      input: [io('x')],
      output: [io('y')],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

let cudaProbe: Promise<{ ok: boolean; error?: string }> | null = null;

/** Creates a session on the CUDA EP once (cached): true when that works on this machine. */
export async function probeCuda(): Promise<{ ok: boolean; error?: string }> {
  if (!cudaLibrariesInstalled()) {
    return { ok: false, error: `CUDA EP libraries not found in ${nativeBinaryDir()}` };
  }
  cudaProbe ??= ort.InferenceSession.create(probeModel(), { executionProviders: ['cuda'] }).then(
    async (s) => {
      await s.release();
      return { ok: true };
    },
    (e: unknown) => ({ ok: false, error: (e as Error).message.split('\n')[0] }),
  );
  return cudaProbe;
}

/** True when sessions can run on the CUDA EP here. */
export async function cudaAvailable(): Promise<boolean> {
  return (await probeCuda()).ok;
}

export interface BackendsReport {
  onnxruntimeNode: string;
  nativeDir: string;
  /** As onnxruntime-node lists them (bundled = shipped in the npm package). */
  supported: { name: string; bundled: boolean }[];
  cpu: { available: true; cores: number };
  cuda: {
    librariesInstalled: boolean;
    usable: boolean;
    error?: string;
    installCommand: string;
  };
}

/** Everything `exp doctor` prints about inference backends. */
export async function backendsReport(): Promise<BackendsReport> {
  const cuda = await probeCuda();
  return {
    onnxruntimeNode: ort.env.versions.node ?? 'unknown',
    nativeDir: nativeBinaryDir(),
    supported: ort.listSupportedBackends().map((b) => ({ name: b.name, bundled: b.bundled })),
    cpu: { available: true, cores: os.availableParallelism() },
    cuda: {
      librariesInstalled: cudaLibrariesInstalled(),
      usable: cuda.ok,
      ...(cuda.error ? { error: cuda.error } : {}),
      installCommand: cudaInstallCommand(),
    },
  };
}
