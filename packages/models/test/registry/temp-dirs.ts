// One temporary folder per test file, removed after it, with fresh numbered subfolders.
import { afterAll, beforeAll } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TempDirs {
  /** The test file's folder (set in beforeAll). */
  readonly root: string;
  /** A new empty folder `<root>/<label>-<n>`. */
  fresh(label: string): string;
}

export function useTempDirs(prefix: string): TempDirs {
  let root = '';
  let n = 0;
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  return {
    get root() {
      return root;
    },
    fresh(label: string) {
      const d = path.join(root, `${label}-${n++}`);
      mkdirSync(d);
      return d;
    },
  };
}
