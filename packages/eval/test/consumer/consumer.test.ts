// The consumer-project test: @exp/eval as another project gets it. Its workspace packages are
// packed with `pnpm pack` (which rewrites workspace:* to versions), installed from the tarballs
// into a scratch project outside the workspace, type-checked as a strict ESM/NodeNext consumer
// against the shipped .d.ts files, and run. It proves what a workspace test cannot: that the
// tarballs carry everything needed (dist, types, dependencies declared), and nothing resolves
// through the monorepo.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  dependencies?: Record<string, string>;
}

function manifest(dir: string): Manifest {
  return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Workspace package folders by package name. */
function workspacePackages(): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(path.join(ROOT, 'packages'))) {
    const dir = path.join(ROOT, 'packages', entry);
    if (existsSync(path.join(dir, 'package.json'))) out.set(manifest(dir).name, dir);
  }
  return out;
}

/** `name` and the workspace packages it depends on, transitively (what must be packed). */
function workspaceClosure(name: string, packages: Map<string, string>): string[] {
  const seen = new Set<string>();
  const visit = (n: string): void => {
    if (seen.has(n)) return;
    const dir = packages.get(n);
    if (!dir) throw new Error(`${n}: not a workspace package`);
    seen.add(n);
    for (const [dep, spec] of Object.entries(manifest(dir).dependencies ?? {})) {
      if (spec.startsWith('workspace:')) visit(dep);
    }
  };
  visit(name);
  return [...seen].sort();
}

/**
 * The environment for the child package manager: none of the npm_* / pnpm_* settings of the
 * `pnpm test` that runs us (they name this workspace), no jest NODE_OPTIONS, and onnxruntime-node's
 * install script told not to fetch the CUDA provider from NuGet (it fails offline; CPU is bundled).
 */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(npm|pnpm)_/i.test(k) && k !== 'NODE_OPTIONS' && k !== 'INIT_CWD') env[k] = v;
  }
  env.ONNXRUNTIME_NODE_INSTALL = 'skip';
  return env;
}

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, env: childEnv(), encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`,
    );
  }
  return r.stdout;
}

const pnpmProbe = spawnSync('pnpm', ['--version'], { encoding: 'utf8', env: childEnv() });
const pnpmMissing =
  pnpmProbe.error || pnpmProbe.status !== 0
    ? `pnpm is not available (${pnpmProbe.error?.message ?? pnpmProbe.stderr.trim()})`
    : null;
// Skipping is for a developer machine without pnpm only; CI installs with pnpm, so there a
// missing pnpm is a failure, never a silent pass.
const skip = pnpmMissing !== null && !process.env.CI;
if (skip) console.warn(`consumer-project test skipped: ${pnpmMissing}`);

/** The consumer: strict ESM TypeScript using the public API only. */
const CONSUMER_TS = `import { getExtractor, runEvaluation } from '@exp/eval';
import type { Extractor, ResultRow, SampleRecord } from '@exp/eval';

const strict: Extractor = getExtractor('strict');
const answer: string | null = strict.extract('She sells 16 - 3 - 4 = 9 eggs a day.\\n#### 42');
const row: Pick<ResultRow, 'model' | 'dataset' | 'accuracy'> = {
  model: 'llama',
  dataset: 'clean',
  accuracy: 0.5,
};
const id: SampleRecord['id'] = 'gsm8k-test-0';
console.log(
  JSON.stringify({
    runEvaluation: typeof runEvaluation,
    answer,
    correct: strict.isCorrect(answer, '42'),
    row,
    id,
  }),
);
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    types: ['node'],
    outDir: 'out',
    // Declaration files are checked too, so that errors in the .d.ts files we ship show up;
    // typeErrors() then keeps ours (see there).
    skipLibCheck: false,
  },
  include: ['consumer.ts'],
};

/**
 * Type errors of the consumer build that are ours: in consumer.ts or in the .d.ts files of our
 * packages. Errors inside third-party declaration files are left out: onnx-proto's d.ts (which
 * @exp/models' types reach) uses a global `Long` that only protobufjs' own build declares, so it
 * fails under skipLibCheck false in any project; with the usual skipLibCheck true (tsc --init's
 * default, and this workspace's) nobody sees it. tsc emits despite type errors, so the run
 * below still has its JavaScript.
 */
function typeErrors(project: string): string[] {
  const r = spawnSync(
    process.execPath,
    [path.join('node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'],
    {
      cwd: project,
      env: childEnv(),
      encoding: 'utf8',
    },
  );
  if (r.error) throw r.error;
  const errors = r.stdout.split('\n').filter((l) => /^\S.*\(\d+,\d+\): error /.test(l));
  if (r.status !== 0 && errors.length === 0) throw new Error(`tsc failed: ${r.stdout}${r.stderr}`);
  const thirdParty = (l: string): boolean => l.includes('node_modules/') && !/@exp[+/]/.test(l);
  return errors.filter((l) => !thirdParty(l));
}

describe('consumer project', () => {
  (skip ? test.skip : test)(
    'installs the packed tarballs outside the workspace, type-checks and runs',
    () => {
      if (pnpmMissing) throw new Error(`consumer-project test needs pnpm: ${pnpmMissing}`);
      const packages = workspacePackages();
      const names = workspaceClosure('@exp/eval', packages);
      expect(names).toEqual(['@exp/data', '@exp/eval', '@exp/models']);

      const project = mkdtempSync(path.join(os.tmpdir(), 'exp-consumer-'));
      const tarballs = path.join(project, 'tarballs');
      mkdirSync(tarballs);
      const tarball = new Map<string, string>();
      for (const name of names) {
        const dir = packages.get(name)!;
        if (!existsSync(path.join(dir, 'dist', 'index.js'))) {
          throw new Error(`${name} is not built: run \`pnpm -F ${name} build\` first`);
        }
        run('pnpm', ['pack', '--pack-destination', tarballs], dir);
        const { version } = manifest(dir);
        const base = `${name.slice(1).replace('/', '-')}-${version}.tgz`; // pnpm's naming
        const file = path.join(tarballs, base);
        expect(existsSync(file)).toBe(true);
        tarball.set(name, `file:${file}`);
      }

      // Only @exp/eval is a direct dependency; the overrides make its nested @exp/* dependencies
      // (0.1.0 after packing) resolve to our tarballs instead of the registry.
      writeFileSync(
        path.join(project, 'package.json'),
        JSON.stringify(
          {
            name: 'exp-consumer',
            private: true,
            type: 'module',
            dependencies: {
              '@exp/eval': tarball.get('@exp/eval'),
              typescript: '6.0.3',
              '@types/node': '^22.20.6',
            },
          },
          null,
          2,
        ),
      );
      const overrides = names.map((n) => `  '${n}': '${tarball.get(n)}'`).join('\n');
      writeFileSync(
        path.join(project, 'pnpm-workspace.yaml'),
        `overrides:\n${overrides}\n` +
          // pnpm 12 refuses to install with unapproved build scripts; neither is needed (the
          // CPU provider is bundled, protobufjs' script only prints a notice).
          'allowBuilds:\n  onnxruntime-node: false\n  protobufjs: false\n',
      );
      writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
      writeFileSync(path.join(project, 'consumer.ts'), CONSUMER_TS);

      // --prefer-offline: the shared store already holds every third-party package the workspace
      // uses, so this normally takes well under a second; the registry is only asked for misses.
      // --no-frozen-lockfile: there is no lockfile, and pnpm defaults to frozen under CI=true.
      run('pnpm', ['install', '--prefer-offline', '--no-frozen-lockfile'], project);

      const store = readdirSync(path.join(project, 'node_modules', '.pnpm'));
      expect(store.filter((e) => e.startsWith('@exp+')).sort()).toEqual(
        names.map((n) => `${n.replace('/', '+')}@file+tarballs+${path.basename(tarball.get(n)!)}`),
      );
      const installed = path.join(project, 'node_modules', '@exp', 'eval');
      const shipped = manifest(installed);
      expect(shipped.private).toBeUndefined();
      expect(shipped.license).toBe('MIT');
      expect(
        Object.values(shipped.dependencies ?? {}).filter((s) => s.startsWith('workspace:')),
      ).toEqual([]);
      expect(readFileSync(path.join(installed, 'LICENSE'), 'utf8')).toContain(
        'Copyright (c) 2026 exp contributors',
      );

      expect(typeErrors(project)).toEqual([]);
      const out = run(process.execPath, [path.join('out', 'consumer.js')], project);
      expect(JSON.parse(out)).toEqual({
        runEvaluation: 'function',
        answer: '42',
        correct: true,
        row: { model: 'llama', dataset: 'clean', accuracy: 0.5 },
        id: 'gsm8k-test-0',
      });
      // Kept when the test fails, for a look at what was installed.
      rmSync(project, { recursive: true, force: true });
    },
    120_000,
  );
});
