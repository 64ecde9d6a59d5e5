// Pure formatting of the train bench's figures (unit-testable without onnxruntime).

export const gib = (b: number): string => `${(b / 2 ** 30).toFixed(2)} GiB`;

/** Tokens per second of `steps` steps of batch x seq tokens taking `seconds`. */
export const tokensPerS = (tokens: number, steps: number, seconds: number): number =>
  (tokens * steps) / seconds;

/** "0.19x": a against its peer b. */
export const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;

/** Whether two losses are the same within float32 noise of one run (relative 1e-5). */
export const sameLoss = (a: number, b: number): boolean =>
  Math.abs(a - b) <= 1e-5 * Math.max(Math.abs(a), Math.abs(b));

/** "peak RSS 9.87 GiB / limit 22.35 GiB (24 GB) = 0.44: fits". */
export function limitLine(peakBytes: number, limitBytes: number, limitLabel: string): string {
  const r = peakBytes / limitBytes;
  return (
    `peak RSS ${gib(peakBytes)} / limit ${gib(limitBytes)} (${limitLabel}) = ${r.toFixed(2)}: ` +
    (r <= 1 ? 'fits' : 'DOES NOT FIT')
  );
}

/**
 * "seed settings: 12.3 s per optimizer step, 41 tok/s; peer 13.7 s: 0.90x its time; peak RSS
 * 8.10 GiB, peer 8.94 GiB (9.6 GB): 0.91x". Ratios are exp / peer: below 1 is faster / smaller.
 */
export function peerLine(
  label: string,
  stepS: number,
  tokensPerStep: number,
  peakBytes: number,
  peer: { stepS: number; peakRssBytes: number },
): string {
  return (
    `${label}: ${stepS.toFixed(1)} s per optimizer step, ` +
    `${(tokensPerStep / stepS).toFixed(1)} tok/s; peer ${peer.stepS.toFixed(1)} s ` +
    `(${(tokensPerStep / peer.stepS).toFixed(1)} tok/s): ${ratio(stepS, peer.stepS)} its time; ` +
    `peak RSS ${gib(peakBytes)}, peer ${gib(peer.peakRssBytes)} ` +
    `(${(peer.peakRssBytes / 1e9).toFixed(1)} GB): ${ratio(peakBytes, peer.peakRssBytes)}`
  );
}
