import { z } from 'zod';

/** A sync run's status: `stripe_sync_runs.status` (its CHECK lists the same). `interrupted`: stopped part-way, continued by a later run. */
export const SYNC_RUN_STATUSES = ['running', 'completed', 'failed', 'interrupted'] as const;
export const syncRunStatusSchema = z.enum(SYNC_RUN_STATUSES);
export type SyncRunStatus = z.infer<typeof syncRunStatusSchema>;
export const SYNC_RUN_STATUS = syncRunStatusSchema.enum;

/** What applying one snapshot did. */
export const SNAPSHOT_OUTCOMES = ['created', 'updated', 'unchanged', 'stale'] as const;
export const snapshotOutcomeSchema = z.enum(SNAPSHOT_OUTCOMES);
export type SnapshotOutcome = z.infer<typeof snapshotOutcomeSchema>;
export const SNAPSHOT_OUTCOME = snapshotOutcomeSchema.enum;
