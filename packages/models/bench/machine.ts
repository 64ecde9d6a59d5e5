// How busy the machine was with other processes while a measurement ran (shared CI boxes).
import { readFileSync } from 'node:fs';

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

/** Starts a probe; the returned function gives other processes' share of all CPUs, in %. */
export function startCpuProbe(): () => number | null {
  const a = readStat();
  const own = process.cpuUsage();
  return () => {
    const b = readStat();
    if (!a || !b) return null;
    const ownUs = process.cpuUsage(own);
    const total = b.slice(0, 8).reduce((s, v, i) => s + v - a[i]!, 0);
    if (total <= 0) return null;
    const busy = total - (b[3]! - a[3]!) - (b[4]! - a[4]!);
    const ownTicks = (ownUs.user + ownUs.system) / 1e4; // USER_HZ = 100
    return Math.max(0, (100 * (busy - ownTicks)) / total);
  };
}
