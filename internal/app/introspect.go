package app

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// patScopes are the scopes a PAT is introspected with: ZITADEL gives its v1
// PATs openid, the user's metadata and its resource owner.
var patScopes = []string{"openid", oauth.ScopeUserMetadata, oauth.ScopeResourceOwner}

// patNoExpiry is the expiry ZITADEL reports for a PAT that never expires.
var patNoExpiry = time.Date(9999, time.December, 31, 23, 59, 59, 0, time.UTC)

// TokenInfo is what introspection tells a client about an active token.
type TokenInfo struct {
	User     *user.User
	TokenID  string
	ClientID string // the client it was issued to; "" for a PAT
	Scopes   []string
	Audience []string
	IssuedAt time.Time
	Expiry   time.Time
	PAT      bool
}

// Introspect resolves a token presented to clientID's introspection (the client
// already authenticated). An OAuth2 access token is active while it is valid
// and clientID, or its project, is in its audience. A PAT is active while it
// is valid, for any client, which ZITADEL then adds to its audience. Anything
// else — unknown, expired, revoked, a user who cannot authenticate — is
// fail.Unauthenticated: inactive.
func (a *App) Introspect(ctx context.Context, clientID, token string) (*TokenInfo, error) {
	if token == "" || len(token) > 4096 || !pgText(token) {
		return nil, fail.Unauthenticated
	}
	if a.tokens != nil {
		if id, sub, ok := a.tokens.Decode(ctx, token); ok {
			return a.introspectAccessToken(ctx, clientID, id, sub)
		}
	}
	p, err := a.store.PATByHash(ctx, credential.HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, fail.Unauthenticated
	} else if err != nil {
		return nil, storeErr(err)
	}
	u, err := a.store.User(ctx, p.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fail.Unauthenticated
	} else if err != nil {
		return nil, storeErr(err)
	}
	// Administrator-issued, as at the API: the user's state decides.
	if !p.Valid(time.Now()) || !u.CanAuthenticate() {
		return nil, fail.Unauthenticated
	}
	exp := p.Expiration
	if exp.IsZero() {
		exp = patNoExpiry
	}
	return &TokenInfo{User: u, TokenID: p.ID, Scopes: patScopes, Audience: []string{clientID},
		IssuedAt: p.CreatedAt, Expiry: exp, PAT: true}, nil
}

func (a *App) introspectAccessToken(ctx context.Context, clientID, tokenID, subject string) (*TokenInfo, error) {
	at, u, err := a.ValidAccessToken(ctx, tokenID, subject)
	if err != nil {
		return nil, err
	}
	ok := slices.Contains(at.Audience, clientID)
	if !ok {
		if ap, err := appByClientID(ctx, a.store, clientID); err == nil && ap.ProjectID != "" {
			ok = slices.Contains(at.Audience, ap.ProjectID)
		}
	}
	if !ok {
		return nil, fail.Unauthenticated // not meant for this client
	}
	issued := at.IssuedAt
	if issued.IsZero() {
		issued = at.Expiration.Add(-accessTTL) // a token from before IssuedAt was kept
	}
	return &TokenInfo{User: u, TokenID: at.ID, ClientID: at.ClientID, Scopes: at.Scopes, Audience: at.Audience,
		IssuedAt: issued, Expiry: at.Expiration}, nil
}
