package oidc

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

var (
	errUnknownClient = errors.New("unknown client")
	errBadSecret     = errors.New("invalid client secret")
	errDead          = errors.New("the user cannot sign in or its credentials were revoked")
	errNotFound      = errors.New("not found or expired")
)

// storage implements op.Storage (and client credentials) for the library. It
// adapts the protocol to Warden's use cases: every write — auth requests and
// their steps, codes, tokens, their rotation and revocation, sign-out — goes
// through app, which checks the user's state and credential epoch on every
// path that issues or accepts a credential. What it reads itself are clients,
// machine credentials and keys.
type storage struct {
	app   *app.App
	store store.Store
	keys  *keyring
	log   *slog.Logger
}

var (
	_ op.Storage                        = (*storage)(nil)
	_ op.ClientCredentialsStorage       = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest      = (*storage)(nil)
	_ op.CanGetPrivateClaimsFromRequest = (*storage)(nil)
	_ op.JWTProfileTokenStorage         = (*storage)(nil)
	_ op.CanTerminateSessionFromRequest = (*storage)(nil)
)

func randomID() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashKey(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// load reads an artifact into v; expired ones are not found.
func load[T any](ctx context.Context, r store.Reader, kind, id string, byKey bool) (*T, *store.Artifact, error) {
	var art *store.Artifact
	var err error
	if byKey {
		art, err = r.ArtifactByKey(ctx, kind, id)
	} else {
		art, err = r.Artifact(ctx, kind, id)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, errNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	if !art.ExpiresAt.IsZero() && !time.Now().Before(art.ExpiresAt) {
		return nil, nil, errNotFound
	}
	v := new(T)
	if err := json.Unmarshal(art.Data, v); err != nil {
		return nil, nil, fmt.Errorf("%s %s: %w", kind, art.ID, err)
	}
	return v, art, nil
}

func (s *storage) appByClientID(ctx context.Context, clientID string) (*project.App, error) {
	a, _, err := load[project.App](ctx, s.store, project.KindApp, clientID, true)
	if errors.Is(err, errNotFound) {
		return nil, errUnknownClient
	}
	return a, err
}

// grantErr turns a use case's refusal into the OAuth2 error the library
// answers with; anything else stays a server error.
func grantErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, app.ErrPKCEPlain), errors.Is(err, app.ErrOrgScope):
		fe, _ := fail.As(err)
		return zoidc.ErrInvalidRequest().WithDescription("%s", fe.Message)
	case errors.Is(err, app.ErrCodeRedeemed), errors.Is(err, app.ErrRefreshReplayed), errors.Is(err, app.ErrRefreshUnknown),
		errors.Is(err, app.ErrAuthRequestNotFound), errors.Is(err, fail.Unauthenticated):
		return zoidc.ErrInvalidGrant().WithParent(err)
	case errors.Is(err, app.ErrTokenOtherClient):
		return zoidc.ErrInvalidClient().WithDescription("token was not issued for this client")
	}
	return err
}

// --- authorization requests ---

func (s *storage) CreateAuthRequest(ctx context.Context, r *zoidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if slices.Contains(r.Prompt, zoidc.PromptNone) {
		return nil, zoidc.ErrLoginRequired()
	}
	ar, err := s.app.CreateAuthRequest(ctx, oauth.AuthRequest{ClientID: r.ClientID, RedirectURI: r.RedirectURI, Scopes: r.Scopes,
		State: r.State, Nonce: r.Nonce, ResponseType: string(r.ResponseType), ResponseMode: string(r.ResponseMode),
		CodeChallenge: r.CodeChallenge, CodeChallengeMethod: string(r.CodeChallengeMethod), Prompt: r.Prompt,
		LoginHint: r.LoginHint, MaxAge: r.MaxAge}, browserOf(ctx))
	if err != nil {
		return nil, grantErr(err)
	}
	// Not yet authenticated: the library only needs its id and redirect.
	return &authRequest{r: *ar}, nil
}

// AuthRequestByID serves the callback after the login: only the browser that
// started the request, and only until its one code is issued.
func (s *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	g, err := s.app.CallbackAuthRequest(ctx, id, browserOf(ctx))
	if err != nil {
		return nil, grantErr(err)
	}
	return &authRequest{r: g.Request, audience: g.Audience}, nil
}

func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	g, err := s.app.AuthRequestByCode(ctx, code)
	if err != nil {
		return nil, grantErr(err)
	}
	return &authRequest{r: g.Request, audience: g.Audience}, nil
}

func (s *storage) SaveAuthCode(ctx context.Context, id, code string) error {
	return grantErr(s.app.SaveAuthCode(ctx, id, code))
}

func (s *storage) DeleteAuthRequest(ctx context.Context, id string) error {
	return s.app.DeleteAuthRequest(ctx, id)
}

// --- tokens ---

// grantOf says which grant a library token request is.
func (s *storage) grantOf(ctx context.Context, req op.TokenRequest, current string, withRefresh bool) (app.TokenGrant, error) {
	switch r := req.(type) {
	case *op.DeviceAuthorizationState:
		id := deviceGrantOf(ctx)
		if id == "" {
			return app.TokenGrant{}, errors.New("oidc: a device grant without its authorization")
		}
		return app.TokenGrant{Kind: app.GrantDevice, DeviceAuthID: id, ClientID: r.ClientID, WithRefresh: withRefresh}, nil
	case *authRequest:
		return app.TokenGrant{Kind: app.GrantSignIn, AuthRequestID: r.r.ID, WithRefresh: withRefresh}, nil
	case *refreshRequest:
		if current == "" {
			return app.TokenGrant{}, errors.New("oidc: a refresh grant without its token")
		}
		return app.TokenGrant{Kind: app.GrantRefresh, RefreshToken: current, ClientID: r.t.ClientID, Scopes: r.t.Scopes,
			WithRefresh: true}, nil
	case *clientCredentialsRequest:
		return app.TokenGrant{Kind: app.GrantClientCredentials, UserID: r.userID, ClientID: r.clientID, Scopes: r.scopes,
			Epoch: r.epoch}, nil
	case *zoidc.JWTTokenRequest:
		// The assertion's subject is the machine user; ZITADEL names it the
		// token's client too.
		return app.TokenGrant{Kind: app.GrantJWTProfile, UserID: r.Subject, ClientID: r.Subject, Scopes: r.Scopes}, nil
	}
	return app.TokenGrant{}, fmt.Errorf("oidc: token request of type %T", req)
}

func (s *storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	g, err := s.grantOf(ctx, req, "", false)
	if err != nil {
		return "", time.Time{}, err
	}
	t, err := s.app.IssueTokens(ctx, g)
	if err != nil {
		return "", time.Time{}, grantErr(err)
	}
	return t.Access.ID, t.Access.Expiration, nil
}

func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	g, err := s.grantOf(ctx, req, current, true)
	if err != nil {
		return "", "", time.Time{}, err
	}
	t, err := s.app.IssueTokens(ctx, g)
	if err != nil {
		return "", "", time.Time{}, grantErr(err)
	}
	return t.Access.ID, t.Refresh, t.Access.Expiration, nil
}

func (s *storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	rt, err := s.app.RefreshGrant(ctx, token)
	if err != nil {
		return nil, grantErr(err)
	}
	return &refreshRequest{t: *rt}, nil
}

// TerminateSession is the library's fallback; Warden ends sessions per
// browser (TerminateSessionFromRequest) and never for an empty user.
func (s *storage) TerminateSession(context.Context, string, string) error {
	return errors.New("oidc: sign-out without the browser's request")
}

// TerminateSessionFromRequest signs out the requesting browser: its login
// session ends, and when the request's id_token_hint names that session's user,
// that user's tokens of the client go too (app.SignOut).
func (s *storage) TerminateSessionFromRequest(ctx context.Context, req *op.EndSessionRequest) (string, error) {
	if err := s.app.SignOut(ctx, sessionOf(ctx), req.UserID, req.ClientID); err != nil {
		return "", err
	}
	return req.RedirectURI, nil
}

func (s *storage) RevokeToken(ctx context.Context, tokenOrID, userID, clientID string) *zoidc.Error {
	var err error
	if userID != "" {
		// An id: an access token's, or — when the library first asked
		// GetRefreshTokenInfo — a refresh token's.
		err = s.app.RevokeTokenByID(ctx, tokenOrID, clientID)
	} else {
		err = s.app.RevokeRefreshToken(ctx, tokenOrID, clientID)
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, app.ErrTokenOtherClient):
		return zoidc.ErrInvalidClient().WithDescription("token was not issued for this client")
	}
	return zoidc.ErrServerError().WithParent(err)
}

func (s *storage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	userID, tokenID, err := s.app.RefreshTokenOwner(ctx, clientID, token)
	if err != nil {
		return "", "", op.ErrInvalidRefreshToken
	}
	return userID, tokenID, nil
}

// --- keys ---

func (s *storage) SigningKey(ctx context.Context) (op.SigningKey, error) { return s.keys.current(ctx) }

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *storage) KeySet(ctx context.Context) ([]op.Key, error) { return s.keys.published(ctx) }

// --- clients ---

func (s *storage) GetClientByClientID(ctx context.Context, clientID string) (op.Client, error) {
	a, err := s.appByClientID(ctx, clientID)
	if err != nil {
		return nil, err
	}
	return appClient{a}, nil
}

func (s *storage) AuthorizeClientIDSecret(ctx context.Context, clientID, secret string) error {
	a, err := s.appByClientID(ctx, clientID)
	if errors.Is(err, errUnknownClient) {
		return err
	} else if err != nil {
		// The store failed: a server error, not the client's (the library
		// answers it as one).
		return zoidc.ErrServerError().WithParent(err)
	}
	if a.SecretHash == "" || !credential.SecretMatches(a.SecretHash, secret) {
		return errBadSecret
	}
	return nil
}

// machineUser finds the machine user a client id names: its id, or its user
// name. A client id that names two different users — one by id, another by
// name, or several by name across orgs — names none: the user id then works.
func (s *storage) machineUser(ctx context.Context, clientID string) (*user.User, error) {
	byID, err := s.store.User(ctx, clientID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if byID != nil && byID.Type != user.TypeMachine {
		byID = nil
	}
	page, err := s.store.ListUsers(ctx, store.UserQuery{UserNames: []store.TextMatch{{Value: clientID}},
		Types: []user.Type{user.TypeMachine}, Limit: 2})
	if err != nil {
		return nil, err
	}
	switch {
	case len(page.Users) > 1, len(page.Users) == 1 && byID != nil && page.Users[0].ID != byID.ID:
		return nil, errUnknownClient
	case byID != nil:
		return byID, nil
	case len(page.Users) == 1:
		return page.Users[0], nil
	}
	return nil, errUnknownClient
}

// machineSecretUser checks a machine user's client secret. An administrator
// issued it, so it follows the user's state: refused while the user is locked or
// inactive, valid again after the unlock (the spec's "What a lock does").
func (s *storage) machineSecretUser(ctx context.Context, clientID, secret string) (*user.User, error) {
	u, err := s.machineUser(ctx, clientID)
	if err != nil {
		return nil, err
	}
	ms, _, err := load[credential.MachineSecret](ctx, s.store, credential.KindMachineSecret, u.ID, false)
	if err != nil {
		credential.SecretMatches(hashKey("x"), secret) // same work either way
		return nil, errBadSecret
	}
	if !credential.SecretMatches(ms.Hash, secret) {
		return nil, errBadSecret
	}
	if !u.CanAuthenticate() {
		return nil, errDead
	}
	return u, nil
}

func (s *storage) ClientCredentials(ctx context.Context, clientID, secret string) (op.Client, error) {
	u, err := s.machineSecretUser(ctx, clientID, secret)
	if err != nil {
		return nil, err
	}
	return machineClient{clientID: clientID, tokenType: u.Machine.AccessTokenType}, nil
}

// ClientCredentialsTokenRequest: the token's client is the client id as the
// machine user presented it (ZITADEL's, its user name), in the JWT's client_id
// and at introspection alike.
func (s *storage) ClientCredentialsTokenRequest(ctx context.Context, clientID string, scopes []string) (op.TokenRequest, error) {
	u, err := s.machineUser(ctx, clientID)
	if err != nil {
		return nil, err
	}
	sc, aud, err := s.app.MachineGrant(ctx, u.ID, scopes)
	if err != nil {
		return nil, grantErr(err)
	}
	return &clientCredentialsRequest{userID: u.ID, clientID: clientID, scopes: sc, audience: aud, epoch: u.CredentialEpoch}, nil
}

func (s *storage) ValidateJWTProfileScopes(ctx context.Context, userID string, scopes []string) ([]string, error) {
	u, err := s.store.User(ctx, userID)
	if err != nil || !u.CanAuthenticate() {
		return nil, errDead
	}
	sc, _, err := s.app.MachineGrant(ctx, userID, scopes)
	return sc, grantErr(err)
}

// JWTProfileTokenType honours the machine user's access token type for the
// JWT profile grant, as for client credentials. It also sets the request's
// audience to what its scopes ask for: the library signs a JWT with the
// request's audience, which for an assertion is Warden itself.
func (s *storage) JWTProfileTokenType(ctx context.Context, req op.TokenRequest) (op.AccessTokenType, error) {
	jr, ok := req.(*zoidc.JWTTokenRequest)
	if !ok {
		return op.AccessTokenTypeBearer, fmt.Errorf("oidc: JWT profile request of type %T", req)
	}
	u, err := s.store.User(ctx, jr.Subject)
	if err != nil || u.Machine == nil || !u.CanAuthenticate() {
		return op.AccessTokenTypeBearer, errDead
	}
	_, aud, err := s.app.MachineGrant(ctx, u.ID, jr.Scopes)
	if err != nil {
		return op.AccessTokenTypeBearer, grantErr(err)
	}
	jr.Audience = aud
	if u.Machine.AccessTokenType == machineTokenJWT {
		return op.AccessTokenTypeJWT, nil
	}
	return op.AccessTokenTypeBearer, nil
}

func (s *storage) Health(ctx context.Context) error { return s.store.Ping(ctx) }
