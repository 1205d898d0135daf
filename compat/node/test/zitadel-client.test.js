// @zitadel/client: the User Service v2 over each of its transports — Connect
// (JSON and binary), gRPC-Web (@zitadel/client/web) and gRPC
// (@zitadel/client/node) — against a real warden.

import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import { Code, ConnectError } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import { NewAuthorizationBearerInterceptor } from '@zitadel/client';
import { createServerTransport } from '@zitadel/client/node';
import { createSessionServiceClient, createUserServiceClient } from '@zitadel/client/v2';
import { createClientTransport } from '@zitadel/client/web';
import { ErrorDetailSchema } from '@zitadel/proto/zitadel/message_pb.js';
import { UserState } from '@zitadel/proto/zitadel/user/v2/user_pb.js';
import { rest, servers, unique } from '../lib/servers.js';
import { configure, signIn } from '../lib/oidc.js';
import { human, machine, mgmt, webApp } from '../lib/zitadel.js';

// The transports, each made the way @zitadel/client's users make them.
const transports = {
  'Connect (JSON)': (s, token) => createConnectTransport({
    baseUrl: s.base, httpVersion: '1.1', interceptors: [NewAuthorizationBearerInterceptor(token)],
  }),
  'Connect (binary, HTTP/2)': (s, token) => createConnectTransport({
    baseUrl: s.base, httpVersion: '2', useBinaryFormat: true, interceptors: [NewAuthorizationBearerInterceptor(token)],
  }),
  'gRPC-Web': (s, token) => createClientTransport(token, { baseUrl: s.base }),
  gRPC: (s, token) => createServerTransport(token, { baseUrl: s.base, httpVersion: '2' }),
};

// rejection awaits a call that must fail and returns its ConnectError.
async function rejection(promise) {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ConnectError, `not a ConnectError: ${err}`);
    return err;
  }
  throw new Error('the call succeeded; want a refusal');
}

for (const s of servers) {
  describe(`@zitadel/client user service v2 (${s.name})`, () => {
    for (const [name, transport] of Object.entries(transports)) {
      it(`${name}: add, lock, get, list, unlock, and refusals with ZITADEL's error ids`, async () => {
        const users = createUserServiceClient(transport(s, s.pat));
        const { org } = await mgmt(s).getMyOrg({});
        const username = unique('v2');
        const added = await users.addHumanUser({
          username, profile: { givenName: 'Vic', familyName: 'Two' },
          email: { email: `${username}@example.com`, verification: { case: 'isVerified', value: true } },
        });
        assert.match(added.userId, /^\d{1,18}$/);
        // Without a password the user is INITIAL; the unlock must bring that back.
        const before = (await users.getUserByID({ userId: added.userId })).user.state;
        assert.equal(before, UserState.INITIAL);

        const locked = await users.lockUser({ userId: added.userId });
        assert.equal(locked.details.sequence, 2n);
        assert.equal(locked.details.resourceOwner, org.id);
        let { user } = await users.getUserByID({ userId: added.userId });
        assert.equal(user.state, UserState.LOCKED);
        assert.equal(user.username, username);
        assert.equal(user.type.case, 'human');
        assert.equal(user.type.value.profile.givenName, 'Vic');

        const list = await users.listUsers({ queries: [{ query: { case: 'userNameQuery', value: { userName: username } } }] });
        assert.equal(list.details.totalResult, 1n);
        assert.deepEqual(list.result.map((u) => [u.userId, u.state]), [[added.userId, UserState.LOCKED]]);

        let err = await rejection(users.lockUser({ userId: added.userId }));
        assert.equal(err.code, Code.FailedPrecondition);
        assert.deepEqual(err.findDetails(ErrorDetailSchema).map(({ id, message }) => ({ id, message })),
          [{ id: 'COMMAND-lgws8wtsqf', message: 'User is not active or initial' }]);

        const unlocked = await users.unlockUser({ userId: added.userId });
        assert.equal(unlocked.details.sequence, 3n);
        ({ user } = await users.getUserByID({ userId: added.userId }));
        assert.equal(user.state, before);

        err = await rejection(users.unlockUser({ userId: added.userId }));
        assert.equal(err.code, Code.FailedPrecondition);
        assert.equal(err.findDetails(ErrorDetailSchema)[0]?.id, 'COMMAND-olb9vb0oca');
        err = await rejection(users.getUserByID({ userId: '1' }));
        assert.equal(err.code, Code.NotFound);
        err = await rejection(createUserServiceClient(transport(s, 'not-a-token')).getUserByID({ userId: added.userId }));
        assert.equal(err.code, Code.Unauthenticated);
      });
    }

    // What Warden does not serve (docs/compat.md lists what it does): a whole
    // ZITADEL service, and a method of a service it serves in part.
    it('what Warden does not serve answers Unimplemented on every transport, and 501 over REST', async () => {
      const target = await human(s, 'unimpl');
      for (const [name, transport] of Object.entries(transports)) {
        const t = transport(s, s.pat);
        for (const [what, call] of [
          ['SessionService/ListSessions', () => createSessionServiceClient(t).listSessions({})],
          ['UserService/ListAuthenticationMethodTypes', () => createUserServiceClient(t).listAuthenticationMethodTypes({ userId: target.id })],
        ]) {
          const err = await rejection(call());
          assert.equal(err.code, Code.Unimplemented, `${name}, ${what}: ${err.message}`);
          assert.equal(err.code, 12);
        }
      }
      for (const [method, path, body] of [
        ['POST', '/v2/sessions/search', {}],
        ['GET', `/v2/users/${target.id}/authentication_methods`],
        ['GET', '/admin/v1/policies/login'],
      ]) {
        const res = await rest(s, method, path, body);
        assert.equal(res.status, 501, `${method} ${path}: ${JSON.stringify(res.body)}`);
        // A google.rpc.Status: code 12 and a message, nothing else but details.
        assert.equal(res.body.code, 12, `${method} ${path}: ${JSON.stringify(res.body)}`);
        assert.equal(typeof res.body.message, 'string');
        assert.ok(res.body.message.length > 0);
        assert.deepEqual(Object.keys(res.body).filter((k) => !['code', 'message', 'details'].includes(k)), []);
      }
      // The token is checked first: without a valid one it is 401, as any call.
      assert.equal((await rest(s, 'POST', '/v2/sessions/search', {}, 'not-a-token')).status, 401);
      const err = await rejection(createSessionServiceClient(transports.gRPC(s, 'not-a-token')).listSessions({}));
      assert.equal(err.code, Code.Unauthenticated);
    });

    it('a lock ends a user manager\'s PAT on every transport at once; the unlock revives it', async () => {
      const manager = await machine(s, 'mgr', { roles: ['ORG_USER_MANAGER'], pat: true });
      const target = await human(s, 'tgt');
      const clients = Object.entries(transports).map(([name, t]) => [name, createUserServiceClient(t(s, manager.pat))]);
      for (const [name, c] of clients) {
        assert.equal((await c.getUserByID({ userId: target.id })).user.userId, target.id, name);
      }
      await mgmt(s).lockUser({ id: manager.id });
      for (const [name, c] of clients) {
        const err = await rejection(c.getUserByID({ userId: target.id }));
        assert.equal(err.code, Code.Unauthenticated, `${name}: ${err.message}`);
      }
      // A PAT is issued by an administrator: suspended by the lock, valid after the unlock.
      await mgmt(s).unlockUser({ id: manager.id });
      for (const [name, c] of clients) {
        assert.equal((await c.getUserByID({ userId: target.id })).user.userId, target.id, name);
      }
    });

    describe('with a token from the code flow', () => {
      let app;
      before(async () => { app = await webApp(s); });

      it('a lock ends the user\'s access token on every transport; the unlock does not revive it', async () => {
        const manager = await human(s, 'hmgr', ['ORG_USER_MANAGER']);
        const target = await human(s, 'tgt');
        const { tokens } = await signIn(await configure(s, app.web.clientId, app.web.clientSecret), manager.userName);
        const clients = Object.entries(transports).map(([name, t]) => [name, createUserServiceClient(t(s, tokens.access_token))]);
        // The signed-in manager locks and unlocks someone with the token.
        const [, first] = clients[0];
        await first.lockUser({ userId: target.id });
        await first.unlockUser({ userId: target.id });
        for (const [name, c] of clients) {
          assert.equal((await c.getUserByID({ userId: target.id })).user.state, UserState.ACTIVE, name);
        }

        await mgmt(s).lockUser({ id: manager.id });
        for (const [name, c] of clients) {
          const err = await rejection(c.getUserByID({ userId: target.id }));
          assert.equal(err.code, Code.Unauthenticated, `${name}: ${err.message}`);
        }
        // What a sign-in produced stays dead after the unlock.
        await mgmt(s).unlockUser({ id: manager.id });
        for (const [name, c] of clients) {
          const err = await rejection(c.getUserByID({ userId: target.id }));
          assert.equal(err.code, Code.Unauthenticated, `${name}: ${err.message}`);
        }
      });
    });
  });
}
