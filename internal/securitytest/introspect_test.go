package securitytest

import (
	"net/url"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
)

// TestIntrospectionNeedsClientAuth (issue 9, item 2): introspection tells
// whether a token is live and whose it is, so only an authenticated client
// may ask. An anonymous client — no credentials, a wrong secret, an unknown
// client, a machine user's own client secret — gets 401 invalid_client as
// JSON and learns nothing about the token.
func TestIntrospectionNeedsClientAuth(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{})
		bot := e.AddMachine(t, "", "bot")
		pat := e.AddPAT(t, bot)
		m := e.NewMachineCreds(t, bot)
		proj := wardentest.Must(t, e.Admin(t, "POST", "/management/v1/projects", `{"name":"rs"}`), 200).Str("id")
		api := wardentest.Must(t, e.Admin(t, "POST", "/management/v1/projects/"+proj+"/apps/api",
			`{"name":"rs","authMethodType":"API_AUTH_METHOD_TYPE_BASIC"}`), 200)
		for _, tc := range []struct{ name, user, pass string }{
			{"no credentials", "", ""},
			{"wrong secret", api.Str("clientId"), "not-the-secret"},
			{"unknown client", "nobody@nowhere", "secret"},
			{"a machine user's client secret", m.ClientID, m.Secret},
			{"the PAT itself as the secret", api.Str("clientId"), pat},
		} {
			st, body := oauthPost(t, e, "/oauth/v2/introspect", url.Values{"token": {pat}}, tc.user, tc.pass)
			if st != 401 || body["error"] != "invalid_client" {
				t.Errorf("%s: %d %v, want 401 invalid_client", tc.name, st, body)
			}
			for k := range body {
				if k != "error" && k != "error_description" {
					t.Errorf("%s: the answer says %s = %v", tc.name, k, body[k])
				}
			}
		}
		if st, body := oauthPost(t, e, "/oauth/v2/introspect", url.Values{"token": {pat}}, api.Str("clientId"), api.Str("clientSecret")); st != 200 || body["active"] != true {
			t.Fatalf("the API app introspecting a live PAT: %d %v", st, body)
		}
	})
}

// TestIntrospectedPATFollowsUserState (issue 9, item 2): a resource server
// that introspects PATs (zitadel-go's middleware does) sees a PAT exactly as
// the API does: inactive while its user is locked or deactivated, active again
// after the unlock (an administrator issued it, as in ZITADEL), and inactive
// for good once it is removed. The holder of a locked user's PAT gets nothing
// from a resource server either.
func TestIntrospectedPATFollowsUserState(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{})
		bot := e.AddMachine(t, "", "bot")
		pat := wardentest.Must(t, e.Admin(t, "POST", "/management/v1/users/"+bot+"/pats", `{}`), 200)
		proj := wardentest.Must(t, e.Admin(t, "POST", "/management/v1/projects", `{"name":"rs"}`), 200).Str("id")
		api := wardentest.Must(t, e.Admin(t, "POST", "/management/v1/projects/"+proj+"/apps/api",
			`{"name":"rs","authMethodType":"API_AUTH_METHOD_TYPE_BASIC"}`), 200)
		active := func() bool {
			t.Helper()
			st, body := oauthPost(t, e, "/oauth/v2/introspect", url.Values{"token": {pat.Str("token")}}, api.Str("clientId"), api.Str("clientSecret"))
			if st != 200 {
				t.Fatalf("introspection: %d %v", st, body)
			}
			if on := body["active"] == true; !on && len(body) != 1 {
				t.Errorf("an inactive PAT's answer says more than active:false: %v", body)
			}
			return body["active"] == true
		}
		api200 := func() bool {
			return e.Do(t, "GET", "/management/v1/users/"+bot, pat.Str("token"), "").Status != 401
		}
		if !active() || !api200() {
			t.Fatal("a live PAT is refused")
		}
		for _, step := range []struct {
			op   string
			live bool
		}{{"_lock", false}, {"_unlock", true}, {"_deactivate", false}, {"_reactivate", true}} {
			wardentest.Must(t, e.Admin(t, "POST", "/management/v1/users/"+bot+"/"+step.op, `{}`), 200)
			if got := active(); got != step.live || api200() != step.live {
				t.Fatalf("after %s: introspection active %v, API accepts %v; want %v", strings.TrimPrefix(step.op, "_"), got, api200(), step.live)
			}
		}
		wardentest.Must(t, e.Admin(t, "DELETE", "/management/v1/users/"+bot+"/pats/"+pat.Str("tokenId"), ""), 200)
		if active() {
			t.Fatal("a removed PAT is active at introspection")
		}
	})
}
