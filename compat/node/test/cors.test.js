// CORS as a browser page on another origin meets it: the preflights a
// browser sends before @zitadel/client's Connect and gRPC-Web transports and
// before a REST fetch, and the answers to the calls themselves. By default
// (the shared servers) every origin may call the API, answered "*" and never
// with credentials; a warden started with --cors-origins answers only the
// listed origins, reflected, with credentials, and a disallowed origin gets
// no Access-Control-* header at all. The login page and /debug never answer.

import assert from 'node:assert/strict';
import { describe, it, before, after } from 'node:test';
import { servers, startOwn } from '../lib/servers.js';

const app = 'http://app.example.test';
const evil = 'http://evil.example.test';

// What a browser asks before each transport's call (the headers it would
// send that are not CORS-safelisted, in lower case as browsers send them).
const preflights = {
  REST: { path: '/management/v1/users/1/_lock', method: 'POST', headers: 'authorization,content-type,x-zitadel-orgid' },
  'REST v2': { path: '/v2/users/1', method: 'GET', headers: 'authorization' },
  Connect: {
    path: '/zitadel.user.v2.UserService/GetUserByID', method: 'POST',
    headers: 'authorization,connect-protocol-version,connect-timeout-ms,content-type',
  },
  'gRPC-Web': {
    path: '/zitadel.user.v2.UserService/GetUserByID', method: 'POST',
    headers: 'authorization,content-type,x-grpc-web,x-user-agent',
  },
};

// The calls themselves (with a token that is no token, so each answers
// Unauthenticated in its protocol's way, which a page must be able to read).
const calls = {
  REST: { path: '/v2/users/1', init: { method: 'GET' } },
  Connect: {
    path: '/zitadel.user.v2.UserService/GetUserByID',
    init: { method: 'POST', headers: { 'Content-Type': 'application/json', 'Connect-Protocol-Version': '1' }, body: '{"userId":"1"}' },
  },
  'gRPC-Web': {
    path: '/zitadel.user.v2.UserService/GetUserByID',
    // One uncompressed frame holding an empty message.
    init: { method: 'POST', headers: { 'Content-Type': 'application/grpc-web+proto', 'X-Grpc-Web': '1' }, body: new Uint8Array(5) },
  },
};

function preflight(base, { path, method, headers }, origin) {
  return fetch(base + path, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': headers },
  });
}

function call(base, { path, init }, origin) {
  return fetch(base + path, { ...init, headers: { ...init.headers, Origin: origin, Authorization: 'Bearer not-a-token' } });
}

// allowsEvery asserts that every header asked for is in the allowed list
// (compared as browsers do, case-insensitively).
function allowsEvery(res, asked, what) {
  const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/);
  for (const h of asked.split(',')) assert.ok(allowed.includes(h), `${what}: ${h} not in ${allowed}`);
}

const corsHeaders = (res) => [...res.headers.keys()].filter((k) => k.startsWith('access-control-'));

for (const s of servers) {
  describe(`CORS (${s.name})`, () => {
    it('by default: every origin, answered "*", never with credentials', async () => {
      for (const [what, p] of Object.entries(preflights)) {
        const res = await preflight(s.base, p, evil);
        await res.arrayBuffer();
        assert.equal(res.status, 204, what);
        assert.equal(res.headers.get('access-control-allow-origin'), '*', what);
        assert.equal(res.headers.get('access-control-allow-credentials'), null, `${what}: credentials with "*"`);
        assert.ok(res.headers.get('access-control-allow-methods').split(/\s*,\s*/).includes(p.method), what);
        allowsEvery(res, p.headers, what);
        assert.equal(res.headers.get('access-control-max-age'), '7200', what);
      }
      for (const [what, c] of Object.entries(calls)) {
        const res = await call(s.base, c, evil);
        await res.arrayBuffer();
        assert.equal(res.headers.get('access-control-allow-origin'), '*', what);
        assert.equal(res.headers.get('access-control-allow-credentials'), null, what);
        const exposed = res.headers.get('access-control-expose-headers').toLowerCase();
        for (const h of ['grpc-status', 'grpc-message', 'grpc-status-details-bin', 'www-authenticate']) {
          assert.ok(exposed.includes(h), `${what}: ${h} not exposed: ${exposed}`);
        }
      }
      // The gRPC-Web refusal is trailers-only: its status is in the headers the page may read.
      const res = await call(s.base, calls['gRPC-Web'], evil);
      await res.arrayBuffer();
      assert.equal(res.headers.get('grpc-status'), '16');
    });

    it('the login page and /debug never answer CORS', async () => {
      for (const path of ['/ui/login', '/debug/ready']) {
        for (const res of [
          await preflight(s.base, { path, method: 'POST', headers: 'content-type' }, evil),
          await fetch(s.base + path, { headers: { Origin: evil } }),
        ]) {
          await res.arrayBuffer();
          assert.deepEqual(corsHeaders(res), [], `${path}: ${[...res.headers]}`);
        }
      }
    });

    describe('with --cors-origins', () => {
      let own;
      before(async () => { own = await startOwn(s, ['--cors-origins', `${app},http://localhost:3000`]); });
      after(async () => { await own?.stop(); });

      it('a listed origin is reflected with credentials; another gets no Access-Control-* header', async () => {
        const base = own.info().base;
        for (const [what, p] of Object.entries(preflights)) {
          let res = await preflight(base, p, app);
          await res.arrayBuffer();
          assert.equal(res.status, 204, what);
          assert.equal(res.headers.get('access-control-allow-origin'), app, what);
          assert.equal(res.headers.get('access-control-allow-credentials'), 'true', what);
          assert.ok(res.headers.get('access-control-allow-methods').split(/\s*,\s*/).includes(p.method), what);
          allowsEvery(res, p.headers, what);
          assert.ok(res.headers.get('vary').toLowerCase().includes('origin'), `${what}: vary ${res.headers.get('vary')}`);

          res = await preflight(base, p, evil);
          await res.arrayBuffer();
          assert.deepEqual(corsHeaders(res), [], `${what} from ${evil}: ${[...res.headers]}`);
        }
        for (const [what, c] of Object.entries(calls)) {
          let res = await call(base, c, app);
          await res.arrayBuffer();
          assert.equal(res.status === 401 || res.headers.get('grpc-status') === '16', true, `${what}: ${res.status}`);
          assert.equal(res.headers.get('access-control-allow-origin'), app, what);
          assert.equal(res.headers.get('access-control-allow-credentials'), 'true', what);
          assert.ok(res.headers.get('access-control-expose-headers').toLowerCase().includes('grpc-status'), what);

          res = await call(base, c, evil);
          await res.arrayBuffer();
          assert.deepEqual(corsHeaders(res), [], `${what} from ${evil}: ${[...res.headers]}`);
        }
      });
    });
  });
}
