/** The user's tags with link counts, shared by the autocomplete, the sidebar and tag management. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { answer, api, type Tag } from './api';

export interface TagsState {
  tags: Tag[];
  loading: boolean;
  error: unknown;
  reload: () => void;
}

export function useTags(): TagsState {
  const [tags, setTags] = useState<Tag[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    setLoading(true);
    answer(api.GET('/v1/tags'))
      .then((res) => {
        if (!live) return;
        setTags(res.items);
        setError(null);
      })
      .catch((err) => live && setError(err))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { tags, loading, error, reload };
}
