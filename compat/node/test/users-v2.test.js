// A user's own data through ZITADEL's Node clients: @zitadel/node's
// Management client (UpdateHumanProfile, GetHumanProfile, SetUserMetadata,
// ListUserMetadata) and @zitadel/client's User Service v2 (CreateUser and
// UpdateUser, human and machine; a human's metadata), against a real warden.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code, ConnectError } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import { NewAuthorizationBearerInterceptor } from '@zitadel/client';
import { createServerTransport } from '@zitadel/client/node';
import { createUserServiceClient } from '@zitadel/client/v2';
import { Gender as GenderV1 } from '@zitadel/node/dist/api/generated/zitadel/user.js';
import { ErrorDetailSchema } from '@zitadel/proto/zitadel/message_pb.js';
import { AccessTokenType, Gender, UserState } from '@zitadel/proto/zitadel/user/v2/user_pb.js';
import { servers, unique } from '../lib/servers.js';
import { human, mgmt } from '../lib/zitadel.js';

const transports = {
  'Connect (JSON)': (s) => createConnectTransport({
    baseUrl: s.base, httpVersion: '1.1', interceptors: [NewAuthorizationBearerInterceptor(s.pat)],
  }),
  gRPC: (s) => createServerTransport(s.pat, { baseUrl: s.base, httpVersion: '2' }),
};

async function rejection(promise) {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ConnectError, `not a ConnectError: ${err}`);
    return err;
  }
  throw new Error('the call succeeded; want a refusal');
}

const enc = (s) => new TextEncoder().encode(s);
const dec = (b) => new TextDecoder().decode(b);

for (const s of servers) {
  describe(`@zitadel/node profile and metadata (${s.name})`, () => {
    it('updates and reads a human profile, sets and lists user metadata', async () => {
      const m = mgmt(s);
      const u = await human(s, 'prof');
      const up = await m.updateHumanProfile({
        userId: u.id, firstName: 'Ada', lastName: 'Lovelace', nickName: 'Countess', displayName: 'Ada L.',
        preferredLanguage: 'en', gender: GenderV1.GENDER_FEMALE,
      });
      assert.equal(up.details.sequence.toString(), '2');
      const { profile } = await m.getHumanProfile({ userId: u.id });
      assert.deepEqual([profile.firstName, profile.lastName, profile.nickName, profile.displayName, profile.preferredLanguage, profile.gender],
        ['Ada', 'Lovelace', 'Countess', 'Ada L.', 'en', GenderV1.GENDER_FEMALE]);

      await m.setUserMetadata({ id: u.id, key: 'team', value: Buffer.from('engines') });
      await m.setUserMetadata({ id: u.id, key: 'floor', value: Buffer.from('3') });
      const list = await m.listUserMetadata({ id: u.id });
      assert.deepEqual(list.result.map((e) => [e.key, Buffer.from(e.value).toString()]).sort(), [['floor', '3'], ['team', 'engines']]);
      assert.equal(list.details.totalResult.toString(), '2');
    });
  });

  describe(`@zitadel/client CreateUser and UpdateUser (${s.name})`, () => {
    for (const [name, transport] of Object.entries(transports)) {
      it(`${name}: creates and changes a human and a machine`, async () => {
        const users = createUserServiceClient(transport(s));
        const { org } = await mgmt(s).getMyOrg({});
        const username = unique('cu');
        const created = await users.createUser({
          organizationId: org.id, username,
          userType: {
            case: 'human',
            value: {
              profile: { givenName: 'Kay', familyName: 'Ell', gender: Gender.DIVERSE },
              email: { email: `${username}@example.com`, verification: { case: 'isVerified', value: true } },
              passwordType: { case: 'password', value: { password: 'Correct-Horse-1', changeRequired: false } },
              // @zitadel/proto 1.3.1 knows the human part's metadata only
              // (neither CreateUser's top-level one nor UpdateUser's).
              metadata: [{ key: 'dept', value: enc('research') }],
            },
          },
        });
        assert.match(created.id, /^\d{18}$/);
        assert.ok(created.creationDate);
        let { user } = await users.getUserByID({ userId: created.id });
        assert.equal(user.state, UserState.ACTIVE);
        assert.equal(user.username, username);
        assert.equal(user.type.case, 'human');
        assert.equal(user.type.value.profile.gender, Gender.DIVERSE);

        const changed = await users.updateUser({
          userId: created.id, username: `${username}-2`,
          userType: { case: 'human', value: { profile: { nickName: 'K' }, email: { email: `${username}@new.example.com`, verification: { case: 'isVerified', value: true } } } },
        });
        assert.ok(changed.changeDate);
        ({ user } = await users.getUserByID({ userId: created.id }));
        assert.equal(user.username, `${username}-2`);
        assert.equal(user.type.value.profile.givenName, 'Kay');
        assert.equal(user.type.value.profile.nickName, 'K');
        assert.equal(user.type.value.email.email, `${username}@new.example.com`);
        const md = await users.listUserMetadata({ userId: created.id });
        assert.deepEqual(md.metadata.map((e) => [e.key, dec(e.value)]), [['dept', 'research']]);

        // A part that cannot be done refuses the whole update.
        let err = await rejection(users.updateUser({
          userId: created.id, username: `${username}-3`, userType: { case: 'machine', value: { name: 'Nope' } },
        }));
        assert.equal(err.code, Code.FailedPrecondition);
        assert.equal(err.findDetails(ErrorDetailSchema)[0]?.id, 'WARDEN-NOTMACHINE');
        assert.equal((await users.getUserByID({ userId: created.id })).user.username, `${username}-2`);

        // (@zitadel/proto 1.3.1's machine part has no access token type.)
        const bot = await users.createUser({
          organizationId: org.id, userType: { case: 'machine', value: { name: 'Bot', description: 'beeps' } },
        });
        ({ user } = await users.getUserByID({ userId: bot.id }));
        assert.equal(user.username, bot.id); // no user name given: the id
        assert.equal(user.type.case, 'machine');
        assert.equal(user.type.value.accessTokenType, AccessTokenType.BEARER);
        await users.updateUser({ userId: bot.id, userType: { case: 'machine', value: { name: 'Robot' } } });
        ({ user } = await users.getUserByID({ userId: bot.id }));
        assert.deepEqual([user.type.value.name, user.type.value.description], ['Robot', 'beeps']);

        err = await rejection(users.createUser({ organizationId: org.id, username: unique('none') }));
        assert.equal(err.code, Code.InvalidArgument);
        assert.equal(err.findDetails(ErrorDetailSchema)[0]?.id, 'WARDEN-USERTYPE');
      });
    }
  });
}
