// Starting and stopping real warden processes for the suite: one on the
// embedded store, one on PostgreSQL when WARDEN_TEST_POSTGRES is set. run.js
// uses this to start them once per run; the test files get them through
// servers() (lib/servers.js).

import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

// The main module's root: this project lives in compat/node.
export const repoRoot = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');

export function randHex(n) {
  return randomBytes(n).toString('hex');
}

// build compiles cmd/warden from this checkout into dir and returns its path.
export async function build(dir) {
  const bin = path.join(dir, 'warden');
  try {
    await run('go', ['build', '-o', bin, './cmd/warden'], { cwd: repoRoot, maxBuffer: 16 << 20 });
  } catch (err) {
    throw new Error(`building warden: ${err.message}\n${err.stderr ?? ''}`);
  }
  return bin;
}

// freeAddr finds a free loopback port.
export async function freeAddr() {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  srv.close();
  await once(srv, 'close');
  return `127.0.0.1:${port}`;
}

// createDatabase makes a fresh database on the PostgreSQL server of dsn, so
// runs never share state, and returns its DSN and a function that drops it.
export async function createDatabase(dsn) {
  if (dsn === '1' || dsn === 'true') dsn = 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable';
  const name = 'compat_node_' + randHex(6);
  try {
    await run('psql', [dsn, '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${name}`]);
  } catch (err) {
    throw new Error(`create database ${name}: ${err.message}\n${err.stderr ?? ''}`);
  }
  const u = new URL(dsn);
  u.pathname = '/' + name;
  // FORCE: warden may hold pooled connections for a moment after it exits.
  const drop = () => run('psql', [dsn, '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]).catch(() => {});
  return { dsn: u.toString(), drop };
}

// Warden is one running `warden start` process.
export class Warden {
  constructor(name, addr, dataDir, child) {
    this.name = name;
    this.addr = addr;
    this.dataDir = dataDir;
    this.child = child;
    this.logs = '';
    this.cleanup = [];
    child.stdout.on('data', (b) => { this.logs += b; });
    child.stderr.on('data', (b) => { this.logs += b; });
    this.exited = once(child, 'exit');
  }

  // info is what a test process needs to reach this server.
  info() {
    return { name: this.name, addr: this.addr, base: `http://${this.addr}`, pat: this.pat };
  }

  async stop() {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    for (const f of this.cleanup.splice(0)) await f();
  }

  tail(n = 4000) {
    return this.logs.length <= n ? this.logs : '...' + this.logs.slice(-n);
  }
}

// start runs `warden start` on a free loopback port with a data dir of its own
// (and a database and master key file when database is given) and the flags
// in extra, waits until it is ready and reads the administrator's PAT from
// DATA_DIR/admin.pat.
export async function start(name, bin, dir, database, extra = []) {
  const addr = await freeAddr();
  const dataDir = path.join(dir, name);
  const args = ['start', '--data-dir', dataDir, '--addr', addr, ...extra];
  if (database) {
    // PostgreSQL needs the master key given (every node shares one): 32 characters.
    const key = path.join(dir, name + '.masterkey');
    await fs.writeFile(key, randHex(16) + '\n', { mode: 0o600 });
    args.push('--database', database, '--masterkey-file', key);
  }
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const w = new Warden(name, addr, dataDir, child);
  try {
    await waitReady(w, `http://${addr}/debug/ready`, 60_000);
    w.pat = (await fs.readFile(path.join(dataDir, 'admin.pat'), 'utf8')).trim();
  } catch (err) {
    await w.stop();
    throw new Error(`warden (${name}): ${err.message}\n${w.logs}`);
  }
  return w;
}

async function waitReady(w, url, within) {
  const deadline = Date.now() + within;
  let last;
  while (Date.now() < deadline) {
    if (w.child.exitCode !== null) throw new Error(`exited with ${w.child.exitCode}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = err.message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready after ${within} ms: ${last}`);
}
