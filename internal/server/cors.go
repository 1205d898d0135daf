package server

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// CORS on the API (REST, gRPC-Web and Connect paths; not the login page, the
// console or /debug), so a browser page on another origin can call Warden as
// it calls ZITADEL, e.g. with @zitadel/client's gRPC-Web or Connect
// transport. The headers are ZITADEL's (internal/api/http/middleware): its
// request headers, among them gRPC-Web's and Connect's, and the gRPC status
// headers exposed, so a trailers-only gRPC-Web error can be read by the page.
// Warden adds its own X-Request-Id and the W3C trace headers.
//
// ZITADEL reflects any origin and allows credentials. Warden's API reads no
// cookie (a bearer token is the credential), so by default it answers "*" and
// never allows credentials with it; for a configured list of origins it
// reflects the matching one and allows credentials, so a page that fetches
// with credentials: "include" still works from those origins.
const (
	corsAllowMethods = "GET, HEAD, POST, PUT, PATCH, DELETE"
	corsAllowHeaders = "Origin, Content-Type, Accept, Accept-Language, Authorization, X-Zitadel-Orgid, " +
		"X-User-Agent, X-Grpc-Web, X-Requested-With, Connect-Protocol-Version, Connect-Timeout-Ms, Grpc-Timeout, " +
		"X-Request-Id, Traceparent, Tracestate"
	corsExposeHeaders = "Location, Content-Length, Grpc-Status, Grpc-Message, Grpc-Status-Details-Bin, X-Request-Id, WWW-Authenticate"
	// corsMaxAge is how long a browser may reuse a preflight (Chromium caps it at 2 h).
	corsMaxAge = "7200"
)

// corsPolicy says which origins may call the API from a browser.
type corsPolicy struct {
	any     bool            // every origin, answered "*", never with credentials
	origins map[string]bool // else exactly these, reflected, with credentials
}

var originPattern = regexp.MustCompile(`^[a-z][a-z0-9+.-]*://[^/?#@\s]+$`)

// ParseCORSOrigins reads the --cors-origins setting: "*" (any origin), a
// comma-separated list of origins such as https://app.example.com or
// http://localhost:3000, or "" for no CORS at all.
func ParseCORSOrigins(v string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(v, ",") {
		o = strings.ToLower(strings.TrimSpace(o))
		switch {
		case o == "":
			continue
		case o == "*":
		case o == "null":
			return nil, errors.New(`the origin "null" is every sandboxed page's and file's; it cannot be allowed`)
		case !originPattern.MatchString(o):
			return nil, fmt.Errorf("%q is no origin: want scheme://host[:port], without path, e.g. https://app.example.com", o)
		}
		out = append(out, o)
	}
	if len(out) > 1 {
		for _, o := range out {
			if o == "*" {
				return nil, errors.New(`"*" allows every origin: give it alone or list origins`)
			}
		}
	}
	return out, nil
}

func newCORSPolicy(origins []string) (*corsPolicy, error) {
	p := &corsPolicy{origins: map[string]bool{}}
	for _, o := range origins {
		norm, err := ParseCORSOrigins(o)
		if err != nil {
			return nil, err
		}
		for _, n := range norm {
			if n == "*" {
				p.any = true
			} else {
				p.origins[n] = true
			}
		}
	}
	if p.any && len(p.origins) > 0 {
		return nil, errors.New(`"*" allows every origin: give it alone or list origins`)
	}
	if !p.any && len(p.origins) == 0 {
		return nil, nil
	}
	return p, nil
}

// WithCORSOrigins sets the origins the API answers browsers from (see
// ParseCORSOrigins); none turns CORS off. Without it: "*", as permissive as
// ZITADEL save credentials.
func WithCORSOrigins(origins ...string) Option {
	return func(s *Server) { s.corsOrigins, s.corsSet = origins, true }
}

// cors answers preflights for next and marks its answers readable by the
// allowed origins.
func (s *Server) cors(next http.Handler) http.Handler {
	p := s.corsPolicy
	if p == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		h := w.Header()
		if !p.any {
			h.Add("Vary", "Origin") // the answer depends on it, for caches
		}
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		allowed := p.any || p.origins[strings.ToLower(origin)]
		if preflight {
			if !p.any {
				h.Add("Vary", "Access-Control-Request-Method")
				h.Add("Vary", "Access-Control-Request-Headers")
			}
			if allowed {
				p.allow(h, origin)
				h.Set("Access-Control-Allow-Methods", corsAllowMethods)
				h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
				h.Set("Access-Control-Max-Age", corsMaxAge)
			}
			// Without the allow headers the browser refuses the call itself.
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if allowed {
			p.allow(h, origin)
			h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		}
		next.ServeHTTP(w, r)
	})
}

func (p *corsPolicy) allow(h http.Header, origin string) {
	if p.any {
		h.Set("Access-Control-Allow-Origin", "*")
		return
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Credentials", "true")
}
