// Package login is Warden's sign-in page: server-rendered HTML forms (no
// JavaScript) that take a browser from the OpenID provider's authorize endpoint
// through user name, password and a forced password change back to the client,
// and keep a browser session so the next sign-in completes at once — while its
// user can still sign in in the session's credential epoch.
//
// Routes (the handler sees full paths, mounted at /ui/login and /ui/login/):
//
//	GET  /ui/login?authRequestID=…   start: complete from the session, or ask for the user name
//	POST /ui/login/username          → the password form
//	POST /ui/login/password          → the change form, or sign in and redirect to the callback
//	POST /ui/login/change            forced password change → sign in and redirect
//	POST /ui/login/logout            end the browser session
//	GET  /ui/login/logged-out        after sign-out
package login

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/oidc"
	"github.com/warden-id/warden/internal/user"
	"google.golang.org/grpc/codes"
)

// Paths.
const (
	basePath      = "/ui/login"
	pathUserName  = basePath + "/username"
	pathPassword  = basePath + "/password"
	pathChange    = basePath + "/change"
	pathLogout    = basePath + "/logout"
	pathLoggedOut = basePath + "/logged-out"
)

// Cookies.
const (
	sessionCookie = "warden_session" // the browser session; Path=/ui/
	csrfCookie    = "warden_csrf"    // double-submit token; Path=/ui/login
)

// Limits on what a form may carry.
const (
	maxBody        = 16 << 10
	maxLoginName   = 401 // user name (200) + '@' + org domain (200)
	maxPassword    = 1024
	maxTokenLen    = 100
	requestTimeout = 30 * time.Second
)

// Texts a person sees; tests match them.
const (
	TextWrongPassword = "The user name or password is wrong."
	TextLocked        = "Your account is locked. Ask an administrator to unlock it."
	TextInactive      = "Your account is deactivated."
	TextThrottled     = "Too many attempts, wait a minute."
	TextBusy          = "Warden is busy checking other sign-ins. Try again in a moment."
	TextCSRF          = "This form has expired or was not sent from this page. Go back, reload the page and try again."
	TextUnknownFlow   = "This sign-in request is unknown or has expired. Go back to your application and sign in again."
)

// Options configure the login page.
type Options struct {
	// SecureCookies marks cookies Secure (set it when the external URL is https).
	SecureCookies bool
	// Logger receives warnings (throttled addresses) and errors; nil discards.
	Logger *slog.Logger
	// AttemptsPerMinute is the sustained rate of password attempts allowed per
	// client address; 0 means 10. Negative disables the throttle.
	AttemptsPerMinute float64
	// AttemptBurst is how many attempts an address may make at once; 0 means 20.
	AttemptBurst int
	// TrustForwardedFor takes the client address from the last X-Forwarded-For
	// entry (set only behind a proxy that appends it); otherwise the
	// connection's remote address counts.
	TrustForwardedFor bool
}

type handler struct {
	app      *app.App
	prov     *oidc.Provider
	opts     Options
	log      *slog.Logger
	pages    *pages
	throttle *throttle // nil: no throttle
}

// New returns the login page's handler.
func New(a *app.App, p *oidc.Provider, opts Options) http.Handler {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &handler{app: a, prov: p, opts: opts, log: log, pages: loadPages()}
	if opts.AttemptsPerMinute >= 0 {
		rate, burst := opts.AttemptsPerMinute, opts.AttemptBurst
		if rate == 0 {
			rate = 10
		}
		if burst <= 0 {
			burst = 20
		}
		h.throttle = newThrottle(rate/60, float64(burst))
	}
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
	defer cancel()
	r = r.WithContext(ctx)
	path := strings.TrimSuffix(r.URL.Path, "/")
	route := func(method string, fn func(http.ResponseWriter, *http.Request)) {
		if r.Method != method && (method != http.MethodGet || r.Method != http.MethodHead) {
			w.Header().Set("Allow", method)
			h.message(w, r, http.StatusMethodNotAllowed, page{Title: "Not allowed", Error: "This page does not accept that request."})
			return
		}
		fn(w, r)
	}
	switch path {
	case basePath:
		route(http.MethodGet, h.start)
	case pathUserName:
		route(http.MethodPost, h.postUserName)
	case pathPassword:
		route(http.MethodPost, h.postPassword)
	case pathChange:
		route(http.MethodPost, h.postChange)
	case pathLogout:
		route(http.MethodPost, h.postLogout)
	case pathLoggedOut:
		route(http.MethodGet, h.loggedOut)
	default:
		h.message(w, r, http.StatusNotFound, page{Title: "Not found", Error: "There is no such page."})
	}
}

// --- steps ---

// start is where the authorize endpoint sends the browser.
func (h *handler) start(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.URL.Query().Get("authRequestID")
	if id == "" {
		h.noFlow(w, r)
		return
	}
	ar, err := h.prov.AuthRequest(ctx, id)
	if err != nil {
		h.message(w, r, http.StatusBadRequest, page{Title: "Sign-in expired", Error: TextUnknownFlow})
		return
	}
	forceLogin := slices.Contains(ar.Prompt, "login") || slices.Contains(ar.Prompt, "select_account") ||
		r.URL.Query().Get("switch") != ""
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		u, s, err := h.app.SessionUser(ctx, c.Value)
		switch {
		case errors.Is(err, user.ErrLocked):
			h.refused(w, r, ar.ID, ar.RedirectURI, TextLocked)
			return
		case errors.Is(err, user.ErrNotActive):
			h.refused(w, r, ar.ID, ar.RedirectURI, TextInactive)
			return
		case err == nil:
			fresh := ar.MaxAge == nil || time.Since(s.AuthTime) <= time.Duration(*ar.MaxAge)*time.Second
			if !forceLogin && fresh {
				to, err := h.prov.Complete(ctx, ar.ID, u.ID, s.Epoch, s.AuthTime, []string{"pwd"})
				if err != nil {
					h.internal(w, r, "complete auth request from session", err)
					return
				}
				http.Redirect(w, r, to, http.StatusFound)
				return
			}
		case errors.Is(err, app.ErrSessionEnded):
			h.clearCookie(w, sessionCookie, "/ui/")
		default:
			h.internal(w, r, "read session", err)
			return
		}
	}
	h.render(w, r, http.StatusOK, "username", page{Title: "Sign in", AuthRequestID: ar.ID, LoginName: clip(ar.LoginHint, maxLoginName)},
		ar.RedirectURI)
}

// postUserName identifies the user. An unknown name is not revealed here: the
// password step fails for it as for a wrong password.
func (h *handler) postUserName(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ar, ok := h.form(w, r)
	if !ok {
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("loginName"))
	p := page{Title: "Sign in", AuthRequestID: ar.ID, LoginName: clip(name, maxLoginName)}
	if name == "" || len(name) > maxLoginName {
		p.Error = "Enter your user name."
		if name != "" {
			p.Error = "That user name is too long."
		}
		h.render(w, r, http.StatusOK, "username", p, ar.RedirectURI)
		return
	}
	u, err := h.app.FindLoginUser(ctx, name)
	var userID string
	switch {
	case err == nil:
		userID = u.ID
		if o, err := h.app.Store().Org(ctx, u.OrgID); err == nil {
			p.LoginName = h.app.LoginName(u, o)
		}
	case errors.Is(err, app.ErrLoginNameAmbiguous):
		p.Error = "Several accounts have this user name. Enter your full login name (user@organisation-domain)."
		h.render(w, r, http.StatusOK, "username", p, ar.RedirectURI)
		return
	case errors.Is(err, user.ErrGetNotFound):
	default:
		h.internal(w, r, "find login user", err)
		return
	}
	if err := h.prov.SelectUser(ctx, ar.ID, userID); err != nil {
		h.message(w, r, http.StatusBadRequest, page{Title: "Sign-in expired", Error: TextUnknownFlow})
		return
	}
	p.Title = "Enter your password"
	h.render(w, r, http.StatusOK, "password", p, ar.RedirectURI)
}

// postPassword checks the password under the lockout policy.
func (h *handler) postPassword(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if !h.allow(r) {
		h.message(w, r, http.StatusTooManyRequests, page{Title: "Too many attempts", Error: TextThrottled})
		return
	}
	ar, ok := h.form(w, r)
	if !ok {
		return
	}
	password := r.PostForm.Get("password")
	p := page{Title: "Enter your password", AuthRequestID: ar.ID, LoginName: clip(r.PostForm.Get("loginName"), maxLoginName)}
	var (
		res *app.PasswordResult
		err error
	)
	switch {
	case ar.UserID == "" || len(password) > maxPassword:
		err = h.app.CheckUnknownUserPassword(ctx, password)
	default:
		res, err = h.app.CheckPassword(ctx, ar.UserID, password)
	}
	switch {
	case err == nil:
	case errors.Is(err, user.ErrLocked) || (res != nil && res.Locked):
		h.refused(w, r, ar.ID, ar.RedirectURI, TextLocked)
		return
	case errors.Is(err, user.ErrNotActive):
		h.refused(w, r, ar.ID, ar.RedirectURI, TextInactive)
		return
	case isRefusal(err):
		p.Error = TextWrongPassword
		if res != nil && res.Remaining >= 0 {
			p.Error += " " + remaining(res.Remaining)
		}
		h.render(w, r, http.StatusOK, "password", p, ar.RedirectURI)
		return
	default:
		h.internal(w, r, "check password", err)
		return
	}
	u := res.User
	if o, err := h.app.Store().Org(ctx, u.OrgID); err == nil {
		p.LoginName = h.app.LoginName(u, o)
	}
	if u.Human != nil && u.Human.PasswordChangeRequired {
		ticket, err := h.app.StartPasswordChange(ctx, u.ID, ar.ID, u.CredentialEpoch)
		if err != nil {
			h.internal(w, r, "start password change", err)
			return
		}
		p.Title, p.Ticket = "Change your password", ticket
		h.render(w, r, http.StatusOK, "change", p, ar.RedirectURI)
		return
	}
	h.finish(w, r, ar.ID, u.ID, u.CredentialEpoch)
}

// postChange sets the new password a forced change asked for, then signs in.
func (h *handler) postChange(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ar, ok := h.form(w, r)
	if !ok {
		return
	}
	newPW, confirm := r.PostForm.Get("newPassword"), r.PostForm.Get("confirmPassword")
	p := page{Title: "Change your password", AuthRequestID: ar.ID, LoginName: clip(r.PostForm.Get("loginName"), maxLoginName),
		Ticket: clip(r.PostForm.Get("ticket"), maxTokenLen)}
	if newPW != confirm {
		p.Error = "The two passwords do not match."
		h.render(w, r, http.StatusOK, "change", p, ar.RedirectURI)
		return
	}
	if len(newPW) > maxPassword {
		newPW = newPW[:maxPassword] // the rules refuse it below
	}
	u, err := h.app.FinishPasswordChange(ctx, p.Ticket, ar.ID, newPW)
	switch {
	case err == nil:
	case errors.Is(err, user.ErrLocked):
		h.refused(w, r, ar.ID, ar.RedirectURI, TextLocked)
		return
	case errors.Is(err, user.ErrNotActive):
		h.refused(w, r, ar.ID, ar.RedirectURI, TextInactive)
		return
	case errors.Is(err, app.ErrPasswordChangeExpired):
		h.message(w, r, http.StatusBadRequest, page{Title: "Sign-in expired", AuthRequestID: ar.ID,
			Error: "The password change took too long or was not started here. Sign in again."})
		return
	default:
		if fe, ok := fail.As(err); ok && fe.Code == codes.InvalidArgument {
			p.Error = "The new password must be 8 to 256 characters long."
			h.render(w, r, http.StatusOK, "change", p, ar.RedirectURI)
			return
		}
		h.internal(w, r, "change password", err)
		return
	}
	h.finish(w, r, ar.ID, u.ID, u.CredentialEpoch)
}

// finish starts the browser session and completes the auth request.
func (h *handler) finish(w http.ResponseWriter, r *http.Request, authRequestID, userID string, epoch uint64) {
	ctx := r.Context()
	if c, err := r.Cookie(sessionCookie); err == nil {
		_ = h.app.EndSession(ctx, c.Value) // replaced by the new sign-in
	}
	now := time.Now()
	cookie, err := h.app.CreateSession(ctx, userID, epoch, now)
	if err != nil {
		h.internal(w, r, "create session", err)
		return
	}
	to, err := h.prov.Complete(ctx, authRequestID, userID, epoch, now, []string{"pwd"})
	if err != nil {
		h.message(w, r, http.StatusBadRequest, page{Title: "Sign-in expired", Error: TextUnknownFlow})
		return
	}
	h.setCookie(w, sessionCookie, cookie, "/ui/", int(app.SessionTTL/time.Second))
	http.Redirect(w, r, to, http.StatusFound)
}

// postLogout ends the browser session; with an auth request it returns to its
// user-name form ("use another account").
func (h *handler) postLogout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if !h.parse(w, r) {
		return
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := h.app.EndSession(ctx, c.Value); err != nil {
			h.internal(w, r, "end session", err)
			return
		}
	}
	h.clearCookie(w, sessionCookie, "/ui/")
	if id := clip(r.PostForm.Get("authRequestID"), maxTokenLen); id != "" {
		if _, err := h.prov.AuthRequest(ctx, id); err == nil {
			http.Redirect(w, r, basePath+"?authRequestID="+urlQueryEscape(id), http.StatusSeeOther)
			return
		}
	}
	http.Redirect(w, r, pathLoggedOut, http.StatusSeeOther)
}

func (h *handler) loggedOut(w http.ResponseWriter, r *http.Request) {
	h.message(w, r, http.StatusOK, page{Title: "Signed out", Message: "You are signed out. You can close this window."})
}

// noFlow answers /ui/login opened directly: who is signed in, if anyone.
func (h *handler) noFlow(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		u, _, err := h.app.SessionUser(r.Context(), c.Value)
		if err == nil {
			name := u.UserName
			if o, err := h.app.Store().Org(r.Context(), u.OrgID); err == nil {
				name = h.app.LoginName(u, o)
			}
			h.message(w, r, http.StatusOK, page{Title: "Signed in", Message: "You are signed in as " + name + ".", ShowLogout: true})
			return
		}
	}
	h.message(w, r, http.StatusOK, page{Title: "Sign in", Message: "To sign in, open the application you want to use; it will bring you here."})
}

// refused shows why the user cannot sign in, with a way to use another account.
func (h *handler) refused(w http.ResponseWriter, r *http.Request, authRequestID, redirectURI, text string) {
	h.render(w, r, http.StatusForbidden, "message", page{Title: "You cannot sign in", Error: text,
		AuthRequestID: authRequestID, ShowLogout: true}, redirectURI)
}

// --- forms, CSRF, throttle ---

// parse limits and parses a form and checks its CSRF token.
func (h *handler) parse(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		status := http.StatusBadRequest
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			status = http.StatusRequestEntityTooLarge
		}
		h.message(w, r, status, page{Title: "Bad request", Error: "The form could not be read."})
		return false
	}
	c, err := r.Cookie(csrfCookie)
	sent := r.PostForm.Get("csrf")
	if err != nil || len(c.Value) < 32 || len(c.Value) > maxTokenLen ||
		subtle.ConstantTimeCompare([]byte(c.Value), []byte(sent)) != 1 {
		h.message(w, r, http.StatusForbidden, page{Title: "Form expired", Error: TextCSRF})
		return false
	}
	return true
}

// form parses a step's form and loads its auth request.
func (h *handler) form(w http.ResponseWriter, r *http.Request) (*oidc.LoginRequest, bool) {
	if !h.parse(w, r) {
		return nil, false
	}
	ar, err := h.prov.AuthRequest(r.Context(), clip(r.PostForm.Get("authRequestID"), maxTokenLen+1))
	if err != nil {
		h.message(w, r, http.StatusBadRequest, page{Title: "Sign-in expired", Error: TextUnknownFlow})
		return nil, false
	}
	return ar, true
}

// csrf returns the browser's CSRF token, setting a new one if it has none.
func (h *handler) csrf(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 && len(c.Value) <= maxTokenLen {
		return c.Value
	}
	tok := randomToken()
	h.setCookie(w, csrfCookie, tok, basePath, 0)
	return tok
}

func (h *handler) allow(r *http.Request) bool {
	if h.throttle == nil {
		return true
	}
	ip := clientIP(r, h.opts.TrustForwardedFor)
	ok, warn := h.throttle.allow(ip, time.Now())
	if warn {
		h.log.WarnContext(r.Context(), "login: too many password attempts from one address; throttling it", "ip", ip)
	}
	return ok
}

func (h *handler) setCookie(w http.ResponseWriter, name, value, path string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge, HttpOnly: true,
		Secure: h.opts.SecureCookies, SameSite: http.SameSiteLaxMode})
}

func (h *handler) clearCookie(w http.ResponseWriter, name, path string) {
	h.setCookie(w, name, "", path, -1)
}

func (h *handler) internal(w http.ResponseWriter, r *http.Request, what string, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	if errors.Is(err, app.ErrPasswordBusy) { // every hash slot stayed taken
		h.message(w, r, http.StatusServiceUnavailable, page{Title: "Busy", Error: TextBusy})
		return
	}
	h.log.ErrorContext(r.Context(), "login: "+what, "err", err)
	h.message(w, r, http.StatusInternalServerError, page{Title: "Something went wrong",
		Error: "Warden could not finish this step. Try again in a moment."})
}

// isRefusal: errors that mean "wrong user name or password" to the person.
func isRefusal(err error) bool {
	for _, e := range []error{user.ErrWrongPassword, user.ErrGetNotFound, user.ErrNoPassword, user.ErrNotHuman} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func remaining(n int) string {
	switch n {
	case 0:
		return "The next wrong password locks your account."
	case 1:
		return "1 attempt remaining before your account is locked."
	}
	return itoa(n) + " attempts remaining before your account is locked."
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
