package securitytest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
	"golang.org/x/oauth2"
)

// TestRedirectURIExact: an authorization request whose redirect_uri is not
// exactly one the app registered — a prefix or an extension of it, another
// path, port, scheme, host or letter case, a trailing slash, an added query or
// fragment, user info, a backslash, percent-encoding — is refused with an
// error page of Warden's own: no redirect to it (nor to the login page, whose
// flow would end there), so a code or an error never reaches an attacker's
// URI. The registered URI itself goes to the login page.
func TestRedirectURIExact(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{AttemptsPerMinute: -1})
		f := newFixtures(e)
		// A production web app (no dev mode) and the harness's loopback one.
		p := f.project(t, "")
		const registered = "https://app.example.com/cb"
		app := f.admin(t, "", "POST", v1+"/projects/"+p+"/apps/oidc", `{"name":"prod","redirectUris":["`+registered+`","https://app.example.com/with?query=1"],
			"responseTypes":["OIDC_RESPONSE_TYPE_CODE"],"grantTypes":["OIDC_GRANT_TYPE_AUTHORIZATION_CODE"],
			"appType":"OIDC_APP_TYPE_WEB","authMethodType":"OIDC_AUTH_METHOD_TYPE_BASIC"}`)
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		loop := rp.Config.RedirectURL // http://127.0.0.1:port/callback, dev mode
		lu, _ := url.Parse(loop)
		otherPort := "http://127.0.0.1:1" + lu.Port() + "/callback"
		if len(lu.Port()) >= 5 {
			otherPort = "http://127.0.0.1:1/callback"
		}

		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		authorize := func(clientID, redirect string) (int, string) {
			t.Helper()
			q := url.Values{"client_id": {clientID}, "redirect_uri": {redirect}, "response_type": {"code"}, "scope": {"openid"},
				"state": {"st"}, "code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())}, "code_challenge_method": {"S256"}}
			resp, err := c.Get(e.Base + "/oauth/v2/authorize?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode, resp.Header.Get("Location")
		}

		for _, ok := range []struct{ client, uri string }{{app.Str("clientId"), registered}, {app.Str("clientId"), "https://app.example.com/with?query=1"}, {rp.ClientID, loop}} {
			if st, loc := authorize(ok.client, ok.uri); st != http.StatusFound || !strings.HasPrefix(loc, "/ui/login") && !strings.HasPrefix(loc, e.Base+"/ui/login") {
				t.Fatalf("the registered %s: %d → %q, want the login page", ok.uri, st, loc)
			}
		}
		for _, bad := range []struct{ client, uri, what string }{
			{app.Str("clientId"), "https://app.example.com/c", "prefix"},
			{app.Str("clientId"), "https://app.example.com/cbx", "suffix"},
			{app.Str("clientId"), "https://app.example.com/cb/evil", "longer path"},
			{app.Str("clientId"), "https://app.example.com/cb/../evil", "dot segments"},
			{app.Str("clientId"), "https://app.example.com/other", "other path"},
			{app.Str("clientId"), "https://app.example.com/%63b", "percent-encoded path"},
			{app.Str("clientId"), "https://app.example.com:8443/cb", "port"},
			{app.Str("clientId"), "https://app.example.com:443/cb", "explicit default port"},
			{app.Str("clientId"), "http://app.example.com/cb", "scheme"},
			{app.Str("clientId"), "HTTPS://app.example.com/cb", "scheme case"},
			{app.Str("clientId"), "https://APP.example.com/cb", "host case"},
			{app.Str("clientId"), "https://app.example.com/CB", "path case"},
			{app.Str("clientId"), "https://app.example.com/cb/", "trailing slash"},
			{app.Str("clientId"), "https://app.example.com/cb?x=1", "added query"},
			{app.Str("clientId"), "https://app.example.com/cb?", "empty query"},
			{app.Str("clientId"), "https://app.example.com/with?query=2", "changed query"},
			{app.Str("clientId"), "https://app.example.com/with?query=1&x=2", "extended query"},
			{app.Str("clientId"), "https://app.example.com/cb#frag", "fragment"},
			{app.Str("clientId"), "https://app.example.com.evil.example/cb", "host suffix"},
			{app.Str("clientId"), "https://evil.example/cb", "other host"},
			{app.Str("clientId"), "https://attacker@app.example.com/cb", "user info"},
			{app.Str("clientId"), "https://app.example.com@evil.example/cb", "host as user info"},
			{app.Str("clientId"), `https://app.example.com\@evil.example/cb`, "backslash"},
			{app.Str("clientId"), "//evil.example/cb", "scheme-relative"},
			{app.Str("clientId"), " https://app.example.com/cb", "leading space"},
			{app.Str("clientId"), "javascript:alert(1)//https://app.example.com/cb", "javascript"},
			{rp.ClientID, otherPort, "loopback, other port (web app)"},
			{rp.ClientID, strings.Replace(loop, "127.0.0.1", "localhost", 1), "loopback, other host"},
			{rp.ClientID, loop + "/", "loopback, trailing slash"},
			{rp.ClientID, registered, "another app's URI"},
		} {
			st, loc := authorize(bad.client, bad.uri)
			if st >= 300 && st < 400 || loc != "" {
				t.Errorf("%s: redirect_uri %q was not refused: %d → %q", bad.what, bad.uri, st, loc)
			} else if st != http.StatusBadRequest {
				t.Errorf("%s: redirect_uri %q: status %d, want 400", bad.what, bad.uri, st)
			}
		}
	})
}
