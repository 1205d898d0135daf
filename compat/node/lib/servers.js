// The wardens a test file runs against, started by run.js: one per storage
// engine ("sqlite" always, "postgres" when WARDEN_TEST_POSTGRES is set). Every
// suite runs once for each:
//
//   for (const s of servers) describe(`… (${s.name})`, () => { … });

import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, start } from './warden.js';

const raw = process.env.WARDEN_NODE_SERVERS;
if (!raw) {
  throw new Error('WARDEN_NODE_SERVERS is not set: run the suite with `npm test` (node run.js [files…]), which starts warden');
}

/** @type {{name: string, addr: string, base: string, pat: string}[]} */
export const servers = JSON.parse(raw);

// unique returns a name no other test (or earlier run) uses.
export function unique(prefix) {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

// The password every test user gets.
export const password = 'Correct-Horse-1';

// rest calls Warden's REST API with a token (the admin PAT by default) and
// returns {status, body} (body parsed as JSON when it is JSON).
export async function rest(s, method, path, body, token = s.pat) {
  const res = await fetch(s.base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body: parsed };
}

// startOwn starts a warden of its own on s's engine with the flags in extra,
// for a test that needs a setting the shared servers must not have (e.g.
// --cors-origins). It answers like the shared ones (info()); stop() ends it
// and removes its data dir and database.
export async function startOwn(s, extra) {
  const bin = process.env.WARDEN_NODE_BIN;
  if (!bin) throw new Error('WARDEN_NODE_BIN is not set: run the suite with `npm test`');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'warden-compat-node-own-'));
  const rmDir = () => fs.rm(dir, { recursive: true, force: true });
  let db;
  try {
    if (s.name === 'postgres') db = await createDatabase(process.env.WARDEN_TEST_POSTGRES);
    const w = await start(s.name, bin, dir, db?.dsn, extra);
    if (db) w.cleanup.push(db.drop);
    w.cleanup.push(rmDir);
    return w;
  } catch (err) {
    await db?.drop();
    await rmDir();
    throw err;
  }
}
