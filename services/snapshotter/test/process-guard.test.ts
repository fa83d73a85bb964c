/**
 * The process-level guard tells a peer's socket reset (harmless: that connection is over) from
 * everything else (a bug: the process exits). Errors here come from real sockets.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import type { Logger } from '@linksnap/shared';
import { installProcessGuards, isHarmlessSocketError } from '../src/process-guard.js';

/** The error a client socket reports when the server resets it mid-read. */
async function realReset(): Promise<NodeJS.ErrnoException> {
  // Reset once the client's bytes arrive, so the client sees it reading (`read ECONNRESET`).
  const server = net.createServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const socket = net.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
    socket.write('hello');
    return await new Promise((resolve) => socket.once('error', resolve));
  } finally {
    server.close();
  }
}

async function realRefusal(): Promise<NodeJS.ErrnoException> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const socket = net.connect({ host: '127.0.0.1', port });
  return new Promise((resolve) => socket.once('error', resolve));
}

test('a peer reset is harmless; a refused dial, a TypeError and a non-error are not', async () => {
  const reset = await realReset();
  assert.equal(reset.code, 'ECONNRESET');
  assert.equal(reset.syscall, 'read');
  assert.equal(isHarmlessSocketError(reset), true);
  assert.equal(isHarmlessSocketError(await realRefusal()), false);
  assert.equal(isHarmlessSocketError(new TypeError('x is not a function')), false);
  assert.equal(isHarmlessSocketError({ code: 'ECONNRESET', syscall: 'read' }), false);
});

test('the guard logs a reset and stays up, and exits on anything else', async () => {
  // Records what the guard logs (only the two levels it uses).
  const lines: Record<string, unknown>[] = [];
  const at = (level: string) => (fields: object, msg: string) => lines.push({ ...fields, level, msg });
  const logger = { warn: at('warn'), fatal: at('fatal') } as unknown as Logger;
  const exits: number[] = [];
  const before = {
    uncaught: process.listeners('uncaughtException'),
    unhandled: process.listeners('unhandledRejection'),
  };
  installProcessGuards(logger, (code) => exits.push(code));
  const [onUncaught] = process.listeners('uncaughtException').filter((l) => !before.uncaught.includes(l));
  const [onUnhandled] = process.listeners('unhandledRejection').filter((l) => !before.unhandled.includes(l));
  try {
    assert.ok(onUncaught && onUnhandled);
    (onUncaught as (err: Error) => void)(await realReset());
    assert.deepEqual(exits, []);
    assert.equal(lines.at(-1)?.level, 'warn');
    assert.equal(lines.at(-1)?.code, 'ECONNRESET');
    assert.equal(lines.at(-1)?.kind, 'uncaught exception');
    (onUnhandled as (err: unknown) => void)(new TypeError('a real bug'));
    assert.deepEqual(exits, [1]);
    assert.equal(lines.at(-1)?.level, 'fatal');
  } finally {
    process.off('uncaughtException', onUncaught as never);
    process.off('unhandledRejection', onUnhandled as never);
  }
});
