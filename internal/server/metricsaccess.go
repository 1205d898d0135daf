package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"net"
	"net/http"
	"strings"
)

// Metrics are private by default. WithMetrics only records them; they are served
// where an operator says so, and nowhere else:
//
//   - WithMetricsListener: on a listener of their own (loopback or a private
//     network), which answers GET /debug/metrics and nothing else, without a
//     token;
//   - WithMetricsToken: on the API port too, to callers presenting
//     "Authorization: Bearer <token>" (compared in constant time; 401 otherwise).
//
// With neither, GET /debug/metrics on the API port is 404 like any unknown path.

// WithMetricsToken serves GET /debug/metrics on the API port to callers that
// present token as a bearer token. An empty token leaves the endpoint off.
func WithMetricsToken(token string) Option { return func(s *Server) { s.metricsToken = token } }

// WithMetricsListener serves GET /debug/metrics, and nothing else, on ln. Serve
// starts it with the API and shuts both down together.
func WithMetricsListener(ln net.Listener) Option { return func(s *Server) { s.metricsLn = ln } }

// requireBearer lets a request through only with the bearer token want.
func requireBearer(want string, next http.Handler) http.Handler {
	wantSum := sha256.Sum256([]byte(want))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := "", false
		if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
			got, ok = strings.TrimSpace(h[7:]), true
		}
		// Hashing first makes the comparison constant-time in the token's length too.
		gotSum := sha256.Sum256([]byte(got))
		if !ok || subtle.ConstantTimeCompare(gotSum[:], wantSum[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="warden-metrics"`)
			http.Error(w, "metrics need the metrics bearer token\n", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// metricsOnly is the handler of the metrics listener.
func (s *Server) metricsOnly() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /debug/metrics", s.metrics.Handler()) // every other path: 404
	return s.observe(mux)
}
