import path from 'node:path';
import { loadCausalLM } from '../../src/causal-lm.js';
import {
  CudaUnavailableError,
  backendsReport,
  cudaAvailable,
  cudaInstallCommand,
  cudaLibrariesInstalled,
  nativeBinaryDir,
} from '../../src/runtime/backends.js';
import { goldenDir } from '../helpers/shared.js';

it('reports the CPU backend and how to get CUDA', async () => {
  const r = await backendsReport();
  expect(r.onnxruntimeNode).toBe('1.30.0');
  expect(r.supported.map((b) => b.name)).toContain('cpu');
  expect(r.cpu.available).toBe(true);
  expect(r.cuda.installCommand).toBe(cudaInstallCommand());
  expect(cudaInstallCommand()).toMatch(
    /^ONNXRUNTIME_NODE_INSTALL=1 node .*onnxruntime-node[\\/]script[\\/]install\.js$/,
  );
  expect(r.cuda.librariesInstalled).toBe(cudaLibrariesInstalled());
  if (!cudaLibrariesInstalled()) {
    expect(r.cuda.usable).toBe(false);
    expect(r.cuda.error).toBe(`CUDA EP libraries not found in ${nativeBinaryDir()}`);
    expect(await cudaAvailable()).toBe(false);
  }
});

it("device 'cuda' without the CUDA EP fails with one line saying how to install it", async () => {
  if (cudaLibrariesInstalled()) return; // a CUDA machine: nothing to check here
  const err = await loadCausalLM(goldenDir('tiny-llama'), {
    device: 'cuda',
    decoder: 'external-kv',
    weightsFrom: goldenDir('tiny-llama'),
  }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CudaUnavailableError);
  expect((err as Error).message).toBe(
    'CUDA execution provider unavailable (its libraries are not installed in onnxruntime-node); ' +
      `install it with \`exp setup --cuda\` (runs: ${cudaInstallCommand()}), or use device 'cpu'`,
  );
  expect((err as Error).message).not.toContain('\n');
  expect(path.isAbsolute(nativeBinaryDir())).toBe(true);
});
