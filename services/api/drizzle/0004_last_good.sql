ALTER TABLE "links" ADD COLUMN "latest_good_snapshot_id" uuid;--> statement-breakpoint
ALTER TABLE "links" ADD CONSTRAINT "links_latest_good_snapshot_id_snapshots_id_fk" FOREIGN KEY ("latest_good_snapshot_id") REFERENCES "public"."snapshots"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "links_latest_good_snapshot_idx" ON "links" USING btree ("latest_good_snapshot_id");--> statement-breakpoint
-- Backfill (hand-written): each link's newest good version, as isGoodCapture decides it.
UPDATE "links" SET "latest_good_snapshot_id" = (
  SELECT s."id" FROM "snapshots" s
  WHERE s."link_id" = "links"."id"
    AND s."status" IN ('succeeded', 'partial')
    AND (s."http_status" IS NULL OR s."http_status" < 400)
  ORDER BY s."requested_at" DESC, s."id" DESC
  LIMIT 1
);
