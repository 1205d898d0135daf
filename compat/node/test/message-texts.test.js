// @zitadel/node's Management and Admin clients (gRPC through nice-grpc)
// setting, reading and resetting custom message texts: an org's own init
// text and the instance's password-reset text, with ZITADEL's error ids for a
// template action and an unsupported language.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Status } from 'nice-grpc';
import { createAccessTokenInterceptor, createAdminClient } from '@zitadel/node/dist/api/index.js';
import { servers, unique } from '../lib/servers.js';
import { inOrg, mgmt, refusal } from '../lib/zitadel.js';

for (const s of servers) {
  describe(`@zitadel/node message texts (${s.name})`, () => {
    it("sets, reads and resets an org's init text", async () => {
      const m = mgmt(s);
      const { id: orgId } = await m.addOrg({ name: unique('texts') });
      const o = inOrg(orgId);

      let { customText } = await m.getCustomInitMessageText({ language: 'de' }, o);
      assert.equal(customText.isDefault, true);
      assert.ok(customText.subject.length > 0);

      const set = await m.setCustomInitMessageText({
        language: 'de', subject: 'Willkommen bei {{.OrgName}}', text: 'Dein Code: {{.Code}}', buttonText: 'Los',
      }, o);
      assert.equal(set.details.resourceOwner, orgId);

      ({ customText } = await m.getCustomInitMessageText({ language: 'de' }, o));
      assert.equal(customText.isDefault, false);
      assert.equal(customText.subject, 'Willkommen bei {{.OrgName}}');
      assert.equal(customText.text, 'Dein Code: {{.Code}}');
      assert.equal(customText.buttonText, 'Los');
      assert.equal(customText.greeting, '');
      assert.equal(customText.details.sequence.toString(), set.details.sequence.toString());
      assert.equal(customText.details.resourceOwner, orgId);

      const tmpl = await refusal((opts) => m.setCustomInitMessageText({ language: 'de', text: '{{range .LoginNames}}{{.}}{{end}}' }, { ...o, ...opts }));
      assert.equal(tmpl.err.code, Status.INVALID_ARGUMENT);
      assert.equal(tmpl.details[0]?.id, 'WARDEN-MSGTEXT');
      const lang = await refusal((opts) => m.setCustomInitMessageText({ language: 'xx', text: 'x' }, { ...o, ...opts }));
      assert.equal(lang.err.code, Status.INVALID_ARGUMENT);
      assert.equal(lang.details[0]?.id, 'LANG-lg4DP');

      const reset = await m.resetCustomInitMessageTextToDefault({ language: 'de' }, o);
      assert.ok(BigInt(reset.details.sequence) > BigInt(set.details.sequence));
      ({ customText } = await m.getCustomInitMessageText({ language: 'de' }, o));
      assert.equal(customText.isDefault, true);
      const again = await refusal((opts) => m.resetCustomInitMessageTextToDefault({ language: 'de' }, { ...o, ...opts }));
      assert.equal(again.err.code, Status.NOT_FOUND);
      assert.equal(again.details[0]?.id, 'Org-3b8Jf');
    });

    it("sets, reads and resets the instance's password-reset text", async () => {
      const a = createAdminClient(s.addr, createAccessTokenInterceptor(s.pat));
      const language = 'it'; // no other test sets Italian texts
      const set = await a.setDefaultPasswordResetMessageText({ language, subject: 'Reimposta {{.PreferredLoginName}}', text: 'Codice {{.Code}}' });
      let { customText } = await a.getCustomPasswordResetMessageText({ language });
      assert.equal(customText.isDefault, false);
      assert.equal(customText.subject, 'Reimposta {{.PreferredLoginName}}');
      assert.equal(customText.details.sequence.toString(), set.details.sequence.toString());
      // Every org sees it as its default.
      const { customText: seen } = await mgmt(s).getDefaultPasswordResetMessageText({ language });
      assert.equal(seen.isDefault, true);
      assert.equal(seen.subject, 'Reimposta {{.PreferredLoginName}}');
      assert.ok(seen.greeting.length > 0, 'the built-in greeting fills the field the instance left empty');

      await a.resetCustomPasswordResetMessageTextToDefault({ language });
      ({ customText } = await a.getCustomPasswordResetMessageText({ language }));
      assert.equal(customText.isDefault, true);
    });
  });
}
