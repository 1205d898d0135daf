package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/oidc"
	"github.com/warden-id/warden/internal/server"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
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
// provider on one port — with the caller's logger and options. It listens
// first, so the issuer is the address the server answers on.
func startWith(t testing.TB, st store.Store, log *slog.Logger, appOpts []app.Option, opts ...server.Option) *env {
	t.Helper()
	a := app.New(st, log, "localhost", appOpts...)
	ctx, cancel := context.WithCancel(context.Background())
	boot, err := a.Bootstrap(ctx, "Warden", func(string) error { return nil })
	if err != nil || boot == nil {
		t.Fatalf("bootstrap: %v %v", boot, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	prov, err := oidc.New(ctx, a, st, "http://"+ln.Addr().String(), log)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(a, log, append(opts, server.WithOIDC(prov.Handler(), nil))...)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, 5*time.Second) }()
	t.Cleanup(func() {
		// Connections the client dialed but never used count as new, not idle,
		// and http.Server.Shutdown waits 5 s before it closes those: drop
		// them from the client side first.
		http.DefaultClient.CloseIdleConnections()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	e := &env{t: t, base: "http://" + ln.Addr().String(), addr: ln.Addr().String(), token: boot.Token, app: a, store: st,
		orgID: boot.Instance.DefaultOrgID}
	e.waitReady()
	return e
}

func (e *env) waitReady() {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(e.base + "/debug/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.t.Fatal("server never became ready")
}

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
