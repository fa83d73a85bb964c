-- Extensions first (hand-added: drizzle-kit does not emit them). Both are trusted since
-- PostgreSQL 13 and ship with PGlite as contrib modules.
CREATE EXTENSION IF NOT EXISTS btree_gin;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
DROP INDEX "snapshots_search_vector_idx";--> statement-breakpoint
ALTER TABLE "links" ADD COLUMN "search_vector" "tsvector";--> statement-breakpoint
ALTER TABLE "links" ADD COLUMN "search_head" "tsvector";--> statement-breakpoint
ALTER TABLE "links" ADD COLUMN "search_stale" boolean DEFAULT true NOT NULL;--> statement-breakpoint
CREATE INDEX "links_user_search_idx" ON "links" USING gin ("user_id","search_vector");--> statement-breakpoint
CREATE INDEX "links_user_search_head_idx" ON "links" USING gin ("user_id","search_head");--> statement-breakpoint
CREATE INDEX "links_user_trgm_idx" ON "links" USING gin ("user_id","url" gin_trgm_ops,"title" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "links_search_stale_idx" ON "links" USING btree ("id") WHERE "links"."search_stale";--> statement-breakpoint
ALTER TABLE "snapshots" DROP COLUMN "search_vector";--> statement-breakpoint
-- Hand-added: anything that changes a link's search document marks the link stale; the search
-- indexer (services/api/src/search/search-indexer.ts) re-segments and clears the flag.
CREATE FUNCTION links_search_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_stale := true;
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER links_search_stale BEFORE UPDATE OF title, description, url ON links FOR EACH ROW
  WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.description IS DISTINCT FROM NEW.description OR OLD.url IS DISTINCT FROM NEW.url)
  EXECUTE FUNCTION links_search_touch();--> statement-breakpoint
CREATE FUNCTION links_search_mark_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE links SET search_stale = true
    WHERE id = (CASE WHEN TG_OP = 'DELETE' THEN OLD.link_id ELSE NEW.link_id END) AND NOT search_stale;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER snapshots_search_insert AFTER INSERT ON snapshots FOR EACH ROW
  WHEN (NEW.text IS NOT NULL) EXECUTE FUNCTION links_search_mark_row();--> statement-breakpoint
CREATE TRIGGER snapshots_search_update AFTER UPDATE OF text, title, lang ON snapshots FOR EACH ROW
  WHEN (OLD.text IS DISTINCT FROM NEW.text OR OLD.title IS DISTINCT FROM NEW.title OR OLD.lang IS DISTINCT FROM NEW.lang)
  EXECUTE FUNCTION links_search_mark_row();--> statement-breakpoint
CREATE TRIGGER snapshots_search_delete AFTER DELETE ON snapshots FOR EACH ROW
  WHEN (OLD.text IS NOT NULL) EXECUTE FUNCTION links_search_mark_row();--> statement-breakpoint
CREATE TRIGGER link_tags_search_stale AFTER INSERT OR DELETE ON link_tags FOR EACH ROW
  EXECUTE FUNCTION links_search_mark_row();--> statement-breakpoint
CREATE FUNCTION tags_search_rename() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE links SET search_stale = true
    WHERE id IN (SELECT link_id FROM link_tags WHERE tag_id = NEW.id) AND NOT search_stale;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER tags_search_rename AFTER UPDATE OF name ON tags FOR EACH ROW
  WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION tags_search_rename();
