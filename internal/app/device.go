package app

import (
	"context"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// The device authorization grant (RFC 8628). A device asks
// /oauth/v2/device_authorization for a device code (which it polls the token
// endpoint with) and a user code (which a person types at the login page's
// /device page, on another screen). The person signs in there through the
// usual steps — in an auth request bound to that browser, like any sign-in —
// and then approves or denies the device, once. An approved authorization is
// redeemed once, in the write that stores its tokens, reading the user's state
// and credential epoch there like every other grant.

// DeviceConfig are the device flow's lifetimes (ZITADEL's defaults.yaml
// OIDC.DeviceAuth: 5 minutes, polls every 5 seconds).
type DeviceConfig struct {
	Lifetime     time.Duration
	PollInterval time.Duration
}

// User codes as ZITADEL makes them (OIDC.DeviceAuth.UserCode): 8 of 20
// consonants (no vowels, so no words), a dash after every 4.
const (
	UserCodeCharSet      = "BCDFGHJKLMNPQRSTVWXZ"
	UserCodeCharAmount   = 8
	UserCodeDashInterval = 4
	// deviceGrace keeps an expired authorization readable a while, so a late
	// poll is told expired_token rather than that the code is unknown.
	deviceGrace = 10 * time.Minute
)

// WithDeviceConfig sets the device flow's lifetime and poll interval; zero
// values keep the defaults.
func WithDeviceConfig(c DeviceConfig) Option {
	return func(a *App) { a.device = c }
}

// DeviceConfig returns the device flow's lifetimes, defaults filled in.
func (a *App) DeviceConfig() DeviceConfig {
	c := a.device
	if c.Lifetime <= 0 {
		c.Lifetime = 5 * time.Minute
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 5 * time.Second
	}
	return c
}

// NormalizeUserCode is the user code as issued, from what a person typed:
// upper case, only the code's letters, the dashes where they belong. It
// returns "" for anything that cannot be a user code.
func NormalizeUserCode(typed string) string {
	var b strings.Builder
	n := 0
	for _, c := range strings.ToUpper(typed) {
		if c == '-' || c == ' ' {
			continue
		}
		if !strings.ContainsRune(UserCodeCharSet, c) || n == UserCodeCharAmount {
			return ""
		}
		if n > 0 && n%UserCodeDashInterval == 0 {
			b.WriteByte('-')
		}
		b.WriteRune(c)
		n++
	}
	if n != UserCodeCharAmount {
		return ""
	}
	return b.String()
}

// userCodeID is a device authorization's artifact id: a keyed hash of its
// user code. The code has only ~35 bits, so a plain hash in a database copy
// would give it away; the key (derived from the master key) is not there.
func (a *App) userCodeID(userCode string) string {
	return hex.EncodeToString(a.keys.MAC("warden device user code", userCode))
}

// StartDeviceAuthorization stores a device's request: only the device code's
// SHA-256 and the user code's keyed hash are kept. The client must have the
// device grant; the scopes are those Warden serves, and org scopes must name
// one organisation, which the sign-in is then restricted to.
func (a *App) StartDeviceAuthorization(ctx context.Context, clientID, deviceCode, userCode string, expires time.Time, scopes []string) error {
	if deviceCode == "" || NormalizeUserCode(userCode) != userCode {
		return fail.Internal.Wrap(errors.New("device authorization without valid codes"))
	}
	ap, err := appByClientID(ctx, a.store, clientID)
	if err != nil {
		return err
	}
	if ap.Kind != project.AppOIDC || !slices.Contains(ap.GrantTypes, project.GrantDeviceCode) {
		return ErrDeviceGrantMissing
	}
	kept := make([]string, 0, len(scopes))
	for _, sc := range scopes {
		if oauth.ServedScope(sc) && !slices.Contains(kept, sc) {
			kept = append(kept, sc)
		}
	}
	orgID, err := a.requestedOrg(ctx, a.store, kept)
	if err != nil {
		return err
	}
	now := store.Now()
	d := oauth.DeviceAuthorization{ClientID: clientID, Scopes: kept, OrgID: orgID, Expires: expires.UTC(),
		Interval: a.DeviceConfig().PollInterval, State: oauth.DevicePending, CreatedAt: now}
	id := a.userCodeID(userCode)
	err = a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		// PutArtifact replaces: never let a new code take over a live one.
		if _, _, err := loadArtifact[oauth.DeviceAuthorization](ctx, tx, oauth.KindDeviceAuth, id, false); err == nil {
			return ErrUserCodeCollision
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return putJSON(ctx, tx, &store.Artifact{Kind: oauth.KindDeviceAuth, ID: id, Key: cookieKey(deviceCode),
			CreatedAt: now, ExpiresAt: d.Expires.Add(deviceGrace)}, d)
	})
	return storeErr(err)
}

// DeviceSignIn starts the sign-in for the device whose user code a person
// typed: an auth request bound to this browser, for the device's client and
// scopes, which the login page takes through its usual steps. An unknown,
// decided or expired code is ErrDeviceNotFound (the page throttles misses).
func (a *App) DeviceSignIn(ctx context.Context, userCode, browser string) (*oauth.AuthRequest, error) {
	if browser == "" {
		return nil, ErrNoBrowserBinding
	}
	code := NormalizeUserCode(userCode)
	if code == "" {
		return nil, oauth.ErrDeviceNotFound
	}
	id := a.userCodeID(code)
	d, _, err := loadArtifact[oauth.DeviceAuthorization](ctx, a.store, oauth.KindDeviceAuth, id, false)
	if errors.Is(err, store.ErrNotFound) {
		return nil, oauth.ErrDeviceNotFound
	} else if err != nil {
		return nil, storeErr(err)
	}
	if err := d.Open(time.Now()); err != nil {
		return nil, oauth.ErrDeviceNotFound
	}
	now := store.Now()
	ar := oauth.AuthRequest{ID: randomID(), ClientID: d.ClientID, Scopes: d.Scopes, BrowserHash: cookieKey(browser),
		OrgID: d.OrgID, DeviceAuth: id, CreatedAt: now}
	err = a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return putJSON(ctx, tx, &store.Artifact{Kind: oauth.KindAuthRequest, ID: ar.ID, CreatedAt: now,
			ExpiresAt: now.Add(authRequestTTL)}, ar)
	})
	if err != nil {
		return nil, storeErr(err)
	}
	return &ar, nil
}

// DevicePrompt is what the approval page shows: the signed-in user and what
// the device's client asks for.
type DevicePrompt struct {
	AuthRequestID string
	UserID        string
	ClientID      string
	Scopes        []string
}

// DeviceApproval returns the device sign-in of this browser that is done and
// waits for the person's decision.
func (a *App) DeviceApproval(ctx context.Context, authRequestID, browser string) (*DevicePrompt, error) {
	if !flowValue(authRequestID) {
		return nil, ErrAuthRequestNotFound
	}
	ar, _, err := loadArtifact[oauth.AuthRequest](ctx, a.store, oauth.KindAuthRequest, authRequestID, false)
	if err != nil {
		return nil, authRequestErr(err)
	}
	if !boundTo(ar, browser) {
		return nil, ErrOtherBrowser
	}
	if !ar.Done || ar.DeviceAuth == "" {
		return nil, ErrFlowState
	}
	d, _, err := loadArtifact[oauth.DeviceAuthorization](ctx, a.store, oauth.KindDeviceAuth, ar.DeviceAuth, false)
	if errors.Is(err, store.ErrNotFound) {
		return nil, oauth.ErrDeviceNotFound
	} else if err != nil {
		return nil, storeErr(err)
	}
	if err := d.Open(time.Now()); err != nil {
		return nil, err
	}
	return &DevicePrompt{AuthRequestID: ar.ID, UserID: ar.UserID, ClientID: d.ClientID, Scopes: d.Scopes}, nil
}

// DecideDevice records the person's answer for the device sign-in of this
// browser, in one write that also spends the sign-in: approved by the user it
// authenticated — who must still be able to sign in, in the epoch of that
// sign-in — or denied (also by a user still at the API consent step).
func (a *App) DecideDevice(ctx context.Context, authRequestID, browser string, allow bool) error {
	if !flowValue(authRequestID) {
		return ErrAuthRequestNotFound
	}
	err := a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		ar, _, err := loadArtifact[oauth.AuthRequest](ctx, tx, oauth.KindAuthRequest, authRequestID, false)
		if err != nil {
			return err
		}
		if !boundTo(ar, browser) {
			return ErrOtherBrowser
		}
		if ar.DeviceAuth == "" || !(ar.Done || !allow && ar.Authenticated) {
			return ErrFlowState
		}
		d, art, err := loadArtifact[oauth.DeviceAuthorization](ctx, tx, oauth.KindDeviceAuth, ar.DeviceAuth, false)
		if errors.Is(err, store.ErrNotFound) {
			return oauth.ErrDeviceNotFound
		} else if err != nil {
			return err
		}
		now := time.Now()
		var decided error
		if allow {
			u, err := tx.User(ctx, ar.UserID)
			if errors.Is(err, store.ErrNotFound) {
				return fail.Unauthenticated
			} else if err != nil {
				return err
			}
			switch {
			case u.State == user.StateLocked:
				return user.ErrLocked
			case !u.CanAuthenticate():
				return user.ErrNotActive
			case u.CredentialEpoch != ar.Epoch:
				return fail.Unauthenticated
			case d.OrgID != "" && u.OrgID != d.OrgID:
				return ErrNotAllowedOrg
			}
			decided = d.Approve(now, ar.UserID, ar.Epoch, ar.AuthTime, ar.AMR)
		} else {
			decided = d.Deny(now)
		}
		if decided != nil {
			return decided
		}
		if err := tx.DeleteArtifact(ctx, oauth.KindAuthRequest, ar.ID); err != nil {
			return err
		}
		return putJSON(ctx, tx, art, d)
	})
	return authRequestErr(err)
}

// DeviceGrant is an approved device authorization as its tokens will see it.
type DeviceGrant struct {
	ID       string // the authorization's artifact id, which IssueTokens redeems
	ClientID string
	UserID   string
	Scopes   []string // as granted
	Audience []string
	AuthTime time.Time
	AMR      []string
}

// PollDevice answers a device's token request with its device code: nil
// error and the grant once approved (IssueTokens then redeems it), else the
// refusal RFC 8628 names — pending, slow down, denied, expired — or
// ErrDeviceNotFound for an unknown or redeemed code. Each poll of a pending
// authorization is recorded, so polling faster than the interval is seen.
func (a *App) PollDevice(ctx context.Context, clientID, deviceCode string) (*DeviceGrant, error) {
	if deviceCode == "" || !flowValue(deviceCode) {
		return nil, oauth.ErrDeviceNotFound
	}
	var (
		d   *oauth.DeviceAuthorization
		art *store.Artifact
	)
	var polled error
	err := a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		d, art, err = loadArtifact[oauth.DeviceAuthorization](ctx, tx, oauth.KindDeviceAuth, cookieKey(deviceCode), true)
		if errors.Is(err, store.ErrNotFound) {
			return oauth.ErrDeviceNotFound
		} else if err != nil {
			return err
		}
		if d.ClientID != clientID {
			return ErrDeviceOtherClient
		}
		polled = d.Poll(time.Now())
		if d.State != oauth.DevicePending {
			return nil // nothing to record
		}
		return putJSON(ctx, tx, art, d)
	})
	if err != nil {
		return nil, storeErr(err)
	}
	if polled != nil {
		return nil, polled
	}
	if _, err := a.LiveUser(ctx, d.UserID, d.Epoch); err != nil {
		return nil, err
	}
	sg, err := a.signInGrant(ctx, a.store, deviceRequest(d))
	if err != nil {
		return nil, err
	}
	return &DeviceGrant{ID: art.ID, ClientID: d.ClientID, UserID: d.UserID, Scopes: sg.Request.Scopes, Audience: sg.Audience,
		AuthTime: d.AuthTime, AMR: d.AMR}, nil
}

// deviceRequest is an approved device authorization as the sign-in it was:
// signInGrant decides its scopes and audience as for any sign-in.
func deviceRequest(d *oauth.DeviceAuthorization) oauth.AuthRequest {
	return oauth.AuthRequest{ClientID: d.ClientID, Scopes: d.Scopes, UserID: d.UserID, Authenticated: true,
		Done: true, Epoch: d.Epoch, AuthTime: d.AuthTime, AMR: d.AMR, OrgID: d.OrgID}
}

// redeemDevice spends an approved device authorization inside IssueTokens'
// write: it is deleted there, so of parallel polls exactly one gets tokens.
func redeemDevice(ctx context.Context, tx store.Tx, id string) (*oauth.AuthRequest, error) {
	d, _, err := loadArtifact[oauth.DeviceAuthorization](ctx, tx, oauth.KindDeviceAuth, id, false)
	if errors.Is(err, store.ErrNotFound) {
		return nil, oauth.ErrDeviceNotFound
	} else if err != nil {
		return nil, err
	}
	if d.State != oauth.DeviceApproved {
		return nil, oauth.ErrDevicePending
	}
	if err := tx.DeleteArtifact(ctx, oauth.KindDeviceAuth, id); errors.Is(err, store.ErrNotFound) {
		return nil, oauth.ErrDeviceNotFound
	} else if err != nil {
		return nil, err
	}
	ar := deviceRequest(d)
	return &ar, nil
}
