package oidc

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// Lifetimes.
const (
	authRequestTTL = 15 * time.Minute
	codeTTL        = 5 * time.Minute
	accessTTL      = time.Hour
	refreshTTL     = 30 * 24 * time.Hour
)

var (
	errUnknownClient = errors.New("unknown client")
	errBadSecret     = errors.New("invalid client secret")
	errDead          = errors.New("the user cannot sign in or its credentials were revoked")
	errNotFound      = errors.New("not found or expired")
)

// storage implements op.Storage (and client credentials) over Warden's store.
// Every path that issues or accepts a credential checks the user's state and
// credential epoch as read now — the promise that a lock is instant and total.
type storage struct {
	app   *app.App
	store store.Store
	keys  *keyring
}

var (
	_ op.Storage                   = (*storage)(nil)
	_ op.ClientCredentialsStorage  = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest = (*storage)(nil)
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

func (s *storage) put(ctx context.Context, kind, id, key, userID string, exp time.Time, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return tx.PutArtifact(ctx, &store.Artifact{Kind: kind, ID: id, Key: key, UserID: userID, CreatedAt: store.Now(), ExpiresAt: exp, Data: data})
	})
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

func (s *storage) live(ctx context.Context, userID string, epoch uint64) (*user.User, error) {
	u, err := s.app.LiveUser(ctx, userID, epoch)
	if err != nil {
		return nil, errDead
	}
	return u, nil
}

func (s *storage) appByClientID(ctx context.Context, clientID string) (*project.App, error) {
	a, _, err := load[project.App](ctx, s.store, project.KindApp, clientID, true)
	if errors.Is(err, errNotFound) {
		return nil, errUnknownClient
	}
	return a, err
}

func (s *storage) apiAudience(ctx context.Context) string {
	aud, _ := s.app.APIAudience(ctx)
	return aud
}

// --- authorization requests ---

func (s *storage) CreateAuthRequest(ctx context.Context, r *zoidc.AuthRequest, userID string) (op.AuthRequest, error) {
	if slices.Contains(r.Prompt, zoidc.PromptNone) {
		return nil, zoidc.ErrLoginRequired()
	}
	ar := oauth.AuthRequest{ID: randomID(), ClientID: r.ClientID, RedirectURI: r.RedirectURI, Scopes: r.Scopes,
		State: r.State, Nonce: r.Nonce, ResponseType: string(r.ResponseType), ResponseMode: string(r.ResponseMode),
		CodeChallenge: r.CodeChallenge, CodeChallengeMethod: string(r.CodeChallengeMethod), Prompt: r.Prompt,
		LoginHint: r.LoginHint, MaxAge: r.MaxAge, CreatedAt: store.Now()}
	if err := s.put(ctx, oauth.KindAuthRequest, ar.ID, "", "", ar.CreatedAt.Add(authRequestTTL), ar); err != nil {
		return nil, err
	}
	return s.wrap(ctx, ar)
}

func (s *storage) wrap(ctx context.Context, ar oauth.AuthRequest) (*authRequest, error) {
	aud := audience(ar.ClientID, ar.Scopes, s.apiAudience(ctx))
	if a, err := s.appByClientID(ctx, ar.ClientID); err == nil && a.ProjectID != "" && !slices.Contains(aud, a.ProjectID) {
		aud = append(aud, a.ProjectID)
	}
	return &authRequest{r: ar, audience: aud}, nil
}

func (s *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	ar, _, err := load[oauth.AuthRequest](ctx, s.store, oauth.KindAuthRequest, id, false)
	if err != nil {
		return nil, err
	}
	if ar.Done {
		// A lock between sign-in and the redirect back still stops the flow.
		if _, err := s.live(ctx, ar.UserID, ar.Epoch); err != nil {
			return nil, err
		}
	}
	return s.wrap(ctx, *ar)
}

func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	ar, _, err := load[oauth.AuthRequest](ctx, s.store, oauth.KindAuthRequest, hashKey(code), true)
	if err != nil {
		return nil, err
	}
	if !ar.Done {
		return nil, errNotFound
	}
	if _, err := s.live(ctx, ar.UserID, ar.Epoch); err != nil {
		return nil, err
	}
	return s.wrap(ctx, *ar)
}

func (s *storage) SaveAuthCode(ctx context.Context, id, code string) error {
	return s.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		art, err := tx.Artifact(ctx, oauth.KindAuthRequest, id)
		if err != nil {
			return err
		}
		art.Key = hashKey(code)
		art.ExpiresAt = store.Now().Add(codeTTL)
		return tx.PutArtifact(ctx, art)
	})
}

func (s *storage) DeleteAuthRequest(ctx context.Context, id string) error {
	return s.delete(ctx, oauth.KindAuthRequest, id)
}

func (s *storage) delete(ctx context.Context, kind, id string) error {
	err := s.store.Write(ctx, func(ctx context.Context, tx store.Tx) error { return tx.DeleteArtifact(ctx, kind, id) })
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// --- tokens ---

// tokenFacts extracts who and what a token request is for, and the credential
// epoch the new token inherits — after checking that the user may still sign in.
func (s *storage) tokenFacts(ctx context.Context, req op.TokenRequest) (clientID string, epoch uint64, authTime time.Time, amr []string, err error) {
	var u *user.User
	switch r := req.(type) {
	case *authRequest:
		clientID, authTime, amr = r.r.ClientID, r.r.AuthTime, r.r.AMR
		u, err = s.live(ctx, r.r.UserID, r.r.Epoch)
	case *refreshRequest:
		clientID, authTime, amr = r.t.ClientID, r.t.AuthTime, r.t.AMR
		u, err = s.live(ctx, r.t.UserID, r.t.Epoch)
	case *clientCredentialsRequest:
		clientID = r.userID
		u, err = s.live(ctx, r.userID, r.epoch)
	default: // JWT profile grant: the key was checked against the epoch a moment ago
		cur, gerr := s.store.User(ctx, req.GetSubject())
		if gerr != nil {
			return "", 0, time.Time{}, nil, errDead
		}
		clientID = req.GetSubject()
		u, err = s.live(ctx, cur.ID, cur.CredentialEpoch)
	}
	if err != nil {
		return "", 0, time.Time{}, nil, err
	}
	return clientID, u.CredentialEpoch, authTime, amr, nil
}

func (s *storage) newAccess(ctx context.Context, clientID string, req op.TokenRequest, epoch uint64, refreshID string) oauth.AccessToken {
	aud := req.GetAudience()
	if _, ok := req.(*zoidc.JWTTokenRequest); ok {
		// A JWT profile assertion's audience is Warden itself; the token's is
		// what the scopes ask for, as for client credentials.
		aud = audience("", req.GetScopes(), s.apiAudience(ctx))
	}
	return oauth.AccessToken{ID: randomID(), UserID: req.GetSubject(), ClientID: clientID, Scopes: req.GetScopes(),
		Audience: aud, Expiration: store.Now().Add(accessTTL), Epoch: epoch, RefreshID: refreshID}
}

func (s *storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	clientID, epoch, _, _, err := s.tokenFacts(ctx, req)
	if err != nil {
		return "", time.Time{}, err
	}
	at := s.newAccess(ctx, clientID, req, epoch, "")
	if err := s.put(ctx, oauth.KindAccessToken, at.ID, "", at.UserID, at.Expiration, at); err != nil {
		return "", time.Time{}, err
	}
	return at.ID, at.Expiration, nil
}

func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	clientID, epoch, authTime, amr, err := s.tokenFacts(ctx, req)
	if err != nil {
		return "", "", time.Time{}, err
	}
	refresh := randomID() + randomID()
	rt := oauth.RefreshToken{ID: randomID(), UserID: req.GetSubject(), ClientID: clientID, Scopes: req.GetScopes(),
		Audience: req.GetAudience(), AuthTime: authTime, AMR: amr, Expiration: store.Now().Add(refreshTTL), Epoch: epoch}
	at := s.newAccess(ctx, clientID, req, epoch, rt.ID)
	rt.AccessID = at.ID
	atData, err := json.Marshal(at)
	if err != nil {
		return "", "", time.Time{}, err
	}
	rtData, err := json.Marshal(rt)
	if err != nil {
		return "", "", time.Time{}, err
	}
	err = s.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if current != "" {
			// Rotation: the presented token is spent; a second use finds nothing.
			old, err := tx.ArtifactByKey(ctx, oauth.KindRefreshToken, hashKey(current))
			if err != nil {
				return fmt.Errorf("refresh token already used: %w", err)
			}
			if err := tx.DeleteArtifact(ctx, oauth.KindRefreshToken, old.ID); err != nil {
				return err
			}
			var prev oauth.RefreshToken
			if json.Unmarshal(old.Data, &prev) == nil && prev.AccessID != "" {
				if err := tx.DeleteArtifact(ctx, oauth.KindAccessToken, prev.AccessID); err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
			}
		}
		now := store.Now()
		if err := tx.PutArtifact(ctx, &store.Artifact{Kind: oauth.KindAccessToken, ID: at.ID, UserID: at.UserID, CreatedAt: now, ExpiresAt: at.Expiration, Data: atData}); err != nil {
			return err
		}
		return tx.PutArtifact(ctx, &store.Artifact{Kind: oauth.KindRefreshToken, ID: rt.ID, Key: hashKey(refresh), UserID: rt.UserID, CreatedAt: now, ExpiresAt: rt.Expiration, Data: rtData})
	})
	if err != nil {
		return "", "", time.Time{}, err
	}
	return at.ID, refresh, at.Expiration, nil
}

func (s *storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	rt, art, err := load[oauth.RefreshToken](ctx, s.store, oauth.KindRefreshToken, hashKey(token), true)
	if err != nil {
		return nil, err
	}
	if _, err := s.live(ctx, rt.UserID, rt.Epoch); err != nil {
		return nil, err
	}
	return &refreshRequest{t: *rt, key: art.ID}, nil
}

func (s *storage) TerminateSession(ctx context.Context, userID, clientID string) error {
	// Sign-out ends the browser sessions of the user; its tokens for the client go too.
	for _, kind := range []string{oauth.KindSession, oauth.KindRefreshToken, oauth.KindAccessToken} {
		arts, _, err := s.store.ListArtifacts(ctx, store.ArtifactQuery{Kind: kind, UserID: userID, Page: store.Page{Limit: 1000}})
		if err != nil {
			return err
		}
		for _, a := range arts {
			if kind != oauth.KindSession {
				var t struct {
					ClientID string `json:"clientId"`
				}
				if json.Unmarshal(a.Data, &t) != nil || t.ClientID != clientID {
					continue
				}
			}
			if err := s.delete(ctx, kind, a.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *storage) RevokeToken(ctx context.Context, tokenOrID, userID, clientID string) *zoidc.Error {
	if userID != "" { // an access token id
		at, _, err := load[oauth.AccessToken](ctx, s.store, oauth.KindAccessToken, tokenOrID, false)
		if err != nil {
			return nil // unknown tokens count as revoked (RFC 7009)
		}
		if at.ClientID != clientID {
			return zoidc.ErrInvalidClient().WithDescription("token was not issued for this client")
		}
		if err := s.delete(ctx, oauth.KindAccessToken, tokenOrID); err != nil {
			return zoidc.ErrServerError().WithParent(err)
		}
		return nil
	}
	rt, art, err := load[oauth.RefreshToken](ctx, s.store, oauth.KindRefreshToken, hashKey(tokenOrID), true)
	if err != nil {
		return nil
	}
	if rt.ClientID != clientID {
		return zoidc.ErrInvalidClient().WithDescription("token was not issued for this client")
	}
	if err := s.delete(ctx, oauth.KindRefreshToken, art.ID); err != nil {
		return zoidc.ErrServerError().WithParent(err)
	}
	if rt.AccessID != "" {
		_ = s.delete(ctx, oauth.KindAccessToken, rt.AccessID)
	}
	return nil
}

func (s *storage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	rt, art, err := load[oauth.RefreshToken](ctx, s.store, oauth.KindRefreshToken, hashKey(token), true)
	if err != nil || rt.ClientID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	return rt.UserID, art.ID, nil
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
	if err != nil {
		return err
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

// machineSecretUser checks a machine user's client secret and that the secret
// was issued in the user's current credential epoch.
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
	if !u.CanAuthenticate() || ms.Epoch != u.CredentialEpoch {
		return nil, errDead
	}
	return u, nil
}

func (s *storage) ClientCredentials(ctx context.Context, clientID, secret string) (op.Client, error) {
	u, err := s.machineSecretUser(ctx, clientID, secret)
	if err != nil {
		return nil, err
	}
	return machineClient{userID: clientID, tokenType: u.Machine.AccessTokenType}, nil
}

func (s *storage) ClientCredentialsTokenRequest(ctx context.Context, clientID string, scopes []string) (op.TokenRequest, error) {
	u, err := s.machineUser(ctx, clientID)
	if err != nil {
		return nil, err
	}
	sc := allowedScopes(scopes)
	return &clientCredentialsRequest{userID: u.ID, scopes: sc, audience: audience("", sc, s.apiAudience(ctx)), epoch: u.CredentialEpoch}, nil
}

// --- user info and introspection ---

func (s *storage) SetUserinfoFromScopes(context.Context, *zoidc.UserInfo, string, string, []string) error {
	return nil // deprecated by the library; SetUserinfoFromRequest does the work
}

func (s *storage) SetUserinfoFromRequest(ctx context.Context, info *zoidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	u, err := s.store.User(ctx, req.GetSubject())
	if err != nil {
		return err
	}
	s.fillUserinfo(ctx, info, u, scopes)
	return nil
}

func (s *storage) SetUserinfoFromToken(ctx context.Context, info *zoidc.UserInfo, tokenID, subject, _ string) error {
	at, u, err := s.app.ValidAccessToken(ctx, tokenID, subject)
	if err != nil {
		return errDead
	}
	s.fillUserinfo(ctx, info, u, at.Scopes)
	return nil
}

func (s *storage) fillUserinfo(ctx context.Context, info *zoidc.UserInfo, u *user.User, scopes []string) {
	info.Subject = u.ID
	for _, sc := range scopes {
		switch sc {
		case zoidc.ScopeProfile:
			info.PreferredUsername = u.UserName
			if o, err := s.store.Org(ctx, u.OrgID); err == nil {
				info.PreferredUsername = s.app.LoginName(u, o)
			}
			if h := u.Human; h != nil {
				info.Name = h.DisplayName
				if info.Name == "" {
					info.Name = h.FirstName + " " + h.LastName
				}
				info.GivenName, info.FamilyName, info.Nickname = h.FirstName, h.LastName, h.NickName
				if h.PreferredLanguage != "" {
					info.Locale = zoidc.NewLocale(language.Make(h.PreferredLanguage))
				}
			} else if u.Machine != nil {
				info.Name = u.Machine.Name
			}
		case zoidc.ScopeEmail:
			if h := u.Human; h != nil {
				info.Email, info.EmailVerified = h.Email, zoidc.Bool(h.EmailVerified)
			}
		case zoidc.ScopePhone:
			if h := u.Human; h != nil && h.Phone != "" {
				info.PhoneNumber, info.PhoneNumberVerified = h.Phone, zoidc.Bool(h.PhoneVerified)
			}
		}
	}
}

func (s *storage) SetIntrospectionFromToken(ctx context.Context, resp *zoidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	at, u, err := s.app.ValidAccessToken(ctx, tokenID, subject)
	if err != nil {
		return errDead
	}
	// The introspecting client must be an audience of the token, directly or
	// through its project.
	ok := slices.Contains(at.Audience, clientID)
	if !ok {
		if a, err := s.appByClientID(ctx, clientID); err == nil {
			ok = slices.Contains(at.Audience, a.ProjectID)
		}
	}
	if !ok {
		return errors.New("token not meant for this client")
	}
	info := new(zoidc.UserInfo)
	s.fillUserinfo(ctx, info, u, at.Scopes)
	resp.SetUserInfo(info)
	resp.Scope = at.Scopes
	resp.ClientID = at.ClientID
	resp.Audience = at.Audience
	resp.Expiration = zoidc.FromTime(at.Expiration)
	resp.TokenType = zoidc.BearerToken
	return nil
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

// GetKeyByIDAndClientID serves the JWT profile grant: clientID is the machine
// user id the assertion names.
func (s *storage) GetKeyByIDAndClientID(ctx context.Context, keyID, clientID string) (*jose.JSONWebKey, error) {
	mk, _, err := load[credential.MachineKey](ctx, s.store, credential.KindMachineKey, keyID, false)
	if err != nil {
		return nil, err
	}
	if mk.UserID != clientID || (!mk.Expiration.IsZero() && time.Now().After(mk.Expiration)) {
		return nil, errNotFound
	}
	if _, err := s.live(ctx, mk.UserID, mk.Epoch); err != nil {
		return nil, err
	}
	block, _ := pem.Decode([]byte(mk.PublicKeyPEM))
	if block == nil {
		return nil, errors.New("machine key: no PEM block")
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		if rsaPub, err2 := x509.ParsePKCS1PublicKey(block.Bytes); err2 == nil {
			pub = rsaPub
		} else {
			return nil, fmt.Errorf("machine key: %w", err)
		}
	}
	return &jose.JSONWebKey{KeyID: keyID, Use: "sig", Key: pub}, nil
}

func (s *storage) ValidateJWTProfileScopes(ctx context.Context, userID string, scopes []string) ([]string, error) {
	u, err := s.store.User(ctx, userID)
	if err != nil || !u.CanAuthenticate() {
		return nil, errDead
	}
	return allowedScopes(scopes), nil
}

func (s *storage) Health(ctx context.Context) error { return s.store.Ping(ctx) }
