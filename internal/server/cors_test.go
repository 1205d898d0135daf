package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/server"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
)

// startFront starts Warden with its login page and console, and opts.
func startFront(t *testing.T, open testdb.Opener, opts ...server.Option) *wardentest.Instance {
	t.Helper()
	return wardentest.Start(t, open(t), wardentest.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Login: &login.Options{}, Console: true, ServerOptions: opts})
}

// corsAsk sends a request with an Origin (a preflight when method is OPTIONS)
// and returns the answer's status and headers.
func corsAsk(t *testing.T, base, method, path, origin string) (int, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, nil)
	req.Header.Set("Origin", origin)
	if method == http.MethodOptions {
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type,x-grpc-web,x-user-agent,connect-protocol-version")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}

// apiPaths are API paths of every kind: REST of each prefix, the RPC paths of
// served, unserved and unknown services.
var apiPaths = []string{
	"/management/v1/users/1/_lock", "/v2/users/1/lock", "/v2beta/users/1/lock", "/admin/v1/healthz", "/auth/v1/users/me",
	"/system/v1/healthz", "/v2/sessions", "/zitadel.user.v2.UserService/LockUser",
	"/zitadel.user.v2beta.UserService/GetUserByID", "/zitadel.admin.v1.AdminService/Healthz", "/zitadel.nothing.v1.Unknown/Call",
}

// notCORS are pages a script on another origin must not read, nor be told it may.
var notCORS = []string{"/ui/login", "/ui/login/password", "/ui/console", "/ui/console/users", "/debug/ready", "/debug/healthz", "/"}

// TestCORS: by default every origin may call the API — preflights of REST,
// gRPC-Web and Connect paths answered with ZITADEL's allowed headers
// (gRPC-Web's and Connect's among them), answers exposing the gRPC status
// headers — as "*" and never with credentials. With a list of origins only
// those are answered, reflected, with credentials, varying by Origin. The
// login page, the console, /debug and / are never CORS endpoints. No CORS at
// all when the list is empty.
func TestCORS(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		const evil = "https://evil.example"
		t.Run("default", func(t *testing.T) {
			in := startFront(t, open)
			for _, p := range apiPaths {
				st, h := corsAsk(t, in.Base, "OPTIONS", p, evil)
				if st != 204 || h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Access-Control-Allow-Credentials") != "" ||
					h.Get("Access-Control-Max-Age") == "" {
					t.Errorf("preflight %s: %d %v", p, st, h)
				}
				for _, want := range []string{"POST", "GET", "PUT", "PATCH", "DELETE"} {
					if !strings.Contains(h.Get("Access-Control-Allow-Methods"), want) {
						t.Errorf("preflight %s: methods %q lack %s", p, h.Get("Access-Control-Allow-Methods"), want)
					}
				}
				for _, want := range []string{"Authorization", "Content-Type", "X-Zitadel-Orgid", "X-Grpc-Web", "X-User-Agent",
					"Connect-Protocol-Version", "Connect-Timeout-Ms", "Grpc-Timeout", "Accept-Language"} {
					if !strings.Contains(h.Get("Access-Control-Allow-Headers"), want) {
						t.Errorf("preflight %s: allowed headers %q lack %s", p, h.Get("Access-Control-Allow-Headers"), want)
					}
				}
			}
			st, h := corsAsk(t, in.Base, "GET", "/management/v1/healthz", evil)
			if st != 200 || h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Access-Control-Allow-Credentials") != "" {
				t.Errorf("GET healthz: %d %v", st, h)
			}
			for _, want := range []string{"Grpc-Status", "Grpc-Message", "Grpc-Status-Details-Bin", "Location", "X-Request-Id"} {
				if !strings.Contains(h.Get("Access-Control-Expose-Headers"), want) {
					t.Errorf("exposed headers %q lack %s", h.Get("Access-Control-Expose-Headers"), want)
				}
			}
			// A request without Origin is no CORS request: nothing added.
			if st, h := corsAsk(t, in.Base, "GET", "/management/v1/healthz", ""); st != 200 || h.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("no Origin: %d %v", st, h)
			}
			for _, p := range notCORS {
				for _, m := range []string{"OPTIONS", "GET"} {
					if _, h := corsAsk(t, in.Base, m, p, evil); h.Get("Access-Control-Allow-Origin") != "" ||
						h.Get("Access-Control-Allow-Methods") != "" || h.Get("Access-Control-Allow-Credentials") != "" {
						t.Errorf("%s %s answers CORS: %v", m, p, h)
					}
				}
			}
		})
		t.Run("list", func(t *testing.T) {
			const app = "https://app.example"
			in := startFront(t, open, server.WithCORSOrigins(app, "http://localhost:3000"))
			for _, p := range apiPaths {
				st, h := corsAsk(t, in.Base, "OPTIONS", p, app)
				if st != 204 || h.Get("Access-Control-Allow-Origin") != app || h.Get("Access-Control-Allow-Credentials") != "true" ||
					!strings.Contains(strings.Join(h.Values("Vary"), ","), "Origin") {
					t.Errorf("preflight %s from %s: %d %v", p, app, st, h)
				}
				st, h = corsAsk(t, in.Base, "OPTIONS", p, evil)
				if h.Get("Access-Control-Allow-Origin") != "" || h.Get("Access-Control-Allow-Methods") != "" ||
					h.Get("Access-Control-Allow-Credentials") != "" {
					t.Errorf("preflight %s from %s: %d %v", p, evil, st, h)
				}
			}
			if st, h := corsAsk(t, in.Base, "GET", "/management/v1/healthz", app); st != 200 || h.Get("Access-Control-Allow-Origin") != app ||
				!strings.Contains(strings.Join(h.Values("Vary"), ","), "Origin") {
				t.Errorf("GET from %s: %d %v", app, st, h)
			}
			if st, h := corsAsk(t, in.Base, "GET", "/management/v1/healthz", evil); st != 200 || h.Get("Access-Control-Allow-Origin") != "" ||
				!strings.Contains(strings.Join(h.Values("Vary"), ","), "Origin") {
				t.Errorf("GET from %s: %d %v", evil, st, h)
			}
			for _, p := range notCORS {
				if _, h := corsAsk(t, in.Base, "OPTIONS", p, app); h.Get("Access-Control-Allow-Origin") != "" {
					t.Errorf("OPTIONS %s answers CORS to a listed origin: %v", p, h)
				}
			}
		})
		t.Run("off", func(t *testing.T) {
			in := startFront(t, open, server.WithCORSOrigins())
			for _, p := range apiPaths {
				if _, h := corsAsk(t, in.Base, "OPTIONS", p, evil); h.Get("Access-Control-Allow-Origin") != "" || h.Get("Access-Control-Allow-Methods") != "" {
					t.Errorf("preflight %s with CORS off: %v", p, h)
				}
			}
		})
	})
}

// TestRootWithoutConsole: with no console mounted, / stays a JSON 404.
func TestRootWithoutConsole(t *testing.T) {
	e := startEnv(t, testdb.SQLite(t))
	if r := e.do("GET", "/", "", ""); r.status != 404 || r.errID() != "WARDEN-NOROUTE" {
		t.Fatalf("GET /: %d %s", r.status, r.raw)
	}
}
