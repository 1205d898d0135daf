package oidc_test

import (
	"fmt"
	"net/url"
	"slices"
	"testing"

	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
)

// TestMachineGrantsHonourTokenType: a machine user set to JWT access tokens
// gets a JWT from client credentials and from the JWT profile grant alike, one
// set to bearer tokens an opaque token from both. Every token works at the API
// and at userinfo; a JWT verifies with the published keys and carries the
// audience and the resource-owner claims its scopes ask for; its client_id is
// what introspection says — the client id as presented for client credentials
// (here the user name ZITADEL hands out), the user id for the JWT profile, as
// in ZITADEL.
func TestMachineGrantsHonourTokenType(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		in := start(t, open(t))
		orgID, _, _ := defaultOrg(t, in)
		proj := project(t, in)
		apiID, apiSecret := apiApp(t, in, proj)
		scope := "openid urn:zitadel:iam:org:project:id:zitadel:aud urn:zitadel:iam:org:project:id:" + proj + ":aud " + oauth.ScopeResourceOwner
		for _, tc := range []struct {
			typ string
			jwt bool
		}{{"ACCESS_TOKEN_TYPE_BEARER", false}, {"ACCESS_TOKEN_TYPE_JWT", true}} {
			t.Run(tc.typ, func(t *testing.T) {
				name := unique("bot")
				id := wardentest.Must(t, in.Admin(t, "POST", "/management/v1/users/machine",
					fmt.Sprintf(`{"userName":%q,"name":"Bot","accessTokenType":%q}`, name, tc.typ)), 200).Str("userId")
				in.Grant(t, "", id, "ORG_OWNER")
				m := in.NewMachineCreds(t, id)
				if m.ClientID != name {
					t.Fatalf("the secret's client id is %q, want the user name %q", m.ClientID, name)
				}
				for _, g := range []struct {
					grant, clientID string
					reply           answer
				}{
					{"client credentials", m.ClientID, post(t, in, "/oauth/v2/token", url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}, m.ClientID, m.Secret)},
					{"JWT profile", id, jwtProfile(t, in, m, scope)},
				} {
					tok := g.reply.str("access_token")
					if g.reply.status != 200 || tok == "" {
						t.Fatalf("%s: %d %s", g.grant, g.reply.status, g.reply.raw)
					}
					if isJWT(tok) != tc.jwt {
						t.Fatalf("%s for a %s user: JWT %v, want %v (%.40s…)", g.grant, tc.typ, isJWT(tok), tc.jwt, tok)
					}
					if r := get(t, in, "/management/v1/orgs/me", tok); r.status != 200 {
						t.Errorf("%s token at the API: %d %s", g.grant, r.status, r.raw)
					}
					ui := get(t, in, "/oidc/v1/userinfo", tok)
					if ui.status != 200 {
						t.Fatalf("%s token at userinfo: %d %s", g.grant, ui.status, ui.raw)
					}
					wantClaims(t, g.grant+" userinfo", ui.body, map[string]string{"sub": id, oauth.ClaimResourceOwnerID: orgID})
					ir := post(t, in, "/oauth/v2/introspect", url.Values{"token": {tok}}, apiID, apiSecret)
					if ir.status != 200 || ir.body["active"] != true {
						t.Fatalf("%s token at introspection: %d %s", g.grant, ir.status, ir.raw)
					}
					wantClaims(t, g.grant+" introspection", ir.body, map[string]string{"sub": id, "client_id": g.clientID,
						oauth.ClaimResourceOwnerID: orgID})
					if !tc.jwt {
						continue
					}
					claims := verifiedClaims(t, in, tok)
					wantClaims(t, g.grant+" JWT", claims, map[string]string{"sub": id, "client_id": g.clientID, "iss": in.Base,
						"jti": ir.str("jti"), oauth.ClaimResourceOwnerID: orgID})
					aud, _ := claims["aud"].([]any)
					if !slices.Contains(aud, any(proj)) || len(aud) != 2 {
						t.Errorf("%s JWT audience %v, want Warden's API and project %s", g.grant, claims["aud"], proj)
					}
				}
			})
		}
	})
}
