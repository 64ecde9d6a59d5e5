/** A one-line progress display (count, rate, ETA) on a terminal's stderr; silent elsewhere. */
export function progressLine(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const t0 = Date.now();
  let last = 0;
  let shown = false;
  return {
    update(done: number, total: number): void {
      if (!stream.isTTY) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const secs = Math.max((now - t0) / 1000, 1e-3);
      const rate = done / secs;
      const eta = rate > 0 ? Math.ceil((total - done) / rate) : 0;
      const pct = total ? Math.floor((100 * done) / total) : 100;
      stream.write(
        `\r${label} ${done}/${total} (${pct}%) ${rate.toFixed(0)}/s ETA ${eta}s\u001b[K`,
      );
      shown = true;
    },
    stop(): void {
      if (shown) stream.write('\n');
      shown = false;
    },
  };
}
