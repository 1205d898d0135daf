package console_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/warden-id/warden/internal/wardentest"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/oidc"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
)

// env is a running Warden with the API, the OpenID provider, the login page
// and the console on one loopback port — the binary's wiring.
type env struct {
	t     testing.TB
	base  string // http://127.0.0.1:port, also the issuer
	token string // the bootstrap machine admin's PAT
	app   *app.App
	store store.Store
	prov  *oidc.Provider
	orgID string
	// The bootstrap human administrator (IAM_OWNER), who must change the
	// one-time password at the first sign-in.
	adminLogin, adminPassword string
	logs                      *syncBuffer
	// challenges answers org domain validations over HTTPS (its hosts:
	// example.com, example.org and their subdomains).
	challenges *wardentest.Challenges
}

// syncBuffer collects log output from many goroutines.
type syncBuffer = wardentest.LogBuffer

func startEnv(t testing.TB) *env {
	t.Helper()
	return startEnvOn(t, testdb.SQLite(t))
}

// startEnvOn starts Warden on the store st (testdb.Each gives one per engine).
func startEnvOn(t testing.TB, st store.Store) *env {
	t.Helper()
	logs := &syncBuffer{}
	var w io.Writer = logs
	if testing.Verbose() {
		w = io.MultiWriter(logs, os.Stderr)
	}
	log := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
	// No throttle: the tests sign in many times from one address.
	ch := wardentest.NewChallenges(t)
	in := wardentest.Start(t, st, wardentest.Options{Log: log, Login: &login.Options{AttemptsPerMinute: -1}, Console: true,
		AppOptions: []app.Option{ch.Option()}})
	return &env{t: t, base: in.Base, token: in.Boot.Token, app: in.App, store: st, prov: in.Provider,
		orgID: in.Boot.Instance.DefaultOrgID, adminLogin: in.Boot.HumanLogin, adminPassword: in.Boot.HumanPassword, logs: logs,
		challenges: ch}
}

// --- the REST API, as the bootstrap machine admin ---

type reply struct {
	status int
	raw    string
	body   map[string]any
}

func (r reply) str(path ...string) string {
	var v any = r.body
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	s, _ := v.(string)
	return s
}

func (e *env) api(method, path, body string) reply {
	e.t.Helper()
	req, err := http.NewRequest(method, e.base+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, raw: string(raw)}
	if len(bytes.TrimSpace(raw)) > 0 {
		_ = json.Unmarshal(raw, &r.body)
	}
	if r.status != 200 {
		e.t.Fatalf("%s %s: %d %s", method, path, r.status, r.raw)
	}
	return r
}

// Password every imported human gets.
const password = "Secret-Pass-1"

// importHuman creates an active human with a password; roles (if any) make it
// a member of the default org.
func (e *env) importHuman(name string, roles ...string) string {
	e.t.Helper()
	body := fmt.Sprintf(`{"userName":%q,"profile":{"firstName":%q,"lastName":"Example"},"email":{"email":%q,"isEmailVerified":true},"password":%q}`,
		name, strings.ToUpper(name[:1])+name[1:], name+"@example.com", password)
	id := e.api("POST", "/management/v1/users/human/_import", body).str("userId")
	if id == "" {
		e.t.Fatal("no user id")
	}
	if len(roles) > 0 {
		rs, _ := json.Marshal(roles)
		e.api("POST", "/management/v1/orgs/me/members", `{"userId":"`+id+`","roles":`+string(rs)+`}`)
	}
	return id
}

func (e *env) userState(id string) string {
	e.t.Helper()
	return e.api("GET", "/management/v1/users/"+id, "").str("user", "state")
}

// --- a browser without JavaScript: an HTTP client with a cookie jar ---

type browser struct {
	t    testing.TB
	e    *env
	c    *http.Client
	last page
}

type page struct {
	status int
	url    string
	body   string
	header http.Header
}

func (e *env) newBrowser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: e.t, e: e, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	b.last = page{status: resp.StatusCode, url: resp.Request.URL.String(), body: string(raw), header: resp.Header}
	return b.last
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.e.base+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.e.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// noRedirect runs fn with redirects not followed.
func (b *browser) noRedirect(fn func()) {
	b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	defer func() { b.c.CheckRedirect = nil }()
	fn()
}

var hiddenRE = regexp.MustCompile(`<input type="hidden" name="(\w+)" value="([^"]*)">`)

// hidden returns the hidden fields of the page (the first value of each name).
func (p page) hidden() url.Values {
	v := url.Values{}
	for _, m := range hiddenRE.FindAllStringSubmatch(p.body, -1) {
		if v.Get(m[1]) == "" {
			v.Set(m[1], html.UnescapeString(m[2]))
		}
	}
	return v
}

// signIn goes from a console page through the real login page (and the forced
// password change, when newPassword is set) back to the console.
func (b *browser) signIn(loginName, pw, newPassword string) page {
	b.t.Helper()
	return b.signInAt("/ui/console/users", loginName, pw, newPassword)
}

// signInAt signs in from the console page start (a caller without users
// permission starts elsewhere) and checks that the sign-in returns there.
func (b *browser) signInAt(start, loginName, pw, newPassword string) page {
	b.t.Helper()
	p := b.get(start)
	if !strings.Contains(p.url, "/ui/login?authRequestID=") {
		b.t.Fatalf("console did not send us to the login page: %s %d", p.url, p.status)
	}
	f := p.hidden()
	f.Set("loginName", loginName)
	p = b.post("/ui/login/username", f)
	f = p.hidden()
	f.Set("password", pw)
	p = b.post("/ui/login/password", f)
	if newPassword != "" {
		if !strings.Contains(p.body, `name="newPassword"`) {
			b.t.Fatalf("no password change form: %d %s", p.status, p.body)
		}
		f = p.hidden()
		f.Set("newPassword", newPassword)
		f.Set("confirmPassword", newPassword)
		p = b.post("/ui/login/change", f)
	}
	if p.status != 200 || !strings.HasPrefix(p.url, b.e.base+start) {
		b.t.Fatalf("sign-in ended at %s (%d): %s", p.url, p.status, p.body)
	}
	return p
}

// csrf is the console's CSRF token from the last page.
func (b *browser) csrf() string {
	b.t.Helper()
	v := b.last.hidden().Get("csrf")
	if v == "" {
		b.t.Fatalf("no CSRF token on %s", b.last.url)
	}
	return v
}

// must checks a page's status and that it contains every text.
func (p page) must(t testing.TB, status int, texts ...string) page {
	t.Helper()
	if p.status != status {
		t.Fatalf("%s: status %d, want %d:\n%s", p.url, p.status, status, p.body)
	}
	for _, s := range texts {
		if !strings.Contains(p.body, s) {
			t.Fatalf("%s: no %q in:\n%s", p.url, s, p.body)
		}
	}
	return p
}

// newAdminPassword is what the bootstrap administrator changes to.
const newAdminPassword = "Console-Admin-Pass-9"
