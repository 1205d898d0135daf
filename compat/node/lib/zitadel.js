// ZITADEL's own clients pointed at a warden, and the fixtures tests build with
// them: users, memberships, PATs, projects and apps, all made through
// @zitadel/node's management client as the bootstrap administrator (an IAM
// owner, so the apps it makes are trusted and sign in without a consent page).

import { BinaryReader } from '@bufbuild/protobuf/wire';
import { Metadata } from 'nice-grpc';
import { createAccessTokenInterceptor, createManagementClient } from '@zitadel/node/dist/api/index.js';
import {
  APIAuthMethodType, OIDCAppType, OIDCAuthMethodType, OIDCGrantType, OIDCResponseType, OIDCTokenType,
} from '@zitadel/node/dist/api/generated/zitadel/app.js';
import { ErrorDetail } from '@zitadel/node/dist/api/generated/zitadel/message.js';
import { AccessTokenType } from '@zitadel/node/dist/api/generated/zitadel/user.js';
import { password, unique } from './servers.js';

// mgmt is @zitadel/node's Management API client (gRPC, nice-grpc) sending
// token as the bearer (the administrator's PAT by default; null sends none).
export function mgmt(s, token = s.pat) {
  return token === null
    ? createManagementClient(s.addr)
    : createManagementClient(s.addr, createAccessTokenInterceptor(token));
}

// refusal runs call(options) — a @zitadel/node call given the options — and
// expects it to fail: it returns the ClientError and the zitadel.v1.ErrorDetail
// messages of the grpc-status-details-bin trailer (as {id, message}).
export async function refusal(call) {
  let trailer;
  try {
    await call({ onTrailer: (t) => { trailer = t; } });
  } catch (err) {
    return { err, details: statusDetails(trailer?.get('grpc-status-details-bin')) };
  }
  throw new Error('the call succeeded; want a refusal');
}

// statusDetails decodes the ErrorDetail messages of a google.rpc.Status
// (code = 1, message = 2, repeated google.protobuf.Any details = 3).
function statusDetails(raw) {
  const out = [];
  if (!raw) return out;
  const r = new BinaryReader(raw);
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no !== 3) { r.skip(wt); continue; }
    const any = new BinaryReader(r.bytes());
    let typeUrl = '';
    let value = new Uint8Array();
    while (any.pos < any.len) {
      const [n, w] = any.tag();
      if (n === 1) typeUrl = any.string();
      else if (n === 2) value = any.bytes();
      else any.skip(w);
    }
    if (typeUrl === 'type.googleapis.com/zitadel.v1.ErrorDetail') {
      const { id, message } = ErrorDetail.decode(value);
      out.push({ id, message });
    }
  }
  return out;
}

// inOrg is the call options that select the org context of a v1 call
// (x-zitadel-orgid); without an org id, the caller's own org.
export function inOrg(orgId) {
  return orgId ? { metadata: Metadata({ 'x-zitadel-orgid': orgId }) } : {};
}

// human imports a human user with a known password (no change required)
// and optional org roles, in the administrator's org or in orgId; returns
// {id, userName, email}.
export async function human(s, prefix, roles = [], { orgId } = {}) {
  const m = mgmt(s);
  const userName = unique(prefix);
  const email = `${userName}@example.com`;
  const { userId } = await m.importHumanUser({
    userName, profile: { firstName: 'Ann', lastName: 'Lee' },
    email: { email, isEmailVerified: true }, password, passwordChangeRequired: false,
  }, inOrg(orgId));
  if (roles.length) await m.addOrgMember({ userId, roles }, inOrg(orgId));
  return { id: userId, userName, email };
}

// machine adds a machine user with optional org roles and, when pat is set, a
// personal access token; returns {id, userName, pat}.
export async function machine(s, prefix, { roles = [], pat = false, tokenType = AccessTokenType.ACCESS_TOKEN_TYPE_BEARER } = {}) {
  const m = mgmt(s);
  const userName = unique(prefix);
  const { userId } = await m.addMachineUser({ userName, name: 'Service ' + userName, description: '', accessTokenType: tokenType });
  if (roles.length) await m.addOrgMember({ userId, roles });
  const out = { id: userId, userName };
  if (pat) out.pat = (await m.addPersonalAccessToken({ userId })).token;
  return out;
}

// The relying party's redirect URI. Nothing listens there: the scripted
// browser stops at the redirect to it and hands the URL to openid-client.
export const redirectUri = 'http://127.0.0.1:4999/callback';

// webApp makes a project with a confidential OIDC web app (code + refresh,
// client_secret_basic, PKCE from the client; opaque access tokens unless
// accessTokenType says JWT) and an API app (a resource server that
// introspects, client_secret_basic). Returns their ids and secrets.
export async function webApp(s, { accessTokenType = OIDCTokenType.OIDC_TOKEN_TYPE_BEARER } = {}) {
  const m = mgmt(s);
  const project = await m.addProject({ name: unique('project') });
  const web = await m.addOIDCApp({
    projectId: project.id, name: 'web', redirectUris: [redirectUri],
    responseTypes: [OIDCResponseType.OIDC_RESPONSE_TYPE_CODE],
    grantTypes: [OIDCGrantType.OIDC_GRANT_TYPE_AUTHORIZATION_CODE, OIDCGrantType.OIDC_GRANT_TYPE_REFRESH_TOKEN],
    appType: OIDCAppType.OIDC_APP_TYPE_WEB, authMethodType: OIDCAuthMethodType.OIDC_AUTH_METHOD_TYPE_BASIC,
    devMode: true, accessTokenType,
  });
  const api = await m.addAPIApp({ projectId: project.id, name: 'api', authMethodType: APIAuthMethodType.API_AUTH_METHOD_TYPE_BASIC });
  return {
    projectId: project.id,
    web: { clientId: web.clientId, clientSecret: web.clientSecret },
    api: { clientId: api.clientId, clientSecret: api.clientSecret },
  };
}
