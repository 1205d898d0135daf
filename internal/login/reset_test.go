package login_test

import (
	"context"
	"html"
	"io"
	"mime/quotedprintable"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/mail"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/wardentest"
)

// mailEnv is a Warden whose outbox job delivers to a loopback SMTP server
// every 50 ms, as the binary's scheduler does every --outbox-interval.
func mailEnv(t *testing.T, st store.Store) (*env, *wardentest.SMTPServer) {
	t.Helper()
	srv := wardentest.NewSMTPServer(t)
	logs := &syncBuffer{}
	m := &mail.SMTP{Host: srv.Addr, From: "noreply@example.com", TLSConfig: srv.TLSConfig(), Timeout: 5 * time.Second}
	in := wardentest.Start(t, st, wardentest.Options{Login: &login.Options{}, AppOptions: []app.Option{app.WithMailer(m)}})
	e := &env{t: t, in: in, base: in.Base, token: in.Boot.Token, app: in.App, store: st, prov: in.Provider,
		orgID: in.Boot.Instance.DefaultOrgID, logs: logs}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			_, _ = e.app.DeliverMail(ctx)
			select {
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return e, srv
}

var mailHref = regexp.MustCompile(`href="([^"]+)"`)

// links are the links of the mails to to whose path is path, oldest first.
func links(t testing.TB, srv *wardentest.SMTPServer, to, path string) []*url.URL {
	t.Helper()
	var out []*url.URL
	for _, m := range srv.Mails() {
		if m.To != to {
			continue
		}
		body, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(m.Body)))
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range mailHref.FindAllStringSubmatch(string(body), -1) {
			if u, err := url.Parse(html.UnescapeString(h[1])); err == nil && u.Path == path {
				out = append(out, u)
			}
		}
	}
	return out
}

// nextLink waits for the (after+1)th such link and returns it.
func nextLink(t testing.TB, srv *wardentest.SMTPServer, to, path string, after int) *url.URL {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if ls := links(t, srv, to, path); len(ls) > after {
			return ls[after]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no mail to %s with a link to %s (had %d)", to, path, after)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// setPassword fills the code form a mail's link opened.
func setPassword(b *wardentest.Browser, v *wardentest.View, pw string) *wardentest.View {
	b.T.Helper()
	if v.Status != 200 || !strings.Contains(v.Body, `name="code"`) {
		b.T.Fatalf("want the code form, got %d at %s: %s", v.Status, v.URL, v.Text())
	}
	return b.Submit(v, v.FormWith(b.T, "code"), map[string]string{"newPassword": pw, "confirmPassword": pw})
}

// TestInviteResetThroughLoginPage walks it all through a browser, with mails
// read from the SMTP server: a v1 user made without a password gets an
// initialization mail, sets its first password on the login page and signs
// in (OIDC code flow); later it forgets its password ("Forgot password?" on
// the password page), and the mail's link sets a new one and finishes the
// sign-in. A code is single-use; a lock between asking and using refuses the
// code, and after the unlock it is still dead; wrong codes lock at
// max_otp_attempts; a v2 invitation leads to a first password too.
func TestInviteResetThroughLoginPage(t *testing.T) {
	eachEngine(t, func(t *testing.T, open func(testing.TB) store.Store) {
		e, srv := mailEnv(t, open(t))
		r := newRP(e)
		id := e.must(e.admin("POST", "/management/v1/users/human",
			`{"userName":"ivy","profile":{"firstName":"Ivy","lastName":"Init"},"email":{"email":"ivy@example.com"}}`), 200).Str("userId")
		if st := e.userState(id); st != "USER_STATE_INITIAL" {
			t.Fatalf("state %s", st)
		}
		initLink := nextLink(t, srv, "ivy@example.com", app.UserInitPath, 0)
		if !strings.HasPrefix(initLink.String(), e.base+app.UserInitPath+"?") || initLink.Query().Get("userID") != id {
			t.Fatalf("init link %s", initLink)
		}
		b := wardentest.NewBrowser(t)
		v := setPassword(b, b.Get(initLink.String()), "First-Pass-1")
		if v.Status != 200 || !strings.Contains(v.Body, login.TextPasswordSet) {
			t.Fatalf("first password: %d %s", v.Status, v.Text())
		}
		if st := e.userState(id); st != "USER_STATE_ACTIVE" {
			t.Fatalf("state after the first password %s", st)
		}
		if s := signIn(b, e, r, "ivy", "First-Pass-1"); s.Subject != id {
			t.Fatalf("signed in as %s", s.Subject)
		}
		// The init link again: used.
		v = setPassword(b, b.Get(initLink.String()), "Other-Pass-2")
		if !strings.Contains(v.Body, login.TextCodeWrong) {
			t.Fatalf("init code twice: %s", v.Text())
		}

		// Forgot password, from the password page, in a new browser.
		b2 := wardentest.NewBrowser(t)
		v = toPassword(b2, e, r, "ivy")
		arID := v.Forms[0].Fields.Get("authRequestID")
		if !strings.Contains(v.Body, `href="/ui/login/password/reset?authRequestID=`+arID+`"`) {
			t.Fatalf("no forgot link: %s", v.Body)
		}
		v = b2.Get(e.base + "/ui/login/password/reset?authRequestID=" + arID)
		v = b2.Submit(v, v.FormWith(t, "loginName"), nil) // the name is prefilled
		if !strings.Contains(v.Body, login.TextResetSent) {
			t.Fatalf("forgot: %s", v.Text())
		}
		reset := nextLink(t, srv, "ivy@example.com", app.PasswordInitPath, 0)
		if reset.Query().Get("authRequestID") != arID {
			t.Fatalf("reset link %s", reset)
		}
		v = setPassword(b2, b2.Get(reset.String()), "Second-Pass-2")
		if s := r.AtCallback(t, v); s.Subject != id {
			t.Fatalf("after the reset signed in as %s", s.Subject)
		}
		// The password-change notice went out with it.
		waitSubject(t, srv, "ivy@example.com", "Your password was changed")
		v = setPassword(b2, b2.Get(reset.String()), "Third-Pass-3")
		if !strings.Contains(v.Body, login.TextCodeWrong) {
			t.Fatalf("reset code twice: %s", v.Text())
		}

		// A lock between asking and using: refused (the lock dropped the
		// code, so the page says no more than for a wrong one); after the
		// unlock, still dead.
		b3 := wardentest.NewBrowser(t)
		v = b3.Get(e.base + "/ui/login/password/reset")
		b3.Submit(v, v.FormWith(t, "loginName"), map[string]string{"loginName": "ivy"})
		reset = nextLink(t, srv, "ivy@example.com", app.PasswordInitPath, 1)
		e.must(e.admin("POST", "/management/v1/users/"+id+"/_lock", `{}`), 200)
		v = setPassword(b3, b3.Get(reset.String()), "Locked-Pass-4")
		if !strings.Contains(v.Body, login.TextCodeWrong) {
			t.Fatalf("code of a locked user: %d %s", v.Status, v.Text())
		}
		e.must(e.admin("POST", "/management/v1/users/"+id+"/_unlock", `{}`), 200)
		v = setPassword(b3, b3.Get(reset.String()), "Locked-Pass-4")
		if !strings.Contains(v.Body, login.TextCodeWrong) {
			t.Fatalf("code after the unlock: %s", v.Text())
		}
		signIn(wardentest.NewBrowser(t), e, r, "ivy", "Second-Pass-2")

		// Wrong codes lock at max_otp_attempts.
		e.must(e.admin("POST", "/management/v1/policies/lockout", `{"maxPasswordAttempts":0,"maxOtpAttempts":3}`), 200)
		jon := e.importHuman("jon", false)
		b4 := wardentest.NewBrowser(t)
		v = b4.Get(e.base + "/ui/login/password/reset")
		b4.Submit(v, v.FormWith(t, "loginName"), map[string]string{"loginName": "jon"})
		reset = nextLink(t, srv, "jon@example.com", app.PasswordInitPath, 0)
		form := b4.Get(reset.String())
		for i := range 3 {
			v = b4.Submit(form, form.FormWith(t, "code"), map[string]string{"code": "WRONG1", "newPassword": "Jon-Pass-5", "confirmPassword": "Jon-Pass-5"})
			if !strings.Contains(v.Body, login.TextCodeWrong) {
				t.Fatalf("wrong code %d: %s", i, v.Text())
			}
		}
		if st := e.userState(jon); st != "USER_STATE_LOCKED" {
			t.Fatalf("after 3 wrong codes: %s", st)
		}

		// v2 invitation: the mail's link sets the first password.
		kim := e.must(e.admin("POST", "/v2/users/human", `{"username":"kim","profile":{"givenName":"Kim","familyName":"Inv"},"email":{"email":"kim@example.com"}}`), 200).Str("userId")
		e.must(e.admin("POST", "/v2/users/"+kim+"/invite_code", `{"sendCode":{"applicationName":"Shop"}}`), 200)
		inv := nextLink(t, srv, "kim@example.com", app.UserInitPath, 0)
		if inv.Query().Get("invite") != "true" {
			t.Fatalf("invite link %s", inv)
		}
		b5 := wardentest.NewBrowser(t)
		v = setPassword(b5, b5.Get(inv.String()), "Kim-Pass-6")
		if !strings.Contains(v.Body, login.TextPasswordSet) {
			t.Fatalf("invitation: %s", v.Text())
		}
		signIn(b5, e, r, "kim", "Kim-Pass-6")
	})
}

func waitSubject(t testing.TB, srv *wardentest.SMTPServer, to, subject string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range srv.Mails() {
			if m.To == to && m.Subject == subject {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no mail %q to %s", subject, to)
}

// TestForgotPasswordAttackers: the forgot form answers byte for byte the same
// for an existing, a missing and a locked account; forms without the CSRF
// token are refused; user A's code does not set B's password.
func TestForgotPasswordAttackers(t *testing.T) {
	eachEngine(t, func(t *testing.T, open func(testing.TB) store.Store) {
		e, srv := mailEnv(t, open(t))
		ann := e.importHuman("ann", false)
		locked := e.importHuman("lee", false)
		e.must(e.admin("POST", "/management/v1/users/"+locked+"/_lock", `{}`), 200)
		b := wardentest.NewBrowser(t)
		form := b.Get(e.base + "/ui/login/password/reset")
		var bodies []string
		for _, name := range []string{"ann", "nobody-here", "lee"} {
			v := b.Submit(form, form.FormWith(t, "loginName"), map[string]string{"loginName": name})
			if v.Status != 200 {
				t.Fatalf("%s: %d", name, v.Status)
			}
			bodies = append(bodies, v.Body)
		}
		if bodies[0] != bodies[1] || bodies[1] != bodies[2] || !strings.Contains(bodies[0], login.TextResetSent) {
			t.Fatalf("answers differ:\n%s\n---\n%s\n---\n%s", bodies[0], bodies[1], bodies[2])
		}
		annLink := nextLink(t, srv, "ann@example.com", app.PasswordInitPath, 0)
		time.Sleep(200 * time.Millisecond)
		if n := len(links(t, srv, "lee@example.com", app.PasswordInitPath)); n != 0 {
			t.Fatalf("a locked user got %d reset mails", n)
		}

		// Without the CSRF token.
		for _, p := range []string{"/ui/login/password/reset", app.PasswordInitPath, app.UserInitPath} {
			v := b.Post(e.base+p, url.Values{"loginName": {"ann"}, "userID": {ann}, "code": {annLink.Query().Get("code")},
				"newPassword": {"Evil-Pass-7"}, "confirmPassword": {"Evil-Pass-7"}})
			if v.Status != 403 || !strings.Contains(v.Body, login.TextCSRF) {
				t.Fatalf("%s without CSRF: %d %s", p, v.Status, v.Text())
			}
		}
		// A's code for B (another user of the same org).
		bob := e.importHuman("bob", false)
		q := annLink.Query()
		q.Set("userID", bob)
		v := setPassword(b, b.Get(e.base+app.PasswordInitPath+"?"+q.Encode()), "Evil-Pass-7")
		if !strings.Contains(v.Body, login.TextCodeWrong) {
			t.Fatalf("A's code for B: %s", v.Text())
		}
		// A's code still works for A.
		v = setPassword(b, b.Get(annLink.String()), "Ann-New-Pass-8")
		if !strings.Contains(v.Body, login.TextPasswordSet) {
			t.Fatalf("A's own code: %s", v.Text())
		}
	})
}
