/** Storage use of the caller's links and versions, or of the instance for an administrator. */
import { z } from 'zod';
import type { UsageService } from '../domain/usage.service.js';
import { userIdOf } from '../http/auth.js';
import { documented } from './response.schemas.js';
import type { ZodApp } from './types.js';

const usageView = z.object({
  scope: z.enum(['user', 'instance']),
  links: z.number().int(),
  snapshots: z.number().int(),
  bytesStored: z.number().int().describe('Distinct bodies in object storage: each stored once, however shared'),
  bytesLogical: z.number().int().describe('The sum of every version\u2019s artifact sizes, as if nothing were shared'),
});

export function usageRoutes(app: ZodApp, usage: UsageService): void {
  // GET /v1/usage
  app.get(
    '/v1/usage',
    {
      schema: {
        querystring: z.object({ scope: z.enum(['user', 'instance']).default('user') }),
        response: { 200: documented(usageView, 'Links, versions and bytes (scope=instance: administrators only)') },
      },
    },
    async (request) => usage.usage(userIdOf(request), request.query.scope),
  );
}
