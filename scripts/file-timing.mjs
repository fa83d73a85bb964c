// Preloaded (after tsx) into every test file's process by scripts/test.mjs: appends one JSON line
// per test file to $LINKSNAP_TEST_TIMINGS: its path, when its process started and ended, and
// the CPU seconds of the process and of the children it waited for (its stacks' services, and
// through them their Chromium), so a run can say which files its time went to. The services a
// test spawns load nothing of this.
import { appendFileSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseStat } from '../test/support/proc.ts';

const out = process.env.LINKSNAP_TEST_TIMINGS;
const file = process.argv[1] ?? '';
if (out && file.endsWith('.test.ts')) {
  const start = performance.timeOrigin;
  process.on('exit', () => {
    const stat = parseStat(readFileSync('/proc/self/stat', 'utf8'));
    const cpu = stat.cpuSeconds + stat.childrenCpuSeconds;
    appendFileSync(out, `${JSON.stringify({ file, start, end: Date.now(), cpu })}\n`);
  });
}
