package securitytest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
)

// TestOrgScopeRestrictsSignIn (issue 9, item 1): an app asks for the users of
// one organisation (urn:zitadel:iam:org:id:{id}, or its primary domain). A
// signed-in user of another organisation cannot complete that sign-in: not with
// the right password (the refusal shows only after it), not with an existing
// browser session, and not through the callback afterwards — no code reaches
// the app. A name both orgs use means the requested org's user there. An org
// scope naming no organisation fails at /authorize.
func TestOrgScopeRestrictsSignIn(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{})
		other := e.AddOrg(t, "Elsewhere")
		e.human("", "mallory") // the attacker: a user of the default org
		e.human("", "sam")     // a name both orgs use
		sam := e.human(other, "sam")
		e.human(other, "olga")
		domain := wardentest.Must(t, e.DoHeaders(t, "GET", "/management/v1/orgs/me", e.Boot.Token, "",
			map[string]string{"x-zitadel-orgid": other}), 200).Str("org", "primaryDomain")
		if domain == "" {
			t.Fatal("no primary domain")
		}

		for name, sc := range map[string]string{"org id": oauth.ScopeOrgIDPrefix + other, "primary domain": oauth.ScopeOrgDomainPrefix + domain} {
			t.Run(name, func(t *testing.T) {
				rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{Scopes: []string{"openid", "profile", sc}})

				// The right password of another org's user: refused, after the password.
				b := wardentest.NewBrowser(t)
				f := begin(t, b, rp)
				v := b.Submit(f.login, f.login.FormWith(t, "loginName"), map[string]string{"loginName": "mallory"})
				v = b.Submit(v, v.FormWith(t, "password"), map[string]string{"password": Password})
				if v.Status != http.StatusForbidden || !strings.Contains(v.Text(), login.TextNotAllowedOrg) {
					t.Fatalf("another org's user with the right password: %d %s", v.Status, v.Text())
				}
				if code := f.code(t, b, f.callbackURL(e)); code != "" {
					t.Fatal("the callback gave another org's user a code")
				}
				// That browser now has a session of the attacker: a new request
				// restricted to the other org does not take it.
				v = b.Get(rp.StartURL())
				if v.Status != http.StatusOK || !strings.Contains(v.Body, `name="loginName"`) {
					t.Fatalf("another org's session on a restricted request: %d at %s: %s", v.Status, v.URL, v.Text())
				}
				if n := rp.Codes(); n != 0 {
					t.Fatalf("the app got %d callbacks from another org's user", n)
				}

				// The org's own user signs in; the shared name means the org's user.
				si := rp.SignIn(t, wardentest.NewBrowser(t), "sam", Password)
				if si.Subject != sam {
					t.Fatalf("signed in as %s, want the requested org's sam %s", si.Subject, sam)
				}
				rp.SignIn(t, wardentest.NewBrowser(t), "olga", Password)
			})
		}

		// An org scope naming no organisation: an error at the app, no login page.
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{Scopes: []string{"openid", oauth.ScopeOrgIDPrefix + "404"}})
		v := wardentest.NewBrowser(t).Get(rp.StartURL())
		if !strings.HasPrefix(v.URL.String(), rp.Srv.URL+"/callback") || !strings.Contains(v.Body, "invalid_request") {
			t.Fatalf("an org scope naming no org: at %s (%d): %s", v.URL, v.Status, v.Text())
		}
	})
}
