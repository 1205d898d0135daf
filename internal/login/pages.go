package login

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

//go:embed templates/*.html templates/style.css
var templateFS embed.FS

// page is what a template shows.
type page struct {
	Title         string
	Error         string // shown with role=alert and referenced by aria-describedby
	Message       string
	AuthRequestID string
	LoginName     string
	Ticket        string // forced password change
	ShowLogout    bool
	AppName       string   // consent: the client asking
	OrgName       string   // consent: the client's organisation
	UserCode      string   // device: the code typed or prefilled
	Scopes        []string // device approval: what the device asks for
	Action        string   // a code's form: where it posts (reset.go)
	UserID        string   // a code's form (reset, init, e-mail verification): whose code
	Code          string   // a code's form: the code from the link
	Invite        bool     // a code's form: an invitation, not an initialization code

	CSRF        string
	CSS         template.CSS
	MaxName     int
	MaxPassword int
}

type pages struct {
	tmpl      map[string]*template.Template
	css       template.CSS
	styleHash string // CSP source of the inline style
}

func loadPages() *pages {
	css, err := templateFS.ReadFile("templates/style.css")
	if err != nil {
		panic(err)
	}
	css = bytes.TrimSpace(css)
	sum := sha256.Sum256(css)
	ps := &pages{tmpl: map[string]*template.Template{}, css: template.CSS(css),
		styleHash: "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"}
	for _, name := range []string{"username", "password", "change", "consent", "message", "device", "device-approve", "forgot", "setpassword", "verify"} {
		ps.tmpl[name] = template.Must(template.ParseFS(templateFS, "templates/base.html", "templates/"+name+".html"))
	}
	return ps
}

// render writes a page with the security headers. redirectURI is the auth
// request's redirect URI, whose origin forms may lead to: browsers check the
// redirects that follow a form post against form-action.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p page, redirectURI string) {
	p.CSRF = h.csrfFor(h.prov.EnsureBrowser(w, r))
	p.CSS = h.pages.css
	p.MaxName, p.MaxPassword = maxLoginName, maxPassword
	var buf bytes.Buffer
	if err := h.pages.tmpl[name].ExecuteTemplate(&buf, "base.html", p); err != nil {
		h.log.ErrorContext(r.Context(), "login: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	formAction := "'self'"
	if src := cspSource(redirectURI); src != "" {
		formAction += " " + src
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src "+h.pages.styleHash+
		"; form-action "+formAction+"; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

func (h *handler) message(w http.ResponseWriter, r *http.Request, status int, p page) {
	h.render(w, r, status, "message", p, "")
}

// cspSource is the CSP source expression for a redirect URI's origin ("" if
// it cannot be expressed safely): scheme://host[:port] for web URIs, "scheme:"
// for the private-use schemes of native apps.
func cspSource(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return ""
	}
	scheme := strings.ToLower(u.Scheme)
	for i, c := range scheme {
		if !(c >= 'a' && c <= 'z' || i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return ""
		}
	}
	if scheme != "http" && scheme != "https" {
		return scheme + ":"
	}
	if u.Host == "" {
		return ""
	}
	for _, c := range u.Host {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(".-:[]", c)) {
			return ""
		}
	}
	return scheme + "://" + u.Host
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
