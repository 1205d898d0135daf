// @zitadel/node's Auth API v1 client (the signed-in caller's own data): a
// human signed in through openid-client and the login page, and a machine
// user with a PAT, read their own user and memberships; a locked caller is
// refused.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Status } from 'nice-grpc';
import { createAccessTokenInterceptor, createAuthClient } from '@zitadel/node/dist/api/index.js';
import { UserState } from '@zitadel/node/dist/api/generated/zitadel/user.js';
import { configure, signIn } from '../lib/oidc.js';
import { servers, unique } from '../lib/servers.js';
import { human, inOrg, machine, mgmt, refusal, webApp } from '../lib/zitadel.js';

const authClient = (s, token) => createAuthClient(s.addr, createAccessTokenInterceptor(token));

for (const s of servers) {
  describe(`@zitadel/node auth client (${s.name})`, () => {
    it('a signed-in human reads its own user and memberships', async () => {
      const m = mgmt(s);
      const { org } = await m.getMyOrg({});
      const other = await m.addOrg({ name: unique('Other') });
      const ann = await human(s, 'ann', ['ORG_OWNER_VIEWER']);
      await m.addOrgMember({ userId: ann.id, roles: ['ORG_USER_MANAGER'] }, inOrg(other.id));
      const app = await webApp(s);
      const config = await configure(s, app.web.clientId, app.web.clientSecret);
      const { tokens } = await signIn(config, ann.userName);
      const a = authClient(s, tokens.access_token);

      const { user } = await a.getMyUser({});
      assert.equal(user.id, ann.id);
      assert.equal(user.userName, ann.userName);
      assert.equal(user.state, UserState.USER_STATE_ACTIVE);
      assert.equal(user.human.email.email, ann.email);
      assert.equal(user.details.resourceOwner, org.id);

      const ms = await a.listMyMemberships({});
      assert.equal(ms.details.totalResult.toString(), '2');
      const byOrg = Object.fromEntries(ms.result.map((x) => [x.orgId, x]));
      assert.deepEqual(byOrg[org.id].roles, ['ORG_OWNER_VIEWER']);
      assert.deepEqual(byOrg[other.id].roles, ['ORG_USER_MANAGER']);
      assert.equal(byOrg[other.id].userId, ann.id);
      assert.equal(byOrg[other.id].details.resourceOwner, other.id);
      assert.ok(byOrg[other.id].displayName.startsWith('Other-'), byOrg[other.id].displayName);

      const only = await a.listMyMemberships({ queries: [{ orgQuery: { orgId: other.id } }] });
      assert.deepEqual(only.result.map((x) => x.orgId), [other.id]);
      const iam = await a.listMyMemberships({ queries: [{ iamQuery: { iam: true } }] });
      assert.equal(iam.result.length, 0);
    });

    it('a machine user with a PAT reads its own user; a locked one is refused', async () => {
      const bot = await machine(s, 'bot', { pat: true });
      const a = authClient(s, bot.pat);
      const { user } = await a.getMyUser({});
      assert.equal(user.id, bot.id);
      assert.equal(user.machine.name, `Service ${bot.userName}`);
      assert.deepEqual((await a.listMyMemberships({})).result, []);

      await mgmt(s).lockUser({ id: bot.id });
      const { err, details } = await refusal((opts) => a.getMyUser({}, opts));
      assert.equal(err.code, Status.UNAUTHENTICATED);
      assert.deepEqual(details.map((d) => d.id), ['AUTH-7fs1e']);
    });
  });
}
