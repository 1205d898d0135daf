// @zitadel/node (gRPC through nice-grpc): the Management API v1 client a
// ZITADEL team's Node services use, its User Service client (v2beta), and its
// service-account credentials (the JWT-profile grant with a machine key),
// against a real warden.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Status } from 'nice-grpc';
import {
  createAccessTokenInterceptor, createManagementClient, createServiceAccountInterceptor, createUserClient,
} from '@zitadel/node/dist/api/index.js';
import { ServiceAccount } from '@zitadel/node/dist/credentials/index.js';
import { KeyType } from '@zitadel/node/dist/api/generated/zitadel/auth_n_key.js';
import { TextQueryMethod } from '@zitadel/node/dist/api/generated/zitadel/object.js';
import { UserState } from '@zitadel/node/dist/api/generated/zitadel/user.js';
import { UserState as UserStateV2beta } from '@zitadel/node/dist/api/generated/zitadel/user/v2beta/user.js';
import { servers, unique, password } from '../lib/servers.js';
import { human, machine, mgmt, refusal } from '../lib/zitadel.js';

for (const s of servers) {
  describe(`@zitadel/node management client (${s.name})`, () => {
    it('creates users, locks and unlocks them, and reads their state back', async () => {
      const m = mgmt(s);
      const { org } = await m.getMyOrg({});
      const userName = unique('ann');
      const { userId, details } = await m.importHumanUser({
        userName, profile: { firstName: 'Ann', lastName: 'Lee' },
        email: { email: `${userName}@example.com`, isEmailVerified: true }, password,
      });
      assert.match(userId, /^\d{1,18}$/);
      assert.equal(details.sequence.toString(), '1');
      assert.equal(details.resourceOwner, org.id);

      let { user } = await m.getUserByID({ id: userId });
      assert.equal(user.state, UserState.USER_STATE_ACTIVE);
      assert.equal(user.userName, userName);
      assert.equal(user.human.profile.firstName, 'Ann');
      assert.equal(user.human.email.email, `${userName}@example.com`);
      assert.ok(user.loginNames.some((n) => n.startsWith(`${userName}@`)), user.loginNames.join());

      const locked = await m.lockUser({ id: userId });
      assert.equal(locked.details.sequence.toString(), '2');
      assert.equal(locked.details.resourceOwner, org.id);
      assert.ok(locked.details.changeDate instanceof Date);
      ({ user } = await m.getUserByID({ id: userId }));
      assert.equal(user.state, UserState.USER_STATE_LOCKED);

      // ListUsers finds it by user name, and among the locked users.
      const byName = await m.listUsers({
        queries: [{ userNameQuery: { userName, method: TextQueryMethod.TEXT_QUERY_METHOD_EQUALS } }],
      });
      assert.deepEqual(byName.result.map((u) => [u.id, u.state]), [[userId, UserState.USER_STATE_LOCKED]]);
      const lockedOnes = await m.listUsers({ query: { limit: 1000 }, queries: [{ stateQuery: { state: UserState.USER_STATE_LOCKED } }] });
      assert.ok(lockedOnes.result.some((u) => u.id === userId));
      assert.ok(lockedOnes.result.every((u) => u.state === UserState.USER_STATE_LOCKED));

      const unlocked = await m.unlockUser({ id: userId });
      assert.equal(unlocked.details.sequence.toString(), '3');
      ({ user } = await m.getUserByID({ id: userId }));
      assert.equal(user.state, UserState.USER_STATE_ACTIVE);
    });

    it('unlock returns a user to the state it had before the lock (INITIAL stays INITIAL)', async () => {
      const m = mgmt(s);
      const userName = unique('ini');
      // Without a password a human user starts INITIAL.
      const { userId } = await m.addHumanUser({
        userName, profile: { firstName: 'Ina', lastName: 'Tial' },
        email: { email: `${userName}@example.com`, isEmailVerified: true },
      });
      assert.equal((await m.getUserByID({ id: userId })).user.state, UserState.USER_STATE_INITIAL);
      await m.lockUser({ id: userId });
      assert.equal((await m.getUserByID({ id: userId })).user.state, UserState.USER_STATE_LOCKED);
      await m.unlockUser({ id: userId });
      assert.equal((await m.getUserByID({ id: userId })).user.state, UserState.USER_STATE_INITIAL);

      const svc = await machine(s, 'svc');
      const { user } = await m.getUserByID({ id: svc.id });
      assert.equal(user.state, UserState.USER_STATE_ACTIVE);
      assert.equal(user.machine.name, `Service ${svc.userName}`);
    });

    it('refusals carry ZITADEL\'s gRPC codes and error ids', async () => {
      const m = mgmt(s);
      const ann = await human(s, 'ref');
      await m.lockUser({ id: ann.id });

      const cases = [
        ['lock a locked user', (o) => m.lockUser({ id: ann.id }, o), Status.FAILED_PRECONDITION, 'COMMAND-3NN8v', 'User is not active or initial'],
        ['unlock an active user', async (o) => { await m.unlockUser({ id: ann.id }); return m.unlockUser({ id: ann.id }, o); },
          Status.FAILED_PRECONDITION, 'COMMAND-4M0ds', 'User is not locked'],
        ['lock without an id', (o) => m.lockUser({ id: '' }, o), Status.INVALID_ARGUMENT, 'COMMAND-2M0sd'],
        ['lock a missing user', (o) => m.lockUser({ id: '1' }, o), Status.NOT_FOUND, 'COMMAND-5M9fs', 'User could not be found'],
        ['call without a token', (o) => mgmt(s, null).getMyOrg({}, o), Status.UNAUTHENTICATED, 'AUTH-7fs1e'],
        ['call with a made-up token', (o) => mgmt(s, 'not-a-token').getMyOrg({}, o), Status.UNAUTHENTICATED, 'AUTH-7fs1e'],
      ];
      for (const [what, call, code, id, message] of cases) {
        const { err, details } = await refusal(call);
        assert.equal(err.code, code, `${what}: ${err.message}`);
        assert.equal(details[0]?.id, id, `${what}: ${JSON.stringify(details)}`);
        if (message) {
          assert.equal(details[0].message, message, what);
          assert.equal(err.details, `${message} (${id})`, what);
        }
      }

      // A caller without a role that carries user.write.
      const nobody = await machine(s, 'nobody', { pat: true });
      const { err, details } = await refusal((o) => mgmt(s, nobody.pat).lockUser({ id: ann.id }, o));
      assert.equal(err.code, Status.PERMISSION_DENIED, err.message);
      assert.equal(details[0]?.message, 'No matching permissions found', JSON.stringify(details));
      assert.equal((await m.getUserByID({ id: ann.id })).user.state, UserState.USER_STATE_ACTIVE);
    });

    // createUserClient speaks zitadel.user.v2beta.UserService, which Warden
    // relays to its v2 implementation: v2's states, details and error ids.
    it('createUserClient (user service v2beta): create, get, lock, unlock, and a missing user', async () => {
      const users = createUserClient(s.addr, createAccessTokenInterceptor(s.pat));
      const { org } = await mgmt(s).getMyOrg({});
      const username = unique('beta');
      const added = await users.addHumanUser({
        username, profile: { givenName: 'Bea', familyName: 'Ta' },
        email: { email: `${username}@example.com`, isVerified: true },
        password: { password, changeRequired: false },
      });
      assert.match(added.userId, /^\d{1,18}$/);
      assert.equal(added.details.resourceOwner, org.id);

      let { user } = await users.getUserByID({ userId: added.userId });
      assert.equal(user.userId, added.userId);
      assert.equal(user.username, username);
      assert.equal(user.state, UserStateV2beta.USER_STATE_ACTIVE);
      assert.equal(user.human.profile.givenName, 'Bea');
      assert.equal(user.human.email.email, `${username}@example.com`);
      assert.equal(user.human.email.isVerified, true);
      // The same user, read through v1.
      assert.equal((await mgmt(s).getUserByID({ id: added.userId })).user.userName, username);

      const locked = await users.lockUser({ userId: added.userId });
      assert.equal(locked.details.sequence.toString(), '2');
      assert.equal(locked.details.resourceOwner, org.id);
      assert.ok(locked.details.changeDate instanceof Date);
      ({ user } = await users.getUserByID({ userId: added.userId }));
      assert.equal(user.state, UserStateV2beta.USER_STATE_LOCKED);
      let { err, details } = await refusal((o) => users.lockUser({ userId: added.userId }, o));
      assert.equal(err.code, Status.FAILED_PRECONDITION, err.message);
      assert.deepEqual(details, [{ id: 'COMMAND-lgws8wtsqf', message: 'User is not active or initial' }]);

      const unlocked = await users.unlockUser({ userId: added.userId });
      assert.equal(unlocked.details.sequence.toString(), '3');
      ({ user } = await users.getUserByID({ userId: added.userId }));
      assert.equal(user.state, UserStateV2beta.USER_STATE_ACTIVE);
      ({ err, details } = await refusal((o) => users.unlockUser({ userId: added.userId }, o)));
      assert.equal(err.code, Status.FAILED_PRECONDITION, err.message);
      assert.equal(details[0]?.id, 'COMMAND-olb9vb0oca');

      // A missing user: NotFound with ZITADEL's ids, the text in the status message.
      for (const [what, call, id] of [
        ['get', (o) => users.getUserByID({ userId: '1' }, o), 'QUERY-Dfbg2'],
        ['lock', (o) => users.lockUser({ userId: '1' }, o), 'COMMAND-450yxuqrh1'],
        ['unlock', (o) => users.unlockUser({ userId: '1' }, o), 'COMMAND-x377t913pw'],
      ]) {
        ({ err, details } = await refusal(call));
        assert.equal(err.code, Status.NOT_FOUND, `${what}: ${err.message}`);
        assert.deepEqual(details, [{ id, message: 'User could not be found' }], what);
        assert.equal(err.details, `User could not be found (${id})`, what);
      }
      ({ err } = await refusal((o) => createUserClient(s.addr, createAccessTokenInterceptor('not-a-token')).getUserByID({ userId: added.userId }, o)));
      assert.equal(err.code, Status.UNAUTHENTICATED, err.message);
    });

    it('a service account signs in with its key file (JWT profile), and a lock ends its token', async () => {
      const m = mgmt(s);
      const svc = await machine(s, 'sa', { roles: ['ORG_USER_MANAGER'] });
      const { keyDetails } = await m.addMachineKey({ userId: svc.id, type: KeyType.KEY_TYPE_JSON });
      const keyFile = JSON.parse(keyDetails.toString());
      assert.equal(keyFile.type, 'serviceaccount');
      assert.equal(keyFile.userId, svc.id);
      const account = ServiceAccount.fromJson(keyFile);

      // The interceptor discovers the token endpoint, signs an assertion with
      // the key and asks for Warden's API in the audience.
      const asService = createManagementClient(s.addr, createServiceAccountInterceptor(s.base, account, { apiAccess: true }));
      const target = await human(s, 'target');
      await asService.lockUser({ id: target.id });
      assert.equal((await m.getUserByID({ id: target.id })).user.state, UserState.USER_STATE_LOCKED);
      await asService.unlockUser({ id: target.id });

      await m.lockUser({ id: svc.id });
      // The token the interceptor holds is refused on the next call ...
      const { err } = await refusal((o) => asService.getUserByID({ id: target.id }, o));
      assert.equal(err.code, Status.UNAUTHENTICATED, err.message);
      // ... and the key gets no new one.
      await assert.rejects(account.authenticate(s.base, { apiAccess: true }), (e) => {
        assert.equal(e.response?.status, 400, e.message);
        assert.equal(e.response.data.error, 'invalid_grant');
        return true;
      });

      // The key is an administrator's credential: the unlock revives it.
      await m.unlockUser({ id: svc.id });
      const token = await account.authenticate(s.base, { apiAccess: true });
      assert.equal((await mgmt(s, token).getUserByID({ id: target.id })).user.id, target.id);
    });
  });
}
