/**
 * Settles as `work` does, or rejects after `ms` with `onTimeout()`; given a name instead, with
 * an Error `<name> timed out` whose code is ETIMEDOUT (a network error code, so callers that map
 * transport failures to 503 treat it as one). The abandoned work may still reject later: that
 * rejection is handled here, never reported as unhandled.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: string | (() => Error)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          typeof onTimeout === 'string'
            ? Object.assign(new Error(`${onTimeout} timed out`), { code: 'ETIMEDOUT' })
            : onTimeout(),
        ),
      ms,
    );
  });
  work.catch(() => {});
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
