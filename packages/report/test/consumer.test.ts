// Every public entry point of the @exp packages (each package.json's `exports`), as another
// project gets them: packed, installed outside the workspace (tools/consumer-project.ts), imported
// by a strict NodeNext consumer that type-checks with skipLibCheck false (our .d.ts files and
// every third-party one they reach), and run. @exp/report's closure is every package.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import {
  installConsumer,
  packageManifest,
  run,
  skipConsumer,
  typeErrors,
  workspaceClosure,
} from '../../../tools/consumer-project.js';

const PACKAGES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `name`'s import specifiers: the package itself and its subpaths, per its `exports`. */
function entryPoints(name: string): string[] {
  const dir = path.join(PACKAGES, name.slice('@exp/'.length));
  const { exports } = packageManifest(dir) as { exports?: Record<string, unknown> };
  return Object.keys(exports ?? { '.': null }).map((key) => name + key.slice(1));
}

/** Imports each entry as a namespace and prints how many names each exports. */
function consumerSource(entries: readonly string[]): string {
  const imports = entries.map((e, i) => `import * as e${i} from '${e}';`);
  const counts = entries.map((e, i) => `  '${e}': Object.keys(e${i}).length,`);
  return `${imports.join('\n')}\n\nconsole.log(JSON.stringify({\n${counts.join('\n')}\n}));\n`;
}

describe('every entry point from a packed install', () => {
  (skipConsumer ? test.skip : test)(
    'type-checks with skipLibCheck false and loads',
    () => {
      const names = workspaceClosure('@exp/report');
      const entries = names.flatMap(entryPoints);
      expect(entries).toEqual([
        '@exp/attention',
        '@exp/data',
        '@exp/eval',
        '@exp/models',
        '@exp/models/onnx',
        '@exp/noise',
        '@exp/report',
        '@exp/report/charts',
        '@exp/run',
        '@exp/train',
      ]);
      const others = names.filter((n) => n !== '@exp/report');
      const { dir: project } = installConsumer(
        '@exp/report',
        names,
        consumerSource(entries),
        others,
      );
      expect(typeErrors(project)).toEqual([]);
      // With a Node-only lib (no DOM) only the third-party declarations the README names fail
      // (they name browser types); ours never need DOM.
      const nodeOnly = typeErrors(project, ['--lib', 'ES2023', '--noEmit']);
      const failing = new Set(nodeOnly.map((l) => /\.pnpm\/([^/]+?)@\d/.exec(l)?.[1] ?? l));
      expect([...failing].sort()).toEqual(['onnxruntime-common', 'vega-typings']);
      const counts = JSON.parse(
        run(process.execPath, [path.join('out', 'consumer.js')], project),
      ) as Record<string, number>;
      expect(Object.keys(counts)).toEqual(entries);
      for (const e of entries) expect([e, counts[e]! > 0]).toEqual([e, true]);
      // Kept when the test fails, for a look at what was installed.
      rmSync(project, { recursive: true, force: true });
    },
    120_000,
  );
});
