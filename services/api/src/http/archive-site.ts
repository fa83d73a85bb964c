/**
 * Where archives are served, so that archived pages never run script on the app's origin.
 * Replay cannot use an opaque-origin sandbox (its service worker needs an origin), so the origin
 * that serves the player is the one replayed script runs on. Three cases:
 * - ARCHIVE_ORIGIN set: archive URLs point there (a reverse proxy sends it to this API);
 * - `separate` (the default under startApi): a second listener on ARCHIVE_PORT serves only the
 *   archive routes, and archive URLs point at it on the host name the client used for the app;
 * - neither (an app built for `inject` only, in tests): the app serves them itself, relative.
 * See docs/decisions/0009-offline-replay.md.
 */
import type { FastifyRequest } from 'fastify';

/** A Host header's name part we are willing to echo into a URL: a DNS name or an IP literal. */
const SAFE_HOSTNAME = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])$/;

export class ArchiveSite {
  private appPort: number | undefined;
  private archivePort: number | undefined;

  constructor(
    private readonly configured: string | undefined,
    /** True when this process runs the separate archive listener. */
    readonly separate = false,
  ) {}

  /** Records the ports the app and the archive listener are bound to (after listen). */
  listening(appPort: number, archivePort: number | undefined): void {
    this.appPort = appPort;
    this.archivePort = archivePort;
  }

  /** The app serves the archive routes unless the archive listener does (ARCHIVE_ORIGIN proxies to it). */
  get servedByApp(): boolean {
    return !this.separate;
  }

  /** Origin prefix of the archive URLs handed to this client of the app ('' = the app itself). */
  originFor(request: FastifyRequest): string {
    if (this.configured !== undefined) return new URL(this.configured).origin;
    if (!this.separate || this.archivePort === undefined) return '';
    return `${request.protocol}://${hostnameOf(request)}:${this.archivePort}`;
  }

  /**
   * frame-ancestors of archive responses: the app's viewer frames them. With ARCHIVE_ORIGIN the
   * app's public origin is not known here, so any origin may frame them (the short-lived
   * signature is their only secret, and they carry no session); on the archive listener, the
   * app on the same host name.
   */
  frameAncestors(request: FastifyRequest): string {
    if (this.configured !== undefined) return '*';
    if (!this.separate || this.appPort === undefined) return "'self'";
    return `'self' ${request.protocol}://${hostnameOf(request)}:${this.appPort}`;
  }
}

/** The host name the client used, when it is a plain name or address; else the loopback. */
function hostnameOf(request: FastifyRequest): string {
  const name = request.hostname;
  return SAFE_HOSTNAME.test(name) ? name : '127.0.0.1';
}
