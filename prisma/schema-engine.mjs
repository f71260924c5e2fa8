#!/usr/bin/env node
// Prisma's schema engine, run offline: the CLI normally downloads a native `schema-engine` binary
// from Prisma's servers. This executable speaks the same JSON-RPC over stdio but runs the engine
// published on npm as WebAssembly (@prisma/schema-engine-wasm), talking to PostgreSQL through
// @prisma/adapter-pg. The CLI finds it through PRISMA_SCHEMA_ENGINE_BINARY (see prisma/cli.mjs).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';

const require = createRequire(import.meta.url);

function parseArgs(argv) {
  const datamodelPaths = [];
  let datasource = null;
  let cliCommand = null;
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--datamodels') datamodelPaths.push(argv[++i]);
    else if (argv[i] === 'cli') cliCommand = argv[++i];
    else if (argv[i] === '--datasource') datasource = JSON.parse(argv[++i]);
    else if (argv[i] === '--version' || argv[i] === '-V') {
      process.stdout.write(`schema-engine-wasm ${require('@prisma/schema-engine-wasm/package.json').version}\n`);
      process.exit(0);
    }
  }
  return { datamodelPaths, datasource, cliCommand };
}

// The wasm bindings' ESM entry imports a .wasm file, which Node cannot load: instantiate by hand.
async function loadWasmEngine() {
  const bindings = await import('@prisma/schema-engine-wasm/schema_engine_bg');
  const wasmPath = require.resolve('@prisma/schema-engine-wasm').replace(/schema_engine\.js$/, 'schema_engine_bg.wasm');
  const wasmModule = new WebAssembly.Module(readFileSync(wasmPath));
  const instance = new WebAssembly.Instance(wasmModule, { './schema_engine_bg.js': bindings });
  bindings.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start?.();
  globalThis.PRISMA_WASM_PANIC_REGISTRY = {
    set_message(message) {
      process.stderr.write(`${JSON.stringify({ level: 'ERROR', target: 'schema_engine::logger', fields: { message } })}\n`);
    },
  };
  return bindings.SchemaEngine;
}

// Postgres' internal "char" type (OID 18), used by the catalogs the engine reads, has no Prisma
// column type; pg already returns it as a string, so report it as text.
function readCharAsText(adapter) {
  const queryable = Object.getPrototypeOf(Object.getPrototypeOf(adapter));
  if (queryable.performIO.patchedForChar) return;
  const performIO = queryable.performIO;
  queryable.performIO = async function performIOWithCharAsText(query) {
    const result = await performIO.call(this, query);
    for (const field of result.fields ?? []) if (field.dataTypeID === 18) field.dataTypeID = 25;
    return result;
  };
  queryable.performIO.patchedForChar = true;
}

// Discrete connection fields, not a connection string: pg lets a connection string override
// `database`, which would silently turn the shadow database into the main one.
function poolConfigFromUrl(url) {
  const parsed = new URL(url);
  return {
    host: decodeURIComponent(parsed.hostname),
    port: parsed.port ? Number(parsed.port) : 5432,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.slice(1)) || 'postgres',
    ssl: ['require', 'verify-full', 'verify-ca'].includes(parsed.searchParams.get('sslmode') ?? '')
      ? { rejectUnauthorized: parsed.searchParams.get('sslmode') !== 'require' }
      : undefined,
    max: 2,
  };
}

class OfflineAdapterFactory {
  provider = 'postgres';
  adapterName = '@prisma/adapter-pg';

  constructor(config) {
    this.config = config;
    this.inner = new PrismaPg(config);
  }

  async connect() {
    const adapter = await this.inner.connect();
    readCharAsText(adapter);
    return adapter;
  }

  // A throwaway database for `migrate dev`; its pool is closed before it is dropped.
  async connectToShadowDb() {
    const database = `prisma_migrate_shadow_db_${randomUUID().replaceAll('-', '')}`;
    await runOnServer(this.config, `CREATE DATABASE "${database}"`);
    const shadow = new PrismaPg({ ...this.config, database });
    const adapter = await shadow.connect();
    readCharAsText(adapter);
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await runOnServer(this.config, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    };
    return adapter;
  }
}

async function runOnServer(config, sql) {
  const client = new pg.Client({ ...config, database: 'postgres' });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function createDatabase(config) {
  const client = new pg.Client({ ...config, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [config.database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${config.database.replaceAll('"', '""')}"`);
    return config.database;
  } finally {
    await client.end();
  }
}

// One-shot commands (`schema-engine cli <command>`): exit 0 on success; on failure a log line the CLI
// reads (it skips the first stderr line) carrying Prisma's error code.
async function runCliCommand(command, config) {
  try {
    if (command === 'can-connect-to-database') {
      const client = new pg.Client(config);
      await client.connect();
      await client.end();
    } else if (command === 'create-database') {
      await createDatabase(config);
    } else if (command === 'drop-database') {
      await runOnServer(config, `DROP DATABASE IF EXISTS "${config.database.replaceAll('"', '""')}" WITH (FORCE)`);
    } else {
      throw Object.assign(new Error(`Unsupported schema engine command: ${command}`), { prismaCode: 'P1000' });
    }
    process.exit(0);
  } catch (error) {
    const code =
      error.prismaCode ??
      (error.code === '3D000' ? 'P1003' : error.code === 'ECONNREFUSED' ? 'P1001' : error.code === '28P01' ? 'P1000' : 'P1001');
    const message =
      error.code === '3D000'
        ? `Database \`${config.database}\` does not exist on the database server at \`${config.host}:${config.port}\`.`
        : String(error.message ?? error);
    process.stderr.write(
      `\n${JSON.stringify({ level: 'ERROR', target: 'schema_engine::logger', fields: { error_code: code, message } })}\n`,
    );
    process.exit(1);
  }
}

async function main() {
  const { datamodelPaths, datasource, cliCommand } = parseArgs(process.argv.slice(2));
  const url = datasource?.url ?? process.env.DATABASE_URL;
  if (!url) throw new Error('No database URL: set DATABASE_URL.');
  const config = poolConfigFromUrl(url);
  if (cliCommand) return runCliCommand(cliCommand, config);

  const SchemaEngine = await loadWasmEngine();
  const datamodels = datamodelPaths.map((path) => [path, readFileSync(path, 'utf8')]);
  const log = (line) => process.stderr.write(`${line}\n`);
  const adapterFactory = bindMigrationAwareSqlAdapterFactory(new OfflineAdapterFactory(config));
  const engine = await SchemaEngine.new({ datamodels: datamodels.length ? datamodels : undefined }, log, adapterFactory);

  const pendingPrints = new Map();
  let nextPrintId = 1_000_000;
  const send = (message) => process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);

  const methods = {
    getDatabaseVersion: () => engine.version(),
    createDatabase: () => createDatabase(config).then((databaseName) => ({ databaseName })),
    // The native engine prints the diff through a `print` request to the CLI; the wasm one returns it.
    diff: async (params) => {
      const result = await engine.diff(params);
      if (result.stdout) {
        const id = nextPrintId++;
        await new Promise((resolve) => {
          pendingPrints.set(id, resolve);
          send({ id, method: 'print', params: { content: result.stdout } });
        });
      }
      return { exitCode: result.exitCode };
    },
  };

  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  const inFlight = new Set();
  lines.on('line', (line) => {
    if (!line.trim()) return;
    const message = JSON.parse(line);
    if (message.id !== undefined && pendingPrints.has(message.id) && !message.method) {
      pendingPrints.get(message.id)();
      pendingPrints.delete(message.id);
      return;
    }
    const handler =
      methods[message.method] ??
      ((params) => {
        if (typeof engine[message.method] !== 'function') throw new Error(`Unknown method ${message.method}`);
        return engine[message.method](params ?? {});
      });
    const work = Promise.resolve()
      .then(() => handler(message.params))
      .then(
        (result) => send({ id: message.id, result: result ?? null }),
        (error) =>
          send({
            id: message.id,
            error: {
              code: -32000,
              message: String(error?.message ?? error),
              data: { message: String(error?.message ?? error), error_code: error?.code },
            },
          }),
      );
    inFlight.add(work);
    work.finally(() => inFlight.delete(work));
  });
  lines.on('close', async () => {
    await Promise.allSettled([...inFlight]);
    process.exit(0);
  });
}

main().catch((error) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'ERROR', target: 'schema_engine::logger', fields: { message: String(error?.stack ?? error) } })}\n`,
  );
  process.exit(1);
});
