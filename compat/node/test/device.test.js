// openid-client (6.x) as a device (RFC 8628) against Warden: discovery names
// the device authorization endpoint where it is served; the device gets its
// codes and polls while a person, in the scripted browser, types the code
// (prefilled from verification_uri_complete), signs in through the login
// forms and allows or denies the device; a lock refuses the approval and the
// redemption. Warden runs with ZITADEL's defaults: a poll every 5 seconds.

import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import * as oidc from 'openid-client';
import { Browser } from '../lib/browser.js';
import { tokenError } from '../lib/oidc.js';
import { password, servers, unique } from '../lib/servers.js';
import { human, mgmt } from '../lib/zitadel.js';
import { OIDCAppType, OIDCAuthMethodType, OIDCGrantType } from '@zitadel/node/dist/api/generated/zitadel/app.js';

const userCode = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;

// deviceApp makes a native app (auth method none) with the device and
// refresh grants, and returns openid-client's configuration for it.
async function deviceApp(s) {
  const m = mgmt(s);
  const project = await m.addProject({ name: unique('devices') });
  const app = await m.addOIDCApp({
    projectId: project.id, name: 'tv',
    grantTypes: [OIDCGrantType.OIDC_GRANT_TYPE_DEVICE_CODE, OIDCGrantType.OIDC_GRANT_TYPE_REFRESH_TOKEN],
    appType: OIDCAppType.OIDC_APP_TYPE_NATIVE, authMethodType: OIDCAuthMethodType.OIDC_AUTH_METHOD_TYPE_NONE,
  });
  return oidc.discovery(new URL(s.base), app.clientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
}

// toApproval takes a browser from the device's verification_uri_complete
// through the user-code form and the sign-in to the approval page.
async function toApproval(browser, da, loginName) {
  let page = await browser.get(da.verification_uri_complete);
  assert.equal(page.status, 200, page.text());
  assert.ok(page.url.pathname.endsWith('/ui/login/device'), page.url.href);
  assert.equal(new Map(page.forms[0].fields).get('user_code'), da.user_code, 'the code is not prefilled');
  page = await browser.submit(page);
  assert.ok(page.has('loginName'), `want the user-name form: ${page.text()}`);
  page = await browser.submit(page, { loginName });
  assert.ok(page.has('password'), `want the password form: ${page.text()}`);
  page = await browser.submit(page, { password });
  assert.ok(page.url.pathname.endsWith('/ui/login/device/approve'), `want the approval page at ${page.url}: ${page.text()}`);
  return page;
}

for (const s of servers) {
  describe(`device authorization with openid-client (${s.name})`, () => {
    let config;
    before(async () => {
      config = await deviceApp(s);
    });

    it('discovery names the device authorization endpoint where it is served', async () => {
      const md = config.serverMetadata();
      assert.equal(md.device_authorization_endpoint, `${s.base}/oauth/v2/device_authorization`);
      assert.ok(md.grant_types_supported.includes('urn:ietf:params:oauth:grant-type:device_code'));
      const res = await fetch(md.device_authorization_endpoint, { method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'client_id=nobody' });
      assert.equal(res.status, 401);
      assert.equal((await res.json()).error, 'invalid_client');
    });

    it('a person allows the device through the login forms; the device gets its tokens once', async () => {
      const ann = await human(s, 'ann');
      const da = await oidc.initiateDeviceAuthorization(config, { scope: 'openid profile offline_access' });
      assert.match(da.user_code, userCode);
      assert.equal(da.verification_uri, `${s.base}/device`);
      assert.equal(da.verification_uri_complete, `${s.base}/device?user_code=${da.user_code}`);
      assert.equal(da.interval, 5);
      assert.equal(da.expires_in, 300);
      const polling = oidc.pollDeviceAuthorizationGrant(config, da);

      const browser = new Browser();
      let page = await toApproval(browser, da, ann.userName);
      assert.ok(page.text().includes('offline_access'), page.text());
      page = await browser.submit(page, { decision: 'allow' });
      assert.equal(page.status, 200, page.text());
      assert.ok(page.text().includes('Your device is signed in'), page.text());

      const tokens = await polling;
      assert.equal(tokens.claims().sub, ann.id);
      assert.ok(tokens.refresh_token, 'no refresh token for offline_access');
      const info = await oidc.fetchUserInfo(config, tokens.access_token, ann.id);
      assert.equal(info.sub, ann.id);
      // The device code is spent.
      assert.equal(await tokenError(oidc.pollDeviceAuthorizationGrant(config, { ...da, interval: 1 })), 'invalid_grant');
    });

    it('a denied device hears access_denied', async () => {
      const bo = await human(s, 'bo');
      const da = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
      const polling = tokenError(oidc.pollDeviceAuthorizationGrant(config, da));
      const browser = new Browser();
      const page = await browser.submit(await toApproval(browser, da, bo.userName), { decision: 'deny' });
      assert.ok(page.text().includes('You denied the device'), page.text());
      assert.equal(await polling, 'access_denied');
    });

    it('a locked user cannot allow a device, and a device allowed before a lock gets nothing', async () => {
      const cy = await human(s, 'cy');
      let da = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
      let browser = new Browser();
      let page = await toApproval(browser, da, cy.userName);
      await mgmt(s).lockUser({ id: cy.id });
      page = await browser.submit(page, { decision: 'allow' });
      assert.equal(page.status, 403, page.text());
      assert.ok(page.text().includes('Your account is locked'), page.text());
      await mgmt(s).unlockUser({ id: cy.id });

      da = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
      browser = new Browser();
      page = await browser.submit(await toApproval(browser, da, cy.userName), { decision: 'allow' });
      assert.equal(page.status, 200, page.text());
      await mgmt(s).lockUser({ id: cy.id });
      assert.equal(await tokenError(oidc.pollDeviceAuthorizationGrant(config, { ...da, interval: 1 })), 'invalid_grant');
    });
  });
}
