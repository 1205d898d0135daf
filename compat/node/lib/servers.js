// The wardens a test file runs against, started by run.js: one per storage
// engine ("sqlite" always, "postgres" when WARDEN_TEST_POSTGRES is set). Every
// suite runs once for each:
//
//   for (const s of servers) describe(`… (${s.name})`, () => { … });

import { randomBytes } from 'node:crypto';

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
