// A consumer project for a workspace package, as another project gets it: the package and the
// workspace packages it depends on are packed with `pnpm pack` (which rewrites workspace:* to
// versions), installed from the tarballs into a scratch project outside the workspace, and
// type-checked there as a strict ESM/NodeNext consumer against the shipped .d.ts files. It proves
// what a workspace test cannot: that the tarballs carry everything needed (dist, types,
// dependencies declared), and nothing resolves through the monorepo. Used by the consumer tests
// of @exp/eval and @exp/run.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  dependencies?: Record<string, string>;
}

export function packageManifest(dir: string): PackageManifest {
  return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageManifest;
}

/** Workspace package folders by package name. */
function workspacePackages(): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(path.join(ROOT, 'packages'))) {
    const dir = path.join(ROOT, 'packages', entry);
    if (existsSync(path.join(dir, 'package.json'))) out.set(packageManifest(dir).name, dir);
  }
  return out;
}

/** `name` and the workspace packages it depends on, transitively (what must be packed), sorted. */
export function workspaceClosure(name: string): string[] {
  const packages = workspacePackages();
  const seen = new Set<string>();
  const visit = (n: string): void => {
    if (seen.has(n)) return;
    const dir = packages.get(n);
    if (!dir) throw new Error(`${n}: not a workspace package`);
    seen.add(n);
    for (const [dep, spec] of Object.entries(packageManifest(dir).dependencies ?? {})) {
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
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(npm|pnpm)_/i.test(k) && k !== 'NODE_OPTIONS' && k !== 'INIT_CWD') env[k] = v;
  }
  env.ONNXRUNTIME_NODE_INSTALL = 'skip';
  return { ...env, ...extra };
}

/** Runs a command; its stdout, or an error with both streams when it fails. */
export function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = childEnv(),
): string {
  // the jest test's own timeout is the limit that matters; this one only stops a hung child
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 280_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`,
    );
  }
  return r.stdout;
}

const pnpmProbe = spawnSync('pnpm', ['--version'], { encoding: 'utf8', env: childEnv() });
/** Why pnpm cannot run here, or null. */
export const pnpmMissing =
  pnpmProbe.error || pnpmProbe.status !== 0
    ? `pnpm is not available (${pnpmProbe.error?.message ?? pnpmProbe.stderr.trim()})`
    : null;
// Skipping is for a developer machine without pnpm only; CI installs with pnpm, so there a
// missing pnpm is a failure, never a silent pass.
export const skipConsumer = pnpmMissing !== null && !process.env.CI;
if (skipConsumer) console.warn(`consumer-project test skipped: ${pnpmMissing}`);

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    types: ['node'],
    outDir: 'out',
    // Declaration files are checked too, ours and every third-party one they reach, as a
    // consumer who turns skipLibCheck off gets them. No `lib`: tsc's default for the target
    // (with DOM), see typeErrors.
    skipLibCheck: false,
  },
  include: ['consumer.ts'],
};

export interface ConsumerProject {
  dir: string;
  /** Packed tarballs by package name (`file:` specs). */
  tarballs: Map<string, string>;
}

/**
 * A scratch project depending on `name` (and `alsoImports`, packages of `names` that `source`
 * imports too), installed from the packed tarballs of `names` (`name`'s workspace closure), with
 * `source` as its consumer.ts and a strict tsconfig.
 */
export function installConsumer(
  name: string,
  names: readonly string[],
  source: string,
  alsoImports: readonly string[] = [],
): ConsumerProject {
  if (pnpmMissing) throw new Error(`consumer-project test needs pnpm: ${pnpmMissing}`);
  const packages = workspacePackages();
  const project = mkdtempSync(path.join(os.tmpdir(), 'exp-consumer-'));
  const folder = path.join(project, 'tarballs');
  mkdirSync(folder);
  const tarballs = new Map<string, string>();
  for (const n of names) {
    const dir = packages.get(n)!;
    if (!existsSync(path.join(dir, 'dist', 'index.js'))) {
      throw new Error(`${n} is not built: run \`pnpm -F ${n} build\` first`);
    }
    run('pnpm', ['pack', '--pack-destination', folder], dir);
    const { version } = packageManifest(dir);
    const file = path.join(folder, `${n.slice(1).replace('/', '-')}-${version}.tgz`); // pnpm's naming
    if (!existsSync(file)) throw new Error(`pnpm pack wrote no ${file}`);
    tarballs.set(n, `file:${file}`);
  }
  // Only `name` (and what the source imports) are direct dependencies; the overrides make the
  // nested @exp/* dependencies (0.1.0 after packing) resolve to our tarballs, not the registry.
  const direct = Object.fromEntries([name, ...alsoImports].map((n) => [n, tarballs.get(n)]));
  const dependencies = { ...direct, typescript: '6.0.3', '@types/node': '^22.20.6' };
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'exp-consumer', private: true, type: 'module', dependencies }, null, 2),
  );
  const overrides = names.map((n) => `  '${n}': '${tarballs.get(n)}'`).join('\n');
  writeFileSync(
    path.join(project, 'pnpm-workspace.yaml'),
    `overrides:\n${overrides}\n` +
      // pnpm 12 refuses to install with unapproved build scripts; none is needed (the CPU
      // provider is bundled, protobufjs' script only prints a notice, the canvas binary is
      // prebuilt).
      'allowBuilds:\n  onnxruntime-node: false\n  protobufjs: false\n',
  );
  writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  writeFileSync(path.join(project, 'consumer.ts'), source);
  // --prefer-offline: the shared store already holds every third-party package the workspace
  // uses, so this normally takes a few seconds; the registry is only asked for misses.
  // --no-frozen-lockfile: there is no lockfile, and pnpm defaults to frozen under CI=true.
  run('pnpm', ['install', '--prefer-offline', '--no-frozen-lockfile'], project);
  return { dir: project, tarballs };
}

/**
 * Type errors of the consumer build, all of them: in consumer.ts, in our .d.ts files and in the
 * third-party ones they reach (onnx-proto's global `Long` is loaded by @exp/models' and
 * @exp/attention's d.ts, see tools/tsup.preset.mjs). With a Node-only `lib` (no DOM) the
 * declarations of onnxruntime-common and vega-typings would still fail (they name DOM types);
 * the README says so. tsc emits despite type errors, so the consumer still has its JavaScript.
 * `tscArgs` override the tsconfig, e.g. `['--lib', 'ES2023']`.
 */
export function typeErrors(project: string, tscArgs: readonly string[] = []): string[] {
  const r = spawnSync(
    process.execPath,
    [path.join('node_modules', 'typescript', 'bin', 'tsc'), '-p', '.', ...tscArgs],
    { cwd: project, env: childEnv(), encoding: 'utf8' },
  );
  if (r.error) throw r.error;
  const errors = r.stdout.split('\n').filter((l) => /^\S.*\(\d+,\d+\): error /.test(l));
  if (r.status !== 0 && errors.length === 0) throw new Error(`tsc failed: ${r.stdout}${r.stderr}`);
  return errors;
}
