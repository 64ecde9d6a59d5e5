// exportCheckpoint is atomic: an export that fails midway leaves the folder as it was (or absent),
// re-exporting never removes a good folder first, and leftovers of killed exports are cleaned.
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { exportCheckpoint, ExportError, type ExportProgress } from '../../src/export.js';
import { cleanLeftovers, writeFolderAtomically } from '../../src/registry/atomic-folder.js';
import { checkExportedFolder } from '../../src/registry/folder-check.js';
import { goldenDir } from '../helpers/shared.js';
import { useTempDirs } from './temp-dirs.js';

const dirs = useTempDirs('exp-atomic-');

/** Throws the first time the export reaches `stage`: an export cut off there. */
function failAt(stage: ExportProgress['stage']) {
  return (p: ExportProgress) => {
    if (p.stage === stage) throw new Error(`interrupted at ${stage}`);
  };
}

const snapshot = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [f, readFileSync(path.join(dir, f))]),
  );

/** A pid that is certainly not running: a child that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid;

describe('atomic export', () => {
  it('an export cut off mid-write leaves no folder and no temporary one', async () => {
    const parent = path.join(dirs.root, 'fresh');
    const out = path.join(parent, 'model');
    await expect(
      exportCheckpoint(goldenDir('tiny-llama'), out, { onProgress: failAt('write') }),
    ).rejects.toThrow('interrupted at write');
    expect(readdirSync(parent)).toEqual([]);
    // Cut off after model.onnx is complete, while hashing: still nothing that looks finished.
    await expect(
      exportCheckpoint(goldenDir('tiny-llama'), out, { onProgress: failAt('hash') }),
    ).rejects.toThrow('interrupted at hash');
    expect(readdirSync(parent)).toEqual([]);
  });

  it('re-exporting over a good folder keeps it until the new one is whole', async () => {
    const out = path.join(dirs.root, 'good');
    await exportCheckpoint(goldenDir('tiny-llama'), out);
    const before = snapshot(out);
    for (const stage of ['write', 'copy', 'hash'] as const) {
      await expect(
        exportCheckpoint(goldenDir('tiny-diffllama'), out, { onProgress: failAt(stage) }),
      ).rejects.toThrow(`interrupted at ${stage}`);
      expect(snapshot(out)).toEqual(before);
      expect(readdirSync(dirs.root).sort()).toEqual(['fresh', 'good']);
    }
    expect(checkExportedFolder(out)!.model_type).toBe('llama');
    // A whole re-export replaces it.
    await exportCheckpoint(goldenDir('tiny-diffllama'), out);
    expect(checkExportedFolder(out)!.model_type).toBe('diffllama');
    expect(readdirSync(dirs.root).sort()).toEqual(['fresh', 'good']);
  });

  it('cleans the leftovers of killed exports and restores a folder lost between renames', () => {
    const parent = path.join(dirs.root, 'leftovers');
    const pid = deadPid();
    const out = path.join(parent, 'm');
    // Killed while writing: a temporary folder with everything, but not at the final name.
    mkdirSync(path.join(parent, `m.tmp-${pid}-0a1b`), { recursive: true });
    writeFileSync(path.join(parent, `m.tmp-${pid}-0a1b`, 'exp-model.json'), '{}');
    // Killed between moving the old folder aside and moving the new one in.
    mkdirSync(path.join(parent, `m.old-${pid}-2c3d`));
    writeFileSync(path.join(parent, `m.old-${pid}-2c3d`, 'exp-model.json'), '{"old":1}');
    // A live export's temporary folder, and a sibling model's, are left alone.
    mkdirSync(path.join(parent, `m.tmp-${process.pid}-4e5f`));
    mkdirSync(path.join(parent, `m2.tmp-${pid}-6a7b`));
    cleanLeftovers(out);
    expect(readdirSync(parent).sort()).toEqual([
      'm',
      `m.tmp-${process.pid}-4e5f`,
      `m2.tmp-${pid}-6a7b`,
    ]);
    expect(readFileSync(path.join(out, 'exp-model.json'), 'utf8')).toBe('{"old":1}');
  });

  it('refuses an output folder holding other files, or the checkpoint', async () => {
    const out = path.join(dirs.root, 'busy');
    mkdirSync(out);
    writeFileSync(path.join(out, 'notes.txt'), 'mine');
    await expect(exportCheckpoint(goldenDir('tiny-llama'), out)).rejects.toThrow(
      new ExportError(
        `output folder ${out} holds files an export does not write (notes.txt); export into a new or empty folder`,
      ),
    );
    expect(readdirSync(out)).toEqual(['notes.txt']);
    // the export compares real paths (shared/ may be reached through a symlink)
    const golden = realpathSync(goldenDir('tiny-llama'));
    await expect(
      exportCheckpoint(goldenDir('tiny-llama'), path.dirname(goldenDir('tiny-llama'))),
    ).rejects.toThrow(
      `output folder ${path.dirname(golden)} contains the checkpoint folder ${golden}`,
    );
    expect(existsSync(path.join(goldenDir('tiny-llama'), 'model.onnx'))).toBe(false);
  });

  it('refuses an --out that is a file, or lies under one, naming the folder', async () => {
    const file = path.join(dirs.root, 'notes.txt');
    writeFileSync(file, 'mine');
    await expect(exportCheckpoint(goldenDir('tiny-llama'), file)).rejects.toThrow(
      new ExportError(
        `output folder ${file} is a file; name a new folder (or an earlier export to replace)`,
      ),
    );
    await expect(
      exportCheckpoint(goldenDir('tiny-llama'), path.join(file, 'a', 'b')),
    ).rejects.toThrow(
      new ExportError(
        `output folder ${path.join(file, 'a', 'b')} cannot be made: ${file} is a file, not a folder`,
      ),
    );
    expect(readFileSync(file, 'utf8')).toBe('mine');
  });

  it('names the output folder, not its temporary sibling, in filesystem errors', async () => {
    const dst = path.join(dirs.root, 'full');
    const err = await writeFolderAtomically(dst, async (tmp) => {
      const e = new Error(`ENOSPC: no space left on device, write '${tmp}/model.onnx'`);
      throw Object.assign(e, { code: 'ENOSPC', path: path.join(tmp, 'model.onnx') });
    }).catch((e: unknown) => e as NodeJS.ErrnoException);
    expect(err.message).toBe(
      `cannot write output folder ${dst} (model.onnx): no space left on device (ENOSPC)`,
    );
    expect(err.code).toBe('ENOSPC');
    expect(existsSync(dst)).toBe(false);
    expect(readdirSync(dirs.root).filter((f) => f.startsWith('full'))).toEqual([]);
    // other errors pass through as they are
    await expect(
      writeFolderAtomically(dst, async () => {
        throw new ExportError('bad input');
      }),
    ).rejects.toThrow(new ExportError('bad input'));
  });
});
