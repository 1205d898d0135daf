package oidc_test

import (
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
)

// TestIntrospection: /oauth/v2/introspect answers as ZITADEL's does. A PAT is
// active, with its user's claims, the scopes ZITADEL's PATs carry, the
// introspecting client as audience, no client_id and ZITADEL's far expiry when
// it has none; an access token carries iss, iat = nbf, exp, jti, client_id,
// scope and aud. A client that does not authenticate gets an RFC 6749 5.2 JSON
// error (401 invalid_client), a request without a token 400 invalid_request.
func TestIntrospection(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		in := start(t, open(t))
		orgID, orgName, domain := defaultOrg(t, in)
		proj := project(t, in)
		apiID, apiSecret := apiApp(t, in, proj)
		introspect := func(tok string) answer {
			t.Helper()
			a := post(t, in, "/oauth/v2/introspect", url.Values{"token": {tok}}, apiID, apiSecret)
			if a.status != 200 || !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
				t.Fatalf("introspection: %d %s %s", a.status, a.header.Get("Content-Type"), a.raw)
			}
			return a
		}
		near := func(what string, got any, want time.Time) {
			t.Helper()
			f, _ := got.(float64)
			if math.Abs(f-float64(want.Unix())) > 60 {
				t.Errorf("%s = %v, want about %d", what, got, want.Unix())
			}
		}

		t.Run("PAT", func(t *testing.T) {
			name := unique("svc")
			id := in.AddMachine(t, "", name)
			pat := wardentest.Must(t, in.Admin(t, "POST", "/management/v1/users/"+id+"/pats", `{}`), 200)
			r := introspect(pat.Str("token"))
			if r.body["active"] != true {
				t.Fatalf("a live PAT is inactive: %s", r.raw)
			}
			wantClaims(t, "PAT", r.body, map[string]string{"sub": id, "iss": in.Base, "jti": pat.Str("tokenId"), "token_type": "Bearer",
				"scope": "openid " + oauth.ScopeUserMetadata + " " + oauth.ScopeResourceOwner, oauth.ClaimResourceOwnerID: orgID,
				oauth.ClaimResourceOwnerName: orgName, oauth.ClaimResourceOwnerPrimaryDomain: domain})
			if aud := audience(r.body); len(aud) != 1 || aud[0] != apiID {
				t.Errorf("PAT audience %v, want the introspecting client %s", aud, apiID)
			}
			if _, ok := r.body["client_id"]; ok {
				t.Errorf("a PAT was issued to no client, yet client_id = %v", r.body["client_id"])
			}
			near("iat", r.body["iat"], time.Now())
			near("nbf", r.body["nbf"], time.Now())
			if r.body["exp"] != float64(time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).Unix()) {
				t.Errorf("exp of a PAT without expiry = %v, want 9999-12-31T23:59:59Z", r.body["exp"])
			}
			exp := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
			dated := wardentest.Must(t, in.Admin(t, "POST", "/management/v1/users/"+id+"/pats",
				`{"expirationDate":"`+exp.Format(time.RFC3339)+`"}`), 200).Str("token")
			if r := introspect(dated); r.body["exp"] != float64(exp.Unix()) {
				t.Errorf("exp of a dated PAT = %v, want %d", r.body["exp"], exp.Unix())
			}
			if r := introspect(pat.Str("token") + "x"); r.body["active"] != false || len(r.body) != 1 {
				t.Errorf("an unknown token: %s, want only active:false", r.raw)
			}
		})

		t.Run("access token", func(t *testing.T) {
			id := in.AddMachine(t, "", unique("bot"))
			m := in.NewMachineCreds(t, id)
			tok := post(t, in, "/oauth/v2/token", url.Values{"grant_type": {"client_credentials"},
				"scope": {"openid profile urn:zitadel:iam:org:project:id:" + proj + ":aud"}}, m.ClientID, m.Secret)
			if tok.status != 200 {
				t.Fatalf("client credentials: %d %s", tok.status, tok.raw)
			}
			r := introspect(tok.str("access_token"))
			if r.body["active"] != true {
				t.Fatalf("a live token is inactive: %s", r.raw)
			}
			wantClaims(t, "access token", r.body, map[string]string{"sub": id, "iss": in.Base, "client_id": m.ClientID, "token_type": "Bearer",
				"scope": "openid profile urn:zitadel:iam:org:project:id:" + proj + ":aud"})
			if aud := audience(r.body); len(aud) != 1 || aud[0] != proj {
				t.Errorf("audience %v, want the project %s", aud, proj)
			}
			if r.str("jti") == "" {
				t.Error("no jti")
			}
			if r.str("username") == "" || r.str("username") != r.str("preferred_username") {
				t.Errorf("username %q, preferred_username %q: want the login name in both", r.str("username"), r.str("preferred_username"))
			}
			near("iat", r.body["iat"], time.Now())
			if r.body["iat"] != r.body["nbf"] {
				t.Errorf("nbf %v, want iat %v", r.body["nbf"], r.body["iat"])
			}
			near("exp", r.body["exp"], time.Now().Add(time.Hour))
		})

		t.Run("client authentication", func(t *testing.T) {
			pat := in.AddPAT(t, in.AddMachine(t, "", unique("svc")))
			for _, tc := range []struct {
				name, user, pass string
				basic            bool
			}{
				{"none", "", "", false}, {"wrong secret", apiID, apiSecret + "x", true}, {"unknown client", "nobody", "secret", true},
			} {
				a := post(t, in, "/oauth/v2/introspect", url.Values{"token": {pat}}, tc.user, tc.pass)
				if a.status != 401 || !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") || a.str("error") != "invalid_client" {
					t.Errorf("%s: %d %s %s, want 401 JSON invalid_client", tc.name, a.status, a.header.Get("Content-Type"), a.raw)
				}
				if _, ok := a.body["active"]; ok {
					t.Errorf("%s: an unauthenticated client learned about the token: %s", tc.name, a.raw)
				}
				if got := a.header.Get("WWW-Authenticate"); tc.basic != strings.HasPrefix(got, "Basic") {
					t.Errorf("%s: WWW-Authenticate %q", tc.name, got)
				}
			}
			if a := post(t, in, "/oauth/v2/introspect", url.Values{}, apiID, apiSecret); a.status != 400 || a.str("error") != "invalid_request" {
				t.Errorf("no token: %d %s, want 400 invalid_request", a.status, a.raw)
			}
		})
	})
}

// audience reads an aud claim, a string or a list.
func audience(body map[string]any) []string {
	switch v := body["aud"].(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, a := range v {
			s, _ := a.(string)
			out = append(out, s)
		}
		return out
	}
	return nil
}
