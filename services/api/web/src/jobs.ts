/** Polls capture jobs (~700 ms) until they reach a final state. */
import { useEffect, useRef } from 'preact/hooks';
import { answer, api, FINAL_STATES, type Job } from './api';

export const POLL_MS = 700;

/**
 * Calls `onUpdate` with each fresh job state for the ids in `jobIds` that are not final yet.
 * Errors are handed over too, so a vanished job ends its own polling.
 */
export function useJobPolling(jobIds: string[], onUpdate: (id: string, job: Job | null, error?: unknown) => void) {
  const callback = useRef(onUpdate);
  callback.current = onUpdate;
  const key = jobIds.join(',');
  useEffect(() => {
    if (!key) return;
    const ids = key.split(',');
    let live = true;
    let timer: ReturnType<typeof setTimeout>;
    const tick = async () => {
      await Promise.all(
        ids.map(async (id) => {
          try {
            const job = await answer(api.GET('/v1/jobs/{id}', { params: { path: { id } } }));
            if (live) callback.current(id, job);
          } catch (err) {
            if (live) callback.current(id, null, err);
          }
        }),
      );
      if (live) timer = setTimeout(tick, POLL_MS);
    };
    timer = setTimeout(tick, POLL_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key]);
}

export const isFinal = (state: string | undefined) => state !== undefined && FINAL_STATES.includes(state);
