// The suite's entry point (npm test): builds warden from this checkout (or
// takes WARDEN_BIN), starts it on the embedded store and — when
// WARDEN_TEST_POSTGRES is set — on a fresh PostgreSQL database, runs
// `node --test` on test/ (or on the files given as arguments) with the
// servers in WARDEN_NODE_SERVERS, then stops them. On a failure it prints the
// tail of each server's log.
//
//   node run.js                           # every test file
//   node run.js test/openid-client.test.js

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, createDatabase, start } from './lib/warden.js';

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'warden-compat-node-'));
const servers = [];
let code = 1;
try {
  const bin = process.env.WARDEN_BIN || (await build(tmp));
  const starting = [start('sqlite', bin, tmp)];
  const pg = process.env.WARDEN_TEST_POSTGRES;
  if (pg) {
    starting.push((async () => {
      const db = await createDatabase(pg);
      try {
        const w = await start('postgres', bin, tmp, db.dsn);
        w.cleanup.push(db.drop);
        return w;
      } catch (err) {
        await db.drop();
        throw err;
      }
    })());
  } else {
    console.log('# WARDEN_TEST_POSTGRES is not set: the PostgreSQL half of the suite does not run');
  }
  const started = await Promise.allSettled(starting);
  for (const r of started) if (r.status === 'fulfilled') servers.push(r.value);
  for (const r of started) if (r.status === 'rejected') throw r.reason;

  const files = process.argv.slice(2);
  const child = spawn(process.execPath, ['--test', '--test-reporter=spec', ...(files.length ? files : ['test/'])], {
    cwd: path.dirname(fileURLToPath(import.meta.url)),
    stdio: 'inherit',
    env: {
      ...process.env,
      WARDEN_NODE_SERVERS: JSON.stringify(servers.map((s) => s.info())),
      WARDEN_NODE_BIN: bin, // for tests that start a warden with settings of its own (startOwn)
    },
  });
  const stop = () => child.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  [code] = await once(child, 'exit');
  if (code === null) code = 1;
  if (code !== 0) {
    for (const s of servers) console.error(`---- warden (${s.name}) log tail ----\n${s.tail()}`);
  }
} catch (err) {
  console.error('compat/node:', err.message);
  code = 1;
} finally {
  await Promise.all(servers.map((s) => s.stop()));
  await fs.rm(tmp, { recursive: true, force: true });
}
process.exit(code);
