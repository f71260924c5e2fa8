import { chmodSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

// The unit tests only, for StrykerJS (npm run test:mutation): its vitest runner cannot pick a project
// of vitest.config.ts. The same global setup as the unit project: a real embedded PostgreSQL.
const root = import.meta.dirname;

/** Gives each file in `sandbox` the execute bits its original in `project` has (Stryker copies without them). */
function restoreExecutableBits(sandbox: string, project: string): void {
  for (const entry of readdirSync(sandbox, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === '.git') continue;
    const copy = path.join(sandbox, entry.name);
    if (entry.isDirectory()) restoreExecutableBits(copy, path.join(project, entry.name));
    else if (entry.isFile()) {
      const original = statSync(path.join(project, entry.name), { throwIfNoEntry: false });
      if (original && original.mode & 0o111) chmodSync(copy, statSync(copy).mode | (original.mode & 0o111));
    }
  }
}

// Stryker runs this from its sandbox (.stryker-tmp/sandbox-…), created private (0700), with files
// copied without their mode bits. As root, PostgreSQL runs as the `postgres` user, which must enter
// the sandbox to reach the data folder the global setup creates there: open the sandbox and its
// parent for traversal (nothing in them is secret); and the Prisma CLI's schema engine must stay executable.
if (path.basename(path.dirname(root)) === '.stryker-tmp') {
  for (const folder of [path.dirname(root), root]) chmodSync(folder, 0o755);
  restoreExecutableBits(root, path.dirname(path.dirname(root)));
}

export default defineConfig({
  resolve: { alias: { '@': path.resolve(root) } },
  test: {
    include: ['lib/**/*.test.ts'],
    globalSetup: ['tests/setup/lib-postgres-global.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
