import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

export type KvMode = 'ok' | 'hang' | 'reset' | 'down';

export type FakeKv = {
  url: string;
  token: string;
  /** Live values by key (expired keys are dropped when next touched). */
  data: Map<string, string>;
  /** Seconds until `key` expires: null without a TTL or without the key. */
  ttl: (key: string) => number | null;
  /** Moves the double's clock forward, so TTLs pass without waiting. */
  advanceTime: (ms: number) => void;
  /** Names of the commands received, in order (EVALSHA, EVAL, GET, ...). */
  commands: string[];
  /** `down` closes the port (connection refused); any other mode reopens it. */
  setMode: (mode: KvMode) => Promise<void>;
  close: () => Promise<void>;
};

// fengari (Lua 5.3 in JavaScript) ships no types: the few calls used here, typed by hand.
type LuaState = { readonly __brand: 'LuaState' };
type Fengari = {
  to_luastring: (text: string) => Uint8Array;
  lua: {
    LUA_OK: number;
    LUA_TNIL: number;
    LUA_TBOOLEAN: number;
    LUA_TNUMBER: number;
    LUA_TSTRING: number;
    LUA_TTABLE: number;
    lua_createtable: (L: LuaState, narr: number, nrec: number) => void;
    lua_error: (L: LuaState) => never;
    lua_getfield: (L: LuaState, index: number, key: string) => number;
    lua_gettop: (L: LuaState) => number;
    lua_pcall: (L: LuaState, nargs: number, nresults: number, handler: number) => number;
    lua_pushboolean: (L: LuaState, value: boolean) => void;
    lua_pushinteger: (L: LuaState, value: number) => void;
    lua_pushjsfunction: (L: LuaState, fn: (L: LuaState) => number) => void;
    lua_pushstring: (L: LuaState, value: string) => void;
    lua_rawgeti: (L: LuaState, index: number, n: number) => number;
    lua_rawseti: (L: LuaState, index: number, n: number) => void;
    lua_setfield: (L: LuaState, index: number, key: string) => void;
    lua_setglobal: (L: LuaState, name: string) => void;
    lua_settop: (L: LuaState, index: number) => void;
    lua_toboolean: (L: LuaState, index: number) => boolean;
    lua_tojsstring: (L: LuaState, index: number) => string | null;
    lua_tonumber: (L: LuaState, index: number) => number;
    lua_type: (L: LuaState, index: number) => number;
  };
  lauxlib: {
    luaL_newstate: () => LuaState;
    luaL_loadstring: (L: LuaState, source: Uint8Array) => number;
  };
  lualib: { luaL_openlibs: (L: LuaState) => void };
};
const fengari = createRequire(import.meta.url)('fengari') as Fengari;
const { lua, lauxlib, lualib, to_luastring } = fengari;

/** A Redis reply: nil, integer, bulk string, array, status ("OK") or error. */
type Reply = null | number | string | Reply[] | { status: string };

class KvError extends Error {}

/** Runs a Lua script as Redis does: KEYS, ARGV, redis.call/pcall over the double's commands, Redis's type conversions. */
function runLua(source: string, keys: string[], args: string[], run: (command: string[]) => Reply): Reply {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const pushArray = (values: string[]) => {
    lua.lua_createtable(L, values.length, 0);
    values.forEach((value, index) => {
      lua.lua_pushstring(L, value);
      lua.lua_rawseti(L, -2, index + 1);
    });
  };
  pushArray(keys);
  lua.lua_setglobal(L, 'KEYS');
  pushArray(args);
  lua.lua_setglobal(L, 'ARGV');

  // Redis -> Lua: nil bulk is false, status is {ok=...}, error (pcall only) is {err=...}.
  const pushReply = (state: LuaState, reply: Reply) => {
    if (reply === null) lua.lua_pushboolean(state, false);
    else if (typeof reply === 'number') lua.lua_pushinteger(state, reply);
    else if (typeof reply === 'string') lua.lua_pushstring(state, reply);
    else if (Array.isArray(reply)) {
      lua.lua_createtable(state, reply.length, 0);
      reply.forEach((item, index) => {
        pushReply(state, item);
        lua.lua_rawseti(state, -2, index + 1);
      });
    } else {
      lua.lua_createtable(state, 0, 1);
      lua.lua_pushstring(state, reply.status);
      lua.lua_setfield(state, -2, 'ok');
    }
  };
  const command =
    (protectedCall: boolean) =>
    (state: LuaState): number => {
      const argc = lua.lua_gettop(state);
      const argv: string[] = [];
      for (let index = 1; index <= argc; index += 1) {
        const type = lua.lua_type(state, index);
        if (type !== lua.LUA_TSTRING && type !== lua.LUA_TNUMBER) {
          lua.lua_pushstring(state, 'Lua redis lib command arguments must be strings or integers');
          return lua.lua_error(state);
        }
        argv.push(lua.lua_tojsstring(state, index) ?? '');
      }
      try {
        pushReply(state, run(argv));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (!protectedCall) {
          lua.lua_pushstring(state, message);
          return lua.lua_error(state);
        }
        lua.lua_createtable(state, 0, 1);
        lua.lua_pushstring(state, message);
        lua.lua_setfield(state, -2, 'err');
      }
      return 1;
    };
  lua.lua_createtable(L, 0, 2);
  lua.lua_pushjsfunction(L, command(false));
  lua.lua_setfield(L, -2, 'call');
  lua.lua_pushjsfunction(L, command(true));
  lua.lua_setfield(L, -2, 'pcall');
  lua.lua_setglobal(L, 'redis');

  if (lauxlib.luaL_loadstring(L, to_luastring(source)) !== lua.LUA_OK || lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) {
    throw new KvError(`ERR Error running script: ${lua.lua_tojsstring(L, -1) ?? 'unknown error'}`);
  }

  // Lua -> Redis: numbers are truncated to integers, true is 1, false and nil are nil,
  // {err=...} is an error, {ok=...} a status, any other table an array up to its first nil.
  const toReply = (index: number): Reply => {
    const type = lua.lua_type(L, index);
    if (type === lua.LUA_TNUMBER) return Math.trunc(lua.lua_tonumber(L, index));
    if (type === lua.LUA_TSTRING) return lua.lua_tojsstring(L, index) ?? '';
    if (type === lua.LUA_TBOOLEAN) return lua.lua_toboolean(L, index) ? 1 : null;
    if (type !== lua.LUA_TTABLE) return null;
    const top = lua.lua_gettop(L);
    try {
      if (lua.lua_getfield(L, index, 'err') === lua.LUA_TSTRING) throw new KvError(lua.lua_tojsstring(L, -1) ?? '');
      lua.lua_settop(L, top);
      if (lua.lua_getfield(L, index, 'ok') === lua.LUA_TSTRING) return { status: lua.lua_tojsstring(L, -1) ?? '' };
      lua.lua_settop(L, top);
      const items: Reply[] = [];
      for (let n = 1; lua.lua_rawgeti(L, index, n) !== lua.LUA_TNIL; n += 1) {
        items.push(toReply(lua.lua_gettop(L)));
        lua.lua_settop(L, top);
      }
      return items;
    } finally {
      lua.lua_settop(L, top);
    }
  };
  return toReply(lua.lua_gettop(L));
}

/**
 * A local stand-in for Upstash Redis's REST API (what Vercel KV now is): POST a command as a JSON
 * array to `/`, or an array of them to `/pipeline` or `/multi-exec`; answers `{"result": ...}` or
 * `{"error": ...}`, base64-encoded when asked (`Upstash-Encoding: base64`, the client's default).
 * Commands: PING, GET, SET (EX/PX/NX/XX), DEL, EXISTS, INCR, EXPIRE, TTL, EVAL, EVALSHA, SCRIPT LOAD.
 * Scripts really run, in a Lua VM (fengari), with `redis.call` over this double's data, so tests
 * exercise the exact script text the app sends; EVALSHA of an unknown script answers NOSCRIPT as
 * Redis does. In `hang` mode it accepts and never answers; in `reset` mode it drops the connection.
 */
export async function startFakeKv(token = 'test-kv-token'): Promise<FakeKv> {
  const data = new Map<string, string>();
  const expiresAt = new Map<string, number>();
  const scripts = new Map<string, string>();
  const commands: string[] = [];
  let clockOffset = 0;
  let mode: KvMode = 'ok';
  const sockets = new Set<Socket>();

  const now = () => Date.now() + clockOffset;
  const exists = (key: string): boolean => {
    const deadline = expiresAt.get(key);
    if (deadline !== undefined && deadline <= now()) {
      data.delete(key);
      expiresAt.delete(key);
    }
    if (!data.has(key)) expiresAt.delete(key);
    return data.has(key);
  };
  const remove = (key: string): boolean => {
    const existed = exists(key);
    data.delete(key);
    expiresAt.delete(key);
    return existed;
  };
  const integer = (text: string | undefined): number => {
    if (text === undefined || !/^-?\d+$/.test(text)) throw new KvError('ERR value is not an integer or out of range');
    return Number(text);
  };

  const runScript = (source: string, rest: string[]): Reply => {
    const count = integer(rest[0]);
    if (count < 0 || count > rest.length - 1) throw new KvError("ERR Number of keys can't be greater than number of args");
    return runLua(source, rest.slice(1, 1 + count), rest.slice(1 + count), run);
  };
  const sha1 = (source: string) => createHash('sha1').update(source).digest('hex');

  function run(command: string[]): Reply {
    const [rawName = '', ...args] = command;
    const name = rawName.toLowerCase();
    const [key = '', value = ''] = args;
    switch (name) {
      case 'ping':
        return { status: 'PONG' };
      case 'get':
        return exists(key) ? (data.get(key) ?? null) : null;
      case 'exists':
        return args.filter((k) => exists(k)).length;
      case 'del':
        return args.filter((k) => remove(k)).length;
      case 'set': {
        let ttlMs: number | null = null;
        let condition: 'nx' | 'xx' | null = null;
        for (let index = 2; index < args.length; index += 1) {
          const option = args[index]?.toLowerCase();
          if (option === 'ex') ttlMs = integer(args[++index]) * 1000;
          else if (option === 'px') ttlMs = integer(args[++index]);
          else if (option === 'nx' || option === 'xx') condition = option;
          else throw new KvError('ERR syntax error');
        }
        if (ttlMs !== null && ttlMs <= 0) throw new KvError("ERR invalid expire time in 'set' command");
        if ((condition === 'nx' && exists(key)) || (condition === 'xx' && !exists(key))) return null;
        data.set(key, value);
        if (ttlMs === null) expiresAt.delete(key);
        else expiresAt.set(key, now() + ttlMs);
        return { status: 'OK' };
      }
      case 'incr': {
        const next = (exists(key) ? integer(data.get(key)) : 0) + 1;
        data.set(key, String(next));
        return next;
      }
      case 'expire': {
        if (!exists(key)) return 0;
        expiresAt.set(key, now() + integer(value) * 1000);
        return 1;
      }
      case 'ttl': {
        if (!exists(key)) return -2;
        const deadline = expiresAt.get(key);
        return deadline === undefined ? -1 : Math.ceil((deadline - now()) / 1000);
      }
      case 'eval': {
        scripts.set(sha1(key), key);
        return runScript(key, args.slice(1));
      }
      case 'evalsha': {
        const source = scripts.get(key.toLowerCase());
        if (source === undefined) throw new KvError('NOSCRIPT No matching script. Please use EVAL.');
        return runScript(source, args.slice(1));
      }
      case 'script': {
        if (key.toLowerCase() !== 'load') throw new KvError('ERR unsupported SCRIPT subcommand');
        scripts.set(sha1(value), value);
        return sha1(value);
      }
      default:
        throw new KvError(`ERR unknown command '${rawName}'`);
    }
  }

  // Every string, statuses included, is base64 when asked: the client decodes each one.
  const encode = (reply: Reply, base64: boolean): unknown => {
    if (reply !== null && typeof reply === 'object' && !Array.isArray(reply)) return encode(reply.status, base64);
    if (typeof reply === 'string') return base64 ? Buffer.from(reply).toString('base64') : reply;
    if (Array.isArray(reply)) return reply.map((item) => encode(item, base64));
    return reply;
  };
  const answer = (command: unknown[], base64: boolean): { result: unknown } | { error: string } => {
    const args = command.map(String);
    commands.push((args[0] ?? '').toUpperCase());
    try {
      return { result: encode(run(args), base64) };
    } catch (error) {
      if (error instanceof KvError) return { error: error.message };
      throw error;
    }
  };

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    if (mode === 'hang') return;
    if (mode === 'reset') return request.socket.destroy();
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      const reply = (status: number, payload: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      if (request.headers.authorization !== `Bearer ${token}`) return reply(401, { error: 'Unauthorized' });
      const base64 = request.headers['upstash-encoding'] === 'base64';
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return reply(400, { error: 'ERR failed to parse command' });
      }
      if (!Array.isArray(parsed)) return reply(400, { error: 'ERR failed to parse command' });
      if (request.url?.startsWith('/pipeline') || request.url?.startsWith('/multi-exec')) {
        return reply(
          200,
          parsed.map((command) => answer(Array.isArray(command) ? command : [command], base64)),
        );
      }
      const single = answer(parsed, base64);
      return reply('error' in single ? 400 : 200, single);
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
    ttl: (key) => {
      if (!exists(key)) return null;
      const deadline = expiresAt.get(key);
      return deadline === undefined ? null : Math.ceil((deadline - now()) / 1000);
    },
    advanceTime: (ms) => {
      clockOffset += ms;
    },
    commands,
    setMode: async (next) => {
      if (next === 'down' && server.listening) {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      } else if (next !== 'down' && !server.listening) {
        await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      }
      mode = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        if (!server.listening) return resolve();
        server.close(() => resolve());
      }),
  };
}
