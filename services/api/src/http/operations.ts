/**
 * The name, one-line summary and tag of every documented operation, in one table. Generated
 * clients name their methods and types after `operationId`, and the reference at /docs groups
 * operations by tag, so these are part of the API's contract: renaming one is a breaking change
 * for whoever generated a client from the document. The OpenAPI transform (openapi.ts) refuses
 * to document a route this table does not name.
 */

export const API_TAGS = [
  { name: 'health', description: 'Liveness and readiness probes (no authentication)' },
  { name: 'auth', description: 'Accounts, tokens and the web UI’s cookie session' },
  { name: 'api-keys', description: 'Long-lived keys for scripts and the CLI' },
  { name: 'admin', description: 'Instance administration (ADMIN_EMAILS only)' },
  { name: 'links', description: 'Saved links, their captures (versions) and recapture schedules' },
  { name: 'snapshots', description: 'One capture: its state, artifacts, replay and differences' },
  { name: 'jobs', description: 'Following a queued capture' },
  { name: 'tags', description: 'Tags, merging them and per-tag recapture schedules' },
  { name: 'import-export', description: 'Netscape bookmark files and WACZ archives in and out' },
  { name: 'webhooks', description: 'Notifications of finished captures' },
  { name: 'usage', description: 'What is stored, per account or for the instance' },
] as const;

export type ApiTag = (typeof API_TAGS)[number]['name'];

export interface OperationDoc {
  operationId: string;
  summary: string;
  tag: ApiTag;
}

const op = (operationId: string, summary: string, tag: ApiTag): OperationDoc => ({ operationId, summary, tag });

/** Keyed by `METHOD url` with Fastify's `:param` syntax, as routes are registered. */
export const OPERATIONS: Readonly<Record<string, OperationDoc>> = {
  'GET /healthz': op('getHealth', 'Whether the process is up', 'health'),
  'GET /readyz': op('getReadiness', 'Whether the dependencies answer, with the running snapshotters', 'health'),

  'POST /v1/auth/signup': op('signUp', 'Create an account and get a session token', 'auth'),
  'GET /v1/auth/signup': op('getSignupStatus', 'Whether sign-up is open', 'auth'),
  'POST /v1/auth/login': op('logIn', 'Exchange an email and password for a session token', 'auth'),
  'POST /v1/auth/session': op('createSession', 'Sign in with a session cookie (web UI)', 'auth'),
  'DELETE /v1/auth/session': op('deleteSession', 'Sign out of the cookie session', 'auth'),
  'GET /v1/auth/me': op('getCurrentUser', 'The signed-in user', 'auth'),

  'POST /v1/api-keys': op('createApiKey', 'Create an API key (its secret is shown once)', 'api-keys'),
  'GET /v1/api-keys': op('listApiKeys', 'List your API keys', 'api-keys'),
  'DELETE /v1/api-keys/:id': op('deleteApiKey', 'Revoke an API key', 'api-keys'),

  'POST /v1/admin/users': op('createUser', 'Create an account for someone', 'admin'),

  'GET /v1/links': op('listLinks', 'List or search links, newest first', 'links'),
  'POST /v1/links': op('createLink', 'Save a link and queue its capture, or upload a captured page', 'links'),
  'POST /v1/links/batch': op('createLinks', 'Save many links at once, one answer per URL', 'links'),
  'GET /v1/links/:id': op('getLink', 'One link with its latest capture', 'links'),
  'PATCH /v1/links/:id': op('updateLink', 'Edit a link’s title, description or tags', 'links'),
  'DELETE /v1/links/:id': op('deleteLink', 'Delete a link with every capture', 'links'),
  'POST /v1/links/:id/snapshots': op('captureLink', 'Queue a new capture (version) of a link', 'links'),
  'GET /v1/links/:id/snapshots': op('listLinkVersions', 'Every capture of a link, newest first', 'links'),
  'PUT /v1/links/:id/schedule': op('setLinkSchedule', 'Recapture a link on a schedule', 'links'),
  'DELETE /v1/links/:id/schedule': op('deleteLinkSchedule', 'Stop recapturing a link on its own schedule', 'links'),

  'GET /v1/snapshots/:id': op('getSnapshot', 'One capture with its artifacts', 'snapshots'),
  'DELETE /v1/snapshots/:id': op('deleteSnapshot', 'Delete one capture', 'snapshots'),
  'GET /v1/snapshots/:id/artifacts/:kind': op('getArtifact', 'Download an artifact of a capture', 'snapshots'),
  'GET /v1/snapshots/:id/artifacts/:kind/url': op(
    'getArtifactUrl',
    'A signed, expiring URL of an artifact',
    'snapshots',
  ),
  'GET /v1/snapshots/:id/replay': op('getReplayUrl', 'A signed URL of the capture’s replay player', 'snapshots'),
  'GET /v1/snapshots/:id/diff': op('getSnapshotDiff', 'What changed between two captures of a link', 'snapshots'),
  'GET /v1/snapshots/:id/diff.png': op(
    'getSnapshotDiffImage',
    'The visual difference of two captures as an image',
    'snapshots',
  ),
  'GET /archive/:id/:kind': op('getArchivedArtifact', 'An artifact through its signed URL', 'snapshots'),

  'GET /v1/jobs/:id': op('getJob', 'The state and progress of a capture', 'jobs'),
  'GET /v1/jobs/:id/events': op('streamJobEvents', 'Follow a capture as Server-Sent Events', 'jobs'),

  'GET /v1/tags': op('listTags', 'List your tags with their link counts', 'tags'),
  'POST /v1/tags': op('createTag', 'Create a tag', 'tags'),
  'PATCH /v1/tags/:id': op('updateTag', 'Rename a tag, or merge it into one of that name', 'tags'),
  'DELETE /v1/tags/:id': op('deleteTag', 'Delete a tag (its links stay)', 'tags'),
  'POST /v1/tags/:id/merge': op('mergeTag', 'Merge a tag into another', 'tags'),
  'PUT /v1/tags/:id/schedule': op('setTagSchedule', 'Recapture a tag’s links on a schedule', 'tags'),
  'DELETE /v1/tags/:id/schedule': op('deleteTagSchedule', 'Stop recapturing a tag’s links', 'tags'),

  'POST /v1/import': op('importBookmarks', 'Import a Netscape bookmark file', 'import-export'),
  'GET /v1/export': op(
    'exportLinks',
    'Export every link as a bookmark file, optionally with archives',
    'import-export',
  ),
  'GET /v1/links/:id/export.wacz': op(
    'exportLinkWacz',
    'Every version of a link merged into one WACZ',
    'import-export',
  ),

  'POST /v1/webhooks': op('createWebhook', 'Register a webhook (its signing secret is shown once)', 'webhooks'),
  'GET /v1/webhooks': op('listWebhooks', 'List your webhooks', 'webhooks'),
  'DELETE /v1/webhooks/:id': op('deleteWebhook', 'Delete a webhook', 'webhooks'),

  'GET /v1/usage': op('getUsage', 'Links, versions and bytes stored (yours or the instance’s)', 'usage'),
};

/** The table's entry for a route; a documented route without one is a programming error. */
export function operationOf(method: string, url: string): OperationDoc {
  const found = OPERATIONS[`${method} ${url}`];
  if (!found) throw new Error(`${method} ${url} has no operationId, summary and tag in http/operations.ts`);
  return found;
}
