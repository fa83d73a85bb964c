-- Hand-written: drizzle-kit cannot diff here (the meta snapshots after 0005 branch; see
-- meta/0010_snapshot.json for the schema this leaves). Issue 16: `q` with a tag was the GIN
-- match of the words followed by a link_tags probe per match, and the planner, misjudging how
-- many links the tag keeps, walked many rows. The link's tag ids now sit in both search GIN
-- indexes, so the words and the tag intersect inside one index scan.
ALTER TABLE "links" ADD COLUMN "tag_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL;--> statement-breakpoint
-- Backfill: one statement, so it is all or nothing (a failed run rolls back with the migration
-- and runs again). Links without tags keep the default, which costs no rewrite.
UPDATE "links" SET "tag_ids" = t.ids
  FROM (SELECT link_id, array_agg(tag_id ORDER BY tag_id) AS ids FROM link_tags GROUP BY link_id) t
  WHERE links.id = t.link_id;--> statement-breakpoint
DROP INDEX "links_user_search_idx";--> statement-breakpoint
DROP INDEX "links_user_search_head_idx";--> statement-breakpoint
CREATE INDEX "links_user_search_idx" ON "links" USING gin ("user_id","search_vector","tag_ids");--> statement-breakpoint
CREATE INDEX "links_user_search_head_idx" ON "links" USING gin ("user_id","search_head","tag_ids");--> statement-breakpoint
-- One trigger keeps tag_ids equal to the link's link_tags rows and marks the document stale (it
-- still holds the tag names as words), in one update of the link; it replaces 0005's
-- link_tags_search_stale. Tag delete and merge reach it through link_tags' own rows (the cascade
-- deletes them, merge inserts then cascades); a rename changes no id, only the document.
DROP TRIGGER "link_tags_search_stale" ON "link_tags";--> statement-breakpoint
CREATE FUNCTION link_tags_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE links SET tag_ids = array_remove(tag_ids, OLD.tag_id), search_stale = true WHERE id = OLD.link_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE links SET tag_ids = CASE WHEN NEW.tag_id = ANY (tag_ids) THEN tag_ids ELSE array_append(tag_ids, NEW.tag_id) END,
      search_stale = true
    WHERE id = NEW.link_id;
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER link_tags_search_sync AFTER INSERT OR UPDATE OR DELETE ON link_tags FOR EACH ROW
  EXECUTE FUNCTION link_tags_search_sync();
