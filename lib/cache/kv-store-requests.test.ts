import { createServer, type IncomingHttpHeaders } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKv, type FakeKv } from '../../tests/support/fake-kv-server';
import { createKvStore, createMemoryStore, generationKey } from './store';

// What the KV store sends to Upstash Redis: the requests a hit, a miss and an outage cost, and no
// telemetry. A small local server stands in where the fake KV cannot: a value that appears between
// the GET and the script, a connection that drops.

type Recorded = { headers: IncomingHttpHeaders; command: string[] };

/** A REST endpoint that answers each command with `reply(command)`; `undefined` drops the connection. */
async function startEndpoint(reply: (command: string[]) => unknown) {
  const requests: Recorded[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      // One command to `/`, or a batch of them to `/pipeline` (the client batches concurrent calls).
      const parsed = JSON.parse(body) as unknown[];
      const pipeline = request.url?.startsWith('/pipeline') === true;
      const commands = (pipeline ? (parsed as unknown[][]) : [parsed]).map((command) => command.map(String));
      const base64 = request.headers['upstash-encoding'] === 'base64';
      const encode = (value: unknown): unknown =>
        typeof value === 'string' && base64 ? Buffer.from(value).toString('base64') : Array.isArray(value) ? value.map(encode) : value;
      const results = commands.map((command) => {
        requests.push({ headers: request.headers, command });
        return reply(command);
      });
      if (results.includes(undefined)) return request.socket.destroy();
      const answers = results.map((result) => ({ result: encode(result) }));
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(pipeline ? answers : answers[0]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { url, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let kv: FakeKv;
beforeAll(async () => {
  kv = await startFakeKv();
});
afterAll(() => kv.close());
afterEach(() => {
  kv.commands.length = 0;
});

describe('the KV store', () => {
  it('keeps a key generation beside the key, under {key}:gen', async () => {
    expect(generationKey('features:user_1')).toBe('features:user_1:gen');
    const store = createKvStore({ url: kv.url, token: kv.token });
    const read = await store.read('features:user_1');
    expect(read.value).toBeNull();
    expect(kv.data.get('features:user_1:gen')).toBe(read.value === null ? read.generation : undefined);
  });

  it('answers a hit with one GET, and runs a script only on a miss', async () => {
    const store = createKvStore({ url: kv.url, token: kv.token });
    await store.set('features:hit', '{"plan":"pro"}', 60);
    kv.commands.length = 0;
    expect(await store.read('features:hit')).toEqual({ value: '{"plan":"pro"}' });
    expect(kv.commands).toEqual(['GET']);
  });

  it('returns a value that appeared between its GET and its script', async () => {
    const endpoint = await startEndpoint(([name]) => (name?.toLowerCase() === 'get' ? null : [1, '{"plan":"pro"}']));
    try {
      const store = createKvStore({ url: endpoint.url, token: 'token' });
      expect(await store.read('features:raced')).toEqual({ value: '{"plan":"pro"}' });
    } finally {
      await endpoint.close();
    }
  });

  it('sends no telemetry', async () => {
    const endpoint = await startEndpoint(() => null);
    try {
      await createKvStore({ url: endpoint.url, token: 'token' }).get('features:any');
      expect(endpoint.requests).toHaveLength(1);
      expect(Object.keys(endpoint.requests[0]!.headers).filter((name) => name.startsWith('upstash-telemetry'))).toEqual([]);
    } finally {
      await endpoint.close();
    }
  });

  it('tries a dropped request once more, then fails', async () => {
    const endpoint = await startEndpoint(() => undefined);
    try {
      await expect(createKvStore({ url: endpoint.url, token: 'token' }).get('features:any')).rejects.toThrow();
      expect(endpoint.requests.map((request) => request.command)).toEqual([
        ['get', 'features:any'],
        ['get', 'features:any'],
      ]);
    } finally {
      await endpoint.close();
    }
  });
});

describe('the memory store', () => {
  it('forgets a value at exactly its TTL, as Redis does', async () => {
    const store = createMemoryStore();
    const start = Date.now();
    const realNow = Date.now;
    try {
      Date.now = () => start;
      await store.set('features:edge', '{"plan":"pro"}', 30);
      Date.now = () => start + 29_999;
      expect(await store.get('features:edge')).toBe('{"plan":"pro"}');
      Date.now = () => start + 30_000;
      expect(await store.get('features:edge')).toBeNull();
    } finally {
      Date.now = realNow;
    }
  });

  it("a delete of one user key leaves the other users' pending writes alone", async () => {
    const store = createMemoryStore();
    const other = await store.read('features:user_b');
    await store.del('features:user_a');
    expect(other.value).toBeNull();
    expect(await store.setIfGeneration('features:user_b', '{"plan":"free"}', 60, other.value === null ? other.generation : '')).toBe(true);
    expect(await store.get('features:user_b')).toBe('{"plan":"free"}');
  });
});
