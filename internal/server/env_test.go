package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/server"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
)

// env is a running Warden on a loopback port with a bootstrapped instance.
type env struct {
	t     testing.TB
	base  string // http://127.0.0.1:port
	addr  string
	token string // the admin's PAT
	app   *app.App
	store store.Store
	orgID string
}

// engines lists the stores end-to-end tests run on: always SQLite, and
// PostgreSQL when WARDEN_TEST_POSTGRES names one.
func engines(*testing.T) map[string]testdb.Opener {
	m := map[string]testdb.Opener{}
	for _, e := range testdb.Engines() {
		m[e.Name] = e.Open
	}
	return m
}

func startEnv(t testing.TB, st store.Store) *env {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return startWith(t, st, log, nil)
}

// startWith starts Warden wired as the binary does — the API and the OpenID
// provider on one port — with the caller's logger and options.
func startWith(t testing.TB, st store.Store, log *slog.Logger, appOpts []app.Option, opts ...server.Option) *env {
	t.Helper()
	in := wardentest.Start(t, st, wardentest.Options{Log: log, AppOptions: appOpts, ServerOptions: opts})
	return &env{t: t, base: in.Base, addr: in.Addr, token: in.Boot.Token, app: in.App, store: st,
		orgID: in.Boot.Instance.DefaultOrgID}
}

func (e *env) waitReady() { wardentest.WaitReady(e.t, e.base) }

// reply is a decoded REST answer.
type reply struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

// errID returns the zitadel.v1.ErrorDetail id of an error body.
func (r reply) errID() string {
	ds, _ := r.body["details"].([]any)
	for _, d := range ds {
		m, _ := d.(map[string]any)
		if m["@type"] == "type.googleapis.com/zitadel.v1.ErrorDetail" {
			s, _ := m["id"].(string)
			return s
		}
	}
	return ""
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

func (e *env) do(method, path, token, body string, hdr ...string) reply {
	e.t.Helper()
	req, err := http.NewRequest(method, e.base+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if len(bytes.TrimSpace(raw)) > 0 {
		_ = json.Unmarshal(raw, &r.body)
	}
	return r
}

// admin calls as the administrator.
func (e *env) admin(method, path, body string, hdr ...string) reply {
	e.t.Helper()
	return e.do(method, path, e.token, body, hdr...)
}

func (e *env) must(r reply, status int) reply {
	e.t.Helper()
	if r.status != status {
		e.t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	return r
}

// importHuman creates an active human with a password and returns its id.
func (e *env) importHuman(name string, hdr ...string) string {
	e.t.Helper()
	r := e.must(e.admin("POST", "/management/v1/users/human/_import", `{"userName":"`+name+`","profile":{"firstName":"F","lastName":"L"},"email":{"email":"`+name+`@example.com","isEmailVerified":true},"password":"Secret-Pass-1"}`, hdr...), 200)
	return r.str("userId")
}

// machineWithToken creates a machine user, gives it roles in the admin's org
// (none if roles is empty) and returns its id and a PAT.
func (e *env) machineWithToken(name string, roles ...string) (string, string) {
	e.t.Helper()
	id := e.must(e.admin("POST", "/management/v1/users/machine", `{"userName":"`+name+`","name":"`+name+`"}`), 200).str("userId")
	if len(roles) > 0 {
		rs, _ := json.Marshal(roles)
		e.must(e.admin("POST", "/management/v1/orgs/me/members", `{"userId":"`+id+`","roles":`+string(rs)+`}`), 200)
	}
	tok := e.must(e.admin("POST", "/management/v1/users/"+id+"/pats", `{}`), 200).str("token")
	if tok == "" {
		e.t.Fatal("no token returned")
	}
	return id, tok
}
