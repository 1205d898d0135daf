// openid-client against Warden's provider, and the sign-in a browser makes:
// authorization code with PKCE (S256) through Warden's login forms.

import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { Browser } from './browser.js';
import { password, rest } from './servers.js';
import { machine, redirectUri } from './zitadel.js';

// The scope that puts Warden's own API in the token's audience.
export const apiScope = 'urn:zitadel:iam:org:project:id:zitadel:aud';

// configure discovers the provider at the server's issuer for a client that
// authenticates with client_secret_basic (Warden's introspection endpoint
// takes only that and private_key_jwt). Loopback runs on http, which
// openid-client allows only when told.
export function configure(s, clientId, clientSecret) {
  return oidc.discovery(new URL(s.base), clientId, clientSecret, oidc.ClientSecretBasic(clientSecret), {
    execute: [oidc.allowInsecureRequests],
  });
}

// signIn runs one authorization code flow with PKCE S256, state and nonce:
// openid-client builds the authorization URL, the scripted browser posts the
// user-name and password forms, openid-client redeems the code and checks the
// ID token. A browser that holds a session skips the forms. Returns the token
// response, the browser (its session lives on) and whether the forms were used.
//
// redeemWith replaces the PKCE verifier at the redemption (to see a wrong one refused).
export async function signIn(config, loginName, { scope = `openid profile email offline_access ${apiScope}`, browser = new Browser(), redeemWith } = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope, state, nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  let page = await browser.get(url, redirectUri);
  const forms = !page.redirect;
  if (forms) {
    assert.equal(page.status, 200, page.text());
    assert.ok(page.has('loginName'), `want the user-name form at ${page.url}: ${page.text()}`);
    page = await browser.submit(page, { loginName }, redirectUri);
    assert.ok(page.has?.('password'), `want the password form at ${page.url}: ${page.text?.()}`);
    page = await browser.submit(page, { password }, redirectUri);
  }
  assert.ok(page.redirect, `want the redirect to the callback, got ${page.status} at ${page.url}: ${page.text?.()}`);
  const tokens = await oidc.authorizationCodeGrant(config, page.redirect, {
    pkceCodeVerifier: redeemWith ?? verifier, expectedState: state, expectedNonce: nonce,
  });
  return { tokens, browser, forms };
}

// tokenError runs a token-endpoint call that must fail and returns the
// OAuth error code the provider answered (e.g. invalid_grant).
export async function tokenError(promise) {
  try {
    await promise;
  } catch (err) {
    if (err instanceof oidc.ResponseBodyError) return err.error;
    throw err;
  }
  throw new Error('the grant succeeded; want an OAuth error');
}

// userinfoStatus calls userinfo through openid-client and returns 200 or
// the HTTP status of its refusal.
export async function userinfoStatus(config, accessToken, sub) {
  try {
    await oidc.fetchUserInfo(config, accessToken, sub);
    return 200;
  } catch (err) {
    if (err instanceof oidc.WWWAuthenticateChallengeError || err instanceof oidc.ResponseBodyError) return err.status;
    throw err;
  }
}

// clientCredentials makes a machine user (ORG_USER_MANAGER, of the given
// access-token type or the default) and its client secret — PUT
// /management/v1/users/{id}/secret, as ZITADEL's docs show — and returns the
// user and an openid-client configuration for it.
export async function clientCredentials(s, tokenType) {
  const svc = await machine(s, 'cc', { roles: ['ORG_USER_MANAGER'], tokenType });
  const res = await rest(s, 'PUT', `/management/v1/users/${svc.id}/secret`, {});
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.clientId, svc.userName);
  return { svc, config: await configure(s, res.body.clientId, res.body.clientSecret) };
}
