// The peer's fine-tuning figures (transformers + torch) from the committed measurement file
// peer-transformers.json (written by tools/crosscheck/train_peer.py, a maintainer script run by
// hand, never in CI), validated on read.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const Row = z.object({
  what: z.string(),
  tokensPerStep: z.number().positive().optional(),
  stepS: z.number().positive(),
  peakRssBytes: z.number().positive(),
  source: z.string(),
});
const PeerFile = z.object({
  description: z.string(),
  peer: z.string(),
  rows: z.object({ '2x512': Row, seed: Row }),
});
export type PeerFigures = z.infer<typeof PeerFile>;
export type PeerRow = z.infer<typeof Row>;

export const PEER_FILE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'peer-transformers.json',
);

/** The peer file, or one line naming the file and the field that is wrong. */
export function readPeerFigures(file = PEER_FILE): PeerFigures {
  const r = PeerFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return r.data;
}
