package securitytest

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
)

// noRefill keeps the default bursts (20 per address, 10 per name) but refills
// them so slowly that a test's own duration cannot blur the counts.
var noRefill = login.Options{AttemptsPerMinute: 0.0001, UserAttemptsPerMinute: 0.0001}

// TestThrottleCountsFailuresOnly (issue 8, item 10): more people than the burst
// (20) signing in correctly from one address (an office behind NAT) are all
// let in, while one address's failures are throttled.
func TestThrottleCountsFailuresOnly(t *testing.T) {
	e := start(t, testdb.SQLite(t), noRefill)
	rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
	e.human("", "staff")
	for i := range 21 {
		if s := rp.SignIn(t, wardentest.NewBrowser(t), "staff", Password); s == nil {
			t.Fatalf("sign-in %d refused", i+1)
		}
	}
	// 20 failures (the burst), each on another name so only the address counts.
	b := wardentest.NewBrowser(t)
	for i := range 20 {
		if st := wrongPassword(t, e, b, rp, fmt.Sprintf("nobody%d", i), nil); st != 200 {
			t.Fatalf("failure %d: %d", i+1, st)
		}
	}
	if st := wrongPassword(t, e, b, rp, "nobody-else", nil); st != http.StatusTooManyRequests {
		t.Fatalf("the 21st failure from one address: %d, want 429", st)
	}
}

// TestThrottleTrustsOnlyConfiguredProxies (issue 8, item 10): behind a trusted
// proxy each client has its own bucket, so one attacker does not lock out the
// office; without the proxy configured, a forged X-Forwarded-For picks no
// bucket; and many addresses guessing one name meet the per-name bucket.
func TestThrottleTrustsOnlyConfiguredProxies(t *testing.T) {
	t.Run("trusted", func(t *testing.T) {
		opts := noRefill
		opts.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		e := start(t, testdb.SQLite(t), opts)
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		b := wardentest.NewBrowser(t)
		attacker := map[string]string{"X-Forwarded-For": "203.0.113.66"}
		for i := range 20 {
			wrongPassword(t, e, b, rp, fmt.Sprintf("guess%d", i), attacker)
		}
		if st := wrongPassword(t, e, b, rp, "guess-more", attacker); st != http.StatusTooManyRequests {
			t.Fatalf("attacker's 21st failure: %d, want 429", st)
		}
		if st := wrongPassword(t, e, b, rp, "colleague", map[string]string{"X-Forwarded-For": "203.0.113.77"}); st != 200 {
			t.Fatalf("another client behind the proxy: %d, want an answer", st)
		}
		// One name guessed from ten addresses meets the per-name bucket.
		e.human("", "target")
		for i := range 10 {
			wrongPassword(t, e, b, rp, "target", map[string]string{"X-Forwarded-For": fmt.Sprintf("198.51.100.%d", i+1)})
		}
		if st := wrongPassword(t, e, b, rp, "target", map[string]string{"X-Forwarded-For": "198.51.100.99"}); st != http.StatusTooManyRequests {
			t.Fatalf("11th failure on one name: %d, want 429", st)
		}
	})
	t.Run("untrusted", func(t *testing.T) {
		e := start(t, testdb.SQLite(t), noRefill)
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		b := wardentest.NewBrowser(t)
		for i := range 20 {
			wrongPassword(t, e, b, rp, fmt.Sprintf("guess%d", i), map[string]string{"X-Forwarded-For": fmt.Sprintf("198.51.100.%d", i+1)})
		}
		if st := wrongPassword(t, e, b, rp, "guess-more", map[string]string{"X-Forwarded-For": "192.0.2.1"}); st != http.StatusTooManyRequests {
			t.Fatalf("a forged X-Forwarded-For escaped the throttle: %d", st)
		}
	})
}

// wrongPassword runs one flow to the password step for name and posts a wrong
// password with extra headers; it returns the answer's status.
func wrongPassword(t testing.TB, e *env, b *wardentest.Browser, rp *wardentest.RP, name string, h map[string]string) int {
	t.Helper()
	f := begin(t, b, rp)
	v := b.Submit(f.login, f.login.FormWith(t, "loginName"), map[string]string{"loginName": name})
	vals := url.Values{}
	for k, vs := range v.Forms[v.FormWith(t, "password")].Fields {
		vals[k] = vs
	}
	vals.Set("password", "wrong-password")
	req, _ := http.NewRequest("POST", e.Base+"/ui/login/password", strings.NewReader(vals.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := b.C.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestLoginRevealsNoAccounts (issue 8, item 11): the user-name step and a
// wrong password answer alike for an existing name, an unknown one, one
// shared by two organisations and a locked account; no page counts attempts;
// the lock shows only after the right password.
func TestLoginRevealsNoAccounts(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{})
		wardentest.Must(t, e.Admin(t, "POST", "/management/v1/policies/lockout", `{"maxPasswordAttempts":5}`), 200)
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		e.human("", "known")
		locked := e.human("", "locked")
		wardentest.Must(t, e.Admin(t, "POST", "/management/v1/users/"+locked+"/_lock", `{}`), 200)
		other := e.AddOrg(t, "Other")
		e.human("", "twice")
		e.human(other, "twice")

		// Normalise what differs per request (ids, tokens, the name typed).
		norm := func(v *wardentest.View, name string) string {
			s := regexp.MustCompile(`value="[A-Za-z0-9_-]{16,}"`).ReplaceAllString(v.Body, `value="X"`)
			s = regexp.MustCompile(`authRequestID=[A-Za-z0-9_-]+`).ReplaceAllString(s, "authRequestID=X")
			return fmt.Sprint(v.Status) + strings.ReplaceAll(s, name, "NAME")
		}
		step := func(name, pw string) (userPage, pwPage *wardentest.View) {
			b := wardentest.NewBrowser(t)
			f := begin(t, b, rp)
			userPage = b.Submit(f.login, f.login.FormWith(t, "loginName"), map[string]string{"loginName": name})
			pwPage = b.Submit(userPage, userPage.FormWith(t, "password"), map[string]string{"password": pw})
			return userPage, pwPage
		}
		refU, refP := step("nobody-at-all", "wrong-password")
		if !strings.Contains(refP.Text(), login.TextWrongPassword) {
			t.Fatalf("unknown name: %s", refP.Text())
		}
		for _, name := range []string{"known", "locked", "twice"} {
			u, p := step(name, "wrong-password")
			if norm(u, name) != norm(refU, "nobody-at-all") {
				t.Errorf("the user-name step answers %q differently from an unknown name:\n%s\n%s", name, u.Body, refU.Body)
			}
			if norm(p, name) != norm(refP, "nobody-at-all") {
				t.Errorf("a wrong password for %q answers differently from an unknown name:\n%s\n%s", name, p.Text(), refP.Text())
			}
			if strings.Contains(p.Text(), "remaining") || strings.Contains(p.Text(), "attempt") {
				t.Errorf("the page counts attempts: %s", p.Text())
			}
		}
		// The right password of the locked account: now it may say so.
		if _, p := step("locked", Password); p.Status != http.StatusForbidden || !strings.Contains(p.Text(), login.TextLocked) {
			t.Fatalf("right password of a locked account: %d %s", p.Status, p.Text())
		}
	})
}
