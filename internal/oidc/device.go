package oidc

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/oauth"
	httphelper "github.com/zitadel/oidc/v3/pkg/http"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// The device authorization grant (RFC 8628) at ZITADEL's paths. The library
// serves /oauth/v2/device_authorization (codes, verification URIs) over
// StoreDeviceAuthorization; Warden answers the token endpoint's device_code
// grant itself (deviceToken), because the library's polling knows neither
// slow_down nor which authorization a token request redeems. Both
// authenticate the client first (deviceClient): the library's check lets a
// confidential client start a flow without its secret.

const (
	// DeviceAuthorizationPath is where devices ask for codes.
	DeviceAuthorizationPath = "/oauth/v2/device_authorization"
	// DeviceUserPath is the verification URI's path (ZITADEL's: /device at the
	// root, which sends the browser on to the login page's /ui/login/device).
	DeviceUserPath = "/device"
	// LoginDevicePath is the login page's user-code form.
	LoginDevicePath = loginPath + "/device"
)

func deviceConfig(c app.DeviceConfig) op.DeviceAuthorizationConfig {
	return op.DeviceAuthorizationConfig{Lifetime: c.Lifetime, PollInterval: c.PollInterval, UserFormPath: DeviceUserPath,
		UserCode: op.UserCodeConfig{CharSet: app.UserCodeCharSet, CharAmount: app.UserCodeCharAmount,
			DashInterval: app.UserCodeDashInterval}}
}

var _ op.DeviceAuthorizationStorage = (*storage)(nil)

// StoreDeviceAuthorization keeps a device's new codes (their hashes) through app.
func (s *storage) StoreDeviceAuthorization(ctx context.Context, clientID, deviceCode, userCode string, expires time.Time, scopes []string) error {
	err := s.app.StartDeviceAuthorization(ctx, clientID, deviceCode, userCode, expires, scopes)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, app.ErrDeviceGrantMissing):
		return zoidc.ErrUnauthorizedClient().WithDescription("client missing grant type " + string(zoidc.GrantTypeDeviceCode))
	case errors.Is(err, app.ErrOrgScope):
		fe, _ := fail.As(err)
		return zoidc.ErrInvalidScope().WithDescription("%s", fe.Message)
	}
	return err
}

// GetDeviceAuthorizatonState is the library's polling, which Warden does not
// use: Provider.deviceToken answers the device_code grant.
func (s *storage) GetDeviceAuthorizatonState(context.Context, string, string) (*op.DeviceAuthorizationState, error) {
	return nil, errors.New("oidc: the device_code grant is served by Provider.deviceToken")
}

// deviceClient authenticates the client of a device request: a public client
// (auth method none) names itself; any other proves it with its credentials
// (basic, post or a client assertion). It must have the device grant.
func (p *Provider) deviceClient(r *http.Request) (op.Client, error) {
	ctx := r.Context()
	clientID, authenticated, err := op.ClientIDFromRequest(r, p.op)
	if err != nil {
		return nil, zoidc.ErrInvalidClient().WithParent(err)
	}
	c, err := p.storage.GetClientByClientID(ctx, clientID)
	if errors.Is(err, errUnknownClient) {
		return nil, zoidc.ErrInvalidClient()
	} else if err != nil {
		return nil, zoidc.ErrServerError().WithParent(err)
	}
	// The library checks only Basic credentials and assertions; a secret in
	// the form is checked here, for either secret method: RFC 8628 clients
	// (x/oauth2's among them) send nothing but form fields to the device
	// authorization endpoint.
	m := c.AuthMethod()
	if secret := r.PostForm.Get("client_secret"); !authenticated && secret != "" && (m == zoidc.AuthMethodPost || m == zoidc.AuthMethodBasic) {
		authenticated = p.storage.AuthorizeClientIDSecret(ctx, clientID, secret) == nil
	}
	if !authenticated && m != zoidc.AuthMethodNone {
		return nil, zoidc.ErrInvalidClient().WithDescription("client authentication failed")
	}
	if !op.ValidateGrantType(c, zoidc.GrantTypeDeviceCode) {
		return nil, zoidc.ErrUnauthorizedClient().WithDescription("client missing grant type " + string(zoidc.GrantTypeDeviceCode))
	}
	return c, nil
}

// deviceAuthorizationAllowed answers a device authorization request that is
// not a POST (RFC 8628 3.1; the library would take a GET's query) or whose
// client cannot use the flow; the library serves the others.
func (p *Provider) deviceAuthorizationAllowed(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		httphelper.MarshalJSONWithStatus(w, zoidc.ErrInvalidRequest().WithDescription("the device authorization request must be a POST"),
			http.StatusMethodNotAllowed)
		return false
	}
	if _, err := p.deviceClient(r); err != nil {
		op.RequestError(w, r, err, nil)
		return false
	}
	return true
}

type deviceGrantKey struct{}

// deviceGrantOf is the device authorization a token request redeems, which
// deviceToken hands to CreateAccessToken through the context.
func deviceGrantOf(ctx context.Context) string {
	v, _ := ctx.Value(deviceGrantKey{}).(string)
	return v
}

// deviceToken answers a token request with grant_type device_code.
func (p *Provider) deviceToken(w http.ResponseWriter, r *http.Request) {
	ctx := op.ContextWithIssuer(r.Context(), p.issuer)
	r = r.WithContext(ctx)
	c, err := p.deviceClient(r)
	if err != nil {
		op.RequestError(w, r, err, nil)
		return
	}
	g, err := p.storage.app.PollDevice(ctx, c.GetID(), r.PostForm.Get("device_code"))
	if err != nil {
		op.RequestError(w, r, deviceErr(err), nil)
		return
	}
	// A *op.DeviceAuthorizationState, so the library issues a refresh token
	// for offline_access as it does for its own device flow.
	state := &op.DeviceAuthorizationState{ClientID: g.ClientID, Audience: g.Audience, Scopes: g.Scopes, Done: true,
		Subject: g.UserID, AMR: g.AMR, AuthTime: g.AuthTime}
	resp, err := op.CreateDeviceTokenResponse(context.WithValue(ctx, deviceGrantKey{}, g.ID), state, p.op, c)
	if err != nil {
		op.RequestError(w, r, deviceErr(err), nil)
		return
	}
	httphelper.MarshalJSON(w, resp)
}

// deviceErr is the RFC 8628 answer to a use case's refusal.
func deviceErr(err error) error {
	switch {
	case errors.Is(err, oauth.ErrDevicePending):
		return zoidc.ErrAuthorizationPending()
	case errors.Is(err, oauth.ErrDeviceSlowDown):
		return zoidc.ErrSlowDown()
	case errors.Is(err, oauth.ErrDeviceDenied):
		return zoidc.ErrAccessDenied()
	case errors.Is(err, oauth.ErrDeviceExpired):
		return zoidc.ErrExpiredDeviceCode()
	case errors.Is(err, oauth.ErrDeviceNotFound), errors.Is(err, app.ErrDeviceOtherClient), errors.Is(err, fail.Unauthenticated):
		return zoidc.ErrInvalidGrant()
	}
	var oe *zoidc.Error
	if errors.As(err, &oe) {
		return err
	}
	return zoidc.ErrServerError().WithParent(err)
}

// DeviceSignIn starts, in this browser, the sign-in for the device whose user
// code the person typed, and returns its auth request id.
func (p *Provider) DeviceSignIn(ctx context.Context, userCode, browser string) (string, error) {
	ar, err := p.storage.app.DeviceSignIn(ctx, userCode, browser)
	if err != nil {
		return "", err
	}
	return ar.ID, nil
}

// DeviceApproval is the done device sign-in of this browser awaiting the
// person's decision.
func (p *Provider) DeviceApproval(ctx context.Context, authRequestID, browser string) (*app.DevicePrompt, error) {
	return p.storage.app.DeviceApproval(ctx, authRequestID, browser)
}

// DecideDevice approves (allow) or denies the device of this browser's done
// device sign-in.
func (p *Provider) DecideDevice(ctx context.Context, authRequestID, browser string, allow bool) error {
	return p.storage.app.DecideDevice(ctx, authRequestID, browser, allow)
}
