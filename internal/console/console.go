// Package console is Warden's administrator console: server-rendered HTML
// (html/template, embedded templates and CSS, no JavaScript, no external
// resources) at /ui/console.
//
// The console is an OAuth2 client of Warden's own OpenID provider: it signs in
// through the login page with the authorization code flow and PKCE, keeps the
// access token server-side, and presents it to app.Authenticate on every
// request. So every page and action is authorized exactly like the API — the
// same Caller, the same use cases, the same permission checks in the same org
// context — and a lock, deactivation or token revocation ends the console
// session with the next click.
//
// Every action is a plain form (POST, then redirect to a GET), so the console
// works with JavaScript off; dangerous actions go through a confirmation page.
package console

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/oidc"
	"golang.org/x/oauth2"
	"google.golang.org/grpc/codes"
)

// ClientID is the built-in OAuth2 client the console signs in as.
const ClientID = "warden-console"

// Paths.
const (
	basePath      = "/ui/console"
	pathSignIn    = basePath + "/signin"
	pathCallback  = basePath + "/callback"
	pathSignOut   = basePath + "/signout"
	pathSignedOut = basePath + "/signed-out"
	pathUsers     = basePath + "/users"
	pathMembers   = basePath + "/members"
	pathPolicy    = basePath + "/policy"
	pathOrg       = basePath + "/org"
	pathApps      = basePath + "/apps"
	pathProjects  = basePath + "/projects"
	// pathOrgSettings, not pathOrg: that one is the org switcher's post.
	pathOrgSettings = basePath + "/organisation"
	pathCSS         = basePath + "/static/console.css"
	// pathHome leads to the first page the caller may see (home).
	pathHome = basePath + "/"
)

// Cookies. Both are HttpOnly and scoped to the console's path; the session
// cookie only names a server-side record holding the access token.
const (
	sessionCookie = "warden_console"
	signInCookie  = "warden_console_signin" // state, PKCE verifier and return path of one sign-in
)

// Limits.
const (
	maxBody        = 64 << 10
	requestTimeout = 30 * time.Second
	signInTTL      = 10 * time.Minute
	// maxSessionTTL caps a console session even if a token lived longer; the
	// login page's own session makes the next sign-in a pair of redirects.
	maxSessionTTL = 12 * time.Hour
)

// Scopes the console asks for: the API audience makes the access token valid
// for Authenticate, as for any API client.
var scopes = []string{"openid", "profile", "urn:zitadel:iam:org:project:id:zitadel:aud"}

// Options configure the console.
type Options struct {
	// Logger receives errors; nil discards.
	Logger *slog.Logger
	// HTTPClient makes the token request to the provider; nil = http.DefaultClient.
	HTTPClient *http.Client
	// SecureCookies marks cookies Secure; it defaults to true when the issuer is https.
	SecureCookies bool
}

type handler struct {
	app    *app.App
	prov   *oidc.Provider
	log    *slog.Logger
	opts   Options
	oauth  *oauth2.Config
	issuer string // the provider's issuer (Warden's external URL)
	csp    string
	pages  *pages
	mux    *http.ServeMux
}

// New returns the console's handler, to be mounted at /ui/console and
// /ui/console/. It registers the built-in client "warden-console" (created or
// updated idempotently), whose redirect URI is the issuer's /ui/console/callback.
func New(a *app.App, p *oidc.Provider, opts Options) (http.Handler, error) {
	issuer := strings.TrimSuffix(p.Issuer(), "/")
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("console: issuer %q is not an http(s) URL", issuer)
	}
	if u.Scheme == "https" {
		opts.SecureCookies = true
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = a.EnsurePublicClient(ctx, ClientID, "Warden console",
		[]string{issuer + pathCallback}, []string{issuer + pathSignedOut}, u.Scheme == "http")
	if err != nil {
		return nil, fmt.Errorf("console: register client: %w", err)
	}
	pg, err := loadPages()
	if err != nil {
		return nil, err
	}
	h := &handler{app: a, prov: p, log: log, opts: opts, issuer: issuer, pages: pg,
		oauth: &oauth2.Config{ClientID: ClientID, RedirectURL: issuer + pathCallback, Scopes: scopes,
			Endpoint: oauth2.Endpoint{AuthURL: issuer + "/oauth/v2/authorize", TokenURL: issuer + "/oauth/v2/token",
				AuthStyle: oauth2.AuthStyleInParams}}}
	// Forms post to the console itself; sign-out's redirect goes on to the
	// provider's end_session endpoint, which browsers check against form-action.
	h.csp = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' " + u.Scheme + "://" + u.Host +
		"; frame-ancestors 'none'; base-uri 'none'"
	h.routes()
	return h, nil
}

func (h *handler) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET "+pathCSS, h.css)
	m.HandleFunc("GET "+pathSignIn, h.signIn)
	m.HandleFunc("GET "+pathCallback, h.callback)
	m.HandleFunc("GET "+pathSignedOut, h.signedOut)
	m.HandleFunc("POST "+pathSignOut, h.authed(h.signOut))
	m.HandleFunc("GET "+pathHome+"{$}", h.authed(h.home))
	m.HandleFunc("POST "+pathOrg, h.authed(h.switchOrg))

	m.HandleFunc("GET "+pathUsers, h.authed(h.listUsers))
	m.HandleFunc("GET "+pathUsers+"/new", h.authed(h.newUserForm))
	m.HandleFunc("POST "+pathUsers+"/new", h.authed(h.createUser))
	m.HandleFunc("GET "+pathUsers+"/{id}", h.authed(h.showUser))
	m.HandleFunc("GET "+pathUsers+"/{id}/confirm", h.authed(h.confirmUserAction))
	m.HandleFunc("POST "+pathUsers+"/{id}/{action}", h.authed(h.userAction))
	m.HandleFunc("POST "+pathUsers+"/{id}/pats", h.authed(h.addPAT))
	m.HandleFunc("POST "+pathUsers+"/{id}/edit/{form}", h.authed(h.editUser))
	m.HandleFunc("POST "+pathUsers+"/{id}/pats/{pat}/remove", h.authed(h.removePAT))

	m.HandleFunc("GET "+pathMembers, h.authed(h.listMembers))
	m.HandleFunc("POST "+pathMembers, h.authed(h.addMember))
	m.HandleFunc("POST "+pathMembers+"/{user}", h.authed(h.updateMember))
	m.HandleFunc("GET "+pathMembers+"/{user}/confirm", h.authed(h.confirmRevoke))
	m.HandleFunc("POST "+pathMembers+"/{user}/remove", h.authed(h.revokeMember))

	m.HandleFunc("GET "+pathApps, h.authed(h.listApps))
	m.HandleFunc("POST "+pathApps+"/{project}/{app}/trust", h.authed(h.trustApp))

	m.HandleFunc("GET "+pathUsers+"/{id}/grants/new", h.authed(h.newGrantForm))
	m.HandleFunc("POST "+pathUsers+"/{id}/grants", h.authed(h.addGrant))
	m.HandleFunc("GET "+pathUsers+"/{id}/grants/{grant}/confirm", h.authed(h.confirmGrantAction))
	m.HandleFunc("POST "+pathUsers+"/{id}/grants/{grant}/{action}", h.authed(h.grantAction))

	m.HandleFunc("GET "+pathProjects, h.authed(h.listProjects))
	m.HandleFunc("POST "+pathProjects, h.authed(h.createProject))
	m.HandleFunc("GET "+pathProjects+"/{id}", h.authed(h.showProject))
	m.HandleFunc("POST "+pathProjects+"/{id}", h.authed(h.saveProject))
	m.HandleFunc("GET "+pathProjects+"/{id}/confirm", h.authed(h.confirmProjectAction))
	for _, a := range []string{"deactivate", "reactivate", "remove"} {
		m.HandleFunc("POST "+pathProjects+"/{id}/"+a, h.authed(h.projectAction(a)))
	}
	m.HandleFunc("POST "+pathProjects+"/{id}/roles", h.authed(h.addRole))
	m.HandleFunc("POST "+pathProjects+"/{id}/roles/update", h.authed(h.updateRole))
	m.HandleFunc("POST "+pathProjects+"/{id}/roles/remove", h.authed(h.removeRole))
	m.HandleFunc("POST "+pathProjects+"/{id}/apps", h.authed(h.createApp))
	m.HandleFunc("GET "+pathProjects+"/{id}/apps/{app}", h.authed(h.showApp))
	m.HandleFunc("POST "+pathProjects+"/{id}/apps/{app}/remove", h.authed(h.removeApp))
	m.HandleFunc("POST "+pathProjects+"/{id}/apps/{app}/keys", h.authed(h.addAppKey))
	m.HandleFunc("POST "+pathProjects+"/{id}/apps/{app}/keys/{key}/remove", h.authed(h.removeAppKey))

	m.HandleFunc("GET "+pathProjects+"/{id}/members", h.authed(h.showProjectMembers))
	m.HandleFunc("POST "+pathProjects+"/{id}/members", h.authed(h.addProjectMember))
	m.HandleFunc("POST "+pathProjects+"/{id}/members/{user}", h.authed(h.updateProjectMember))
	m.HandleFunc("GET "+pathProjects+"/{id}/members/{user}/confirm", h.authed(h.confirmProjectMemberRemove))
	m.HandleFunc("POST "+pathProjects+"/{id}/members/{user}/remove", h.authed(h.removeProjectMember))
	m.HandleFunc("GET "+pathProjects+"/{id}/grants", h.authed(h.showProjectGrants))
	m.HandleFunc("POST "+pathProjects+"/{id}/grants", h.authed(h.addProjectGrant))
	m.HandleFunc("GET "+pathProjects+"/{id}/grants/{grant}", h.authed(h.showProjectGrant))
	m.HandleFunc("POST "+pathProjects+"/{id}/grants/{grant}", h.authed(h.updateProjectGrant))
	m.HandleFunc("GET "+pathProjects+"/{id}/grants/{grant}/confirm", h.authed(h.confirmProjectGrantAction))
	for _, a := range []string{"deactivate", "reactivate", "remove"} {
		m.HandleFunc("POST "+pathProjects+"/{id}/grants/{grant}/"+a, h.authed(h.projectGrantAction(a)))
	}
	m.HandleFunc("POST "+pathProjects+"/{id}/grants/{grant}/members", h.authed(h.addProjectGrantMember))
	m.HandleFunc("POST "+pathProjects+"/{id}/grants/{grant}/members/{user}", h.authed(h.updateProjectGrantMember))
	m.HandleFunc("GET "+pathProjects+"/{id}/grants/{grant}/members/{user}/confirm", h.authed(h.confirmProjectGrantMemberRemove))
	m.HandleFunc("POST "+pathProjects+"/{id}/grants/{grant}/members/{user}/remove", h.authed(h.removeProjectGrantMember))

	m.HandleFunc("GET "+pathOrgSettings, h.authed(h.showOrgSettings))
	m.HandleFunc("POST "+pathOrgSettings, h.authed(h.renameOrg))
	m.HandleFunc("GET "+pathOrgSettings+"/confirm", h.authed(h.confirmOrgAction))
	for _, a := range []string{"deactivate", "reactivate"} {
		m.HandleFunc("POST "+pathOrgSettings+"/"+a, h.authed(h.orgAction(a)))
	}
	m.HandleFunc("GET "+pathOrgDomains, h.authed(h.showOrgDomains))
	m.HandleFunc("POST "+pathOrgDomains, h.authed(h.addOrgDomain))
	m.HandleFunc("POST "+pathOrgDomains+"/{domain}/validation", h.authed(h.generateValidation))
	m.HandleFunc("POST "+pathOrgDomains+"/{domain}/validate", h.authed(h.validateOrgDomain))
	m.HandleFunc("POST "+pathOrgDomains+"/{domain}/primary", h.authed(h.setPrimaryOrgDomain))
	m.HandleFunc("GET "+pathOrgDomains+"/{domain}/confirm", h.authed(h.confirmRemoveOrgDomain))
	m.HandleFunc("POST "+pathOrgDomains+"/{domain}/remove", h.authed(h.removeOrgDomain))

	m.HandleFunc("GET "+pathPolicy, h.authed(h.showPolicy))
	m.HandleFunc("POST "+pathPolicy, h.authed(h.savePolicy))
	m.HandleFunc("GET "+pathPolicy+"/confirm-reset", h.authed(h.confirmResetPolicy))
	m.HandleFunc("POST "+pathPolicy+"/reset", h.authed(h.resetPolicy))
	h.mux = m
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
	defer cancel()
	r = r.WithContext(ctx)
	hd := w.Header()
	hd.Set("Content-Security-Policy", h.csp)
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	if r.URL.Path == basePath {
		http.Redirect(w, r, pathHome, http.StatusSeeOther)
		return
	}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	}
	if _, pattern := h.mux.Handler(r); pattern == "" {
		h.message(w, r, http.StatusNotFound, "Not found", "There is no such page in the console.")
		return
	}
	h.mux.ServeHTTP(w, r)
}

// request is what an authenticated console request carries.
type request struct {
	caller *app.Caller
	sess   *app.ConsoleSession
	cookie string
}

// orgID is the session's org context: chosen, else the caller's own org.
func (rq *request) orgID() string {
	if rq.sess.OrgID != "" {
		return rq.sess.OrgID
	}
	return rq.caller.OrgID
}

// authed loads the console session and authenticates its access token — on
// every request, so a lock, deactivation or revoked token ends the console at
// once — and checks the CSRF token of every POST.
func (h *handler) authed(fn func(http.ResponseWriter, *http.Request, *request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			h.needSignIn(w, r)
			return
		}
		sess, err := h.app.ConsoleSessionOf(ctx, c.Value)
		if err != nil {
			if errors.Is(err, app.ErrSessionEnded) {
				h.clearCookie(w, sessionCookie)
				h.needSignIn(w, r)
				return
			}
			h.internal(w, r, "load console session", err)
			return
		}
		caller, err := h.app.Authenticate(ctx, sess.AccessToken)
		if err != nil {
			if fe, ok := fail.As(err); ok && fe.Code == codes.Unauthenticated {
				// The token is dead (user locked, deactivated or removed, token
				// expired or revoked): so is the console session.
				if err := h.app.EndConsoleSession(ctx, c.Value); err != nil {
					h.log.WarnContext(ctx, "console: end dead session", "err", err)
				}
				h.clearCookie(w, sessionCookie)
				h.needSignIn(w, r)
				return
			}
			h.internal(w, r, "authenticate console session", err)
			return
		}
		rq := &request{caller: caller, sess: sess, cookie: c.Value}
		if r.Method == http.MethodPost {
			if err := r.ParseForm(); err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					h.message(w, r, http.StatusRequestEntityTooLarge, "Too large", "The form was too large.")
					return
				}
				h.message(w, r, http.StatusBadRequest, "Bad request", "The form could not be read.")
				return
			}
			if !validCSRF(sess.CSRF, r.PostForm.Get("csrf")) {
				h.message(w, r, http.StatusForbidden, "Form expired", TextCSRF)
				return
			}
		}
		fn(w, r, rq)
	}
}

// TextCSRF is what a POST without the session's CSRF token gets.
const TextCSRF = "This form has expired or was not sent from the console. Go back, reload the page and try again."

func validCSRF(want, got string) bool {
	return len(want) >= 32 && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// needSignIn answers a request without a live session: a page load goes to
// sign-in (and comes back afterwards); a form post cannot be replayed after a
// sign-in, so it says so.
func (h *handler) needSignIn(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		http.Redirect(w, r, pathSignIn+"?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	h.render(w, r, http.StatusUnauthorized, "message", &view{Title: "Signed out",
		Error: "Your console session has ended. Sign in again to continue.", SignInLink: true})
}

// --- errors in plain words ---

// errorText puts an error from the app layer in plain words: the status follows its code, the
// words say what failed. what completes "You do not have permission to …".
func (h *handler) errorText(r *http.Request, err error, what string) (int, string) {
	fe, ok := fail.As(err)
	if !ok {
		h.log.ErrorContext(r.Context(), "console: "+what, "err", err)
		return http.StatusInternalServerError, "Warden could not " + what + ". Try again in a moment."
	}
	switch fe.Code {
	case codes.PermissionDenied:
		return http.StatusForbidden, "You do not have permission to " + what + "."
	case codes.NotFound:
		return http.StatusNotFound, plain(fe.Message) + "."
	case codes.InvalidArgument:
		return http.StatusBadRequest, plain(fe.Message) + "."
	case codes.FailedPrecondition, codes.AlreadyExists:
		return http.StatusConflict, "Could not " + what + ": " + lowerFirst(plain(fe.Message)) + "."
	case codes.Unauthenticated:
		return http.StatusUnauthorized, "Your console session has ended. Sign in again to continue."
	case codes.Unavailable, codes.DeadlineExceeded:
		return http.StatusServiceUnavailable, "The database did not answer. Try again in a moment."
	}
	h.log.ErrorContext(r.Context(), "console: "+what, "err", err)
	return http.StatusInternalServerError, "Warden could not " + what + ". Try again in a moment."
}

// plainWords turns the ZITADEL message keys some errors carry into sentences.
var plainWords = map[string]string{
	"Errors.User.NotMachine":                 "Only machine users have this",
	"Errors.User.AlreadyExists":              "A user with this user name already exists in the organisation",
	"Errors.User.Machine.Secret.NotExisting": "This machine user has no client secret",
	"Errors.User.Machine.Key.NotFound":       "Key not found",
	"Errors.User.LoginName.Ambiguous":        "Several users have this name; use the user id",
	// Projects, roles, apps and grants.
	"Errors.NoChangesFound":                        "Nothing was changed",
	"Errors.Project.NotFound":                      "Project not found",
	"Errors.Project.NotActive":                     "The project is not active",
	"Errors.Project.NotInactive":                   "The project is not inactive",
	"Errors.Project.Invalid":                       "The role is invalid",
	"Errors.Project.Role.Invalid":                  "The role needs a key",
	"Errors.Project.Role.AlreadyExists":            "The project already has a role with this key",
	"Errors.Project.Role.NotFound":                 "The project has no such role",
	"Errors.Project.Role.NotExisting":              "Role not found",
	"Errors.Project.App.NotExisting":               "App not found",
	"Errors.Project.App.OIDCConfigInvalid":         "Choose the authorization code grant (or the device code grant) for this app",
	"Errors.Project.App.AuthMethodNoPrivateKeyJWT": "This app does not authenticate with private key JWT, so it takes no keys",
	"Errors.Application.NotFound":                  "App not found",
	"Errors.Application.Key.NotFound":              "Key not found",
	"Errors.AuthNKey.ExpireBeforeNow":              "The expiry date must be in the future",
	"Errors.UserGrant.AlreadyExists":               "The user already has a grant of this project; change or remove that one",
	"Errors.UserGrant.NotFound":                    "Grant not found",
	"Errors.UserGrant.NotActive":                   "The grant is not active",
	"Errors.UserGrant.NotInactive":                 "The grant is not inactive",
	"Errors.UserGrant.Invalid":                     "Choose a project",
	// Project members, project grants and their members.
	"Errors.Project.Member.Invalid":                       "Enter a user and choose at least one role",
	"Errors.Project.Member.AlreadyExists":                 "The user is a member already; change its roles instead",
	"Errors.Project.Member.RolesNotChanged":               "The member has these roles already",
	"Errors.Project.Grant.Invalid":                        "Enter an organisation",
	"Errors.Project.Grant.AlreadyExists":                  "The project is granted to this organisation already; change that grant instead",
	"Errors.Project.Grant.NotFound":                       "Project grant not found",
	"Errors.ProjectGrant.NotFound":                        "Project grant not found",
	"Errors.Project.Grant.NotActive":                      "The grant is not active",
	"Errors.Project.Grant.NotInactive":                    "The grant is not inactive",
	"Errors.Project.Grant.Member.Invalid":                 "Enter a user and choose at least one role",
	"a project cannot be granted to its own organisation": "A project cannot be granted to its own organisation",
	// Organisations.
	"Errors.Org.Invalid":                "The name is required",
	"Errors.Org.AlreadyExists":          "Another organisation already has this name",
	"Errors.Org.NotChanged":             "The organisation already has this name",
	"Errors.Org.NotFound":               "Organisation not found",
	"Errors.Org.AlreadyDeactivated":     "The organisation is already inactive",
	"Errors.Org.AlreadyActive":          "The organisation is already active",
	"Errors.Org.DefaultOrgNotDeletable": "The instance's default organisation cannot be removed",
	// Org domains.
	"Errors.Org.Domain.AlreadyExists":                                "Another organisation has verified this domain",
	"Errors.Org.InvalidDomain":                                       "This is not a domain name",
	"Errors.Org.DomainVerificationTypeInvalid":                       "Choose HTTP or DNS",
	"Errors.Org.DomainNotOnOrg":                                      "The organisation has no such domain",
	"Errors.Org.PrimaryDomainNotDeletable":                           "The primary domain cannot be removed; make another domain primary first",
	"Errors.Org.DomainNotVerified":                                   "The domain is not verified yet",
	"Errors.Org.DomainAlreadyVerified":                               "The domain is verified already",
	"Errors.Org.DomainVerificationMissing":                           "Generate a validation first",
	"the challenge URL does not answer the validation token":         "The challenge URL does not answer the validation token",
	"no TXT record of the challenge name holds the validation token": "No TXT record of the challenge name holds the validation token",
	"a subdomain of the instance domain is an organisation's generated domain; it cannot be added": "A subdomain of the instance domain is an organisation's generated domain; it cannot be added",
}

func plain(msg string) string {
	if p, ok := plainWords[msg]; ok {
		return p
	}
	return strings.TrimSuffix(msg, ".")
}

func lowerFirst(s string) string {
	if len(s) > 1 && s[0] >= 'A' && s[0] <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z') {
		return string(s[0]+'a'-'A') + s[1:]
	}
	return s
}

// fail renders an error page for a GET that could not be served.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, rq *request, err error, what string) {
	status, text := h.errorText(r, err, what)
	if status == http.StatusUnauthorized {
		h.needSignIn(w, r)
		return
	}
	v := h.base(r, rq, "Not possible")
	if status == http.StatusForbidden {
		v.Title = "Not allowed"
	}
	v.Error = text
	h.render(w, r, status, "message", v)
}

func (h *handler) internal(w http.ResponseWriter, r *http.Request, what string, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	h.log.ErrorContext(r.Context(), "console: "+what, "err", err)
	h.message(w, r, http.StatusInternalServerError, "Something went wrong", "Warden could not finish this. Try again in a moment.")
}

func (h *handler) message(w http.ResponseWriter, r *http.Request, status int, title, text string) {
	h.render(w, r, status, "message", &view{Title: title, Error: text})
}

// --- cookies and small helpers ---

func (h *handler) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: basePath, MaxAge: maxAge, HttpOnly: true,
		Secure: h.opts.SecureCookies, SameSite: http.SameSiteLaxMode})
}

func (h *handler) clearCookie(w http.ResponseWriter, name string) { h.setCookie(w, name, "", -1) }

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// localPath is the console page a sign-in returns to: a path under /ui/console/
// as the browser will resolve it. Dot-segments (also percent-encoded ones,
// which browsers resolve too), double slashes and anything but a path and a
// query fall back to the home page (the first page the caller may see), so
// `next` never leads out of the console.
func localPath(p string) string {
	if p == "" || len(p) > 1000 || strings.ContainsAny(p, "\\\r\n\t") {
		return pathHome
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil {
		return pathHome
	}
	clean := path.Clean(u.Path) // u.Path is decoded: %2e%2e is .. here
	if clean != strings.TrimSuffix(u.Path, "/") || !strings.HasPrefix(clean, basePath+"/") ||
		strings.HasPrefix(clean, pathSignIn) || strings.HasPrefix(clean, pathCallback) {
		return pathHome
	}
	return (&url.URL{Path: clean, RawQuery: u.RawQuery}).String()
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
