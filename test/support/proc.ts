/**
 * The process table from /proc, without dependencies: the fault tests' process checks
 * (faults.ts) and the benchmarks' CPU accounting (bench/lib/util.ts, bench/start.bench.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  comm: string;
  rssKb: number;
  /** User and system CPU time used so far. */
  cpuSeconds: number;
  /** User and system CPU time of its children that exited and were waited for (and theirs). */
  childrenCpuSeconds: number;
}

const PAGE_KB = 4;
const TICKS_PER_SECOND = 100;

/** One /proc/<pid>/stat (or /proc/<pid>/task/<tid>/stat) line. */
export function parseStat(stat: string): Omit<ProcInfo, 'pid'> {
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  // Fields from the third on (state, ppid, pgrp, …); utime and stime are the 14th and 15th,
  // cutime and cstime the 16th and 17th, the 24th is the RSS in pages.
  const fields = stat.slice(close + 2).split(' ');
  return {
    state: fields[0] as string,
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    comm,
    rssKb: Number(fields[21]) * PAGE_KB,
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
    childrenCpuSeconds: (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND,
  };
}

/** Every process in /proc (those that vanish while reading are skipped). */
export function processTable(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      out.push({ pid: Number(name), ...parseStat(readFileSync(`/proc/${name}/stat`, 'utf8')) });
    } catch {
      // gone
    }
  }
  return out;
}
