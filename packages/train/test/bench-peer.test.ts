// The committed peer figures `pnpm bench train` compares with, and the line it prints.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { peerLine } from '../bench/format.js';
import { readPeerFigures } from '../bench/peer.js';

test('peer-transformers.json holds the measured transformers figures (ANCHORS, issue 15)', () => {
  const p = readPeerFigures();
  expect(p.peer).toMatch(/^transformers 5\.25 \+ torch 2\.15 /);
  expect([p.rows['2x512'].stepS, p.rows['2x512'].peakRssBytes]).toEqual([17.0, 10.1e9]);
  expect(p.rows['2x512'].tokensPerStep).toBe(1024);
  expect([p.rows.seed.stepS, p.rows.seed.peakRssBytes]).toEqual([13.7, 9.6e9]);
});

test('a bad peer file is one line naming the field', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'exp-peer-'));
  try {
    const f = path.join(dir, 'peer.json');
    writeFileSync(f, JSON.stringify({ description: '', peer: 'x', rows: { '2x512': {} } }));
    expect(() => readPeerFigures(f)).toThrow(`${f}: rows.2x512.what: `);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('peerLine: time and peak ratios against the peer', () => {
  expect(
    peerLine('seed settings', 16.6, 602, 11.58 * 2 ** 30, { stepS: 13.7, peakRssBytes: 9.6e9 }),
  ).toBe(
    'seed settings: 16.6 s per optimizer step, 36.3 tok/s; peer 13.7 s (43.9 tok/s): 1.21x its ' +
      'time; peak RSS 11.58 GiB, peer 8.94 GiB (9.6 GB): 1.30x',
  );
});
