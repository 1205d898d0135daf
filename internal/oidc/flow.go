package oidc

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/oauth"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Cookies the provider and the login page share. Both are HttpOnly, SameSite
// Lax and scoped to the whole origin, so they reach /oauth/v2/authorize/callback,
// /oidc/v1/end_session and /ui/login alike.
const (
	// BrowserCookie binds auth requests to the browser that started them: a
	// random value set at /oauth/v2/authorize whose SHA-256 the request keeps.
	// Another browser — an attacker's, sending a victim a login link, or the
	// attacker's own fetch of the callback — cannot continue that request.
	BrowserCookie = "warden_browser"
	// SessionCookie is the login page's browser session (its SHA-256 is the
	// stored session's key).
	SessionCookie = "warden_session"
)

const (
	authorizePath   = "/oauth/v2/authorize"
	callbackPath    = authorizePath + "/callback"
	endSessionPath  = "/oidc/v1/end_session"
	maxCookieLength = 100
)

// Errors of the login steps (the use cases' own, so errors.Is matches either).
var (
	// ErrFlowState: the request is not at a step where this is allowed (it was
	// completed, or not yet authenticated).
	ErrFlowState = app.ErrFlowState
	// ErrOtherBrowser: the request was started by another browser.
	ErrOtherBrowser = app.ErrOtherBrowser
	// ErrNotAllowedOrg: the user is not of the organisation an org scope
	// restricts the request to.
	ErrNotAllowedOrg = app.ErrNotAllowedOrg
	// ErrGrantRequired, ErrProjectRequired: the app's project checks roles
	// (or the user's organisation) and the user has no grant (or none of its
	// organisation); ErrProjectInactive: the app's project is deactivated.
	ErrGrantRequired   = app.ErrGrantRequired
	ErrProjectRequired = app.ErrProjectRequired
	ErrProjectInactive = app.ErrProjectInactive
)

type browserKey struct{}
type sessionKey struct{}

func withBrowser(ctx context.Context, v string) context.Context {
	return context.WithValue(ctx, browserKey{}, v)
}

func browserOf(ctx context.Context) string { v, _ := ctx.Value(browserKey{}).(string); return v }

func sessionOf(ctx context.Context) string { v, _ := ctx.Value(sessionKey{}).(string); return v }

// CookieValue reads a cookie as the provider and login page accept it: present
// and at most maxCookieLength long.
func CookieValue(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil || len(c.Value) > maxCookieLength {
		return ""
	}
	return c.Value
}

// EnsureBrowser returns the browser's binding cookie, setting a new one when it
// has none (or a malformed one).
func (p *Provider) EnsureBrowser(w http.ResponseWriter, r *http.Request) string {
	if v := CookieValue(r, BrowserCookie); len(v) >= 32 {
		return v
	}
	v := randomID() + randomID()
	http.SetCookie(w, &http.Cookie{Name: BrowserCookie, Value: v, Path: "/", HttpOnly: true,
		Secure: p.secure, SameSite: http.SameSiteLaxMode})
	return v
}

// LoginRequest is what the login page needs to know about an auth request.
type LoginRequest struct {
	ID        string
	ClientID  string
	Scopes    []string
	LoginHint string
	Prompt    []string
	LoginName string // typed at the user-name step
	// UserID is set once a user is authenticated (awaiting consent).
	UserID        string
	Authenticated bool
	// RedirectURI is where the flow ends (the login page allows its origin as a
	// form-action, since browsers check redirects after a form post against it).
	RedirectURI string
	MaxAge      *uint // seconds since the last sign-in the client accepts; nil = any
	// OrgID is the organisation an org scope restricts the sign-in to ("" = any).
	OrgID string
	// Device: the sign-in of a device flow, which ends at the approval page
	// (DevicePage) instead of the client's redirect URI.
	Device bool
}

// AuthRequest returns a pending auth request of this browser for the login
// page. A completed request, one of another browser and an unknown or expired
// one are all refused.
func (p *Provider) AuthRequest(ctx context.Context, id, browser string) (*LoginRequest, error) {
	ar, err := p.storage.app.PendingAuthRequest(ctx, id, browser)
	if err != nil {
		return nil, err
	}
	return &LoginRequest{ID: ar.ID, ClientID: ar.ClientID, Scopes: ar.Scopes, LoginHint: ar.LoginHint, Prompt: ar.Prompt,
		LoginName: ar.LoginName, UserID: ar.UserID, Authenticated: ar.Authenticated, RedirectURI: ar.RedirectURI,
		MaxAge: ar.MaxAge, OrgID: ar.OrgID, Device: ar.DeviceAuth != ""}, nil
}

// SelectLogin records the login name typed at the user-name step. It may be
// typed again ("use another account") until a user is authenticated.
func (p *Provider) SelectLogin(ctx context.Context, id, browser, loginName string) error {
	return p.storage.app.SelectLoginName(ctx, id, browser, loginName)
}

// Restart takes an authenticated request that awaits consent back to the
// user-name step (the person chose another account); done ones stay done.
func (p *Provider) Restart(ctx context.Context, id, browser string) error {
	return p.storage.app.RestartAuthRequest(ctx, id, browser)
}

// Authenticated records that userID proved who it is for the request, in the
// user's credential epoch, without completing it (consent comes next). It is
// refused once a user is authenticated: the user of a request never changes.
func (p *Provider) Authenticated(ctx context.Context, id, browser, userID string, epoch uint64, authTime time.Time, amr []string) error {
	return p.storage.app.AuthenticateAuthRequest(ctx, id, browser, userID, epoch, authTime, amr)
}

// Complete finishes a request: authenticated by userID (recorded now unless it
// already was, for that same user), and done, so the callback issues one code.
// It returns the URL to send the browser to.
func (p *Provider) Complete(ctx context.Context, id, browser, userID string, epoch uint64, authTime time.Time, amr []string) (string, error) {
	if err := p.storage.app.CompleteAuthRequest(ctx, id, browser, userID, epoch, authTime, amr); err != nil {
		return "", err
	}
	return op.AuthCallbackURL(p.op)(ctx, id), nil
}

// Deny ends a request with access_denied at the client (the user refused consent).
func (p *Provider) Deny(w http.ResponseWriter, r *http.Request, id, browser string) error {
	ar, err := p.storage.app.DenyAuthRequest(r.Context(), id, browser)
	if err != nil {
		return err
	}
	// Only its redirect URI, response type and state matter for the error.
	op.AuthRequestError(w, r, &authRequest{r: *ar}, zoidc.ErrAccessDenied().WithDescription("The user did not allow the access."), p.op)
	return nil
}

// WantsAPI tells whether a request asks for Warden's own API audience.
func (lr *LoginRequest) WantsAPI() bool { return slices.Contains(lr.Scopes, oauth.APIAudienceScope) }
