package securitytest

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
)

// TestOtherOriginsCannotUseTheBrowsersSessions: an anonymous attacker gets a
// signed-in IAM owner to open its page on another origin, whose scripts fetch
// Warden with the browser's cookies. The login page and every console page
// (and /debug) answer no CORS, for GET and for preflights, so the page can
// read none of them, nor a CSRF token in them; the API, which answers every
// origin by default, never allows credentials with "*", and reads no cookie:
// with the browser's login and console cookies but no bearer token every API
// protocol answers 401 and nothing changes.
func TestOtherOriginsCannotUseTheBrowsersSessions(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{AttemptsPerMinute: -1})
		owner := e.human("", "owner")
		e.instanceRole(t, owner, "IAM_OWNER")
		victim := e.human("", "victim")
		b := wardentest.NewBrowser(t)
		consoleSignIn(t, e, b, "owner", Password)
		const evil = "https://evil.example"
		send := func(method, path, body string, h map[string]string) (*http.Response, string) {
			t.Helper()
			req, _ := http.NewRequest(method, e.Base+path, strings.NewReader(body))
			req.Header.Set("Origin", evil)
			for k, v := range h {
				req.Header.Set(k, v)
			}
			resp, err := b.C.Do(req) // the victim's browser: its cookie jar
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return resp, string(raw)
		}
		pages := []string{"/ui/login", "/ui/login/password", "/ui/console", "/ui/console/users", "/ui/console/users/" + victim,
			"/ui/console/orgs", "/ui/console/users/" + victim + "/lock", "/debug/ready", "/"}
		for _, p := range pages {
			for _, m := range []string{"GET", "OPTIONS", "POST"} {
				// (A form post's CSRF token is what the page cannot read;
				// TestFormsWithoutCSRFRefused covers the posts themselves.)
				resp, _ := send(m, p, "csrf=unreadable", map[string]string{"Access-Control-Request-Method": "POST",
					"Content-Type": "application/x-www-form-urlencoded"})
				if a := resp.Header.Get("Access-Control-Allow-Origin"); a != "" || resp.Header.Get("Access-Control-Allow-Credentials") != "" {
					t.Errorf("%s %s from %s: Access-Control-Allow-Origin %q, credentials %q", m, p, evil, a, resp.Header.Get("Access-Control-Allow-Credentials"))
				}
			}
		}
		lock := "/management/v1/users/" + victim + "/_lock"
		calls := []struct {
			path, body string
			h          map[string]string
		}{
			{lock, `{}`, map[string]string{"Content-Type": "application/json"}},
			{"/v2/users/" + victim + "/lock", `{}`, map[string]string{"Content-Type": "application/json"}},
			{"/zitadel.user.v2.UserService/LockUser", `{"userId":"` + victim + `"}`, map[string]string{"Content-Type": "application/json", "Connect-Protocol-Version": "1"}},
			{"/zitadel.user.v2beta.UserService/LockUser", `{"userId":"` + victim + `"}`, map[string]string{"Content-Type": "application/json", "Connect-Protocol-Version": "1"}},
		}
		for _, c := range calls {
			pre, _ := send("OPTIONS", c.path, "", map[string]string{"Access-Control-Request-Method": "POST"})
			if pre.Header.Get("Access-Control-Allow-Origin") != "*" || pre.Header.Get("Access-Control-Allow-Credentials") != "" {
				t.Errorf("preflight %s: %v", c.path, pre.Header)
			}
			resp, body := send("POST", c.path, c.body, c.h)
			if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Access-Control-Allow-Credentials") != "" {
				t.Errorf("POST %s with the browser's cookies and no token: %d %v %.200s", c.path, resp.StatusCode, resp.Header, body)
			}
		}
		if st := e.UserState(t, victim); st != "USER_STATE_ACTIVE" {
			t.Fatalf("the victim is %s", st)
		}
	})
}
