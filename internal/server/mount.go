package server

import (
	"net/http"

	"github.com/warden-id/warden/internal/oidc"
)

// mount is an extra handler on the shared port (the OIDC provider, the login page).
type mount struct {
	pattern string
	handler http.Handler
}

// WithMount serves h for the ServeMux pattern on the same port as the API.
func WithMount(pattern string, h http.Handler) Option {
	return func(s *Server) { s.mounts = append(s.mounts, mount{pattern, h}) }
}

// WithOIDC serves the OpenID provider's handler at ZITADEL's paths and, when
// login is not nil, the login page under /ui/login.
func WithOIDC(provider, login http.Handler) Option {
	return func(s *Server) {
		for _, p := range []string{"/.well-known/openid-configuration", "/oauth/v2/", "/oidc/v1/"} {
			s.mounts = append(s.mounts, mount{p, provider})
		}
		if login != nil {
			s.mounts = append(s.mounts, mount{"/ui/login", login}, mount{"/ui/login/", login},
				mount{"GET /device", http.HandlerFunc(deviceRedirect)})
		}
	}
}

// deviceRedirect sends the device flow's short verification URI (ZITADEL's
// /device, what devices show) on to the login page's user-code form, query
// (the prefilled user_code) and all.
func deviceRedirect(w http.ResponseWriter, r *http.Request) {
	to := oidc.LoginDevicePath
	if r.URL.RawQuery != "" {
		to += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, to, http.StatusFound)
}

// WithConsole serves the admin console under /ui/console and sends GET / there,
// so a newcomer who opens the bare address finds it.
func WithConsole(console http.Handler) Option {
	return func(s *Server) {
		s.mounts = append(s.mounts, mount{"/ui/console", console}, mount{"/ui/console/", console},
			mount{"GET /{$}", http.RedirectHandler("/ui/console", http.StatusFound)})
	}
}
