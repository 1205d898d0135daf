package login_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/wardentest"
	"golang.org/x/oauth2"
)

// The relying party and the scripted browser are wardentest's; these helpers
// add the login page's steps.

// newRP registers an OIDC app (client secret + PKCE, code and refresh grants)
// in a new project through the management API and starts the RP.
func newRP(e *env) *wardentest.RP { return wardentest.NewRP(e.t, e.in, wardentest.RPOptions{}) }

// apiApp adds an API app (a resource server with a secret) to the RP's project.
func apiApp(e *env, r *wardentest.RP) (string, string) {
	e.t.Helper()
	a := e.must(e.admin("POST", "/management/v1/projects/"+r.ProjectID+"/apps/api",
		`{"name":"resource","authMethodType":"API_AUTH_METHOD_TYPE_BASIC"}`), 200)
	return a.Str("clientId"), a.Str("clientSecret")
}

// isInvalidGrant tells whether a token endpoint error is invalid_grant.
func isInvalidGrant(err error) bool {
	var re *oauth2.RetrieveError
	return errors.As(err, &re) && re.ErrorCode == "invalid_grant"
}

// onLogin asserts the browser is on one of Warden's login pages.
func onLogin(t testing.TB, v *wardentest.View, e *env) {
	t.Helper()
	if !strings.HasPrefix(v.URL.String(), e.base+"/ui/login") {
		t.Fatalf("at %s (status %d), want Warden's login page: %s", v.URL, v.Status, v.Text())
	}
}

// toPassword starts a flow at the RP and submits the user name.
func toPassword(b *wardentest.Browser, e *env, r *wardentest.RP, loginName string) *wardentest.View {
	b.T.Helper()
	v := b.Get(r.StartURL())
	onLogin(b.T, v, e)
	if v.Status != 200 || !strings.Contains(v.Body, `name="loginName"`) {
		b.T.Fatalf("want the user-name form, got %d: %s", v.Status, v.Text())
	}
	v = b.Submit(v, 0, map[string]string{"loginName": loginName})
	if v.Status != 200 || !strings.Contains(v.Body, `name="password"`) {
		b.T.Fatalf("want the password form, got %d: %s", v.Status, v.Text())
	}
	return v
}

// signIn runs a whole flow and returns what the RP got.
func signIn(b *wardentest.Browser, e *env, r *wardentest.RP, loginName, pw string) *wardentest.SignIn {
	b.T.Helper()
	v := toPassword(b, e, r, loginName)
	v = b.Submit(v, 0, map[string]string{"password": pw})
	return r.AtCallback(b.T, v)
}
