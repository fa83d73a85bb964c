ALTER TABLE "links" ADD COLUMN "schedule" text;--> statement-breakpoint
ALTER TABLE "links" ADD COLUMN "dead_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "snapshots" ADD COLUMN "change" jsonb;--> statement-breakpoint
ALTER TABLE "tags" ADD COLUMN "schedule" text;