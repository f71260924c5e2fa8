import { startEmbeddedPostgres } from '../lib/db/embedded-postgres.ts';
const t=Date.now();
const db = await startEmbeddedPostgres({ dataDir: '.data/postgres', port: 54329 });
console.log(db.url, Date.now()-t);
await db.stop();
console.log('stopped', Date.now()-t);
