CREATE TABLE "blob_refs" (
	"snapshot_id" uuid NOT NULL,
	"sha256" text NOT NULL,
	CONSTRAINT "blob_refs_snapshot_id_sha256_pk" PRIMARY KEY("snapshot_id","sha256")
);
--> statement-breakpoint
CREATE TABLE "blobs" (
	"sha256" text PRIMARY KEY NOT NULL,
	"bytes" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "snapshots" ADD COLUMN "archive_bases" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "blob_refs" ADD CONSTRAINT "blob_refs_snapshot_id_snapshots_id_fk" FOREIGN KEY ("snapshot_id") REFERENCES "public"."snapshots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "blob_refs" ADD CONSTRAINT "blob_refs_sha256_blobs_sha256_fk" FOREIGN KEY ("sha256") REFERENCES "public"."blobs"("sha256") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "blob_refs_sha256_idx" ON "blob_refs" USING btree ("sha256");