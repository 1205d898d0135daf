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
	"log/slog"
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
	log   *slog.Logger
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
	if r.CodeChallenge != "" && r.CodeChallengeMethod != zoidc.CodeChallengeMethodS256 {
		// plain (also the default of an absent method) sends the verifier itself
		// through the browser; RFC 9700 2.1.1 asks for S256.
		return nil, zoidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256")
	}
	browser := browserOf(ctx)
	if browser == "" {
		return nil, zoidc.ErrServerError().WithDescription("the authorization request has no browser binding")
	}
	ar := oauth.AuthRequest{ID: randomID(), BrowserHash: hashKey(browser), ClientID: r.ClientID, RedirectURI: r.RedirectURI, Scopes: r.Scopes,
		State: r.State, Nonce: r.Nonce, ResponseType: string(r.ResponseType), ResponseMode: string(r.ResponseMode),
		CodeChallenge: r.CodeChallenge, CodeChallengeMethod: string(r.CodeChallengeMethod), Prompt: r.Prompt,
		LoginHint: r.LoginHint, MaxAge: r.MaxAge, CreatedAt: store.Now()}
	if err := s.put(ctx, oauth.KindAuthRequest, ar.ID, "", "", ar.CreatedAt.Add(authRequestTTL), ar); err != nil {
		return nil, err
	}
	return s.wrap(ctx, ar)
}

// wrap adapts a stored request for the library. Warden's API audience stays in
// its scopes only for a user who may give it to this client: the client is
// trusted, or the user consented (app.APIConsentNeeded); otherwise a token
// made from the request simply lacks it.
func (s *storage) wrap(ctx context.Context, ar oauth.AuthRequest) (*authRequest, error) {
	if slices.Contains(ar.Scopes, oauth.APIAudienceScope) {
		need := true
		if ar.Authenticated {
			var err error
			if need, err = s.app.APIConsentNeeded(ctx, ar.UserID, ar.ClientID); err != nil {
				return nil, err
			}
		}
		if need {
			ar.Scopes = slices.DeleteFunc(slices.Clone(ar.Scopes), func(sc string) bool { return sc == oauth.APIAudienceScope })
		}
	}
	aud := audience(ar.ClientID, ar.Scopes, s.apiAudience(ctx))
	if a, err := s.appByClientID(ctx, ar.ClientID); err == nil && a.ProjectID != "" && !slices.Contains(aud, a.ProjectID) {
		aud = append(aud, a.ProjectID)
	}
	return &authRequest{r: ar, audience: aud}, nil
}

// AuthRequestByID serves the callback after the login: only the browser that
// started the request, and only until its one code is issued.
func (s *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	ar, _, err := load[oauth.AuthRequest](ctx, s.store, oauth.KindAuthRequest, id, false)
	if err != nil {
		return nil, err
	}
	if !boundTo(ar, browserOf(ctx)) || ar.CodeIssued {
		return nil, errNotFound
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

// SaveAuthCode issues a done request's one code. Only its hash is kept, as the
// request's lookup key; a second callback finds the request spent.
func (s *storage) SaveAuthCode(ctx context.Context, id, code string) error {
	return s.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		ar, art, err := load[oauth.AuthRequest](ctx, tx, oauth.KindAuthRequest, id, false)
		if err != nil {
			return err
		}
		if !ar.Done || ar.CodeIssued {
			return errNotFound
		}
		ar.CodeIssued = true
		if art.Data, err = json.Marshal(ar); err != nil {
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
	at, _, err := s.issue(ctx, req, "", false)
	if err != nil {
		return "", time.Time{}, err
	}
	return at.ID, at.Expiration, nil
}

func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	at, refresh, err := s.issue(ctx, req, current, true)
	if err != nil {
		return "", "", time.Time{}, err
	}
	return at.ID, refresh, at.Expiration, nil
}

var (
	errCodeUsed     = errors.New("authorization code already redeemed")
	errRefreshReuse = errors.New("refresh token already used: its family is revoked")
)

// issue stores the tokens of one grant in one write. A code grant (or the
// implicit flow's callback) deletes its auth request in that same write, so of
// parallel redemptions of one code exactly one gets tokens — the others find
// nothing to delete. A refresh grant spends the presented token likewise: it is
// claimed by deleting it and kept as Used, and a claim that finds it gone or
// used means a replay, which revokes the whole family.
func (s *storage) issue(ctx context.Context, req op.TokenRequest, current string, withRefresh bool) (*oauth.AccessToken, string, error) {
	clientID, epoch, authTime, amr, err := s.tokenFacts(ctx, req)
	if err != nil {
		return nil, "", err
	}
	var (
		refresh string
		rt      *oauth.RefreshToken
	)
	at := s.newAccess(ctx, clientID, req, epoch, "")
	if withRefresh {
		refresh = randomID() + randomID()
		rt = &oauth.RefreshToken{ID: randomID(), UserID: req.GetSubject(), ClientID: clientID, Scopes: req.GetScopes(),
			Audience: req.GetAudience(), AuthTime: authTime, AMR: amr, Expiration: store.Now().Add(refreshTTL), Epoch: epoch}
		rt.Family, rt.AccessID, at.RefreshID = rt.ID, at.ID, rt.ID
	}
	var replayed *oauth.RefreshToken
	err = s.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		replayed = nil
		now := store.Now()
		if ar, ok := req.(*authRequest); ok {
			if err := tx.DeleteArtifact(ctx, oauth.KindAuthRequest, ar.r.ID); errors.Is(err, store.ErrNotFound) {
				return errCodeUsed
			} else if err != nil {
				return err
			}
		}
		if current != "" {
			prev, err := s.spendRefresh(ctx, tx, current)
			if errors.Is(err, errRefreshReuse) {
				replayed = prev
			}
			if err != nil {
				return err
			}
			rt.Family = prev.FamilyID()
		}
		if rt != nil {
			at.Family = rt.Family
		}
		if err := putJSON(ctx, tx, oauth.KindAccessToken, at.ID, "", at.UserID, now, at.Expiration, at); err != nil {
			return err
		}
		if rt == nil {
			return nil
		}
		return putJSON(ctx, tx, oauth.KindRefreshToken, rt.ID, hashKey(refresh), rt.UserID, now, rt.Expiration, rt)
	})
	if replayed != nil {
		s.revokeReplayed(ctx, replayed)
	}
	if err != nil {
		return nil, "", err
	}
	return &at, refresh, nil
}

// spendRefresh marks the presented refresh token used and drops its access
// token. It returns the token it found (for its family) with errRefreshReuse
// when that token was already spent.
func (s *storage) spendRefresh(ctx context.Context, tx store.Tx, token string) (*oauth.RefreshToken, error) {
	prev, art, err := load[oauth.RefreshToken](ctx, tx, oauth.KindRefreshToken, hashKey(token), true)
	if err != nil {
		return nil, fmt.Errorf("refresh token: %w", err)
	}
	if prev.Used {
		return prev, errRefreshReuse
	}
	// The delete is the claim: of two nodes rotating one token at once, the
	// second finds nothing to delete.
	if err := tx.DeleteArtifact(ctx, oauth.KindRefreshToken, art.ID); errors.Is(err, store.ErrNotFound) {
		return prev, errRefreshReuse
	} else if err != nil {
		return nil, err
	}
	if prev.AccessID != "" {
		if err := tx.DeleteArtifact(ctx, oauth.KindAccessToken, prev.AccessID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	prev.Used, prev.AccessID = true, ""
	return prev, putJSON(ctx, tx, oauth.KindRefreshToken, art.ID, art.Key, art.UserID, art.CreatedAt, art.ExpiresAt, prev)
}

func putJSON(ctx context.Context, tx store.Tx, kind, id, key, userID string, created, expires time.Time, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.PutArtifact(ctx, &store.Artifact{Kind: kind, ID: id, Key: key, UserID: userID, CreatedAt: created, ExpiresAt: expires, Data: data})
}

// revokeFamily deletes every refresh token of a rotation family and the access
// tokens issued with them, in writes of their own (after the refused grant).
func (s *storage) revokeFamily(ctx context.Context, userID, family string) error {
	return s.deleteTokens(ctx, userID, func(_ string, data []byte) bool {
		var t struct {
			ID     string `json:"id"`
			Family string `json:"family"`
		}
		return json.Unmarshal(data, &t) == nil && (t.Family == family || t.ID == family)
	})
}

// revokeReplayed answers a spent refresh token presented again: it leaked, so
// neither its holder nor the thief may go on.
func (s *storage) revokeReplayed(ctx context.Context, rt *oauth.RefreshToken) {
	if err := s.revokeFamily(ctx, rt.UserID, rt.FamilyID()); err != nil {
		s.log.ErrorContext(ctx, "oidc: revoking a replayed refresh token's family", "user", rt.UserID, "err", err)
		return
	}
	s.log.WarnContext(ctx, "oidc: a spent refresh token was presented again; its family is revoked", "user", rt.UserID, "client", rt.ClientID)
}

// deleteTokens deletes a user's access and refresh tokens that match, page by
// page with no cap: nothing is silently left behind.
func (s *storage) deleteTokens(ctx context.Context, userID string, match func(kind string, data []byte) bool) error {
	if userID == "" {
		return errors.New("oidc: deleting tokens needs a user")
	}
	for _, kind := range []string{oauth.KindRefreshToken, oauth.KindAccessToken} {
		var ids []string
		for off := 0; ; {
			arts, _, err := s.store.ListArtifacts(ctx, store.ArtifactQuery{Kind: kind, UserID: userID, Page: store.Page{Offset: off, Limit: 1000, Asc: true}})
			if err != nil {
				return err
			}
			for _, a := range arts {
				if match(kind, a.Data) {
					ids = append(ids, a.ID)
				}
			}
			if len(arts) < 1000 {
				break
			}
			off += len(arts)
		}
		for _, id := range ids {
			if err := s.delete(ctx, kind, id); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	rt, art, err := load[oauth.RefreshToken](ctx, s.store, oauth.KindRefreshToken, hashKey(token), true)
	if err != nil {
		return nil, err
	}
	if rt.Used {
		s.revokeReplayed(ctx, rt)
		return nil, errRefreshReuse
	}
	if _, err := s.live(ctx, rt.UserID, rt.Epoch); err != nil {
		return nil, err
	}
	return &refreshRequest{t: *rt, key: art.ID}, nil
}

// TerminateSession is the library's fallback; Warden ends sessions per
// browser (TerminateSessionFromRequest) and never for an empty user.
func (s *storage) TerminateSession(ctx context.Context, userID, clientID string) error {
	return errors.New("oidc: sign-out without the browser's request")
}

var _ op.CanTerminateSessionFromRequest = (*storage)(nil)

// TerminateSessionFromRequest signs out the requesting browser: its login
// session ends, and when the request's id_token_hint names that session's user,
// that user's tokens of the client go too. A request without the browser's
// session ends nothing: nobody can sign out anyone else.
func (s *storage) TerminateSessionFromRequest(ctx context.Context, req *op.EndSessionRequest) (string, error) {
	userID, err := s.app.EndSession(ctx, sessionOf(ctx))
	if err != nil {
		return "", err
	}
	if userID != "" && req.UserID == userID && req.ClientID != "" {
		err := s.deleteTokens(ctx, userID, func(_ string, data []byte) bool {
			var t struct {
				ClientID string `json:"clientId"`
			}
			return json.Unmarshal(data, &t) == nil && t.ClientID == req.ClientID
		})
		if err != nil {
			return "", err
		}
	}
	return req.RedirectURI, nil
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
	rt, _, err := load[oauth.RefreshToken](ctx, s.store, oauth.KindRefreshToken, hashKey(tokenOrID), true)
	if err != nil {
		return nil
	}
	if rt.ClientID != clientID {
		return zoidc.ErrInvalidClient().WithDescription("token was not issued for this client")
	}
	// Revoking a refresh token revokes what it was rotated into, too.
	if err := s.revokeFamily(ctx, rt.UserID, rt.FamilyID()); err != nil {
		return zoidc.ErrServerError().WithParent(err)
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
	// Administrator-issued, like a secret: the user's state decides, not the epoch.
	if u, err := s.store.User(ctx, mk.UserID); err != nil || !u.CanAuthenticate() {
		return nil, errDead
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
