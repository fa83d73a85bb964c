/**
 * Fault-injection helpers for the fault-*.test.ts files: the process table (Chromium children
 * of a snapshotter, RSS of a process tree, zombies), a restartable S3 server, a loopback TCP
 * proxy that can "stop" a dependency, and checks that a snapshot row matches its objects.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { type EmbeddedS3, startEmbeddedS3 } from '@linksnap/api/embedded/s3-server';
import { blobKey, type ObjectStorage } from '@linksnap/shared';
import { type ProcInfo, processTable } from './proc.js';
import { tempDir } from './services.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 30_000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export { processTable };

/** `pid` and all its descendants. */
export function processTree(pid: number, table = processTable()): ProcInfo[] {
  const tree: ProcInfo[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift() as number;
    const self = table.find((p) => p.pid === current);
    if (self) tree.push(self);
    for (const child of table) if (child.ppid === current) queue.push(child.pid);
  }
  return tree;
}

/** Direct children of `pid`, from the kernel's per-thread lists (no scan of all of /proc). */
function childPids(pid: number): number[] {
  const out: number[] = [];
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out; // gone
  }
  for (const tid of threads) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ')) {
        if (child.trim()) out.push(Number(child));
      }
    } catch {
      // thread gone
    }
  }
  return out;
}

/** Browser processes launched by a snapshotter: its direct Chromium children (group leaders). */
export function chromiumPids(snapshotterPid: number): number[] {
  return childPids(snapshotterPid).filter((pid) => {
    try {
      return /chrom/i.test(readFileSync(`/proc/${pid}/comm`, 'utf8'));
    } catch {
      return false;
    }
  });
}

/** Every live (non-zombie) process in the given process groups. */
export function liveInGroups(groups: number[]): ProcInfo[] {
  return processTable().filter((p) => groups.includes(p.pgid) && p.state !== 'Z');
}

export function killGroup(pgid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** One process's proportional set size and the part of it that is its own memory, in kB. */
function memoryKb(pid: number): { pss: number; own: number } {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0);
    return { pss: field('Pss'), own: field('Pss_Anon') + field('Pss_Shmem') };
  } catch {
    return { pss: 0, own: 0 }; // gone, or a zombie
  }
}

/**
 * Memory of a process tree (a snapshotter and its Chromium processes), in MiB. RSS counts
 * pages shared between Chromium's processes once per process, so it swings with the number of
 * renderers alive at the moment; PSS splits shared pages between their users and sums to what
 * the tree really holds. Its file pages (Chromium's 200 MB binary, libraries) are split with
 * every other process mapping them, so the tree's PSS rises when other browsers on the machine
 * exit: a soak beside other tests' browsers grew 530 → 714 MiB in its last third while its RSS
 * fell. `ownMiB` is the anonymous and shared memory (heaps, Chromium's IPC buffers), which only
 * the tree's own processes share: where a leak shows, whatever else runs — the figure to
 * compare over time.
 */
export function treeMemory(pid: number): {
  rssMiB: number;
  pssMiB: number;
  ownMiB: number;
  processes: number;
  zombies: number;
} {
  const tree = processTree(pid);
  const memory = tree.map((p) => memoryKb(p.pid));
  const mib = (kb: number) => Math.round(kb / 1024);
  return {
    rssMiB: mib(tree.reduce((sum, p) => sum + p.rssKb, 0)),
    pssMiB: mib(memory.reduce((sum, m) => sum + m.pss, 0)),
    ownMiB: mib(memory.reduce((sum, m) => sum + m.own, 0)),
    processes: tree.length,
    zombies: tree.filter((p) => p.state === 'Z').length,
  };
}

/**
 * Memory of a snapshotter's tree at rest: once its pool is down to one browser (a recycle in
 * progress briefly holds two), the median of three readings 300 ms apart.
 */
export async function restingTreeMemory(pid: number): Promise<ReturnType<typeof treeMemory>> {
  const deadline = Date.now() + 15_000;
  while (chromiumPids(pid).length !== 1 && Date.now() < deadline) await sleep(100);
  const readings = [];
  for (let i = 0; i < 3; i++) {
    readings.push(treeMemory(pid));
    await sleep(300);
  }
  readings.sort((a, b) => a.ownMiB - b.ownMiB);
  return readings[1] as ReturnType<typeof treeMemory>;
}

/** `ps` output for failure messages. */
export function ps(): string {
  try {
    return execFileSync('ps', ['-eo', 'pid,ppid,pgid,stat,rss,comm'], { encoding: 'utf8' });
  } catch {
    return '';
  }
}

/** An embedded S3 server that can be stopped and restarted on the same port and directory. */
export class RestartableS3 implements EmbeddedS3 {
  private current: EmbeddedS3 | null = null;
  private constructor(
    readonly directory: string,
    readonly port: number,
  ) {}
  get endpoint() {
    return `http://127.0.0.1:${this.port}`;
  }
  readonly accessKey = 'S3RVER';
  readonly secretKey = 'S3RVER';

  static async start(): Promise<RestartableS3> {
    const directory = path.join(tempDir('linksnap-s3-'), 's3');
    const first = await startEmbeddedS3({ directory });
    const port = Number(new URL(first.endpoint).port);
    const s3 = new RestartableS3(directory, port);
    s3.current = first;
    return s3;
  }

  async stop(): Promise<void> {
    const current = this.current;
    this.current = null;
    await current?.close();
  }

  async restart(): Promise<void> {
    if (this.current) return;
    this.current = await startEmbeddedS3({ directory: this.directory, port: this.port });
  }

  close(): Promise<void> {
    return this.stop();
  }
}

/**
 * A loopback TCP proxy in front of a dependency; `down()` cuts every connection and stops
 * listening (new connections are refused, as with a stopped server); `up()` listens again.
 */
export class TcpProxy {
  private sockets = new Set<net.Socket>();
  private isDown = false;
  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    let proxy: TcpProxy | null = null;
    const server = net.createServer((client) => {
      if (!proxy || proxy.isDown) {
        client.destroy();
        return;
      }
      const upstream = net.connect(targetPort, targetHost);
      const pair = proxy.sockets;
      pair.add(client);
      pair.add(upstream);
      const end = () => {
        client.destroy();
        upstream.destroy();
        pair.delete(client);
        pair.delete(upstream);
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port);
    return proxy;
  }

  async down(): Promise<void> {
    this.isDown = true;
    const closed = new Promise<void>((resolve) =>
      this.server.listening ? this.server.close(() => resolve()) : resolve(),
    );
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  async up(): Promise<void> {
    this.isDown = false;
    if (!this.server.listening) {
      await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
    }
  }

  async close(): Promise<void> {
    await this.down();
  }
}

export const sha256 = (body: Buffer) => createHash('sha256').update(body).digest('hex');

/**
 * A final row's artifacts are exactly the objects under its prefix, byte for byte (sha256):
 * one attempt's set, nothing missing, nothing extra.
 */
export async function assertRowMatchesObjects(
  storage: ObjectStorage,
  snapshot: { id: string; artifacts: { key: string; sha256: string; bytes: number }[] },
): Promise<void> {
  // Content-addressed (ADR 0017): each artifact is the body its sha256 names, nothing per snapshot.
  const legacy = await storage.list(`snapshots/${snapshot.id}/`);
  if (legacy.length > 0) throw new Error(`objects under the snapshot's own prefix: ${legacy.join(',')}`);
  for (const artifact of snapshot.artifacts) {
    if (artifact.key !== blobKey(artifact.sha256)) throw new Error(`${artifact.key} is not its body's sha256`);
    const body = await storage.getBuffer(artifact.key);
    if (sha256(body) !== artifact.sha256 || body.length !== artifact.bytes) {
      throw new Error(`object ${artifact.key} does not match the row (sha256/bytes differ)`);
    }
  }
}

/**
 * Remembers every Chromium the stack's snapshotters launch, so cleanup can kill their process
 * groups even when a snapshotter was SIGKILLed (a killed Node process cannot close its browsers).
 */
export class BrowserTracker {
  private readonly seen = new Set<number>();
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly workers: () => { child: { pid?: number } }[]) {
    this.timer = setInterval(() => this.sample(), 250);
    this.timer.unref();
  }
  sample(): void {
    for (const w of this.workers()) {
      if (w.child.pid === undefined) continue;
      for (const pid of chromiumPids(w.child.pid)) this.seen.add(pid);
    }
  }
  /** Kills whatever is left of the recorded browsers' process groups. */
  cleanup(): number {
    clearInterval(this.timer);
    const left = liveInGroups([...this.seen]).filter((p) => /chrom/i.test(p.comm));
    for (const pgid of new Set(left.map((p) => p.pgid))) killGroup(pgid);
    return left.length;
  }
}

/**
 * Which of `pids` owns the TCP socket bound to local port `port` on 127.0.0.1 (the egress
 * proxy of the snapshotter that fetched a fixture page connects from there).
 */
export function ownerOfLocalPort(port: number, pids: number[]): number | null {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[9]) inodes.add(cols[9]);
    }
  }
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return null;
}
