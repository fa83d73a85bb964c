/**
 * The one place the egress proxy's sockets get their 'error' listeners. A net socket or stream
 * that emits 'error' with no listener throws from the event loop: a single peer resetting its
 * connection (`read ECONNRESET`, `write EPIPE`) used to kill the whole snapshotter, and with it
 * every capture it was running. Node's http server stops handling a socket's errors once it is
 * handed over for CONNECT or an upgrade, so those sockets are ours to guard; so is every
 * upstream socket we dial.
 */
import type { Duplex } from 'node:stream';

const guarded = new WeakSet<Duplex>();

/**
 * Attaches an 'error' listener that closes the socket (idempotent). A peer's reset or hang-up is
 * the end of that connection, nothing more: whoever is on the other side of it sees it closed.
 */
export function guardSocket(socket: Duplex, onError?: (err: NodeJS.ErrnoException) => void): void {
  if (!guarded.has(socket)) {
    guarded.add(socket);
    socket.on('error', () => socket.destroy());
  }
  if (onError) socket.on('error', onError);
}

/**
 * Joins a client's tunnel (CONNECT or upgrade, after the caller's own prelude) to its upstream
 * connection: bytes both ways, and either end failing or closing closes the other. `pipe()`
 * neither forwards errors nor ends the destination on them, so without this a reset on one
 * side left the other open until its idle timeout.
 */
export function joinTunnel(client: Duplex, upstream: Duplex, head: Buffer): void {
  guardSocket(client);
  guardSocket(upstream);
  upstream.once('close', () => client.destroy());
  client.once('close', () => upstream.destroy());
  if (client.destroyed || upstream.destroyed) {
    client.destroy();
    upstream.destroy();
    return;
  }
  if (head.length > 0) upstream.write(head);
  upstream.pipe(client);
  client.pipe(upstream);
}
