package login_test

import (
	"encoding/json"
	"fmt"
	"github.com/warden-id/warden/internal/wardentest"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/oidc"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
)

// env is a running Warden (API, OpenID provider, login page) on a loopback port.
type env struct {
	t     testing.TB
	in    *wardentest.Instance
	base  string // http://127.0.0.1:port, also the issuer
	token string // the admin's PAT
	app   *app.App
	store store.Store
	prov  *oidc.Provider
	orgID string
	logs  *syncBuffer // warnings and errors the server logged
}

// syncBuffer collects log output from many goroutines.
type syncBuffer = wardentest.LogBuffer

// eachEngine runs fn once per engine as a subtest.
func eachEngine(t *testing.T, fn func(t *testing.T, open func(testing.TB) store.Store)) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) { fn(t, open) })
}

// startEnv starts Warden on a fresh store: listen first, so the issuer is the
// address the server answers on.
func startEnv(t testing.TB, st store.Store, opts login.Options) *env {
	t.Helper()
	logs := &syncBuffer{}
	var w io.Writer = logs
	if testing.Verbose() {
		w = io.MultiWriter(logs, os.Stderr)
	}
	log := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
	// The same wiring as the binary: the provider at ZITADEL's paths, the
	// login page at /ui/login and /ui/login/.
	in := wardentest.Start(t, st, wardentest.Options{Log: log, Login: &opts})
	return &env{t: t, in: in, base: in.Base, token: in.Boot.Token, app: in.App, store: st, prov: in.Provider,
		orgID: in.Boot.Instance.DefaultOrgID, logs: logs}
}

func (e *env) do(method, path, token, body string) wardentest.Reply {
	e.t.Helper()
	return e.in.Do(e.t, method, path, token, body)
}

func (e *env) admin(method, path, body string) wardentest.Reply {
	e.t.Helper()
	return e.do(method, path, e.token, body)
}

func (e *env) must(r wardentest.Reply, status int) wardentest.Reply {
	e.t.Helper()
	return wardentest.Must(e.t, r, status)
}

// Password every imported human gets.
const password = "Secret-Pass-1"

// importHuman creates an active human with a password; roles (if any) make it
// a member of the default org.
func (e *env) importHuman(name string, changeRequired bool, roles ...string) string {
	e.t.Helper()
	body := fmt.Sprintf(`{"userName":%q,"profile":{"firstName":"F","lastName":"L"},"email":{"email":%q,"isEmailVerified":true},"password":%q,"passwordChangeRequired":%t}`,
		name, name+"@example.com", password, changeRequired)
	id := e.must(e.admin("POST", "/management/v1/users/human/_import", body), 200).Str("userId")
	if id == "" {
		e.t.Fatal("no user id")
	}
	if len(roles) > 0 {
		rs, _ := json.Marshal(roles)
		e.must(e.admin("POST", "/management/v1/orgs/me/members", `{"userId":"`+id+`","roles":`+string(rs)+`}`), 200)
	}
	return id
}

// userState reads a user's state name via REST.
func (e *env) userState(id string) string {
	e.t.Helper()
	return e.must(e.admin("GET", "/management/v1/users/"+id, ""), 200).Str("user", "state")
}

// eventCounts counts a user's events by type via ListUserChanges.
func (e *env) eventCounts(id string) map[string]int {
	e.t.Helper()
	r := e.must(e.admin("POST", "/management/v1/users/"+id+"/changes/_search", `{"query":{"asc":true,"limit":1000}}`), 200)
	out := map[string]int{}
	res, _ := r.Body["result"].([]any)
	for _, c := range res {
		m, _ := c.(map[string]any)
		et, _ := m["eventType"].(map[string]any)
		typ, _ := et["localizedMessage"].(string)
		out[typ]++
	}
	return out
}

// setLockout gives the default org a lockout policy.
func (e *env) setLockout(max int) {
	e.t.Helper()
	e.must(e.admin("POST", "/management/v1/policies/lockout", fmt.Sprintf(`{"maxPasswordAttempts":%d}`, max)), 200)
}
