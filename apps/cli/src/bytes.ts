// Byte counts for people: progress bars and messages show MB / GB (SI, as disks and downloads
// are sold) and rates in MB/s instead of raw byte counts.

const MB = 1e6;
const GB = 1e9;

/** Bytes as megabytes, rounded to 0.1 MB (what a progress bar counts in). */
export function toMB(bytes: number): number {
  return Math.round(bytes / 1e5) / 10;
}

/** "512 B", "12.3 MB", "1.50 GB". */
export function formatBytes(bytes: number): string {
  if (bytes >= GB) return `${(bytes / GB).toFixed(2)} GB`;
  if (bytes >= MB) return `${(bytes / MB).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${Math.round(bytes)} B`;
}

/** A rate in MB/s: "12.3 MB/s" ("0.0 MB/s" before any time has passed). */
export function formatRate(bytes: number, seconds: number): string {
  const rate = seconds > 0 ? bytes / MB / seconds : 0;
  return `${rate >= 100 ? rate.toFixed(0) : rate.toFixed(1)} MB/s`;
}

/**
 * Tracks one byte counter whose stages restart it (write, then hash): what a bar shows as
 * `extra`, e.g. "| write 1.50/3.00 GB at 12.3 MB/s".
 */
export function byteRate(now: () => number = Date.now) {
  let stage = '';
  let t0 = now();
  return (stageName: string, done: number, total: number): string => {
    if (stageName !== stage) {
      stage = stageName;
      t0 = now();
    }
    const elapsed = (now() - t0) / 1000;
    return `| ${stageName} ${formatBytes(done)} of ${formatBytes(total)} at ${formatRate(done, elapsed)}`;
  };
}
