-- Hand-written (functions only; the schema of meta/0010_snapshot.json is unchanged). 0005's
-- triggers marked a link stale with `... AND NOT search_stale`. While an indexer holds a link it
-- has claimed, the link still reads as stale, so that condition skipped the link without waiting
-- for the indexer's lock; the indexer then committed a document read before the change and
-- cleared the flag, and the change was never indexed (a CI run's missing search hit). Without the
-- condition the update waits for the indexer to commit and marks the link stale after it.
CREATE OR REPLACE FUNCTION links_search_mark_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE links SET search_stale = true
    WHERE id = (CASE WHEN TG_OP = 'DELETE' THEN OLD.link_id ELSE NEW.link_id END);
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION tags_search_rename() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE links SET search_stale = true
    WHERE id IN (SELECT link_id FROM link_tags WHERE tag_id = NEW.id);
  RETURN NULL;
END $$;
