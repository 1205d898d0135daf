// openid-client (6.x, on oauth4webapi) against Warden's own OpenID provider:
// discovery, authorization code + PKCE through the login forms, userinfo,
// introspection by an API app, refresh, revocation, client credentials, and
// what a lock refuses.

import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import * as oidc from 'openid-client';
import { Browser } from '../lib/browser.js';
import { apiScope, clientCredentials, configure, signIn, tokenError, userinfoStatus } from '../lib/oidc.js';
import { rest, servers } from '../lib/servers.js';
import { human, machine, mgmt, redirectUri, webApp } from '../lib/zitadel.js';

// ccScope asks for Warden's API and the project's API apps in the audience
// (an API app introspects only tokens meant for its project).
const ccScope = (app) => `openid ${apiScope} urn:zitadel:iam:org:project:id:${app.projectId}:aud`;

for (const s of servers) {
  describe(`openid-client (${s.name})`, () => {
    let app;
    let web;
    let api;
    before(async () => {
      app = await webApp(s);
      web = await configure(s, app.web.clientId, app.web.clientSecret);
      api = await configure(s, app.api.clientId, app.api.clientSecret);
    });

    it('discovery finds the provider at ZITADEL\'s paths', () => {
      const md = web.serverMetadata();
      assert.equal(md.issuer, s.base);
      assert.equal(md.authorization_endpoint, `${s.base}/oauth/v2/authorize`);
      assert.equal(md.token_endpoint, `${s.base}/oauth/v2/token`);
      assert.equal(md.introspection_endpoint, `${s.base}/oauth/v2/introspect`);
      assert.equal(md.revocation_endpoint, `${s.base}/oauth/v2/revoke`);
      assert.equal(md.userinfo_endpoint, `${s.base}/oidc/v1/userinfo`);
      assert.equal(md.end_session_endpoint, `${s.base}/oidc/v1/end_session`);
      assert.equal(md.jwks_uri, `${s.base}/oauth/v2/keys`);
      assert.deepEqual(md.code_challenge_methods_supported, ['S256']);
      assert.ok(md.grant_types_supported.includes('client_credentials'));
      assert.ok(md.grant_types_supported.includes('refresh_token'));
    });

    it('code + PKCE through the login forms; userinfo, introspection, and a rotating refresh token', async () => {
      const ann = await human(s, 'ann');
      const browser = new Browser();
      const { tokens } = await signIn(web, ann.userName, { browser });
      // openid-client verified the ID token (signature from the JWKS, issuer,
      // audience, nonce, at_hash); check whom it names.
      const claims = tokens.claims();
      assert.equal(claims.sub, ann.id);
      assert.equal(claims.iss, s.base);
      assert.ok([claims.aud].flat().includes(app.web.clientId), JSON.stringify(claims.aud));
      assert.ok(tokens.refresh_token, 'no refresh token for offline_access');
      assert.ok(tokens.scope.split(' ').includes(apiScope), tokens.scope);

      const info = await oidc.fetchUserInfo(web, tokens.access_token, ann.id);
      assert.equal(info.email, ann.email);
      assert.equal(info.email_verified, true);
      assert.equal(info.given_name, 'Ann');
      assert.ok(info.preferred_username.startsWith(`${ann.userName}@`), info.preferred_username);

      // The API app of the same project introspects the access token.
      const intro = await oidc.tokenIntrospection(api, tokens.access_token);
      assert.equal(intro.active, true);
      assert.equal(intro.sub, ann.id);
      assert.equal(intro.client_id, app.web.clientId);
      assert.ok([intro.aud].flat().includes(app.projectId), JSON.stringify(intro.aud));
      assert.equal((await oidc.tokenIntrospection(api, 'not-a-token')).active, false);

      // Refresh rotates both tokens; the new ones work.
      const next = await oidc.refreshTokenGrant(web, tokens.refresh_token);
      assert.ok(next.refresh_token && next.refresh_token !== tokens.refresh_token);
      assert.notEqual(next.access_token, tokens.access_token);
      assert.equal(next.claims()?.sub, ann.id, 'the refreshed ID token names the user');
      assert.equal(await userinfoStatus(web, next.access_token, ann.id), 200);
      // The spent refresh token presented again revokes the whole family.
      assert.equal(await tokenError(oidc.refreshTokenGrant(web, tokens.refresh_token)), 'invalid_grant');
      assert.equal(await tokenError(oidc.refreshTokenGrant(web, next.refresh_token)), 'invalid_grant');
      assert.equal((await oidc.tokenIntrospection(api, next.access_token)).active, false);

      // The browser's session signs the next flow in without the forms.
      const again = await signIn(web, ann.userName, { browser });
      assert.equal(again.forms, false);
      assert.equal(again.tokens.claims().sub, ann.id);
    });

    it('a code redeemed with another PKCE verifier is refused', async () => {
      const di = await human(s, 'di');
      const wrong = oidc.randomPKCECodeVerifier();
      assert.equal(await tokenError(signIn(web, di.userName, { redeemWith: wrong })), 'invalid_grant');
    });

    it('revocation ends an access token', async () => {
      const bo = await human(s, 'bo');
      const { tokens } = await signIn(web, bo.userName);
      assert.equal(await userinfoStatus(web, tokens.access_token, bo.id), 200);
      await oidc.tokenRevocation(web, tokens.access_token);
      assert.equal(await userinfoStatus(web, tokens.access_token, bo.id), 401);
      assert.equal((await oidc.tokenIntrospection(api, tokens.access_token)).active, false);
    });

    it('client credentials with a machine user\'s secret', async () => {
      const { svc, config } = await clientCredentials(s);
      const tokens = await oidc.clientCredentialsGrant(config, { scope: ccScope(app) });
      assert.equal(tokens.token_type.toLowerCase(), 'bearer');
      const intro = await oidc.tokenIntrospection(api, tokens.access_token);
      assert.equal(intro.active, true);
      assert.equal(intro.sub, svc.id);
      // The machine user manages users with it.
      const target = await human(s, 'cct');
      assert.equal((await rest(s, 'POST', `/management/v1/users/${target.id}/_lock`, {}, tokens.access_token)).status, 200);

      const wrong = await configure(s, svc.userName, 'wrong-secret');
      assert.equal(await tokenError(oidc.clientCredentialsGrant(wrong, { scope: 'openid' })), 'invalid_client');
    });

    it('a lock refuses each: refresh, introspection, userinfo, client credentials, a new sign-in', async () => {
      const cy = await human(s, 'cy', ['ORG_USER_MANAGER']);
      const browser = new Browser();
      const { tokens } = await signIn(web, cy.userName, { browser });
      const cc = await clientCredentials(s);
      const ccTokens = await oidc.clientCredentialsGrant(cc.config, { scope: ccScope(app) });
      assert.equal(await userinfoStatus(web, tokens.access_token, cy.id), 200);
      assert.equal((await rest(s, 'GET', `/management/v1/users/${cy.id}`, undefined, tokens.access_token)).status, 200);

      await mgmt(s).lockUser({ id: cy.id });
      await mgmt(s).lockUser({ id: cc.svc.id });

      assert.equal(await tokenError(oidc.refreshTokenGrant(web, tokens.refresh_token)), 'invalid_grant');
      assert.equal((await oidc.tokenIntrospection(api, tokens.access_token)).active, false);
      assert.equal(await userinfoStatus(web, tokens.access_token, cy.id), 401);
      assert.equal((await rest(s, 'GET', `/management/v1/users/${cy.id}`, undefined, tokens.access_token)).status, 401);
      assert.equal(await tokenError(oidc.clientCredentialsGrant(cc.config, { scope: 'openid' })), 'invalid_client');
      assert.equal((await oidc.tokenIntrospection(api, ccTokens.access_token)).active, false);
      // Neither the browser's session nor the password gets a code.
      for (const b of [browser, new Browser()]) {
        const url = oidc.buildAuthorizationUrl(web, {
          redirect_uri: redirectUri, scope: 'openid', state: oidc.randomState(),
          code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256',
        });
        let page = await b.get(url, redirectUri);
        if (page.has?.('loginName')) page = await b.submit(page, { loginName: cy.userName }, redirectUri);
        if (page.has?.('password')) page = await b.submit(page, { password: 'Correct-Horse-1' }, redirectUri);
        assert.equal(page.redirect, undefined, 'a locked user got a code');
        assert.equal(page.status, 403, page.text());
        assert.ok(page.text().includes('Your account is locked.'), page.text());
      }

      // The unlock revives the machine user's secret (an administrator's
      // credential), not what the sign-in produced.
      await mgmt(s).unlockUser({ id: cy.id });
      await mgmt(s).unlockUser({ id: cc.svc.id });
      assert.equal(await tokenError(oidc.refreshTokenGrant(web, tokens.refresh_token)), 'invalid_grant');
      assert.equal(await userinfoStatus(web, tokens.access_token, cy.id), 401);
      const fresh = await oidc.clientCredentialsGrant(cc.config, { scope: ccScope(app) });
      assert.equal((await oidc.tokenIntrospection(api, fresh.access_token)).active, true);
      const signedIn = await signIn(web, cy.userName);
      assert.equal(signedIn.tokens.claims().sub, cy.id);
    });
  });
}
