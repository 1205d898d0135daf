package login_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
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
	b := wardentest.NewBrowser(t)
	v := toPassword(b, e, r, "ivy")
	v = b.Submit(v, 0, map[string]string{"password": password})
	if v.Status != 200 || !strings.Contains(v.Body, `name="newPassword"`) || !strings.Contains(v.Text(), "Change your password") {
		t.Fatalf("want the change form: %d %q", v.Status, v.Text())
	}
	if r.Codes() != 0 {
		t.Fatal("the flow completed before the change")
	}
	change := v
	v = b.Submit(change, 0, map[string]string{"newPassword": "New-Secret-2", "confirmPassword": "New-Secret-3"})
	if !strings.Contains(v.Text(), "do not match") {
		t.Fatalf("mismatch: %q", v.Text())
	}
	v = b.Submit(change, 0, map[string]string{"newPassword": "short", "confirmPassword": "short"})
	if !strings.Contains(v.Text(), "at least 8 characters") {
		t.Fatalf("short password: %q", v.Text())
	}
	// A forged ticket gets nowhere.
	if v := b.Submit(change, 0, map[string]string{"ticket": "forged-ticket-forged-ticket-forged", "newPassword": "New-Secret-2", "confirmPassword": "New-Secret-2"}); v.Status != 400 {
		t.Fatalf("forged ticket: %d %q", v.Status, v.Text())
	}
	v = b.Submit(change, 0, map[string]string{"newPassword": "New-Secret-2", "confirmPassword": "New-Secret-2"})
	if s := r.AtCallback(b.T, v); s.Subject != id {
		t.Fatalf("signed in as %s", s.Subject)
	}
	// The ticket is spent.
	if v := b.Submit(change, 0, map[string]string{"newPassword": "New-Secret-4", "confirmPassword": "New-Secret-4"}); v.Status != 400 {
		t.Fatalf("second use of the ticket: %d", v.Status)
	}
	ctx := context.Background()
	if _, err := e.app.CheckPassword(ctx, id, password); !errors.Is(err, user.ErrWrongPassword) {
		t.Fatalf("old password: %v", err)
	}
	if res, err := e.app.CheckPassword(ctx, id, "New-Secret-2"); err != nil || res.User.Human.PasswordChangeRequired {
		t.Fatalf("new password: %v", err)
	}
	// A second browser signs in with the new password, no change form.
	if s := signIn(wardentest.NewBrowser(t), e, r, "ivy", "New-Secret-2"); s.Subject != id {
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
	b := wardentest.NewBrowser(t)
	v := toPassword(b, e, r, "jack")
	// All at once, so that the bucket's refill (10 a minute) cannot blur the
	// count however slow the hashing is on a busy machine.
	f := v.Forms[0].Fields
	f.Set("password", "wrong-password")
	slow := &http.Client{Jar: b.C.Jar, Timeout: 5 * time.Minute}
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
	b := wardentest.NewBrowser(t)
	v := b.Get(r.Srv.URL + "/start")
	onLogin(t, v, e)

	t.Run("headers", func(t *testing.T) {
		csp := v.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "form-action 'self' " + r.Srv.URL, "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("CSP %q lacks %q", csp, want)
			}
		}
		m := regexp.MustCompile(`(?s)<style>(.*)</style>`).FindStringSubmatch(v.Body)
		if m == nil {
			t.Fatal("no inline style")
		}
		sum := sha256.Sum256([]byte(m[1]))
		if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, "style-src "+h) {
			t.Errorf("CSP %q does not allow the inline style %s", csp, h)
		}
		if v.Header.Get("X-Frame-Options") != "DENY" || v.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("headers %v", v.Header)
		}
		for _, want := range []string{`<html lang="en">`, "<h1>", `<label for="loginName">`, `id="loginName"`} {
			if !strings.Contains(v.Body, want) {
				t.Errorf("page lacks %s", want)
			}
		}
		if strings.Contains(v.Body, "<script") {
			t.Error("page has a script")
		}
	})

	t.Run("csrf", func(t *testing.T) {
		for name, set := range map[string]map[string]string{"wrong": {"csrf": "x" + v.Forms[0].Fields.Get("csrf")}, "missing": {"csrf": ""}} {
			got := b.Submit(v, 0, set)
			if got.Status != http.StatusForbidden || !strings.Contains(got.Text(), login.TextCSRF) {
				t.Errorf("%s token: %d %q", name, got.Status, got.Text())
			}
		}
		// Another browser (no cookie) replaying the form.
		got := wardentest.NewBrowser(t).Submit(v, 0, map[string]string{"loginName": "kim"})
		if got.Status != http.StatusForbidden {
			t.Errorf("form from another browser: %d", got.Status)
		}
	})

	t.Run("cookies", func(t *testing.T) {
		resp, err := http.Get(v.URL.String())
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
		b2 := wardentest.NewBrowser(t)
		b2.C.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		p := b2.Get(r.Srv.URL + "/start") // 302 to authorize
		for p.Status == http.StatusFound {
			next, err := p.URL.Parse(p.Header.Get("Location"))
			if err != nil {
				t.Fatal(err)
			}
			p = b2.Get(next.String())
		}
		p = b2.Submit(p, 0, map[string]string{"loginName": "kim"})
		req, _ := http.NewRequest("POST", e.base+"/ui/login/password", strings.NewReader(url.Values{
			"csrf": {p.Forms[0].Fields.Get("csrf")}, "authRequestID": {p.Forms[0].Fields.Get("authRequestID")}, "password": {password}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err = b2.C.Do(req)
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
		b := wardentest.NewBrowser(t)
		p := toPassword(b, e, r, "nobody-here") // the name is not judged yet
		p = b.Submit(p, 0, map[string]string{"password": "whatever-password"})
		known := toPassword(b, e, r, "kim")
		known = b.Submit(known, 0, map[string]string{"password": "whatever-password"})
		if p.Status != 200 || !strings.Contains(p.Text(), login.TextWrongPassword) || !strings.Contains(known.Text(), login.TextWrongPassword) {
			t.Fatalf("unknown user: %d %q; known: %q", p.Status, p.Text(), known.Text())
		}
	})

	t.Run("limits", func(t *testing.T) {
		big := strings.Repeat("a", 20<<10)
		got := b.Submit(v, 0, map[string]string{"loginName": big})
		if got.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("20 KiB form: %d", got.Status)
		}
		got = b.Submit(v, 0, map[string]string{"loginName": strings.Repeat("a", 500)})
		if got.Status != 200 || !strings.Contains(got.Text(), "too long") {
			t.Errorf("long name: %d %q", got.Status, got.Text())
		}
	})

	t.Run("unknown request", func(t *testing.T) {
		got := b.Get(e.base + "/ui/login?authRequestID=nope")
		if got.Status != 400 || !strings.Contains(got.Text(), login.TextUnknownFlow) {
			t.Errorf("%d %q", got.Status, got.Text())
		}
		got = b.Get(e.base + "/ui/login/logged-out")
		if got.Status != 200 || !strings.Contains(got.Text(), "signed out") {
			t.Errorf("logged-out: %d %q", got.Status, got.Text())
		}
		if got := b.Get(e.base + "/ui/login/password"); got.Status != http.StatusMethodNotAllowed {
			t.Errorf("GET password: %d", got.Status)
		}
	})
}

// TestLogout ends the session: the next flow asks for the user name again.
func TestLogout(t *testing.T) {
	e := startEnv(t, testdb.SQLite(t), login.Options{})
	r := newRP(e)
	e.importHuman("lee", false)
	b := wardentest.NewBrowser(t)
	signIn(b, e, r, "lee", password)
	v := b.Get(e.base + "/ui/login")
	if !strings.Contains(v.Text(), "signed in as lee@warden.localhost") {
		t.Fatalf("signed-in page: %q", v.Text())
	}
	v = b.Submit(v, 0, nil)
	if v.URL.Path != "/ui/login/logged-out" {
		t.Fatalf("after logout at %s", v.URL)
	}
	v = b.Get(r.Srv.URL + "/start")
	if !strings.Contains(v.Body, `name="loginName"`) {
		t.Fatalf("after logout: %q", v.Text())
	}
}
