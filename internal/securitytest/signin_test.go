package securitytest

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/oidc"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
	"golang.org/x/oauth2"
)

// TestFinishedSignInCannotSwapUser (issue 8, item 1): a role-less user signs in
// for an auth request, then posts another login name — the administrator's —
// on that same finished request and fetches the callback. The request refuses
// to change its user, gives one code, for the user who signed in, and the
// callback cannot be used twice.
func TestFinishedSignInCannotSwapUser(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{})
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		bob := e.human("", "bob")
		b := wardentest.NewBrowser(t)
		f := begin(t, b, rp)
		st, callback := f.password(t, b, "bob", Password)
		if st != http.StatusFound || !strings.Contains(callback, "/oauth/v2/authorize/callback") {
			t.Fatalf("sign-in: %d %s", st, callback)
		}
		// The swap: the user-name step again, on the finished request.
		swap := b.Post(e.Base+"/ui/login/username", url.Values{"csrf": {f.login.Forms[0].Fields.Get("csrf")},
			"authRequestID": {f.arID}, "loginName": {e.Boot.HumanLogin}})
		if swap.Status == http.StatusOK && strings.Contains(swap.Body, `name="password"`) {
			t.Fatalf("a finished request took another login name: %s", swap.Text())
		}
		code := f.code(t, b, callback)
		if code == "" {
			t.Fatal("no code for the signed-in user")
		}
		if sub := e.subjectOf(t, f, code); sub != bob {
			t.Fatalf("the code is for %s, want bob %s", sub, bob)
		}
		if again := f.code(t, b, callback); again != "" {
			t.Fatal("the callback gave a second code")
		}
	})
}

// TestAuthRequestBoundToBrowser (issue 8, item 2): an attacker starts
// /authorize in their own browser (keeping the PKCE verifier) and sends the
// victim the login link. Whether the victim is signed in already or signs in on
// it, the victim's browser cannot continue the attacker's request, and the
// attacker's callback never yields a code.
func TestAuthRequestBoundToBrowser(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{})
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		e.human("", "victim")
		victim := wardentest.NewBrowser(t)
		rp.SignIn(t, victim, "victim", Password) // the victim has a session

		attacker := wardentest.NewBrowser(t)
		f := beginRaw(t, attacker, rp)
		link := e.Base + "/ui/login?authRequestID=" + url.QueryEscape(f.arID)

		// Signed in already: no auto-completion for a request this browser did not start.
		v := victim.Get(link)
		if v.Status != http.StatusForbidden || !strings.Contains(v.Text(), login.TextOtherBrowser) {
			t.Fatalf("victim with a session on the attacker's link: %d %s", v.Status, v.Text())
		}
		if code := f.code(t, attacker, f.callbackURL(e)); code != "" {
			t.Fatal("the attacker's callback gave a code after the victim opened the link")
		}
		// Signing in on it: refused at the first form.
		fresh := wardentest.NewBrowser(t)
		v = fresh.Get(link)
		if v.Status != http.StatusForbidden {
			t.Fatalf("a new browser on the attacker's link: %d %s", v.Status, v.Text())
		}
		post := fresh.Post(e.Base+"/ui/login/username", url.Values{"authRequestID": {f.arID}, "loginName": {"victim"}})
		if post.Status != http.StatusForbidden {
			t.Fatalf("user-name step on another browser's request: %d %s", post.Status, post.Text())
		}
		if code := f.code(t, attacker, f.callbackURL(e)); code != "" {
			t.Fatal("the attacker's callback gave a code")
		}
		// The victim's own callback for the attacker's request: nothing either.
		if code := f.code(t, victim, f.callbackURL(e)); code != "" {
			t.Fatal("the callback answered another browser")
		}
		// The attacker's own browser still works for the attacker's own sign-in.
		f2 := begin(t, attacker, rp)
		e.human("", "mallory")
		if st, cb := f2.password(t, attacker, "mallory", Password); st != http.StatusFound || f2.code(t, attacker, cb) == "" {
			t.Fatalf("the starting browser could not finish its own request: %d %s", st, cb)
		}
	})
}

// TestCodeRedeemedOnce (issue 8, item 7): six parallel token requests with one
// code: exactly one gets tokens.
func TestCodeRedeemedOnce(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{})
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		e.human("", "carol")
		b := wardentest.NewBrowser(t)
		f := begin(t, b, rp)
		_, cb := f.password(t, b, "carol", Password)
		code := f.code(t, b, cb)
		if code == "" {
			t.Fatal("no code")
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := rp.Exchange(code, f.verifier); err == nil {
					mu.Lock()
					won++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if won != 1 {
			t.Fatalf("%d token requests redeemed one code, want exactly 1", won)
		}
	})
}

// TestPKCEPlainRefused (issue 8, item 13): a code challenge with method plain
// (or none, which means plain) is refused at /authorize.
func TestPKCEPlainRefused(t *testing.T) {
	e := start(t, testdb.SQLite(t), login.Options{})
	rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
	for name, opts := range map[string][]oauth2.AuthCodeOption{
		"plain":     {oauth2.SetAuthURLParam("code_challenge", strings.Repeat("a", 43)), oauth2.SetAuthURLParam("code_challenge_method", "plain")},
		"no method": {oauth2.SetAuthURLParam("code_challenge", strings.Repeat("a", 43))},
	} {
		b := wardentest.NewBrowser(t)
		st, loc := b.First("GET", rp.Config.AuthCodeURL("s", opts...), nil)
		lu := mustURL(t, loc)
		if st != http.StatusFound || !strings.HasPrefix(loc, rp.Srv.URL) || lu.Query().Get("error") != "invalid_request" {
			t.Errorf("%s: %d %s, want an invalid_request redirect to the client", name, st, loc)
		}
	}
}

// TestRefreshReplayRevokesFamily (issue 8, item 13): a spent refresh token
// presented again (it leaked) is refused and revokes what it was rotated into.
func TestRefreshReplayRevokesFamily(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{})
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		e.human("", "dave")
		s := rp.SignIn(t, wardentest.NewBrowser(t), "dave", Password)
		next, err := rp.Refresh(s.Token.RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rp.Refresh(s.Token.RefreshToken); err == nil {
			t.Fatal("a spent refresh token was accepted")
		}
		if _, err := rp.Refresh(next.RefreshToken); err == nil {
			t.Fatal("the token a replayed one was rotated into still refreshes")
		}
		if r := e.Do(t, "GET", "/oidc/v1/userinfo", next.AccessToken, ""); r.Status != 401 {
			t.Fatalf("the family's access token at userinfo: %d", r.Status)
		}
	})
}

// TestPasswordChangeEndsSessions (issue 8, item 13): after an administrator
// sets a new password, the user's browser session, refresh token and access
// token from the old password are dead.
func TestPasswordChangeEndsSessions(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{})
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		id := e.human("", "erin")
		b := wardentest.NewBrowser(t)
		s := rp.SignIn(t, b, "erin", Password)
		wardentest.Must(t, e.Admin(t, "POST", "/management/v1/users/"+id+"/password", `{"password":"Another-Pass-2","noChangeRequired":true}`), 200)
		if _, err := rp.Refresh(s.Token.RefreshToken); err == nil {
			t.Fatal("refresh token from before the password change still works")
		}
		if r := e.Do(t, "GET", "/oidc/v1/userinfo", s.Token.AccessToken, ""); r.Status != 401 {
			t.Fatalf("access token from before the password change: %d", r.Status)
		}
		v := b.Get(rp.StartURL())
		if !strings.Contains(v.Body, `name="loginName"`) {
			t.Fatalf("the old browser session still signs in: %s at %s", v.Text(), v.URL)
		}
	})
}

// TestLoginCSRFBoundToBrowser (issue 8, item 13): a login form's CSRF token
// works only with the browser cookie it was made for: planting a matching
// cookie and field of one's own choosing (double submit) does not pass.
func TestLoginCSRFBoundToBrowser(t *testing.T) {
	e := start(t, testdb.SQLite(t), login.Options{})
	rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
	b := wardentest.NewBrowser(t)
	f := begin(t, b, rp)
	token := f.login.Forms[0].Fields.Get("csrf")
	// The same value in the cookie and the field, both chosen by the attacker.
	planted := strings.Repeat("A", 43)
	for name, c := range map[string]struct{ cookie, field string }{
		"double submit":        {planted, planted},
		"token of another one": {planted, token},
	} {
		req, _ := http.NewRequest("POST", e.Base+"/ui/login/username", strings.NewReader(url.Values{
			"csrf": {c.field}, "authRequestID": {f.arID}, "loginName": {"x"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: oidc.BrowserCookie, Value: c.cookie})
		req.AddCookie(&http.Cookie{Name: "warden_csrf", Value: c.cookie})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", name, resp.StatusCode)
		}
	}
	// The real pair works.
	v := b.Submit(f.login, 0, map[string]string{"loginName": "anyone"})
	if v.Status != 200 || !strings.Contains(v.Body, `name="password"`) {
		t.Fatalf("the browser's own form: %d %s", v.Status, v.Text())
	}
}

// TestRevokedRefreshTokenIsDead: a refresh token revoked at /oauth/v2/revoke
// (with either hint, or none) no longer refreshes, and neither does what it
// was rotated into; another client cannot revoke it.
func TestRevokedRefreshTokenIsDead(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{})
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		other := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		e.human("", "rita")
		for _, hint := range []string{"", "refresh_token", "access_token"} {
			s := rp.SignIn(t, wardentest.NewBrowser(t), "rita", Password)
			form := url.Values{"token": {s.Token.RefreshToken}}
			if hint != "" {
				form.Set("token_type_hint", hint)
			}
			// Another client's revocation is refused and changes nothing.
			other.Revoke(t, e.Instance, form)
			if _, err := rp.Refresh(s.Token.RefreshToken); err != nil {
				t.Fatalf("hint %q: another client's revocation took effect: %v", hint, err)
			}
			s = rp.SignIn(t, wardentest.NewBrowser(t), "rita", Password)
			form.Set("token", s.Token.RefreshToken)
			if st := rp.Revoke(t, e.Instance, form); st != 200 {
				t.Fatalf("hint %q: revocation answered %d", hint, st)
			}
			if _, err := rp.Refresh(s.Token.RefreshToken); err == nil {
				t.Fatalf("hint %q: a revoked refresh token still refreshes", hint)
			}
		}
	})
}
