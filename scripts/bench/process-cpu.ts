// CPU time of process trees from /proc (Linux): the servers, PostgreSQL (the postmaster and all its
// backends) and PgBouncer, read before and after a load so each gets its CPU milliseconds per event.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces), or null once it has exited. */
function statFields(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** The live children of every thread of `pid`. */
function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    // Exited (a backend ending while it is read): it has no children left to count.
    return [];
  }
  return tasks.flatMap((task) => {
    try {
      return readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

/**
 * CPU milliseconds (user + system) spent by `pid` and all its descendants so far: each live process's
 * own time plus the time of the children it has already reaped (cutime, cstime), so backends that
 * ended during a load still count.
 */
export function treeCpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  const fields = statFields(pid);
  if (!fields) return 0;
  // utime, stime, cutime, cstime are fields 14-17 of stat; fields[0] is field 3 (state).
  const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index] ?? 0), 0);
  return (ticks * 1000) / TICKS_PER_SECOND + childrenOf(pid).reduce((sum, child) => sum + treeCpuMs(child), 0);
}

/** The postmaster of the server behind `databaseUrl`, when it runs on this machine (the parent of a backend). */
export async function postmasterPid(databaseUrl: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const backend = rows[0]?.pid;
    const parent = backend ? Number(statFields(backend)?.[1]) : NaN;
    return Number.isInteger(parent) && parent > 1 ? parent : undefined;
  } finally {
    await client.end();
  }
}

/** This process's own CPU milliseconds (the load generator). */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
