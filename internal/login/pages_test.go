package login_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"github.com/warden-id/warden/internal/store/testdb"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/oidc"
	"github.com/warden-id/warden/internal/user"
)

// TestPasswordChangeAtFirstSignIn: a user whose password must change is shown
// the change form; after the change the flow completes and the old password is
// gone.
func TestPasswordChangeAtFirstSignIn(t *testing.T) {
	e := startEnv(t, testdb.SQLite(t), login.Options{})
	r := newRP(e)
	id := e.importHuman("ivy", true)
	b := newBrowser(t)
	v := b.toPassword(e, r, "ivy")
	v = b.submit(v, 0, map[string]string{"password": password})
	if v.status != 200 || !strings.Contains(v.body, `name="newPassword"`) || !strings.Contains(v.text(), "Change your password") {
		t.Fatalf("want the change form: %d %q", v.status, v.text())
	}
	if r.codeCount() != 0 {
		t.Fatal("the flow completed before the change")
	}
	change := v
	v = b.submit(change, 0, map[string]string{"newPassword": "New-Secret-2", "confirmPassword": "New-Secret-3"})
	if !strings.Contains(v.text(), "do not match") {
		t.Fatalf("mismatch: %q", v.text())
	}
	v = b.submit(change, 0, map[string]string{"newPassword": "short", "confirmPassword": "short"})
	if !strings.Contains(v.text(), "8 to 256") {
		t.Fatalf("short password: %q", v.text())
	}
	// A forged ticket gets nowhere.
	if v := b.submit(change, 0, map[string]string{"ticket": "forged-ticket-forged-ticket-forged", "newPassword": "New-Secret-2", "confirmPassword": "New-Secret-2"}); v.status != 400 {
		t.Fatalf("forged ticket: %d %q", v.status, v.text())
	}
	v = b.submit(change, 0, map[string]string{"newPassword": "New-Secret-2", "confirmPassword": "New-Secret-2"})
	if s := b.atCallback(r, v); s.subject != id {
		t.Fatalf("signed in as %s", s.subject)
	}
	// The ticket is spent.
	if v := b.submit(change, 0, map[string]string{"newPassword": "New-Secret-4", "confirmPassword": "New-Secret-4"}); v.status != 400 {
		t.Fatalf("second use of the ticket: %d", v.status)
	}
	ctx := context.Background()
	if _, err := e.app.CheckPassword(ctx, id, password); !errors.Is(err, user.ErrWrongPassword) {
		t.Fatalf("old password: %v", err)
	}
	if res, err := e.app.CheckPassword(ctx, id, "New-Secret-2"); err != nil || res.User.Human.PasswordChangeRequired {
		t.Fatalf("new password: %v", err)
	}
	// A second browser signs in with the new password, no change form.
	if s := newBrowser(t).signIn(e, r, "ivy", "New-Secret-2"); s.subject != id {
		t.Fatal("sign-in with the new password failed")
	}
}

// TestThrottle: 30 rapid wrong attempts from one address: the burst of 20 is
// answered, the rest meet 429, and the server warns once. (The per-name bucket
// is widened here; TestThrottlePerName covers it.)
func TestThrottle(t *testing.T) {
	e := startEnv(t, testdb.SQLite(t), login.Options{UserAttemptBurst: 1000})
	e.must(e.admin("POST", "/management/v1/policies/lockout", `{"maxPasswordAttempts":0}`), 200)
	r := newRP(e)
	e.importHuman("jack", false)
	b := newBrowser(t)
	v := b.toPassword(e, r, "jack")
	// All at once, so that the bucket's refill (10 a minute) cannot blur the
	// count however slow the hashing is on a busy machine.
	f := v.forms[0].fields
	f.Set("password", "wrong-password")
	slow := &http.Client{Jar: b.c.Jar, Timeout: 5 * time.Minute}
	var mu sync.Mutex
	var wg sync.WaitGroup
	statuses := map[int]int{}
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := slow.PostForm(e.base+"/ui/login/password", f)
			if err != nil {
				t.Errorf("post: %v", err)
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			mu.Lock()
			defer mu.Unlock()
			statuses[resp.StatusCode]++
			if resp.StatusCode == http.StatusTooManyRequests && !strings.Contains(string(body), login.TextThrottled) {
				t.Errorf("429 page: %s", body)
			}
		}()
	}
	wg.Wait()
	if statuses[http.StatusTooManyRequests] != 10 || statuses[200] != 20 {
		t.Fatalf("statuses %v: want 20 answered and 10 refused", statuses)
	}
	if n := strings.Count(e.logs.String(), "too many failed password attempts"); n != 1 {
		t.Fatalf("%d throttle warnings, want 1:\n%s", n, e.logs.String())
	}
}

// TestPageSafety: CSRF, headers, cookies, limits, and unknown user names.
func TestPageSafety(t *testing.T) {
	e := startEnv(t, testdb.SQLite(t), login.Options{})
	r := newRP(e)
	e.importHuman("kim", false)
	b := newBrowser(t)
	v := b.get(r.srv.URL + "/start")
	v.onLogin(t, e)

	t.Run("headers", func(t *testing.T) {
		csp := v.header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "form-action 'self' " + r.srv.URL, "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("CSP %q lacks %q", csp, want)
			}
		}
		m := regexp.MustCompile(`(?s)<style>(.*)</style>`).FindStringSubmatch(v.body)
		if m == nil {
			t.Fatal("no inline style")
		}
		sum := sha256.Sum256([]byte(m[1]))
		if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, "style-src "+h) {
			t.Errorf("CSP %q does not allow the inline style %s", csp, h)
		}
		if v.header.Get("X-Frame-Options") != "DENY" || v.header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("headers %v", v.header)
		}
		for _, want := range []string{`<html lang="en">`, "<h1>", `<label for="loginName">`, `id="loginName"`} {
			if !strings.Contains(v.body, want) {
				t.Errorf("page lacks %s", want)
			}
		}
		if strings.Contains(v.body, "<script") {
			t.Error("page has a script")
		}
	})

	t.Run("csrf", func(t *testing.T) {
		for name, set := range map[string]map[string]string{"wrong": {"csrf": "x" + v.forms[0].fields.Get("csrf")}, "missing": {"csrf": ""}} {
			got := b.submit(v, 0, set)
			if got.status != http.StatusForbidden || !strings.Contains(got.text(), login.TextCSRF) {
				t.Errorf("%s token: %d %q", name, got.status, got.text())
			}
		}
		// Another browser (no cookie) replaying the form.
		got := newBrowser(t).submit(v, 0, map[string]string{"loginName": "kim"})
		if got.status != http.StatusForbidden {
			t.Errorf("form from another browser: %d", got.status)
		}
	})

	t.Run("cookies", func(t *testing.T) {
		resp, err := http.Get(v.url.String())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var bind *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == oidc.BrowserCookie {
				bind = c
			}
		}
		if bind == nil || !bind.HttpOnly || bind.SameSite != http.SameSiteLaxMode || bind.Path != "/" || bind.Secure || len(bind.Value) < 32 {
			t.Fatalf("browser cookie %+v", bind)
		}
		// After a sign-in: the session cookie.
		b2 := newBrowser(t)
		b2.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		p := b2.get(r.srv.URL + "/start") // 302 to authorize
		for p.status == http.StatusFound {
			next, err := p.url.Parse(p.header.Get("Location"))
			if err != nil {
				t.Fatal(err)
			}
			p = b2.get(next.String())
		}
		p = b2.submit(p, 0, map[string]string{"loginName": "kim"})
		req, _ := http.NewRequest("POST", e.base+"/ui/login/password", strings.NewReader(url.Values{
			"csrf": {p.forms[0].fields.Get("csrf")}, "authRequestID": {p.forms[0].fields.Get("authRequestID")}, "password": {password}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err = b2.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || !strings.Contains(resp.Header.Get("Location"), "/oauth/v2/authorize/callback") {
			t.Fatalf("sign-in answer %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		var sess *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "warden_session" {
				sess = c
			}
		}
		if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Path != "/" || len(sess.Value) < 40 {
			t.Fatalf("session cookie %+v", sess)
		}
	})

	t.Run("unknown user", func(t *testing.T) {
		b := newBrowser(t)
		p := b.toPassword(e, r, "nobody-here") // the name is not judged yet
		p = b.submit(p, 0, map[string]string{"password": "whatever-password"})
		known := b.toPassword(e, r, "kim")
		known = b.submit(known, 0, map[string]string{"password": "whatever-password"})
		if p.status != 200 || !strings.Contains(p.text(), login.TextWrongPassword) || !strings.Contains(known.text(), login.TextWrongPassword) {
			t.Fatalf("unknown user: %d %q; known: %q", p.status, p.text(), known.text())
		}
	})

	t.Run("limits", func(t *testing.T) {
		big := strings.Repeat("a", 20<<10)
		got := b.submit(v, 0, map[string]string{"loginName": big})
		if got.status != http.StatusRequestEntityTooLarge {
			t.Errorf("20 KiB form: %d", got.status)
		}
		got = b.submit(v, 0, map[string]string{"loginName": strings.Repeat("a", 500)})
		if got.status != 200 || !strings.Contains(got.text(), "too long") {
			t.Errorf("long name: %d %q", got.status, got.text())
		}
	})

	t.Run("unknown request", func(t *testing.T) {
		got := b.get(e.base + "/ui/login?authRequestID=nope")
		if got.status != 400 || !strings.Contains(got.text(), login.TextUnknownFlow) {
			t.Errorf("%d %q", got.status, got.text())
		}
		got = b.get(e.base + "/ui/login/logged-out")
		if got.status != 200 || !strings.Contains(got.text(), "signed out") {
			t.Errorf("logged-out: %d %q", got.status, got.text())
		}
		if got := b.get(e.base + "/ui/login/password"); got.status != http.StatusMethodNotAllowed {
			t.Errorf("GET password: %d", got.status)
		}
	})
}

// TestLogout ends the session: the next flow asks for the user name again.
func TestLogout(t *testing.T) {
	e := startEnv(t, testdb.SQLite(t), login.Options{})
	r := newRP(e)
	e.importHuman("lee", false)
	b := newBrowser(t)
	b.signIn(e, r, "lee", password)
	v := b.get(e.base + "/ui/login")
	if !strings.Contains(v.text(), "signed in as lee@warden.localhost") {
		t.Fatalf("signed-in page: %q", v.text())
	}
	v = b.submit(v, 0, nil)
	if v.url.Path != "/ui/login/logged-out" {
		t.Fatalf("after logout at %s", v.url)
	}
	v = b.get(r.srv.URL + "/start")
	if !strings.Contains(v.body, `name="loginName"`) {
		t.Fatalf("after logout: %q", v.text())
	}
}
