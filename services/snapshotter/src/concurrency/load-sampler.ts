/**
 * Real load measurements for the concurrency controller, each covering the window since the
 * previous sample: the machine's CPU idle share (all cores, from os.cpus()), this process's
 * longest event-loop delay (one long block in a window is what holds up every capture's CDP
 * traffic) and the memory the kernel can still hand out (MemAvailable from /proc/meminfo; os.freemem() elsewhere, which undercounts reclaimable cache).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { LoadSample } from './aimd.js';

export interface LoadSampler {
  /** Measures the window since the previous call (or since start). */
  sample(): LoadSample;
  stop(): void;
}

function cpuTotals(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

function readNumber(file: string): number | null {
  try {
    const value = Number(readFileSync(file, 'utf8').trim());
    return Number.isFinite(value) ? value : null; // cgroup's "max" is NaN: no limit
  } catch {
    return null;
  }
}

/** What the machine can still hand out, and, in a container, what its cgroup (v2) limit leaves. */
export function availableMemory(): number {
  let available = os.freemem();
  try {
    const match = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (match) available = Number(match[1]) * 1024;
  } catch {
    // Not Linux.
  }
  const limit = readNumber('/sys/fs/cgroup/memory.max');
  const used = readNumber('/sys/fs/cgroup/memory.current');
  return limit !== null && used !== null ? Math.min(available, Math.max(0, limit - used)) : available;
}

const LAG_PROBE_MS = 20;

/**
 * The longest event-loop delay since the last `take()`: how late a 20 ms timer fired. Measured
 * by hand because perf_hooks' monitorEventLoopDelay (Node 20) missed a 400 ms synchronous block.
 */
function lagProbe(): { take(): number; stop(): void } {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last - LAG_PROBE_MS);
    last = now;
  }, LAG_PROBE_MS);
  timer.unref();
  return {
    take() {
      // A block still going on counts up to now.
      const value = Math.max(longest, performance.now() - last - LAG_PROBE_MS, 0);
      longest = 0;
      return value;
    },
    stop: () => clearInterval(timer),
  };
}

export function startLoadSampler(): LoadSampler {
  const lag = lagProbe();
  let previous = cpuTotals();
  return {
    sample() {
      const now = cpuTotals();
      const total = now.total - previous.total;
      // No tick elapsed (two calls in a row): nothing says the CPU is busy.
      const cpuIdle = total > 0 ? Math.min(1, Math.max(0, (now.idle - previous.idle) / total)) : 1;
      previous = now;
      return { cpuIdle, lagMs: lag.take(), availableBytes: availableMemory() };
    },
    stop: () => lag.stop(),
  };
}
