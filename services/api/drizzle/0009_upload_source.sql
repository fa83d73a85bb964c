-- IF NOT EXISTS: databases that ran this migration before 0007 existed (it was written in parallel) see it again.
ALTER TABLE "snapshots" ADD COLUMN IF NOT EXISTS "source" text DEFAULT 'capture' NOT NULL;
