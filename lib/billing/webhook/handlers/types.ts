import type { SqlTransaction } from '../../../db/sql-transaction';

/** What applying an event did: `stale` when it was older than the state already stored. */
export type HandlerOutcome = {
  status: 'processed' | 'stale';
  userId: string | null;
};

export type HandlerContext = { tx: SqlTransaction };
