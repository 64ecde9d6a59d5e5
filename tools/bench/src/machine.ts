// The machine a bench ran on, and how busy it was with other processes while a measurement ran
// (shared CI boxes).
import { readFileSync } from 'node:fs';
import os from 'node:os';

function readStat(): number[] | null {
  try {
    return readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
  } catch {
    return null; // not Linux
  }
}

/** CPU ticks of this process and of its children that have exited (utime..cstime). */
function ownTicks(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3
    return fields.slice(11, 15).reduce((s, v) => s + Number(v), 0);
  } catch {
    return null;
  }
}

/**
 * Starts a probe; the returned function gives other processes' share of all CPUs, in %. This
 * process and the children it waited for (a benchmarked CLI run) count as its own.
 */
export function startCpuProbe(): () => number | null {
  const a = readStat();
  const ownA = ownTicks();
  return () => {
    const b = readStat();
    const ownB = ownTicks();
    if (!a || !b || ownA === null || ownB === null) return null;
    const total = b.slice(0, 8).reduce((s, v, i) => s + v - a[i]!, 0);
    if (total <= 0) return null;
    const busy = total - (b[3]! - a[3]!) - (b[4]! - a[4]!);
    return Math.max(0, (100 * (busy - (ownB - ownA))) / total);
  };
}

/** Other processes' CPU share as a table cell ('' where it could not be measured). */
export function busy(pct: number | null): string {
  return pct === null ? '' : `${pct.toFixed(0)}%`;
}

/** CPUs, memory, Node and the date: the line a bench prints above its table. */
export function machineLine(): string {
  const cpus = os.cpus();
  const gib = (os.totalmem() / 2 ** 30).toFixed(0);
  return `${cpus.length} x ${cpus[0]?.model ?? 'CPU'}, ${gib} GiB, node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}
