import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type KvMode = 'ok' | 'hang' | 'reset' | 'down';

export type FakeKv = {
  url: string;
  token: string;
  data: Map<string, string>;
  /** `down` closes the port (connection refused); any other mode reopens it. */
  setMode: (mode: KvMode) => Promise<void>;
  close: () => Promise<void>;
};

const encode = (value: unknown, base64: boolean): unknown =>
  base64 && typeof value === 'string' ? Buffer.from(value).toString('base64') : value;

/**
 * A local stand-in for Vercel KV's REST API (Upstash's protocol: POST a command as a JSON array,
 * get `{"result": ...}`), enough for GET/SET/DEL/PING. In `hang` mode it accepts and never
 * answers; in `reset` mode it drops the connection. The real @vercel/kv client talks to it.
 */
export async function startFakeKv(token = 'test-kv-token'): Promise<FakeKv> {
  const data = new Map<string, string>();
  let mode: KvMode = 'ok';
  const sockets = new Set<Socket>();

  const run = (command: unknown[]): unknown => {
    const [name, key, value] = command.map(String);
    switch (name?.toLowerCase()) {
      case 'ping': return 'PONG';
      case 'get': return data.get(key ?? '') ?? null;
      case 'set': data.set(key ?? '', value ?? ''); return 'OK';
      case 'del': return command.slice(1).reduce<number>((count, k) => count + (data.delete(String(k)) ? 1 : 0), 0);
      default: throw new Error(`unsupported command ${name}`);
    }
  };

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    if (mode === 'hang') return;
    if (mode === 'reset') return request.socket.destroy();
    let body = '';
    request.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    request.on('end', () => {
      if (request.headers.authorization !== `Bearer ${token}`) {
        response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'Unauthorized' }));
        return;
      }
      const base64 = request.headers['upstash-encoding'] === 'base64';
      const parsed = JSON.parse(body) as unknown[] | unknown[][];
      const pipeline = request.url?.startsWith('/pipeline') || request.url?.startsWith('/multi-exec');
      const result = pipeline
        ? (parsed as unknown[][]).map((command) => ({ result: encode(run(command), base64) }))
        : { result: encode(run(parsed as unknown[]), base64) };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
    });
  };

  const server: Server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    data,
    setMode: async (next) => {
      if (next === 'down' && server.listening) {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      } else if (next !== 'down' && !server.listening) {
        await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      }
      mode = next;
    },
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    }),
  };
}
