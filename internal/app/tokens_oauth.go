package app

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// TokenDecoder turns a raw OAuth2 access token into the id it was stored under
// and its subject: opaque tokens are decrypted, JWTs have their signature,
// issuer and expiry verified. The OIDC provider implements it.
type TokenDecoder interface {
	Decode(ctx context.Context, raw string) (tokenID, subject string, ok bool)
}

// SetTokenDecoder lets Authenticate accept access tokens issued by the OIDC
// provider besides PATs.
func (a *App) SetTokenDecoder(d TokenDecoder) { a.tokens = d }

// APIAudience is the audience that lets a token call Warden's own API: the
// instance id, standing in for ZITADEL's own project id.
func (a *App) APIAudience(ctx context.Context) (string, error) {
	if v, ok := a.apiAudience.Load().(string); ok {
		return v, nil
	}
	inst, err := a.store.Instance(ctx)
	if err != nil {
		return "", storeErr(err)
	}
	a.apiAudience.Store(inst.ID)
	return inst.ID, nil
}

// ValidAccessToken loads an access token and accepts it only if it exists, has
// not expired, belongs to subject, and its user can authenticate in the same
// credential epoch — read at every use, so a lock on any node is seen at once.
func (a *App) ValidAccessToken(ctx context.Context, tokenID, subject string) (*oauth.AccessToken, *user.User, error) {
	art, err := a.store.Artifact(ctx, oauth.KindAccessToken, tokenID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, fail.Unauthenticated
	}
	if err != nil {
		return nil, nil, storeErr(err)
	}
	var at oauth.AccessToken
	if err := json.Unmarshal(art.Data, &at); err != nil {
		return nil, nil, fail.Internal.Wrap(err)
	}
	if at.UserID != subject || !time.Now().Before(at.Expiration) {
		return nil, nil, fail.Unauthenticated
	}
	u, err := a.LiveUser(ctx, at.UserID, at.Epoch)
	if err != nil {
		return nil, nil, err
	}
	// The project's checks hold at every use: a removed or deactivated grant,
	// or a deactivated project, ends the token's use at once.
	if err := projectAccess(ctx, a.store, at.ClientID, u); err != nil {
		if _, ok := fail.As(err); ok {
			return nil, nil, fail.Unauthenticated
		}
		return nil, nil, storeErr(err)
	}
	return &at, u, nil
}

// LiveUser returns the user if it may still use credentials of the given epoch.
func (a *App) LiveUser(ctx context.Context, userID string, epoch uint64) (*user.User, error) {
	u, err := a.store.User(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fail.Unauthenticated
	}
	if err != nil {
		return nil, storeErr(err)
	}
	if !live(u, epoch) {
		return nil, fail.Unauthenticated
	}
	return u, nil
}

// live tells whether u (nil: no such user) may still use credentials of the
// given epoch: the one rule LiveUser and the PAT path share.
func live(u *user.User, epoch uint64) bool {
	return u != nil && u.CanAuthenticate() && u.CredentialEpoch == epoch
}

// oauthCaller authenticates an OAuth2 access token for the API: valid, and with
// Warden's API in its audience.
func (a *App) oauthCaller(ctx context.Context, token string) (*user.User, string, error) {
	if a.tokens == nil {
		return nil, "", fail.Unauthenticated
	}
	id, sub, ok := a.tokens.Decode(ctx, token)
	if !ok {
		return nil, "", fail.Unauthenticated
	}
	at, u, err := a.ValidAccessToken(ctx, id, sub)
	if err != nil {
		return nil, "", err
	}
	aud, err := a.APIAudience(ctx)
	if err != nil {
		return nil, "", err
	}
	if !slices.Contains(at.Audience, aud) {
		return nil, "", fail.Unauthenticated
	}
	return u, at.ClientID, nil
}
