package securitytest

import (
	"net/url"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/wardentest"
)

// flow is one authorization request played step by step, for tests that act
// between the steps.
type flow struct {
	rp       *wardentest.RP
	verifier string
	arID     string
	login    *wardentest.View // the page /authorize led to
}

// begin sends b to the RP's authorization URL and stops at Warden's login page.
func begin(t testing.TB, b *wardentest.Browser, rp *wardentest.RP) *flow {
	t.Helper()
	u, verifier := rp.AuthURL("state-" + t.Name())
	v := b.Get(u)
	id := ""
	for _, f := range v.Forms {
		if id = f.Fields.Get("authRequestID"); id != "" {
			break
		}
	}
	if id == "" {
		t.Fatalf("no login form after /authorize (at %s, %d): %s", v.URL, v.Status, v.Text())
	}
	return &flow{rp: rp, verifier: verifier, arID: id, login: v}
}

// beginRaw starts an authorization request without following the redirect to
// the login page, as an attacker scripting it would, and returns the request id.
func beginRaw(t testing.TB, b *wardentest.Browser, rp *wardentest.RP) *flow {
	t.Helper()
	u, verifier := rp.AuthURL("state-raw")
	st, loc := b.First("GET", u, nil)
	lu, err := url.Parse(loc)
	if err != nil || st != 302 || lu.Query().Get("authRequestID") == "" {
		t.Fatalf("/authorize: %d %q, want a redirect to the login page", st, loc)
	}
	return &flow{rp: rp, verifier: verifier, arID: lu.Query().Get("authRequestID")}
}

// password submits the user name, then posts the password without following
// the answer's redirect; it returns the status and Location.
func (f *flow) password(t testing.TB, b *wardentest.Browser, name, pw string) (int, string) {
	t.Helper()
	v := b.Submit(f.login, f.login.FormWith(t, "loginName"), map[string]string{"loginName": name})
	i := v.FormWith(t, "password")
	vals := url.Values{}
	for k, vs := range v.Forms[i].Fields {
		vals[k] = vs
	}
	vals.Set("password", pw)
	return b.First("POST", v.URL.ResolveReference(mustURL(t, v.Forms[i].Action)).String(), vals)
}

// code follows the callback URL in b and returns the code the RP would get
// ("" if the answer is no redirect to the RP with a code).
func (f *flow) code(t testing.TB, b *wardentest.Browser, callback string) string {
	t.Helper()
	st, loc := b.First("GET", callback, nil)
	if st != 302 || !strings.HasPrefix(loc, f.rp.Srv.URL+"/callback") {
		return ""
	}
	return mustURL(t, loc).Query().Get("code")
}

// callbackURL is the provider's callback for the flow's request.
func (f *flow) callbackURL(e *env) string {
	return e.Base + "/oauth/v2/authorize/callback?id=" + url.QueryEscape(f.arID)
}

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// subjectOf exchanges a code and returns the user the tokens are for (via
// userinfo), or fails the test.
func (e *env) subjectOf(t testing.TB, f *flow, code string) string {
	t.Helper()
	tok, err := f.rp.Exchange(code, f.verifier)
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	r := e.Do(t, "GET", "/oidc/v1/userinfo", tok.AccessToken, "")
	if r.Status != 200 {
		t.Fatalf("userinfo: %d %s", r.Status, r.Raw)
	}
	return r.Str("sub")
}
