/** Path parameters shared by route files. */
import { z } from 'zod';

/** `{id}` of a link, snapshot, tag, webhook, API key or job: checked by the service that looks it up. */
export const idParams = z.object({ id: z.string() });
