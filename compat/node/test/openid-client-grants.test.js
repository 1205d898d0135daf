// openid-client against Warden's provider, beyond the basic flows of
// openid-client.test.js: ZITADEL's reserved scopes (the resource owner, an
// org restriction) through sign-in, refresh, userinfo and introspection; the
// fields introspection answers for an opaque access token, a JWT access token
// and a PAT; JWT access tokens from client credentials, checked against the
// provider's JWKS; revocation of a refresh token; and a lock refusing the
// next use of a code, JWT access tokens and a PAT.

import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { describe, it, before } from 'node:test';
import * as oidc from 'openid-client';
import { OIDCTokenType } from '@zitadel/node/dist/api/generated/zitadel/app.js';
import { AccessTokenType } from '@zitadel/node/dist/api/generated/zitadel/user.js';
import { Browser } from '../lib/browser.js';
import { apiScope, clientCredentials, configure, signIn, tokenError, userinfoStatus } from '../lib/oidc.js';
import { password, rest, servers, unique } from '../lib/servers.js';
import { human, inOrg, machine, mgmt, redirectUri, webApp } from '../lib/zitadel.js';

const ownerScope = 'urn:zitadel:iam:user:resourceowner';
const orgScope = (id) => `urn:zitadel:iam:org:id:${id}`;
const claimOwnerID = 'urn:zitadel:iam:user:resourceowner:id';
const claimOwnerName = 'urn:zitadel:iam:user:resourceowner:name';
const claimOwnerDomain = 'urn:zitadel:iam:user:resourceowner:primary_domain';
const claimOrgID = 'urn:zitadel:iam:org:id';

// PATs that never expire are introspected with ZITADEL's end of time.
const endOfTime = Date.parse('9999-12-31T23:59:59Z') / 1000;

// ownerClaims asserts the resource-owner claims name org ({id, name, primaryDomain}).
function ownerClaims(claims, org, what) {
  assert.equal(claims[claimOwnerID], org.id, `${what}: ${JSON.stringify(claims)}`);
  assert.equal(claims[claimOwnerName], org.name, what);
  assert.equal(claims[claimOwnerDomain], org.primaryDomain, what);
}

// verifyJWT checks a JWT's RS256 signature against the provider's published
// keys (node:crypto, so no JOSE library is needed) and returns its header
// and claims.
async function verifyJWT(config, jwt) {
  const parts = jwt.split('.');
  assert.equal(parts.length, 3, `not a JWS: ${jwt.slice(0, 40)}`);
  const [h, p, sig] = parts;
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  assert.equal(header.alg, 'RS256');
  const res = await fetch(config.serverMetadata().jwks_uri);
  const { keys } = await res.json();
  const jwk = keys.find((k) => k.kid === header.kid);
  assert.ok(jwk, `kid ${header.kid} is not in the JWKS (${keys.map((k) => k.kid)})`);
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  assert.ok(verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(sig, 'base64url')), 'signature does not verify');
  return { header, claims: JSON.parse(Buffer.from(p, 'base64url')) };
}

// attempt walks the login forms for loginName on an authorization request
// with scope and returns where it ended — {redirect} with a code, or the
// page — with the request's PKCE verifier and state, to redeem the code later.
async function attempt(config, loginName, scope) {
  const browser = new Browser();
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope, state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  let page = await browser.get(url, redirectUri);
  if (page.has?.('loginName')) page = await browser.submit(page, { loginName }, redirectUri);
  if (page.has?.('password')) page = await browser.submit(page, { password }, redirectUri);
  return { page, verifier, state };
}

// introspectRaw posts to the introspection endpoint with the given
// Authorization header (none when undefined) and returns status, headers, body.
async function introspectRaw(s, token, authorization) {
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (authorization) headers.Authorization = authorization;
  const res = await fetch(`${s.base}/oauth/v2/introspect`, { method: 'POST', headers, body: new URLSearchParams({ token }) });
  return { status: res.status, headers: res.headers, type: res.headers.get('content-type'), body: await res.json() };
}

const basic = (id, secret) => 'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');

for (const s of servers) {
  describe(`openid-client grants and tokens (${s.name})`, () => {
    let app; // opaque access tokens
    let jwtApp; // JWT access tokens
    let web;
    let api;
    let jwtWeb;
    let jwtApi;
    let home; // the administrator's org: {id, name, primaryDomain}
    before(async () => {
      app = await webApp(s);
      jwtApp = await webApp(s, { accessTokenType: OIDCTokenType.OIDC_TOKEN_TYPE_JWT });
      [web, api, jwtWeb, jwtApi] = await Promise.all([
        configure(s, app.web.clientId, app.web.clientSecret),
        configure(s, app.api.clientId, app.api.clientSecret),
        configure(s, jwtApp.web.clientId, jwtApp.web.clientSecret),
        configure(s, jwtApp.api.clientId, jwtApp.api.clientSecret),
      ]);
      home = (await mgmt(s).getMyOrg({})).org;
    });

    it('urn:zitadel:iam:user:resourceowner: the user\'s org in the ID token, userinfo and introspection, and after a refresh with the same scopes', async () => {
      const ann = await human(s, 'owner');
      const scope = `openid profile offline_access ${ownerScope}`;
      const { tokens } = await signIn(web, ann.userName, { scope });
      assert.ok(tokens.scope.split(' ').includes(ownerScope), tokens.scope);
      ownerClaims(tokens.claims(), home, 'ID token');
      ownerClaims(await oidc.fetchUserInfo(web, tokens.access_token, ann.id), home, 'userinfo');
      const intro = await oidc.tokenIntrospection(api, tokens.access_token);
      assert.equal(intro.active, true);
      ownerClaims(intro, home, 'introspection');

      // A refresh that repeats the sign-in's scopes (as rp.RefreshTokens does) keeps them.
      const next = await oidc.refreshTokenGrant(web, tokens.refresh_token, { scope });
      assert.deepEqual(next.scope.split(' ').sort(), tokens.scope.split(' ').sort());
      ownerClaims(next.claims(), home, 'refreshed ID token');
      ownerClaims(await oidc.fetchUserInfo(web, next.access_token, ann.id), home, 'userinfo after the refresh');
      ownerClaims(await oidc.tokenIntrospection(api, next.access_token), home, 'introspection after the refresh');
      // A scope the sign-in did not get is refused.
      assert.equal(await tokenError(oidc.refreshTokenGrant(web, next.refresh_token, { scope: `${scope} email` })), 'invalid_scope');
    });

    it('urn:zitadel:iam:org:id:{id} restricts the sign-in to that org and names it; a refresh with the same scopes works', async () => {
      const { id: orgId } = await mgmt(s).addOrg({ name: unique('Elsewhere') });
      const { org } = await mgmt(s).getMyOrg({}, inOrg(orgId));
      const olga = await human(s, 'olga', [], { orgId });
      const mallory = await human(s, 'mallory'); // of the administrator's org
      const scope = `openid profile offline_access ${orgScope(orgId)}`;

      // Another org's user, with the right password: refused, no code.
      const { page } = await attempt(web, mallory.userName, scope);
      assert.equal(page.redirect, undefined, 'another org\'s user got a code');
      assert.equal(page.status, 403, page.text());
      assert.ok(page.text().includes('not a member of the organisation this application requires'), page.text());

      // The org's own user, by the plain user name.
      const { tokens } = await signIn(web, olga.userName, { scope });
      const claims = tokens.claims();
      assert.equal(claims.sub, olga.id);
      assert.equal(claims[claimOrgID], orgId);
      ownerClaims(claims, org, 'ID token');
      const info = await oidc.fetchUserInfo(web, tokens.access_token, olga.id);
      assert.equal(info[claimOrgID], orgId);
      ownerClaims(info, org, 'userinfo');
      const intro = await oidc.tokenIntrospection(api, tokens.access_token);
      assert.equal(intro[claimOrgID], orgId);
      ownerClaims(intro, org, 'introspection');

      const next = await oidc.refreshTokenGrant(web, tokens.refresh_token, { scope });
      assert.ok(next.scope.split(' ').includes(orgScope(orgId)), next.scope);
      assert.equal(next.claims()[claimOrgID], orgId);
      ownerClaims(next.claims(), org, 'refreshed ID token');
    });

    it('introspection of an opaque access token, a JWT access token and a PAT: ZITADEL\'s fields', async () => {
      const ann = await human(s, 'intro');
      const now = Math.floor(Date.now() / 1000);
      const scope = `openid profile offline_access ${apiScope}`;
      const opaque = (await signIn(web, ann.userName, { scope })).tokens;
      assert.equal(opaque.access_token.split('.').length === 3 && opaque.access_token.startsWith('eyJ'), false,
        'the opaque app issued a JWT access token');
      const jwt = (await signIn(jwtWeb, ann.userName, { scope })).tokens;
      const { claims: jwtClaims } = await verifyJWT(jwtWeb, jwt.access_token);
      assert.equal(jwtClaims.sub, ann.id);
      assert.equal(jwtClaims.iss, s.base);

      for (const [what, token, config, clientId, projectId] of [
        ['opaque', opaque.access_token, api, app.web.clientId, app.projectId],
        ['JWT', jwt.access_token, jwtApi, jwtApp.web.clientId, jwtApp.projectId],
      ]) {
        const intro = await oidc.tokenIntrospection(config, token);
        assert.equal(intro.active, true, what);
        assert.equal(intro.iss, s.base, what);
        assert.equal(intro.sub, ann.id, what);
        assert.equal(intro.client_id, clientId, what);
        assert.equal(intro.token_type, 'Bearer', what);
        assert.ok(Math.abs(intro.iat - now) < 120, `${what}: iat ${intro.iat}, now ${now}`);
        assert.equal(intro.nbf, intro.iat, what);
        assert.ok(intro.exp > intro.iat, what);
        assert.equal(typeof intro.jti, 'string', what);
        assert.ok(intro.jti.length > 0, what);
        assert.deepEqual(intro.scope.split(' ').sort(), scope.split(' ').sort(), what);
        assert.ok([intro.aud].flat().includes(projectId), `${what}: ${JSON.stringify(intro.aud)}`);
        assert.ok([intro.aud].flat().includes(clientId), `${what}: ${JSON.stringify(intro.aud)}`);
        assert.equal(intro.username, intro.preferred_username, what);
        assert.ok(intro.preferred_username.startsWith(`${ann.userName}@`), what);
        // An app of another project does not learn of it.
        assert.equal((await oidc.tokenIntrospection(config === api ? jwtApi : api, token)).active, false, what);
      }
      // The JWT's own claims agree with its introspection.
      const jwtIntro = await oidc.tokenIntrospection(jwtApi, jwt.access_token);
      assert.equal(jwtIntro.jti, jwtClaims.jti);
      assert.equal(jwtIntro.exp, jwtClaims.exp);

      const svc = await machine(s, 'patintro', { pat: true });
      const pat = await oidc.tokenIntrospection(api, svc.pat);
      assert.equal(pat.active, true);
      assert.equal(pat.iss, s.base);
      assert.equal(pat.sub, svc.id);
      assert.equal(pat.token_type, 'Bearer');
      assert.equal(pat.client_id, undefined);
      // ZITADEL's PAT scopes: openid, the user's metadata and its org.
      assert.deepEqual(pat.scope.split(' ').sort(), ['openid', 'urn:zitadel:iam:user:metadata', ownerScope]);
      assert.ok([pat.aud].flat().includes(app.api.clientId), JSON.stringify(pat.aud));
      assert.equal(pat.exp, endOfTime);
      assert.equal(pat.nbf, pat.iat);
      assert.ok(pat.jti.length > 0);
      ownerClaims(pat, home, 'PAT introspection');
    });

    it('introspection with bad client credentials is a 401 JSON invalid_client', async () => {
      const ann = await human(s, 'badcl');
      const { tokens } = await signIn(web, ann.userName);
      for (const [what, auth] of [
        ['a wrong secret', basic(app.api.clientId, 'wrong-secret')],
        ['an unknown client', basic('no-such-client', app.api.clientSecret)],
        ['no credentials', undefined],
      ]) {
        const res = await introspectRaw(s, tokens.access_token, auth);
        assert.equal(res.status, 401, `${what}: ${JSON.stringify(res.body)}`);
        assert.match(res.type, /^application\/json/, what);
        assert.equal(res.body.error, 'invalid_client', what);
        assert.equal(res.body.active, undefined, what);
        if (auth) assert.match(res.headers.get('www-authenticate'), /^Basic /, what);
      }
      // openid-client sees the same refusal.
      const wrong = await configure(s, app.api.clientId, 'wrong-secret');
      await assert.rejects(oidc.tokenIntrospection(wrong, tokens.access_token), (err) => {
        assert.equal(err.status, 401, err.message);
        return true;
      });
      // The right credentials still work.
      assert.equal((await introspectRaw(s, tokens.access_token, basic(app.api.clientId, app.api.clientSecret))).body.active, true);
    });

    it('client credentials for a machine user with JWT access tokens gives a JWT signed with a published key', async () => {
      const { svc, config } = await clientCredentials(s, AccessTokenType.ACCESS_TOKEN_TYPE_JWT);
      const tokens = await oidc.clientCredentialsGrant(config, { scope: `openid ${apiScope} urn:zitadel:iam:org:project:id:${app.projectId}:aud` });
      assert.equal(tokens.token_type.toLowerCase(), 'bearer');
      const { header, claims } = await verifyJWT(config, tokens.access_token);
      assert.equal(header.typ, 'JWT');
      assert.equal(claims.client_id, svc.userName); // the client id as the machine user presented it
      assert.equal(claims.nbf, claims.iat);
      assert.equal(claims.sub, svc.id);
      assert.equal(claims.iss, s.base);
      assert.ok(claims.exp > Date.now() / 1000, JSON.stringify(claims));
      assert.ok([claims.aud].flat().includes(app.projectId), JSON.stringify(claims.aud));
      const intro = await oidc.tokenIntrospection(api, tokens.access_token);
      assert.equal(intro.active, true);
      assert.equal(intro.sub, svc.id);
      assert.equal(intro.jti, claims.jti);
      // The JWT works on the API, as the machine user.
      const target = await human(s, 'jwtt');
      assert.equal((await rest(s, 'GET', `/management/v1/users/${target.id}`, undefined, tokens.access_token)).status, 200);

      // A machine user with bearer tokens gets an opaque one.
      const bearer = await clientCredentials(s, AccessTokenType.ACCESS_TOKEN_TYPE_BEARER);
      const opaque = await oidc.clientCredentialsGrant(bearer.config, { scope: `openid ${apiScope}` });
      assert.notEqual(opaque.access_token.split('.').length, 3, 'a bearer machine user got a JWS');
    });

    it('revoking a refresh token (RFC 7009) makes it invalid_grant; another client\'s revocation changes nothing', async () => {
      const rita = await human(s, 'rita');
      const other = await configure(s, jwtApp.web.clientId, jwtApp.web.clientSecret);
      for (const hint of [undefined, 'refresh_token']) {
        const params = hint ? { token_type_hint: hint } : {};
        const { tokens } = await signIn(web, rita.userName);
        // Another app's client cannot revoke it (RFC 7009 lets it answer 200 either way).
        await oidc.tokenRevocation(other, tokens.refresh_token, params).catch(() => {});
        const next = await oidc.refreshTokenGrant(web, tokens.refresh_token);
        await oidc.tokenRevocation(web, next.refresh_token, params);
        assert.equal(await tokenError(oidc.refreshTokenGrant(web, next.refresh_token)), 'invalid_grant', `hint ${hint}`);
        // Revoking an unknown or revoked token is no error (RFC 7009 §2.2).
        await oidc.tokenRevocation(web, next.refresh_token, params);
        await oidc.tokenRevocation(web, 'not-a-token', params);
      }
    });

    it('a lock refuses the next use of a code issued before it, of JWT access tokens and of a PAT', async () => {
      const kim = await human(s, 'kim', ['ORG_USER_MANAGER']);
      const target = await human(s, 'kimt');
      // A code issued through the forms, not yet redeemed.
      const { page, verifier, state } = await attempt(web, kim.userName, 'openid');
      assert.ok(page.redirect, `no code: ${page.text?.()}`);
      // A JWT access token from the code flow, and a JWT machine token and PAT.
      const jwt = (await signIn(jwtWeb, kim.userName, { scope: `openid offline_access ${apiScope}` })).tokens;
      const cc = await clientCredentials(s, AccessTokenType.ACCESS_TOKEN_TYPE_JWT);
      const ccTokens = await oidc.clientCredentialsGrant(cc.config, { scope: `openid ${apiScope}` });
      const pat = (await machine(s, 'kimpat', { roles: ['ORG_USER_MANAGER'], pat: true }));
      for (const token of [jwt.access_token, ccTokens.access_token, pat.pat]) {
        assert.equal((await rest(s, 'GET', `/management/v1/users/${target.id}`, undefined, token)).status, 200);
      }
      assert.equal(await userinfoStatus(jwtWeb, jwt.access_token, kim.id), 200);

      await mgmt(s).lockUser({ id: kim.id });
      await mgmt(s).lockUser({ id: cc.svc.id });
      await mgmt(s).lockUser({ id: pat.id });

      assert.equal(await tokenError(oidc.authorizationCodeGrant(web, page.redirect, { pkceCodeVerifier: verifier, expectedState: state })),
        'invalid_grant');
      for (const [what, token] of [['code-flow JWT', jwt.access_token], ['client-credentials JWT', ccTokens.access_token], ['PAT', pat.pat]]) {
        assert.equal((await rest(s, 'GET', `/management/v1/users/${target.id}`, undefined, token)).status, 401, what);
        assert.equal((await oidc.tokenIntrospection(jwtApi, token)).active, false, what);
      }
      assert.equal(await userinfoStatus(jwtWeb, jwt.access_token, kim.id), 401);
      assert.equal(await tokenError(oidc.refreshTokenGrant(jwtWeb, jwt.refresh_token)), 'invalid_grant');
      assert.equal(await tokenError(oidc.clientCredentialsGrant(cc.config, { scope: 'openid' })), 'invalid_client');
    });
  });
}
