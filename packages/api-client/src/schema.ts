/**
 * Generated from the API's OpenAPI document by openapi-typescript: do not edit.
 * Regenerate with `pnpm --filter @linksnap/api generate:client`; a test fails while this file is stale.
 */
export interface paths {
  '/healthz': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Whether the process is up */
    get: operations['getHealth'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/readyz': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Whether the dependencies answer, with the running snapshotters */
    get: operations['getReadiness'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/auth/signup': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Whether sign-up is open */
    get: operations['getSignupStatus'];
    put?: never;
    /** Create an account and get a session token */
    post: operations['signUp'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/auth/login': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Exchange an email and password for a session token */
    post: operations['logIn'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/auth/session': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Sign in with a session cookie (web UI) */
    post: operations['createSession'];
    /** Sign out of the cookie session */
    delete: operations['deleteSession'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/archive/{id}/{kind}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** An artifact through its signed URL */
    get: operations['getArchivedArtifact'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/links/{id}/schedule': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /** Recapture a link on a schedule */
    put: operations['setLinkSchedule'];
    post?: never;
    /** Stop recapturing a link on its own schedule */
    delete: operations['deleteLinkSchedule'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/tags/{id}/schedule': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /** Recapture a tag’s links on a schedule */
    put: operations['setTagSchedule'];
    post?: never;
    /** Stop recapturing a tag’s links */
    delete: operations['deleteTagSchedule'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/api-keys': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List your API keys */
    get: operations['listApiKeys'];
    put?: never;
    /** Create an API key (its secret is shown once) */
    post: operations['createApiKey'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/api-keys/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Revoke an API key */
    delete: operations['deleteApiKey'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/admin/users': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Create an account for someone */
    post: operations['createUser'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/links': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List or search links, newest first */
    get: operations['listLinks'];
    put?: never;
    /**
     * Save a link and queue its capture, or upload a captured page
     * @description JSON `{url, tags?}`: the snapshotter fetches the URL. `multipart/form-data` with `url`, `tags` and a `page` file: an uploaded capture of the page as the user’s browser serialised it (SingleFile HTML, at most UPLOAD_MAX_BYTES, 413 above; HTML by its bytes, 400 otherwise), rendered with every request refused; the snapshot has `source: "upload"` and keeps the page as the `upload` artifact.
     */
    post: operations['createLink'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/links/batch': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Save many links at once, one answer per URL */
    post: operations['createLinks'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/links/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One link with its latest capture */
    get: operations['getLink'];
    put?: never;
    post?: never;
    /** Delete a link with every capture */
    delete: operations['deleteLink'];
    options?: never;
    head?: never;
    /** Edit a link’s title, description or tags */
    patch: operations['updateLink'];
    trace?: never;
  };
  '/v1/links/{id}/snapshots': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every capture of a link, newest first */
    get: operations['listLinkVersions'];
    put?: never;
    /** Queue a new capture (version) of a link */
    post: operations['captureLink'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/tags': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List your tags with their link counts */
    get: operations['listTags'];
    put?: never;
    /** Create a tag */
    post: operations['createTag'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/tags/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Delete a tag (its links stay) */
    delete: operations['deleteTag'];
    options?: never;
    head?: never;
    /** Rename a tag, or merge it into one of that name */
    patch: operations['updateTag'];
    trace?: never;
  };
  '/v1/tags/{id}/merge': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Merge a tag into another */
    post: operations['mergeTag'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/export': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Export every link as a bookmark file, optionally with archives */
    get: operations['exportLinks'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/links/{id}/export.wacz': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every version of a link merged into one WACZ */
    get: operations['exportLinkWacz'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/snapshots/{id}/diff': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** What changed between two captures of a link */
    get: operations['getSnapshotDiff'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/snapshots/{id}/diff.png': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The visual difference of two captures as an image */
    get: operations['getSnapshotDiffImage'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/jobs/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The state and progress of a capture */
    get: operations['getJob'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/jobs/{id}/events': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Follow a capture as Server-Sent Events */
    get: operations['streamJobEvents'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/snapshots/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One capture with its artifacts */
    get: operations['getSnapshot'];
    put?: never;
    post?: never;
    /** Delete one capture */
    delete: operations['deleteSnapshot'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/snapshots/{id}/artifacts/{kind}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Download an artifact of a capture */
    get: operations['getArtifact'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/snapshots/{id}/artifacts/{kind}/url': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A signed, expiring URL of an artifact */
    get: operations['getArtifactUrl'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/snapshots/{id}/replay': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A signed URL of the capture’s replay player */
    get: operations['getReplayUrl'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/auth/me': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The signed-in user */
    get: operations['getCurrentUser'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhooks': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List your webhooks */
    get: operations['listWebhooks'];
    put?: never;
    /** Register a webhook (its signing secret is shown once) */
    post: operations['createWebhook'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhooks/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Delete a webhook */
    delete: operations['deleteWebhook'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/usage': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Links, versions and bytes stored (yours or the instance’s) */
    get: operations['getUsage'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/import': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Import a Netscape bookmark file */
    post: operations['importBookmarks'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    Problem: {
      type: string;
      title: string;
      status: number;
      detail: string;
      instance?: string;
      code: string;
      requestId?: string;
      errors?: {
        pointer: string;
        detail: string;
      }[];
    } & {
      [key: string]: unknown;
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  getHealth: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The process answers */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            status: 'ok';
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getReadiness: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description PostgreSQL, Redis and S3 answer (503 problem with `checks` otherwise); the running snapshotters */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            status: 'ok';
            checks: {
              [key: string]: 'ok' | 'unavailable';
            };
            /** @description Capture workers that reported within the last 45 s (`adblock`: `unavailable` means its filter lists could not be loaded and it captures without blocking) */
            snapshotters?: {
              id: string;
              /** Format: date-time */
              startedAt: string;
              /** Format: date-time */
              seenAt: string;
              /** @enum {string} */
              adblock: 'on' | 'off' | 'unavailable';
              adblockFilters: number;
              concurrency: number;
              maxConcurrency: number;
            }[];
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getSignupStatus: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Whether visitors may sign up now */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            open: boolean;
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  signUp: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** Format: email */
          email: string;
          password: string;
        };
      };
    };
    responses: {
      /** @description Signed up and signed in */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            token: string;
            user: {
              id: string;
              email: string;
              createdAt: string;
            };
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  logIn: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** Format: email */
          email: string;
          password: string;
        };
      };
    };
    responses: {
      /** @description Signed in */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            token: string;
            user: {
              id: string;
              email: string;
              createdAt: string;
            };
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  createSession: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** Format: email */
          email: string;
          password: string;
        };
      };
    };
    responses: {
      /** @description Signed in */
      200: {
        headers: {
          /** @description The httpOnly session cookie and the `csrf` cookie to echo in X-CSRF-Token */
          'Set-Cookie'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            user: {
              id: string;
              email: string;
              createdAt: string;
            };
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  deleteSession: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Signed out; both cookies cleared */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getArchivedArtifact: {
    parameters: {
      query?: {
        exp?: string;
        sig?: string;
        s?: string;
      };
      header?: never;
      path: {
        id: string;
        kind: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The artifact: screenshot image/webp (image/png under SCREENSHOT_FORMAT=png or from older snapshots), thumbnail image/webp, pdf application/pdf, mhtml multipart/related (download), wacz application/wacz+zip (download: the signed WACZ 1.1.1 web archive, see docs/archive-format.md), html and readable text/html (sandboxed), text text/plain, metadata and report application/json, favicon image/x-icon; original keeps the captured resource’s own type */
      200: {
        headers: {
          /** @description The artifact’s SHA-256, quoted */
          ETag?: string;
          /** @description Archived pages: default-src 'none'; img-src data:; style-src 'unsafe-inline' data:; font-src data:; media-src data:; sandbox; frame-ancestors 'self'; others: frame-ancestors 'self' (on the signed route, the app's origin may frame them too) */
          'Content-Security-Policy'?: string;
          /** @description mhtml and wacz: attachment */
          'Content-Disposition'?: string;
          [name: string]: unknown;
        };
        content: {
          'image/webp': unknown;
          'application/pdf': unknown;
          'multipart/related': unknown;
          'text/html': unknown;
          'text/plain': unknown;
          'application/json': unknown;
          'image/x-icon': unknown;
          'application/octet-stream': unknown;
          'application/wacz+zip': unknown;
          'image/png': unknown;
          'image/jpeg': unknown;
          '*/*': unknown;
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  setLinkSchedule: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description `daily`, `weekly`, `monthly` (at a time spread per link) or a cron expression in UTC */
          every: string;
        };
      };
    };
    responses: {
      /** @description The schedule and its next firing */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            every: string;
            /** @enum {string} */
            source: 'link' | 'tag';
            tagId: string | null;
            nextCaptureAt: string | null;
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  deleteLinkSchedule: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description No schedule any more */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  setTagSchedule: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description `daily`, `weekly`, `monthly` (at a time spread per link) or a cron expression in UTC */
          every: string;
        };
      };
    };
    responses: {
      /** @description The schedule and its next firing */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            every: string;
            /** @enum {string} */
            source: 'link' | 'tag';
            tagId: string | null;
            nextCaptureAt: string | null;
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  deleteTagSchedule: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description No schedule any more */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listApiKeys: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The keys (never the key itself) */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              id: string;
              name: string;
              createdAt: string;
              lastUsedAt: string | null;
            }[];
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  createApiKey: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          name: string;
        };
      };
    };
    responses: {
      /** @description The new key; `key` is shown only this once */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            name: string;
            createdAt: string;
            lastUsedAt: string | null;
            /** @description Shown only once */
            key: string;
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  deleteApiKey: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Revoked */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  createUser: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** Format: email */
          email: string;
          password: string;
        };
      };
    };
    responses: {
      /** @description Account created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            user: {
              id: string;
              email: string;
              createdAt: string;
            };
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listLinks: {
    parameters: {
      query?: {
        cursor?: string;
        limit?: number;
        tag?: string | string[];
        match?: 'all' | 'any';
        status?: 'queued' | 'active' | 'succeeded' | 'partial' | 'failed';
        q?: string;
        from?: string;
        to?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of links, newest first (best match first when searching) */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              id: string;
              url: string;
              normalizedUrl: string;
              title: string | null;
              description: string | null;
              tags: {
                id: string;
                name: string;
              }[];
              /** @description The latest attempt: the link's capture state */
              latestSnapshot: {
                id: string;
                status: string;
                title: string | null;
                finishedAt: string | null;
                httpStatus: number | null;
                /** @description The main document answered 4xx/5xx: an error page, kept but never shown as the link */
                errorCapture: boolean;
              } | null;
              /** @description The version the link shows, searches and thumbnails: its newest good capture (succeeded or partial, not an error page) */
              lastGoodSnapshotId: string | null;
              /** @description The re-capture schedule. Lists show the link's own; GET /v1/links/{id} also resolves a tag's (the link's own wins) */
              schedule: {
                /** @description daily | weekly | monthly | a cron expression (UTC) */
                every: string;
                /** @enum {string} */
                source: 'link' | 'tag';
                tagId: string | null;
              } | null;
              /** @description Next scheduled capture (GET /v1/links/{id} only; null in lists) */
              nextCaptureAt: string | null;
              /** @description Gone since (DNS failure, an error page after a good version, or a soft 404); cleared by a good capture */
              deadAt: string | null;
              createdAt: string;
              updatedAt: string;
              /** @description The version shown, searched and thumbnailed; older than latestSnapshot after a failed or error capture */
              lastGoodSnapshot: {
                id: string;
                title: string | null;
                finishedAt: string | null;
              } | null;
              thumbnailUrl: string | null;
              /** @description Only when searching (`q`) */
              match?: {
                /** @description The version whose readable text matched best */
                snapshotId: string | null;
                /** @description A window of that text; matched words sit between U+E000 and U+E001. Plain text: render as text, never as HTML */
                snippet: string | null;
              };
            }[];
            /** @description Pass as `cursor` for the next page; null on the last */
            nextCursor: string | null;
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  createLink: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          url: string;
          tags?: string[];
          /** @description false: capture with ads and trackers (the instance blocks them by default, config ADBLOCK) */
          blockAds?: boolean;
          /** @description Artifacts to make, of screenshot (with its thumbnail), pdf, mhtml, html, wacz; default: the instance setting (CAPTURE_FORMATS). Text, readable, metadata and report are always made. */
          formats?: ('screenshot' | 'pdf' | 'mhtml' | 'html' | 'wacz')[];
          /**
           * @description `bookmark`: keep only metadata and readable text; `full` (default unless CAPTURE_MODE says otherwise): the formats too
           * @enum {string}
           */
          mode?: 'full' | 'bookmark';
        };
        'multipart/form-data': {
          /** @description The page’s address (checked like a JSON submission) */
          url: string;
          /** @description A tag; repeat the field, or separate names with commas */
          tags?: string;
          /** @description The page as the browser serialised it, self-contained (SingleFile format); at most UPLOAD_MAX_BYTES */
          page: string;
        };
      };
    };
    responses: {
      /** @description Saved; its first capture is queued */
      202: {
        headers: {
          /** @description The capture job to poll: `/v1/jobs/{snapshotId}` */
          Location?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            link: {
              id: string;
              url: string;
              normalizedUrl: string;
              title: string | null;
              description: string | null;
              tags: {
                id: string;
                name: string;
              }[];
              latestSnapshot: {
                id: string;
                status: string;
              } | null;
              /** @description The version the link shows, searches and thumbnails: its newest good capture (succeeded or partial, not an error page) */
              lastGoodSnapshotId: string | null;
              /** @description The re-capture schedule. Lists show the link's own; GET /v1/links/{id} also resolves a tag's (the link's own wins) */
              schedule: {
                /** @description daily | weekly | monthly | a cron expression (UTC) */
                every: string;
                /** @enum {string} */
                source: 'link' | 'tag';
                tagId: string | null;
              } | null;
              /** @description Next scheduled capture (GET /v1/links/{id} only; null in lists) */
              nextCaptureAt: string | null;
              /** @description Gone since (DNS failure, an error page after a good version, or a soft 404); cleared by a good capture */
              deadAt: string | null;
              createdAt: string;
              updatedAt: string;
            };
            snapshot: {
              id: string;
              linkId: string;
              status: string;
              requestedAt: string;
            };
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  createLinks: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          urls: string[];
          tags?: string[];
        };
      };
    };
    responses: {
      /** @description One result per URL, in input order */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              url: string;
              /** @description 202 saved, 409 already saved, 400 refused */
              status: number;
              link?: {
                id: string;
                url: string;
                normalizedUrl: string;
                title: string | null;
                description: string | null;
                tags: {
                  id: string;
                  name: string;
                }[];
                latestSnapshot: {
                  id: string;
                  status: string;
                } | null;
                /** @description The version the link shows, searches and thumbnails: its newest good capture (succeeded or partial, not an error page) */
                lastGoodSnapshotId: string | null;
                /** @description The re-capture schedule. Lists show the link's own; GET /v1/links/{id} also resolves a tag's (the link's own wins) */
                schedule: {
                  /** @description daily | weekly | monthly | a cron expression (UTC) */
                  every: string;
                  /** @enum {string} */
                  source: 'link' | 'tag';
                  tagId: string | null;
                } | null;
                /** @description Next scheduled capture (GET /v1/links/{id} only; null in lists) */
                nextCaptureAt: string | null;
                /** @description Gone since (DNS failure, an error page after a good version, or a soft 404); cleared by a good capture */
                deadAt: string | null;
                createdAt: string;
                updatedAt: string;
              };
              snapshot?: {
                id: string;
                linkId: string;
                status: string;
                requestedAt: string;
              };
              problem?: {
                type: string;
                title: string;
                status: number;
                detail: string;
                instance?: string;
                code: string;
                requestId?: string;
                errors?: {
                  pointer: string;
                  detail: string;
                }[];
              } & {
                [key: string]: unknown;
              };
            }[];
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getLink: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The link with its tags and latest snapshot */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            url: string;
            normalizedUrl: string;
            title: string | null;
            description: string | null;
            tags: {
              id: string;
              name: string;
            }[];
            latestSnapshot: {
              id: string;
              status: string;
            } | null;
            /** @description The version the link shows, searches and thumbnails: its newest good capture (succeeded or partial, not an error page) */
            lastGoodSnapshotId: string | null;
            /** @description The re-capture schedule. Lists show the link's own; GET /v1/links/{id} also resolves a tag's (the link's own wins) */
            schedule: {
              /** @description daily | weekly | monthly | a cron expression (UTC) */
              every: string;
              /** @enum {string} */
              source: 'link' | 'tag';
              tagId: string | null;
            } | null;
            /** @description Next scheduled capture (GET /v1/links/{id} only; null in lists) */
            nextCaptureAt: string | null;
            /** @description Gone since (DNS failure, an error page after a good version, or a soft 404); cleared by a good capture */
            deadAt: string | null;
            createdAt: string;
            updatedAt: string;
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  deleteLink: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deleted with every snapshot and stored object */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  updateLink: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          title?: string | null;
          description?: string | null;
          tags?: string[];
          addTags?: string[];
          removeTags?: string[];
        };
      };
    };
    responses: {
      /** @description The edited link */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            url: string;
            normalizedUrl: string;
            title: string | null;
            description: string | null;
            tags: {
              id: string;
              name: string;
            }[];
            latestSnapshot: {
              id: string;
              status: string;
            } | null;
            /** @description The version the link shows, searches and thumbnails: its newest good capture (succeeded or partial, not an error page) */
            lastGoodSnapshotId: string | null;
            /** @description The re-capture schedule. Lists show the link's own; GET /v1/links/{id} also resolves a tag's (the link's own wins) */
            schedule: {
              /** @description daily | weekly | monthly | a cron expression (UTC) */
              every: string;
              /** @enum {string} */
              source: 'link' | 'tag';
              tagId: string | null;
            } | null;
            /** @description Next scheduled capture (GET /v1/links/{id} only; null in lists) */
            nextCaptureAt: string | null;
            /** @description Gone since (DNS failure, an error page after a good version, or a soft 404); cleared by a good capture */
            deadAt: string | null;
            createdAt: string;
            updatedAt: string;
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listLinkVersions: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Every version, newest first */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              id: string;
              status: string;
              title: string | null;
              requestedAt: string;
              finishedAt: string | null;
              totalBytes: number;
              httpStatus: number | null;
              /** @description The main document answered 4xx/5xx: an error page, kept but never shown as the link */
              errorCapture: boolean;
              error: {
                code: string;
                title: string;
                detail: string;
              } | null;
              /** @description Compared with the link's previous good version; null for a first version or one with nothing to compare */
              change: {
                text: ('same' | 'changed') | null;
                /** @description Share of screenshot pixels changed, 0..1 */
                visual: number | null;
                /** @enum {string} */
                status: 'same' | 'moved' | 'gone';
              } | null;
            }[];
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  captureLink: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A new capture (version) is queued */
      202: {
        headers: {
          /** @description The capture job to poll: `/v1/jobs/{snapshotId}` */
          Location?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            snapshot: {
              id: string;
              linkId: string;
              status: string;
              requestedAt: string;
            };
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listTags: {
    parameters: {
      query?: {
        sort?: 'name' | 'count';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The tags with their link counts */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              id: string;
              name: string;
              linkCount: number;
              /** @description Re-capture schedule of its links that have none of their own */
              schedule: string | null;
            }[];
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  createTag: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          name: string;
        };
      };
    };
    responses: {
      /** @description Created (with no links yet) */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            name: string;
            linkCount: number;
            /** @description Re-capture schedule of its links that have none of their own */
            schedule: string | null;
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  deleteTag: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deleted; its links keep their other tags */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  updateTag: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          name: string;
          /** @default false */
          merge?: boolean;
        };
      };
    };
    responses: {
      /** @description The renamed tag, or the tag it was merged into */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            name: string;
            linkCount: number;
            /** @description Re-capture schedule of its links that have none of their own */
            schedule: string | null;
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  mergeTag: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          into: string;
        };
      };
    };
    responses: {
      /** @description The tag merged into, with its new link count */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            name: string;
            linkCount: number;
            /** @description Re-capture schedule of its links that have none of their own */
            schedule: string | null;
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  exportLinks: {
    parameters: {
      query?: {
        /** @description wacz: include each link’s archives */
        archives?: 'none' | 'wacz';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Netscape bookmark file of every link, tags as TAGS=; with archives=wacz a zip of bookmarks.html, archives/{linkId}.wacz (every version of the link merged) and archives/index.json */
      200: {
        headers: {
          /** @description attachment; filename="bookmarks.html" or "linksnap-export.zip" */
          'Content-Disposition'?: string;
          [name: string]: unknown;
        };
        content: {
          'text/html': unknown;
          'application/zip': unknown;
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  exportLinkWacz: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description One WACZ 1.1.1 with every version’s WARC records, a merged CDXJ index and pages.jsonl */
      200: {
        headers: {
          /** @description attachment; filename="{linkId}.wacz" */
          'Content-Disposition'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/wacz+zip': unknown;
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getSnapshotDiff: {
    parameters: {
      query: {
        /** @description The version to compare with (the older side) */
        against: string;
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description From `against` to this version: text operations and changed regions */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description The older side (`against`) */
            from: string;
            to: string;
            /** @description Word level for Latin scripts, character level for CJK; whitespace-normalised */
            text: {
              /** @enum {string} */
              op: 'equal' | 'insert' | 'delete';
              text: string;
            }[];
            /** @description Screenshot pixels, on the common size; null without two screenshots */
            visual: {
              changedRatio: number;
              boxes: {
                x: number;
                y: number;
                width: number;
                height: number;
              }[];
              width: number;
              height: number;
            } | null;
            /** @description PNG of the newer screenshot with the changes marked */
            imageUrl: string | null;
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getSnapshotDiffImage: {
    parameters: {
      query: {
        /** @description The version to compare with (the older side) */
        against: string;
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description This version’s screenshot, faded, with changed pixels and regions in red */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'image/png': unknown;
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getJob: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The capture: from BullMQ while running, from PostgreSQL afterwards */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            /** @description queued | active | succeeded | partial | failed */
            state: string;
            progress: {
              /** @enum {string} */
              stage:
                | 'queued'
                | 'navigate'
                | 'settle'
                | 'screenshot'
                | 'pdf'
                | 'mhtml'
                | 'html'
                | 'wacz'
                | 'text'
                | 'metadata'
                | 'upload'
                | 'done';
              percent: number;
            };
            attempts: number;
            error: {
              /** @enum {string} */
              code:
                | 'VALIDATION_FAILED'
                | 'INVALID_QUERY'
                | 'INVALID_URL'
                | 'UNAUTHENTICATED'
                | 'INVALID_CREDENTIALS'
                | 'FORBIDDEN'
                | 'SIGNUPS_DISABLED'
                | 'NOT_FOUND'
                | 'METHOD_NOT_ALLOWED'
                | 'LINK_ALREADY_EXISTS'
                | 'EMAIL_ALREADY_EXISTS'
                | 'TAG_ALREADY_EXISTS'
                | 'PAYLOAD_TOO_LARGE'
                | 'UNSUPPORTED_MEDIA_TYPE'
                | 'IDEMPOTENCY_KEY_REUSED'
                | 'RATE_LIMITED'
                | 'INTERNAL'
                | 'SERVICE_UNAVAILABLE'
                | 'SSRF_BLOCKED'
                | 'DNS_FAILED'
                | 'CONNECTION_FAILED'
                | 'TLS_FAILED'
                | 'NAVIGATION_TIMEOUT'
                | 'BROWSER_CRASHED'
                | 'STORAGE_UNAVAILABLE'
                | 'UNSUPPORTED_CONTENT'
                | 'CONTENT_TOO_LARGE'
                | 'CAPTURE_FAILED'
                | 'ARCHIVE_INVALID'
                | 'ARCHIVE_TAMPERED';
              title: string;
              detail: string;
            } | null;
            /** @description The main document answered 4xx/5xx: an error page, kept but never shown as the link */
            errorCapture: boolean;
            snapshot: {
              id: string;
              linkId: string;
              status: string;
              requestedAt: string;
              attempts: number;
              error: {
                /** @enum {string} */
                code:
                  | 'VALIDATION_FAILED'
                  | 'INVALID_QUERY'
                  | 'INVALID_URL'
                  | 'UNAUTHENTICATED'
                  | 'INVALID_CREDENTIALS'
                  | 'FORBIDDEN'
                  | 'SIGNUPS_DISABLED'
                  | 'NOT_FOUND'
                  | 'METHOD_NOT_ALLOWED'
                  | 'LINK_ALREADY_EXISTS'
                  | 'EMAIL_ALREADY_EXISTS'
                  | 'TAG_ALREADY_EXISTS'
                  | 'PAYLOAD_TOO_LARGE'
                  | 'UNSUPPORTED_MEDIA_TYPE'
                  | 'IDEMPOTENCY_KEY_REUSED'
                  | 'RATE_LIMITED'
                  | 'INTERNAL'
                  | 'SERVICE_UNAVAILABLE'
                  | 'SSRF_BLOCKED'
                  | 'DNS_FAILED'
                  | 'CONNECTION_FAILED'
                  | 'TLS_FAILED'
                  | 'NAVIGATION_TIMEOUT'
                  | 'BROWSER_CRASHED'
                  | 'STORAGE_UNAVAILABLE'
                  | 'UNSUPPORTED_CONTENT'
                  | 'CONTENT_TOO_LARGE'
                  | 'CAPTURE_FAILED'
                  | 'ARCHIVE_INVALID'
                  | 'ARCHIVE_TAMPERED';
                title: string;
                detail: string;
              } | null;
              httpStatus: number | null;
              /** @description The main document answered 4xx/5xx: an error page, kept but never shown as the link */
              errorCapture: boolean;
              finalUrl: string | null;
              contentType: string | null;
              title: string | null;
              lang: string | null;
              timings: {
                [key: string]: number;
              } | null;
              artifacts: {
                /** @enum {string} */
                kind:
                  | 'screenshot'
                  | 'thumbnail'
                  | 'pdf'
                  | 'mhtml'
                  | 'html'
                  | 'text'
                  | 'readable'
                  | 'metadata'
                  | 'report'
                  | 'favicon'
                  | 'original'
                  | 'wacz'
                  | 'upload';
                key: string;
                contentType: string;
                bytes: number;
                sha256: string;
                url: string;
              }[];
              missing: {
                kind: string;
                code: string;
                detail: string;
              }[];
              startedAt: string | null;
              finishedAt: string | null;
              /** @description Compared with the link's previous good version; null for a first version or one with nothing to compare */
              change: {
                text: ('same' | 'changed') | null;
                /** @description Share of screenshot pixels changed, 0..1 */
                visual: number | null;
                /** @enum {string} */
                status: 'same' | 'moved' | 'gone';
              } | null;
              /**
               * @description `upload`: rendered from the page the user’s browser sent (SingleFile HTML), with all network refused
               * @enum {string}
               */
              source: 'capture' | 'upload';
            } | null;
            createdAt: string;
            finishedAt: string | null;
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  streamJobEvents: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Server-Sent Events: `event: state` (the job view, as GET /v1/jobs/{id}) first, `event: progress` ({stage, percent}) per stage, then `event: snapshot.changed` or `event: link.dead` ({snapshotId, linkId, change}) when the version changed or found the page gone, then the final `event: state` and the stream closes; `: heartbeat` comments keep it open */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/event-stream': unknown;
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getSnapshot: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description One snapshot version with its artifacts */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            linkId: string;
            status: string;
            requestedAt: string;
            attempts: number;
            error: {
              /** @enum {string} */
              code:
                | 'VALIDATION_FAILED'
                | 'INVALID_QUERY'
                | 'INVALID_URL'
                | 'UNAUTHENTICATED'
                | 'INVALID_CREDENTIALS'
                | 'FORBIDDEN'
                | 'SIGNUPS_DISABLED'
                | 'NOT_FOUND'
                | 'METHOD_NOT_ALLOWED'
                | 'LINK_ALREADY_EXISTS'
                | 'EMAIL_ALREADY_EXISTS'
                | 'TAG_ALREADY_EXISTS'
                | 'PAYLOAD_TOO_LARGE'
                | 'UNSUPPORTED_MEDIA_TYPE'
                | 'IDEMPOTENCY_KEY_REUSED'
                | 'RATE_LIMITED'
                | 'INTERNAL'
                | 'SERVICE_UNAVAILABLE'
                | 'SSRF_BLOCKED'
                | 'DNS_FAILED'
                | 'CONNECTION_FAILED'
                | 'TLS_FAILED'
                | 'NAVIGATION_TIMEOUT'
                | 'BROWSER_CRASHED'
                | 'STORAGE_UNAVAILABLE'
                | 'UNSUPPORTED_CONTENT'
                | 'CONTENT_TOO_LARGE'
                | 'CAPTURE_FAILED'
                | 'ARCHIVE_INVALID'
                | 'ARCHIVE_TAMPERED';
              title: string;
              detail: string;
            } | null;
            httpStatus: number | null;
            /** @description The main document answered 4xx/5xx: an error page, kept but never shown as the link */
            errorCapture: boolean;
            finalUrl: string | null;
            contentType: string | null;
            title: string | null;
            lang: string | null;
            timings: {
              [key: string]: number;
            } | null;
            artifacts: {
              /** @enum {string} */
              kind:
                | 'screenshot'
                | 'thumbnail'
                | 'pdf'
                | 'mhtml'
                | 'html'
                | 'text'
                | 'readable'
                | 'metadata'
                | 'report'
                | 'favicon'
                | 'original'
                | 'wacz'
                | 'upload';
              key: string;
              contentType: string;
              bytes: number;
              sha256: string;
              url: string;
            }[];
            missing: {
              kind: string;
              code: string;
              detail: string;
            }[];
            startedAt: string | null;
            finishedAt: string | null;
            /** @description Compared with the link's previous good version; null for a first version or one with nothing to compare */
            change: {
              text: ('same' | 'changed') | null;
              /** @description Share of screenshot pixels changed, 0..1 */
              visual: number | null;
              /** @enum {string} */
              status: 'same' | 'moved' | 'gone';
            } | null;
            /**
             * @description `upload`: rendered from the page the user’s browser sent (SingleFile HTML), with all network refused
             * @enum {string}
             */
            source: 'capture' | 'upload';
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  deleteSnapshot: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deleted with its stored objects */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getArtifact: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
        kind: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The artifact: screenshot image/webp (image/png under SCREENSHOT_FORMAT=png or from older snapshots), thumbnail image/webp, pdf application/pdf, mhtml multipart/related (download), wacz application/wacz+zip (download: the signed WACZ 1.1.1 web archive, see docs/archive-format.md), html and readable text/html (sandboxed), text text/plain, metadata and report application/json, favicon image/x-icon; original keeps the captured resource’s own type */
      200: {
        headers: {
          /** @description The artifact’s SHA-256, quoted */
          ETag?: string;
          /** @description Archived pages: default-src 'none'; img-src data:; style-src 'unsafe-inline' data:; font-src data:; media-src data:; sandbox; frame-ancestors 'self'; others: frame-ancestors 'self' (on the signed route, the app's origin may frame them too) */
          'Content-Security-Policy'?: string;
          /** @description mhtml and wacz: attachment */
          'Content-Disposition'?: string;
          [name: string]: unknown;
        };
        content: {
          'image/webp': unknown;
          'application/pdf': unknown;
          'multipart/related': unknown;
          'text/html': unknown;
          'text/plain': unknown;
          'application/json': unknown;
          'image/x-icon': unknown;
          'application/octet-stream': unknown;
          'application/wacz+zip': unknown;
          'image/png': unknown;
          'image/jpeg': unknown;
          '*/*': unknown;
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getArtifactUrl: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
        kind: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A short-lived URL that needs no credentials (on ARCHIVE_ORIGIN when set) */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            url: string;
            expiresAt: string;
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getReplayUrl: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A short-lived URL of the full-screen replay player of the snapshot’s WACZ (ReplayWeb.page, served by this API on ARCHIVE_ORIGIN when set); frame it or open it */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            url: string;
            expiresAt: string;
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getCurrentUser: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The signed-in user */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            user: {
              id: string;
              email: string;
              createdAt: string;
            };
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listWebhooks: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The webhooks (never their secrets) */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              id: string;
              url: string;
              events: string[];
              createdAt: string;
            }[];
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  createWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          url: string;
          events?: ('snapshot.succeeded' | 'snapshot.partial' | 'snapshot.failed' | 'snapshot.changed' | 'link.dead')[];
        };
      };
    };
    responses: {
      /** @description Registered; `secret` (for the signatures) is shown only this once */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            url: string;
            events: string[];
            createdAt: string;
            /** @description Shown only once */
            secret: string;
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  deleteWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deleted */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getUsage: {
    parameters: {
      query?: {
        scope?: 'user' | 'instance';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Links, versions and bytes (scope=instance: administrators only) */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            scope: 'user' | 'instance';
            links: number;
            snapshots: number;
            /** @description Distinct bodies in object storage: each stored once, however shared */
            bytesStored: number;
            /** @description The sum of every version’s artifact sizes, as if nothing were shared */
            bytesLogical: number;
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  importBookmarks: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'text/html': string;
        'multipart/form-data': {
          /** @description A Netscape bookmark file (≤ 10 MB) */
          file: string;
        };
      };
    };
    responses: {
      /** @description Links created (each queued for capture), duplicates, invalid */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            created: number;
            duplicates: number;
            invalid: {
              url: string;
              reason: string;
            }[];
          };
        };
      };
      /** @description Client error (RFC 9457 problem details) */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Server error or dependency unavailable (RFC 9457 problem details) */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
}
