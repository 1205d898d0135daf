// Package login is Warden's sign-in page: server-rendered HTML forms (no
// JavaScript) that take a browser from the OpenID provider's authorize endpoint
// through user name, password, a forced password change and — for a client the
// instance does not trust with Warden's API — the user's consent, back to the
// client; and keep a browser session so the next sign-in completes at once,
// while its user can still sign in within the session's credential epoch.
//
// Every step works only in the browser that started the auth request (its
// binding cookie, see oidc.BrowserCookie), and its forms carry a CSRF token
// derived from that cookie with a key only the server has. The user-name step
// looks nothing up, and a wrong password, an unknown name and a locked account
// answer alike until the password is right: the page tells no one which
// accounts exist.
//
// Routes (the handler sees full paths, mounted at /ui/login and /ui/login/):
//
//	GET  /ui/login?authRequestID=…   start: complete from the session, or ask for the user name
//	POST /ui/login/username          → the password form
//	POST /ui/login/password          → the change form, the consent form, or sign in and redirect to the callback
//	POST /ui/login/change            forced password change → sign in and redirect
//	POST /ui/login/consent           allow or deny Warden's API to an untrusted client
//	POST /ui/login/logout            end the browser session
//	GET  /ui/login/logged-out        after sign-out
//	GET  /ui/login/device            the device flow's user-code form (?user_code= prefills it)
//	POST /ui/login/device            → the usual sign-in steps for that device
//	GET  /ui/login/device/approve    after them: allow or deny the device
//	POST /ui/login/device/approve    record the decision
//	GET/POST /ui/login/password/reset  "forgot password" (reset.go)
//	GET/POST /ui/login/password/init   a reset code and a new password
//	GET/POST /ui/login/user/init       an initialization or invitation code and the first password
package login

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
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
	pathConsent   = basePath + "/consent"
	pathLogout    = basePath + "/logout"
	pathLoggedOut = basePath + "/logged-out"
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
	// TextFullNameHint follows a refusal of a plain user name: such a name may
	// exist in several organisations. It is shown for every plain name, known
	// or not, so it reveals nothing.
	TextFullNameHint = "If your user name is used in several organisations, sign in with your full login name (user@organisation-domain)."
	TextLocked       = "Your account is locked. Ask an administrator to unlock it."
	TextInactive     = "Your account is deactivated."
	// TextNotAllowedOrg: the application asked for users of one organisation
	// (an org scope), and this account is of another.
	TextNotAllowedOrg = "Your account is not a member of the organisation this application requires. Sign in with another account."
	// TextGrantRequired, TextProjectRequired: the application's project
	// admits only users with a grant on it (ZITADEL's Errors.User.GrantRequired),
	// or of an organisation that has it (Errors.User.ProjectRequired).
	TextGrantRequired   = "This application admits only accounts that were given a role in it, and yours has none. Ask an administrator for access."
	TextProjectRequired = "This application admits only accounts of the organisations it belongs to, and yours is not one of them."
	// TextProjectInactive: the application's project is deactivated.
	TextProjectInactive = "This application is not active."
	TextThrottled       = "Too many failed attempts, wait a minute."
	TextBusy            = "Warden is busy checking other sign-ins. Try again in a moment."
	TextCSRF            = "This form has expired or was not sent from this page. Go back, reload the page and try again."
	TextUnknownFlow     = "This sign-in request is unknown or has expired. Go back to your application and sign in again."
	TextOtherBrowser    = "This sign-in was started in another browser. Go back to your application and sign in again from this browser."
	TextFlowDone        = "This sign-in is already complete. Go back to your application and sign in again."
	TextDenied          = "You did not allow the access."
)

// Options configure the login page.
type Options struct {
	// SecureCookies marks cookies Secure (set it when the external URL is https).
	SecureCookies bool
	// Logger receives warnings (throttled addresses) and errors; nil discards.
	Logger *slog.Logger
	// AttemptsPerMinute is the sustained rate of failed password attempts
	// allowed per client address; 0 means 10. Negative disables both throttles.
	AttemptsPerMinute float64
	// AttemptBurst is how many failures an address may have at once; 0 means 20.
	AttemptBurst int
	// UserAttemptsPerMinute and UserAttemptBurst are the same per typed login
	// name, whatever the address (many addresses guessing one account); 0 means
	// 5 a minute, bursts of 10.
	UserAttemptsPerMinute float64
	UserAttemptBurst      int
	// TrustedProxies are the proxies whose X-Forwarded-For entries are believed
	// (see clientIP); without any, the connection's peer is the client.
	TrustedProxies []netip.Prefix
}

type handler struct {
	app    *app.App
	prov   *oidc.Provider
	opts   Options
	log    *slog.Logger
	pages  *pages
	byAddr *throttle // nil: no throttle
	byName *throttle
}

// New returns the login page's handler.
func New(a *app.App, p *oidc.Provider, opts Options) http.Handler {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &handler{app: a, prov: p, opts: opts, log: log, pages: loadPages()}
	if opts.AttemptsPerMinute >= 0 {
		h.byAddr = newThrottle(orDefault(opts.AttemptsPerMinute, 10)/60, orDefault(float64(opts.AttemptBurst), 20))
		h.byName = newThrottle(orDefault(opts.UserAttemptsPerMinute, 5)/60, orDefault(float64(opts.UserAttemptBurst), 10))
	}
	return h
}

func orDefault(v, d float64) float64 {
	if v <= 0 {
		return d
	}
	return v
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
	case pathConsent:
		route(http.MethodPost, h.postConsent)
	case pathLogout:
		route(http.MethodPost, h.postLogout)
	case pathLoggedOut:
		route(http.MethodGet, h.loggedOut)
	case pathForgot, pathPasswordInit, pathUserInit:
		if r.Method == http.MethodPost {
			map[string]func(http.ResponseWriter, *http.Request){pathForgot: h.postForgot, pathPasswordInit: h.postCode, pathUserInit: h.postCode}[path](w, r)
			return
		}
		route(http.MethodGet, map[string]func(http.ResponseWriter, *http.Request){pathForgot: h.forgot, pathPasswordInit: h.codeForm, pathUserInit: h.codeForm}[path])
	case pathDevice:
		if r.Method == http.MethodPost {
			h.postDevice(w, r)
			return
		}
		route(http.MethodGet, h.device)
	case pathDeviceApprove:
		if r.Method == http.MethodPost {
			h.postDeviceApprove(w, r)
			return
		}
		route(http.MethodGet, h.deviceApprove)
	case pathVerifyEmail:
		if r.Method == http.MethodPost {
			h.postVerifyEmail(w, r)
			return
		}
		route(http.MethodGet, h.verifyEmail)
	default:
		h.message(w, r, http.StatusNotFound, page{Title: "Not found", Error: "There is no such page."})
	}
}

func browser(r *http.Request) string { return oidc.CookieValue(r, oidc.BrowserCookie) }

// --- steps ---

// start is where the authorize endpoint sends the browser.
func (h *handler) start(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.URL.Query().Get("authRequestID")
	if id == "" {
		h.noFlow(w, r)
		return
	}
	ar, ok := h.authRequest(w, r, id)
	if !ok {
		return
	}
	forceLogin := slices.Contains(ar.Prompt, "login") || slices.Contains(ar.Prompt, "select_account") ||
		r.URL.Query().Get("switch") != ""
	if ar.Authenticated {
		if !forceLogin {
			h.consent(w, r, ar)
			return
		}
		if err := h.prov.Restart(ctx, ar.ID, browser(r)); err != nil {
			h.flowError(w, r, err)
			return
		}
	}
	if c := oidc.CookieValue(r, oidc.SessionCookie); c != "" {
		u, s, err := h.app.SessionUser(ctx, c)
		switch {
		case errors.Is(err, user.ErrLocked):
			h.refused(w, r, ar, TextLocked)
			return
		case errors.Is(err, user.ErrNotActive):
			h.refused(w, r, ar, TextInactive)
			return
		case err == nil:
			fresh := ar.MaxAge == nil || time.Since(s.AuthTime) <= time.Duration(*ar.MaxAge)*time.Second
			// A session of another organisation's user than the request is
			// restricted to is not offered; the person signs in with another account.
			inOrg := ar.OrgID == "" || u.OrgID == ar.OrgID
			if !forceLogin && fresh && inOrg {
				h.signedIn(w, r, ar, u, s.Epoch, s.AuthTime, "")
				return
			}
		case errors.Is(err, app.ErrSessionEnded):
			h.clearSession(w)
		default:
			h.internal(w, r, "read session", err)
			return
		}
	}
	h.render(w, r, http.StatusOK, "username", page{Title: "Sign in", AuthRequestID: ar.ID, LoginName: clip(ar.LoginHint, maxLoginName)},
		ar.RedirectURI)
}

// postUserName records the name typed and asks for the password. It looks
// nothing up, so it answers alike for every name.
func (h *handler) postUserName(w http.ResponseWriter, r *http.Request) {
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
	if err := h.prov.SelectLogin(r.Context(), ar.ID, browser(r), name); err != nil {
		h.flowError(w, r, err)
		return
	}
	p.Title = "Enter your password"
	h.render(w, r, http.StatusOK, "password", p, ar.RedirectURI)
}

// postPassword checks the password of the name the request recorded, under the
// lockout policy and the throttles.
func (h *handler) postPassword(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ar, ok := h.form(w, r)
	if !ok {
		return
	}
	name := ar.LoginName
	if name == "" { // the password form was posted before the user-name step
		h.render(w, r, http.StatusOK, "username", page{Title: "Sign in", AuthRequestID: ar.ID}, ar.RedirectURI)
		return
	}
	p := page{Title: "Enter your password", AuthRequestID: ar.ID, LoginName: name}
	addrKey, nameKey := "ip:"+clientIP(r, h.opts.TrustedProxies), "name:"+strings.ToLower(name)
	refund, ok := h.reserve(r, addrKey, nameKey)
	if !ok {
		h.message(w, r, http.StatusTooManyRequests, page{Title: "Too many attempts", Error: TextThrottled})
		return
	}
	password := r.PostForm.Get("password")
	var (
		res *app.PasswordResult
		err error
	)
	u, ferr := h.app.FindLoginUserIn(ctx, ar.OrgID, name)
	switch {
	case ferr == nil && len(password) <= maxPassword:
		res, err = h.app.CheckPassword(ctx, u.ID, password)
	case ferr == nil, errors.Is(ferr, user.ErrGetNotFound), errors.Is(ferr, app.ErrLoginNameAmbiguous):
		// Unknown, ambiguous, or an over-long password: the same work and the
		// same answer as a wrong password.
		err = h.app.CheckUnknownUserPassword(ctx, password)
	default:
		err = ferr
	}
	switch {
	case err == nil:
		refund()
	case errors.Is(err, user.ErrLocked):
		refund() // the password was right
		h.refused(w, r, ar, TextLocked)
		return
	case errors.Is(err, user.ErrNotActive):
		refund()
		h.refused(w, r, ar, TextInactive)
		return
	case isRefusal(err):
		p.Error = TextWrongPassword
		if !strings.Contains(name, "@") {
			p.Error += " " + TextFullNameHint
		}
		h.render(w, r, http.StatusOK, "password", p, ar.RedirectURI)
		return
	case errors.Is(err, app.ErrPasswordBusy):
		refund()
		h.message(w, r, http.StatusServiceUnavailable, page{Title: "Busy", Error: TextBusy, AuthRequestID: ar.ID})
		return
	default:
		refund()
		h.internal(w, r, "check password", err)
		return
	}
	u = res.User
	expired, err := h.app.PasswordExpired(ctx, u)
	if err != nil {
		h.internal(w, r, "password age", err)
		return
	}
	if u.Human != nil && (u.Human.PasswordChangeRequired || expired) {
		ticket, err := h.app.StartPasswordChange(ctx, u.ID, ar.ID, u.CredentialEpoch)
		if err != nil {
			h.internal(w, r, "start password change", err)
			return
		}
		p.Title, p.Ticket = "Change your password", ticket
		h.render(w, r, http.StatusOK, "change", p, ar.RedirectURI)
		return
	}
	h.signedIn(w, r, ar, u, u.CredentialEpoch, time.Now(), "new")
}

// postChange sets the new password a forced change asked for, then signs in.
func (h *handler) postChange(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ar, ok := h.form(w, r)
	if !ok {
		return
	}
	newPW, confirm := r.PostForm.Get("newPassword"), r.PostForm.Get("confirmPassword")
	p := page{Title: "Change your password", AuthRequestID: ar.ID, LoginName: ar.LoginName,
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
		h.refused(w, r, ar, TextLocked)
		return
	case errors.Is(err, user.ErrNotActive):
		h.refused(w, r, ar, TextInactive)
		return
	case errors.Is(err, app.ErrPasswordChangeExpired):
		h.message(w, r, http.StatusBadRequest, page{Title: "Sign-in expired", AuthRequestID: ar.ID,
			Error: "The password change took too long or was not started here. Sign in again."})
		return
	default:
		if fe, ok := fail.As(err); ok && fe.Code == codes.InvalidArgument {
			// The complexity policy's own words: what the new password lacks.
			p.Error = fe.Message + "."
			h.render(w, r, http.StatusOK, "change", p, ar.RedirectURI)
			return
		}
		h.internal(w, r, "change password", err)
		return
	}
	h.signedIn(w, r, ar, u, u.CredentialEpoch, time.Now(), "new")
}

// signedIn goes on once u proved who it is for ar (by password, newSession =
// "new", or by this browser's session): it starts a new browser session when
// asked, asks for consent when the client is not trusted with the API it
// wants, and completes the request.
func (h *handler) signedIn(w http.ResponseWriter, r *http.Request, ar *oidc.LoginRequest, u *user.User, epoch uint64, authTime time.Time, newSession string) {
	ctx := r.Context()
	if newSession != "" {
		if old := oidc.CookieValue(r, oidc.SessionCookie); old != "" {
			_, _ = h.app.EndSession(ctx, old) // replaced by this sign-in
		}
		cookie, err := h.app.CreateSession(ctx, u.ID, epoch, authTime)
		if err != nil {
			h.internal(w, r, "create session", err)
			return
		}
		h.setCookie(w, oidc.SessionCookie, cookie, "/", int(app.SessionTTL/time.Second))
	}
	if ar.WantsAPI() {
		need, err := h.app.APIConsentNeeded(ctx, u.ID, ar.ClientID)
		if err != nil {
			h.internal(w, r, "consent", err)
			return
		}
		if need {
			if err := h.prov.Authenticated(ctx, ar.ID, browser(r), u.ID, epoch, authTime, []string{"pwd"}); err != nil {
				h.stepError(w, r, ar, err)
				return
			}
			ar.UserID, ar.Authenticated = u.ID, true
			h.consent(w, r, ar)
			return
		}
	}
	h.complete(w, r, ar, u.ID, epoch, authTime)
}

func (h *handler) complete(w http.ResponseWriter, r *http.Request, ar *oidc.LoginRequest, userID string, epoch uint64, authTime time.Time) {
	to, err := h.prov.Complete(r.Context(), ar.ID, browser(r), userID, epoch, authTime, []string{"pwd"})
	if err != nil {
		h.stepError(w, r, ar, err)
		return
	}
	if ar.Device { // a device flow ends at its approval, not at a client
		to = pathDeviceApprove + "?authRequestID=" + urlQueryEscape(ar.ID)
	}
	http.Redirect(w, r, to, http.StatusFound)
}

// consent shows what an untrusted client asks for, naming the app and its org.
func (h *handler) consent(w http.ResponseWriter, r *http.Request, ar *oidc.LoginRequest) {
	ctx := r.Context()
	cl, err := h.app.Client(ctx, ar.ClientID)
	if err != nil {
		h.internal(w, r, "consent: client", err)
		return
	}
	name := ar.LoginName
	if u, err := h.app.Store().User(ctx, ar.UserID); err == nil {
		if o, err := h.app.Store().Org(ctx, u.OrgID); err == nil {
			name = h.app.LoginName(u, o)
		}
	}
	h.render(w, r, http.StatusOK, "consent", page{Title: "Allow access?", AuthRequestID: ar.ID, LoginName: name,
		AppName: cl.AppName, OrgName: cl.OrgName}, ar.RedirectURI)
}

// postConsent records the user's answer for the user this browser authenticated.
func (h *handler) postConsent(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ar, ok := h.form(w, r)
	if !ok {
		return
	}
	if !ar.Authenticated {
		h.flowError(w, r, oidc.ErrFlowState)
		return
	}
	if r.PostForm.Get("decision") != "allow" {
		if ar.Device {
			h.denyDevice(w, r, ar)
			return
		}
		if err := h.prov.Deny(w, r, ar.ID, browser(r)); err != nil {
			h.flowError(w, r, err)
		}
		return
	}
	if err := h.app.GrantAPIConsent(ctx, ar.UserID, ar.ClientID); err != nil {
		h.internal(w, r, "grant consent", err)
		return
	}
	h.complete(w, r, ar, ar.UserID, 0, time.Time{})
}

// postLogout ends the browser session; with an auth request of this browser it
// returns to its user-name form ("use another account").
func (h *handler) postLogout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if !h.parse(w, r) {
		return
	}
	if c := oidc.CookieValue(r, oidc.SessionCookie); c != "" {
		if _, err := h.app.EndSession(ctx, c); err != nil {
			h.internal(w, r, "end session", err)
			return
		}
	}
	h.clearSession(w)
	if id := clip(r.PostForm.Get("authRequestID"), maxTokenLen); id != "" {
		if err := h.prov.Restart(ctx, id, browser(r)); err == nil {
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
	if c := oidc.CookieValue(r, oidc.SessionCookie); c != "" {
		u, _, err := h.app.SessionUser(r.Context(), c)
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
func (h *handler) refused(w http.ResponseWriter, r *http.Request, ar *oidc.LoginRequest, text string) {
	h.render(w, r, http.StatusForbidden, "message", page{Title: "You cannot sign in", Error: text,
		AuthRequestID: ar.ID, ShowLogout: true}, ar.RedirectURI)
}

// --- forms, CSRF, throttle ---

// parse limits and parses a form and checks its CSRF token: an HMAC of the
// browser's binding cookie under a key derived from the master key, so a token
// cannot be made for a cookie, nor a cookie planted for a token.
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
	b := browser(r)
	sent := r.PostForm.Get("csrf")
	if len(b) < 32 || subtle.ConstantTimeCompare([]byte(h.csrfFor(b)), []byte(sent)) != 1 {
		h.message(w, r, http.StatusForbidden, page{Title: "Form expired", Error: TextCSRF})
		return false
	}
	return true
}

// form parses a step's form and loads its auth request (of this browser, not done).
func (h *handler) form(w http.ResponseWriter, r *http.Request) (*oidc.LoginRequest, bool) {
	if !h.parse(w, r) {
		return nil, false
	}
	return h.authRequest(w, r, clip(r.PostForm.Get("authRequestID"), maxTokenLen+1))
}

// authRequest loads a pending request of this browser, or answers why not.
func (h *handler) authRequest(w http.ResponseWriter, r *http.Request, id string) (*oidc.LoginRequest, bool) {
	ar, err := h.prov.AuthRequest(r.Context(), id, browser(r))
	if err != nil {
		h.flowError(w, r, err)
		return nil, false
	}
	return ar, true
}

// stepError answers a refused authentication or completion: a user outside the
// organisation the request is restricted to may use another account; anything
// else is a flow error.
func (h *handler) stepError(w http.ResponseWriter, r *http.Request, ar *oidc.LoginRequest, err error) {
	switch {
	case errors.Is(err, oidc.ErrNotAllowedOrg):
		h.refused(w, r, ar, TextNotAllowedOrg)
		return
	case errors.Is(err, oidc.ErrGrantRequired):
		h.refused(w, r, ar, TextGrantRequired)
		return
	case errors.Is(err, oidc.ErrProjectRequired):
		h.refused(w, r, ar, TextProjectRequired)
		return
	case errors.Is(err, oidc.ErrProjectInactive):
		h.refused(w, r, ar, TextProjectInactive)
		return
	}
	h.flowError(w, r, err)
}

// flowError answers a step the request is not at, or a request of another browser.
func (h *handler) flowError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, oidc.ErrOtherBrowser):
		h.message(w, r, http.StatusForbidden, page{Title: "Sign-in not started here", Error: TextOtherBrowser})
	case errors.Is(err, oidc.ErrFlowState):
		h.message(w, r, http.StatusBadRequest, page{Title: "Sign-in complete", Error: TextFlowDone})
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
	default:
		h.message(w, r, http.StatusBadRequest, page{Title: "Sign-in expired", Error: TextUnknownFlow})
	}
}

func (h *handler) csrfFor(browser string) string {
	return base64.RawURLEncoding.EncodeToString(h.app.MasterKey().MAC("warden login csrf", browser))
}

// reserve takes one attempt from the address's and the login name's buckets,
// logging the first refusal of a key each minute. It returns a function that
// gives the attempts back (call it when the password was right), or ok=false
// when either bucket is empty.
func (h *handler) reserve(r *http.Request, addrKey, nameKey string) (refund func(), ok bool) {
	if h.byAddr == nil {
		return func() {}, true
	}
	now := time.Now()
	okA, warnA := h.byAddr.take(addrKey, now)
	okN, warnN := h.byName.take(nameKey, now)
	for k, warn := range map[string]bool{addrKey: warnA, nameKey: warnN} {
		if warn {
			h.log.WarnContext(r.Context(), "login: too many failed password attempts; throttling", "key", k)
		}
	}
	refund = func() {
		if okA {
			h.byAddr.refund(addrKey)
		}
		if okN {
			h.byName.refund(nameKey)
		}
	}
	if !okA || !okN {
		refund()
		return nil, false
	}
	return refund, true
}

func (h *handler) setCookie(w http.ResponseWriter, name, value, path string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge, HttpOnly: true,
		Secure: h.opts.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// clearSession drops the session cookie (and the /ui/-scoped one earlier
// versions set).
func (h *handler) clearSession(w http.ResponseWriter) {
	h.setCookie(w, oidc.SessionCookie, "", "/", -1)
	h.setCookie(w, oidc.SessionCookie, "", "/ui/", -1)
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

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
