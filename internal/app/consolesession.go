package app

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
)

// The console is an OAuth2 client of Warden's own provider. Its browser session
// only points at the access token the sign-in produced; every request presents
// that token to Authenticate, so the console is authorized exactly like the API
// and a lock, deactivation or revocation ends it at once.

// KindConsoleSession is the artifact kind of console sessions.
const KindConsoleSession = "console_session"

// ConsoleSession is what the console keeps server-side for one browser.
type ConsoleSession struct {
	UserID      string `json:"userId"`
	AccessToken string `json:"accessToken"`
	// IDToken is the hint for the provider's end_session endpoint at sign-out.
	IDToken string `json:"idToken,omitempty"`
	// OrgID is the org context the console works in; "" = the caller's own org.
	OrgID string `json:"orgId,omitempty"`
	// CSRF is the synchronizer token every form of this session carries.
	CSRF string `json:"csrf"`
}

// EnsurePublicClient creates or updates a built-in public OIDC client
// (authorization code + PKCE, no secret) outside any project, so Warden's own
// pages can sign in through its provider. It is idempotent: several nodes may
// start at once, and a changed external URL updates the redirect URIs.
func (a *App) EnsurePublicClient(ctx context.Context, clientID, name string, redirectURIs, postLogoutURIs []string, devMode bool) error {
	return storeErr(a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		art, err := tx.ArtifactByKey(ctx, project.KindApp, clientID)
		now := store.Now()
		ap := project.App{ID: clientID, Name: name, Kind: project.AppOIDC, ClientID: clientID, AuthMethod: project.AuthNone,
			RedirectURIs: redirectURIs, PostLogoutRedirectURIs: postLogoutURIs, GrantTypes: []int{project.GrantAuthorizationCode},
			ResponseTypes: []int{0}, AppType: project.TypeWeb, DevMode: devMode, AccessTokenType: project.TokenBearer,
			Trusted: true, Sequence: 1, CreatedAt: now, ChangedAt: now}
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		default:
			var old project.App
			if err := json.Unmarshal(art.Data, &old); err != nil {
				return err
			}
			if old.Kind == ap.Kind && old.AuthMethod == ap.AuthMethod && old.DevMode == ap.DevMode && old.Trusted &&
				slices.Equal(old.RedirectURIs, ap.RedirectURIs) && slices.Equal(old.PostLogoutRedirectURIs, ap.PostLogoutRedirectURIs) {
				return nil
			}
			ap.ID, ap.CreatedAt, ap.Sequence = art.ID, old.CreatedAt, old.Sequence+1
		}
		data, err := json.Marshal(ap)
		if err != nil {
			return err
		}
		return tx.PutArtifact(ctx, &store.Artifact{Kind: project.KindApp, ID: ap.ID, Key: clientID, CreatedAt: ap.CreatedAt, Data: data})
	}))
}

func consoleKey(cookie string) string { return hex.EncodeToString(credential.HashToken(cookie)) }

// CreateConsoleSession stores s until expires and returns the cookie value
// (256 random bits); only its SHA-256 is stored.
func (a *App) CreateConsoleSession(ctx context.Context, s ConsoleSession, expires time.Time) (string, error) {
	cookie, _ := credential.NewToken()
	data, err := json.Marshal(s)
	if err != nil {
		return "", fail.Internal.Wrap(err)
	}
	now := store.Now()
	err = a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return tx.PutArtifact(ctx, &store.Artifact{Kind: KindConsoleSession, ID: a.ids.Next(), Key: consoleKey(cookie),
			UserID: s.UserID, CreatedAt: now, ExpiresAt: expires.UTC(), Data: data})
	})
	if err != nil {
		return "", storeErr(err)
	}
	return cookie, nil
}

// ConsoleSessionOf loads the session of a cookie; a missing or expired one is
// ErrSessionEnded. It says nothing about the token inside: Authenticate does.
func (a *App) ConsoleSessionOf(ctx context.Context, cookie string) (*ConsoleSession, error) {
	if cookie == "" || len(cookie) > 200 {
		return nil, ErrSessionEnded
	}
	art, err := a.store.ArtifactByKey(ctx, KindConsoleSession, consoleKey(cookie))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrSessionEnded
	}
	if err != nil {
		return nil, storeErr(err)
	}
	if !art.ExpiresAt.IsZero() && !time.Now().Before(art.ExpiresAt) {
		return nil, ErrSessionEnded
	}
	var s ConsoleSession
	if err := json.Unmarshal(art.Data, &s); err != nil {
		return nil, fail.Internal.Wrap(err)
	}
	return &s, nil
}

// SetConsoleOrg changes the org context of a console session. The caller has
// checked the org with OrgContext.
func (a *App) SetConsoleOrg(ctx context.Context, cookie, orgID string) error {
	return storeErr(a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		art, err := tx.ArtifactByKey(ctx, KindConsoleSession, consoleKey(cookie))
		if errors.Is(err, store.ErrNotFound) {
			return ErrSessionEnded
		}
		if err != nil {
			return err
		}
		var s ConsoleSession
		if err := json.Unmarshal(art.Data, &s); err != nil {
			return err
		}
		s.OrgID = orgID
		if art.Data, err = json.Marshal(s); err != nil {
			return err
		}
		return tx.PutArtifact(ctx, art)
	}))
}

// EndConsoleSession deletes a console session; an unknown one is no error.
func (a *App) EndConsoleSession(ctx context.Context, cookie string) error {
	if cookie == "" || len(cookie) > 200 {
		return nil
	}
	return storeErr(a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		art, err := tx.ArtifactByKey(ctx, KindConsoleSession, consoleKey(cookie))
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return tx.DeleteArtifact(ctx, KindConsoleSession, art.ID)
	}))
}
