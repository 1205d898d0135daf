package app

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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
//
// The store finds a session by the SHA-256 of its cookie and keeps the tokens
// sealed under a key derived from the cookie itself, which only the browser
// holds: a copy of the database yields no usable bearer.

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

// consoleRecord is the stored form of a ConsoleSession.
type consoleRecord struct {
	UserID string `json:"userId"`
	// Tokens is consoleTokens, AES-256-GCM under consoleCipher(cookie), with
	// the artifact's place as additional data.
	Tokens []byte `json:"tokens"`
	OrgID  string `json:"orgId,omitempty"`
	CSRF   string `json:"csrf"`
}

type consoleTokens struct {
	AccessToken string `json:"accessToken"`
	IDToken     string `json:"idToken,omitempty"`
}

// consoleCipher is AES-256-GCM under a key derived from the cookie (HKDF;
// the cookie has 256 random bits). The lookup key is SHA-256 of the cookie,
// a different function, so the stored row says nothing about this key.
func consoleCipher(cookie string) (cipher.AEAD, error) {
	k, err := hkdf.Key(sha256.New, []byte(cookie), nil, "warden console session tokens v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func sealConsoleTokens(cookie, id string, t consoleTokens) ([]byte, error) {
	plain, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	aead, err := consoleCipher(cookie)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, plain, sealAAD(KindConsoleSession, id)), nil
}

func openConsoleTokens(cookie, id string, sealed []byte) (consoleTokens, error) {
	var t consoleTokens
	aead, err := consoleCipher(cookie)
	if err != nil {
		return t, err
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return t, errors.New("console session: no sealed tokens")
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, sealed[:n], sealed[n:], sealAAD(KindConsoleSession, id))
	if err != nil {
		return t, fmt.Errorf("console session: %w", err)
	}
	return t, json.Unmarshal(plain, &t)
}

// CreateConsoleSession stores s until expires and returns the cookie value
// (256 random bits); only its SHA-256 and the tokens sealed under a key derived
// from it are stored.
func (a *App) CreateConsoleSession(ctx context.Context, s ConsoleSession, expires time.Time) (string, error) {
	cookie, _ := credential.NewToken()
	id := a.ids.Next()
	sealed, err := sealConsoleTokens(cookie, id, consoleTokens{AccessToken: s.AccessToken, IDToken: s.IDToken})
	if err != nil {
		return "", fail.Internal.Wrap(err)
	}
	data, err := json.Marshal(consoleRecord{UserID: s.UserID, Tokens: sealed, OrgID: s.OrgID, CSRF: s.CSRF})
	if err != nil {
		return "", fail.Internal.Wrap(err)
	}
	now := store.Now()
	err = a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return tx.PutArtifact(ctx, &store.Artifact{Kind: KindConsoleSession, ID: id, Key: consoleKey(cookie),
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
	var rec consoleRecord
	if err := json.Unmarshal(art.Data, &rec); err != nil {
		return nil, fail.Internal.Wrap(err)
	}
	tok, err := openConsoleTokens(cookie, art.ID, rec.Tokens)
	if err != nil {
		// Only a record that did not come from this cookie's sign-in (or an
		// earlier version's clear one) gets here: the session is no more.
		return nil, ErrSessionEnded
	}
	return &ConsoleSession{UserID: rec.UserID, AccessToken: tok.AccessToken, IDToken: tok.IDToken, OrgID: rec.OrgID, CSRF: rec.CSRF}, nil
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
		// The sealed tokens stay as they are: only the org context changes.
		var rec consoleRecord
		if err := json.Unmarshal(art.Data, &rec); err != nil {
			return err
		}
		rec.OrgID = orgID
		if art.Data, err = json.Marshal(rec); err != nil {
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
