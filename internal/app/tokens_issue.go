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

// Issuing, rotating and revoking the OAuth2 tokens of a grant. Every grant
// reads the user's state and credential epoch inside the write that stores its
// tokens, so a lock that commits first always wins; a code and a refresh token
// are spent in that same write, so each yields tokens once.

// Token lifetimes.
const (
	accessTTL  = time.Hour
	refreshTTL = 30 * 24 * time.Hour
)

// GrantKind is how a token request proves its right to tokens.
type GrantKind int

// Grant kinds.
const (
	// GrantSignIn redeems a done auth request (its code, or the implicit flow's
	// callback); the request is deleted in the write that stores the tokens.
	GrantSignIn GrantKind = iota + 1
	// GrantRefresh spends a refresh token and rotates it.
	GrantRefresh
	// GrantClientCredentials: a machine user's client secret, checked against
	// the epoch read then.
	GrantClientCredentials
	// GrantJWTProfile: an assertion signed with a machine user's key, which an
	// administrator issued, so the user's state decides, not the epoch.
	GrantJWTProfile
	// GrantDevice redeems an approved device authorization (device.go); it is
	// deleted in the write that stores the tokens.
	GrantDevice
)

// TokenGrant is one token request, as the provider understood it.
type TokenGrant struct {
	Kind          GrantKind
	AuthRequestID string // GrantSignIn
	DeviceAuthID  string // GrantDevice
	RefreshToken  string // GrantRefresh: the token presented
	// UserID and ClientID: machine grants (ClientID as the client presented
	// it); for the others, checked against what the request or token holds.
	UserID, ClientID string
	// Scopes: machine grants ask for these; a refresh may narrow the token's.
	Scopes []string
	// Epoch: GrantClientCredentials, the user's credential epoch when its
	// secret was checked.
	Epoch       uint64
	WithRefresh bool // also issue a refresh token (a sign-in with offline_access; every refresh)
}

// IssuedTokens are a grant's new tokens.
type IssuedTokens struct {
	Access  oauth.AccessToken
	Refresh string // the refresh token itself ("" unless asked for); only its hash is kept
}

// IssueTokens stores the tokens of one grant in one write. A sign-in grant
// deletes its auth request in that write, so of parallel redemptions of one
// code exactly one gets tokens — the others find nothing to delete. A refresh
// grant spends the presented token likewise: it is claimed by deleting it and
// kept as Used, and a claim that finds it gone or used means a replay, which
// revokes the whole family.
func (a *App) IssueTokens(ctx context.Context, g TokenGrant) (*IssuedTokens, error) {
	if _, err := a.APIAudience(ctx); err != nil { // read once, outside the write
		return nil, err
	}
	var (
		out      IssuedTokens
		replayed *oauth.RefreshToken
	)
	err := a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		replayed = nil
		now := store.Now()
		var (
			userID, clientID, family string
			scopes, aud, amr         []string
			authTime                 time.Time
			epoch                    uint64
			anyEpoch                 bool
		)
		switch g.Kind {
		case GrantSignIn:
			ar, _, err := loadArtifact[oauth.AuthRequest](ctx, tx, oauth.KindAuthRequest, g.AuthRequestID, false)
			if errors.Is(err, store.ErrNotFound) {
				return ErrCodeRedeemed
			} else if err != nil {
				return err
			}
			if !ar.Done || ar.DeviceAuth != "" {
				return ErrAuthRequestNotFound
			}
			if err := tx.DeleteArtifact(ctx, oauth.KindAuthRequest, ar.ID); errors.Is(err, store.ErrNotFound) {
				return ErrCodeRedeemed
			} else if err != nil {
				return err
			}
			sg, err := a.signInGrant(ctx, tx, *ar)
			if err != nil {
				return err
			}
			userID, clientID, epoch, authTime, amr = ar.UserID, ar.ClientID, ar.Epoch, ar.AuthTime, ar.AMR
			scopes, aud = sg.Request.Scopes, sg.Audience
		case GrantDevice:
			ar, err := redeemDevice(ctx, tx, g.DeviceAuthID)
			if err != nil {
				return err
			}
			if g.ClientID != ar.ClientID {
				return ErrDeviceOtherClient
			}
			sg, err := a.signInGrant(ctx, tx, *ar)
			if err != nil {
				return err
			}
			userID, clientID, epoch, authTime, amr = ar.UserID, ar.ClientID, ar.Epoch, ar.AuthTime, ar.AMR
			scopes, aud = sg.Request.Scopes, sg.Audience
		case GrantRefresh:
			prev, err := spendRefresh(ctx, tx, g.RefreshToken)
			if errors.Is(err, ErrRefreshReplayed) {
				replayed = prev
			}
			if err != nil {
				return err
			}
			if g.ClientID != prev.ClientID {
				return ErrTokenOtherClient
			}
			userID, clientID, epoch, authTime, amr = prev.UserID, prev.ClientID, prev.Epoch, prev.AuthTime, prev.AMR
			scopes, aud, family = narrowScopes(prev.Scopes, g.Scopes), prev.Audience, prev.FamilyID()
		case GrantClientCredentials, GrantJWTProfile:
			u, err := tx.User(ctx, g.UserID)
			if errors.Is(err, store.ErrNotFound) {
				return fail.Unauthenticated
			} else if err != nil {
				return err
			}
			if scopes, aud, err = a.machineGrant(ctx, tx, u, g.Scopes); err != nil {
				return err
			}
			userID, clientID, epoch, anyEpoch = u.ID, g.ClientID, g.Epoch, g.Kind == GrantJWTProfile
		default:
			return fail.Internal.Wrap(errors.New("unknown grant kind"))
		}
		u, err := tx.User(ctx, userID)
		if errors.Is(err, store.ErrNotFound) {
			return fail.Unauthenticated
		} else if err != nil {
			return err
		}
		if anyEpoch {
			epoch = u.CredentialEpoch
		}
		if !live(u, epoch) {
			return fail.Unauthenticated
		}
		// The project's checks, again at issue: a grant removed since the
		// sign-in (or before a refresh) gets no tokens.
		if err := projectAccess(ctx, tx, clientID, u); err != nil {
			if _, ok := fail.As(err); ok {
				return fail.Unauthenticated
			}
			return err
		}
		at := oauth.AccessToken{ID: randomID(), UserID: userID, ClientID: clientID, Scopes: scopes, Audience: aud,
			Expiration: now.Add(accessTTL), Epoch: epoch, IssuedAt: now}
		out = IssuedTokens{}
		if g.WithRefresh {
			out.Refresh = randomID() + randomID()
			rt := oauth.RefreshToken{ID: randomID(), UserID: userID, ClientID: clientID, Scopes: scopes, Audience: aud,
				AuthTime: authTime, AMR: amr, Expiration: now.Add(refreshTTL), Epoch: epoch, Family: family}
			if rt.Family == "" {
				rt.Family = rt.ID
			}
			rt.AccessID, at.RefreshID, at.Family = at.ID, rt.ID, rt.Family
			err := putJSON(ctx, tx, &store.Artifact{Kind: oauth.KindRefreshToken, ID: rt.ID, Key: cookieKey(out.Refresh),
				UserID: userID, CreatedAt: now, ExpiresAt: rt.Expiration}, rt)
			if err != nil {
				return err
			}
		}
		out.Access = at
		return putJSON(ctx, tx, &store.Artifact{Kind: oauth.KindAccessToken, ID: at.ID, UserID: userID,
			CreatedAt: now, ExpiresAt: at.Expiration}, at)
	})
	if replayed != nil {
		a.revokeReplayed(ctx, replayed)
	}
	if err != nil {
		return nil, storeErr(err)
	}
	return &out, nil
}

// narrowScopes is what a refresh grants: the scopes asked for that the token
// holds (all of them when none are asked for). The library refuses a request
// for more; this keeps it so should it ever not.
func narrowScopes(held, asked []string) []string {
	if len(asked) == 0 {
		return held
	}
	out := make([]string, 0, len(asked))
	for _, sc := range asked {
		if slices.Contains(held, sc) && !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out
}

// spendRefresh marks the presented refresh token used and drops its access
// token. It returns the token it found (for its family) with
// ErrRefreshReplayed when that token was already spent.
func spendRefresh(ctx context.Context, tx store.Tx, token string) (*oauth.RefreshToken, error) {
	if token == "" {
		return nil, ErrRefreshUnknown
	}
	prev, art, err := loadArtifact[oauth.RefreshToken](ctx, tx, oauth.KindRefreshToken, cookieKey(token), true)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrRefreshUnknown
	} else if err != nil {
		return nil, err
	}
	if prev.Used {
		return prev, ErrRefreshReplayed
	}
	// The delete is the claim: of two nodes rotating one token at once, the
	// second finds nothing to delete.
	if err := tx.DeleteArtifact(ctx, oauth.KindRefreshToken, art.ID); errors.Is(err, store.ErrNotFound) {
		return prev, ErrRefreshReplayed
	} else if err != nil {
		return nil, err
	}
	if prev.AccessID != "" {
		if err := tx.DeleteArtifact(ctx, oauth.KindAccessToken, prev.AccessID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	prev.Used, prev.AccessID = true, ""
	return prev, putJSON(ctx, tx, &store.Artifact{Kind: oauth.KindRefreshToken, ID: art.ID, Key: art.Key, UserID: art.UserID,
		CreatedAt: art.CreatedAt, ExpiresAt: art.ExpiresAt}, prev)
}

// RefreshGrant returns the refresh token presented for a refresh grant, while
// its user may still use it. A spent one presented again leaked: its whole
// family is revoked before the grant is refused.
func (a *App) RefreshGrant(ctx context.Context, token string) (*oauth.RefreshToken, error) {
	if token == "" {
		return nil, ErrRefreshUnknown
	}
	rt, _, err := loadArtifact[oauth.RefreshToken](ctx, a.store, oauth.KindRefreshToken, cookieKey(token), true)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrRefreshUnknown
	} else if err != nil {
		return nil, storeErr(err)
	}
	if rt.Used {
		a.revokeReplayed(ctx, rt)
		return nil, ErrRefreshReplayed
	}
	if _, err := a.LiveUser(ctx, rt.UserID, rt.Epoch); err != nil {
		return nil, err
	}
	return rt, nil
}

// RefreshTokenOwner returns the user and id of a refresh token issued to
// clientID (the revocation endpoint's question).
func (a *App) RefreshTokenOwner(ctx context.Context, clientID, token string) (userID, tokenID string, err error) {
	if token == "" {
		return "", "", ErrRefreshUnknown
	}
	rt, art, err := loadArtifact[oauth.RefreshToken](ctx, a.store, oauth.KindRefreshToken, cookieKey(token), true)
	if err != nil || rt.ClientID != clientID {
		return "", "", ErrRefreshUnknown
	}
	return rt.UserID, art.ID, nil
}

// RevokeAccessToken deletes an access token of clientID (RFC 7009: an unknown
// one counts as revoked).
func (a *App) RevokeAccessToken(ctx context.Context, tokenID, clientID string) error {
	at, _, err := loadArtifact[oauth.AccessToken](ctx, a.store, oauth.KindAccessToken, tokenID, false)
	if err != nil {
		return nil
	}
	if at.ClientID != clientID {
		return ErrTokenOtherClient
	}
	return a.deleteArtifacts(ctx, oauth.KindAccessToken, []string{tokenID})
}

// RevokeTokenByID revokes the access token, or else the refresh token (with
// its family), stored under id for clientID. The provider hands over ids, not
// tokens: an access token's id, or the refresh token's id RefreshTokenOwner gave.
func (a *App) RevokeTokenByID(ctx context.Context, id, clientID string) error {
	if _, _, err := loadArtifact[oauth.AccessToken](ctx, a.store, oauth.KindAccessToken, id, false); err == nil {
		return a.RevokeAccessToken(ctx, id, clientID)
	}
	rt, _, err := loadArtifact[oauth.RefreshToken](ctx, a.store, oauth.KindRefreshToken, id, false)
	if err != nil {
		return nil // unknown tokens count as revoked (RFC 7009)
	}
	if rt.ClientID != clientID {
		return ErrTokenOtherClient
	}
	return a.revokeFamily(ctx, rt.UserID, rt.FamilyID())
}

// RevokeRefreshToken revokes a refresh token of clientID and everything it was
// rotated into, with their access tokens (an unknown one counts as revoked).
func (a *App) RevokeRefreshToken(ctx context.Context, token, clientID string) error {
	if token == "" {
		return nil
	}
	rt, _, err := loadArtifact[oauth.RefreshToken](ctx, a.store, oauth.KindRefreshToken, cookieKey(token), true)
	if err != nil {
		return nil
	}
	if rt.ClientID != clientID {
		return ErrTokenOtherClient
	}
	return a.revokeFamily(ctx, rt.UserID, rt.FamilyID())
}

// SignOut ends the login session of the browser whose session cookie this is;
// when hintUserID (the id_token_hint's subject) is that session's user, that
// user's tokens of clientID go too. Without the browser's session it ends
// nothing: nobody can sign out anyone else.
func (a *App) SignOut(ctx context.Context, sessionCookie, hintUserID, clientID string) error {
	userID, err := a.EndSession(ctx, sessionCookie)
	if err != nil {
		return err
	}
	if userID == "" || hintUserID != userID || clientID == "" {
		return nil
	}
	return a.deleteTokens(ctx, userID, func(data []byte) bool {
		var t struct {
			ClientID string `json:"clientId"`
		}
		return json.Unmarshal(data, &t) == nil && t.ClientID == clientID
	})
}

// revokeFamily deletes every refresh token of a rotation family and the access
// tokens issued with them.
func (a *App) revokeFamily(ctx context.Context, userID, family string) error {
	return a.deleteTokens(ctx, userID, func(data []byte) bool {
		var t struct {
			ID     string `json:"id"`
			Family string `json:"family"`
		}
		return json.Unmarshal(data, &t) == nil && (t.Family == family || t.ID == family)
	})
}

// revokeReplayed answers a spent refresh token presented again: it leaked, so
// neither its holder nor the thief may go on. It runs after the refused grant,
// in writes of its own.
func (a *App) revokeReplayed(ctx context.Context, rt *oauth.RefreshToken) {
	if err := a.revokeFamily(ctx, rt.UserID, rt.FamilyID()); err != nil {
		a.log.ErrorContext(ctx, "oidc: revoking a replayed refresh token's family", "user", rt.UserID, "err", err)
		return
	}
	a.log.WarnContext(ctx, "oidc: a spent refresh token was presented again; its family is revoked", "user", rt.UserID, "client", rt.ClientID)
}

// deleteTokens deletes a user's refresh and access tokens that match, reading
// page by page with no cap: nothing is silently left behind.
func (a *App) deleteTokens(ctx context.Context, userID string, match func(data []byte) bool) error {
	if userID == "" {
		return fail.Internal.Wrap(errors.New("deleting tokens needs a user"))
	}
	for _, kind := range []string{oauth.KindRefreshToken, oauth.KindAccessToken} {
		arts, err := allArtifacts(ctx, a.store, kind, "", userID)
		if err != nil {
			return storeErr(err)
		}
		var ids []string
		for _, art := range arts {
			if match(art.Data) {
				ids = append(ids, art.ID)
			}
		}
		if err := a.deleteArtifacts(ctx, kind, ids); err != nil {
			return err
		}
	}
	return nil
}

// deleteArtifacts deletes artifacts of one kind in writes of at most 500;
// one already gone is no error.
func (a *App) deleteArtifacts(ctx context.Context, kind string, ids []string) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		batch := ids[:n]
		ids = ids[n:]
		err := a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			for _, id := range batch {
				if err := tx.DeleteArtifact(ctx, kind, id); err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return storeErr(err)
		}
	}
	return nil
}

// MachineGrant decides what a machine user's grant (client credentials, JWT
// profile) carries: the scopes asked for that Warden serves — an org scope only
// when it names the user's own organisation (ZITADEL drops it otherwise) — and
// the audience they make.
func (a *App) MachineGrant(ctx context.Context, userID string, asked []string) (scopes, audience []string, err error) {
	u, err := a.store.User(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, fail.Unauthenticated
	} else if err != nil {
		return nil, nil, storeErr(err)
	}
	return a.machineGrant(ctx, a.store, u, asked)
}

func (a *App) machineGrant(ctx context.Context, r store.Reader, u *user.User, asked []string) ([]string, []string, error) {
	scopes := make([]string, 0, len(asked))
	for _, sc := range asked {
		if slices.Contains(scopes, sc) {
			continue
		}
		_, isAud := oauth.ProjectAudience(sc)
		_, isOrgID := oauth.OrgIDScope(sc)
		_, isOrgDomain := oauth.OrgDomainScope(sc)
		switch {
		case sc == "openid", sc == "profile", sc == "email", sc == oauth.ScopeResourceOwner, isAud:
			scopes = append(scopes, sc)
		case isOrgID, isOrgDomain:
			orgID, err := a.requestedOrg(ctx, r, []string{sc})
			if err != nil && !errors.Is(err, ErrOrgScope) {
				return nil, nil, err
			}
			if err == nil && orgID == u.OrgID {
				scopes = append(scopes, sc)
			}
		}
	}
	aud, err := a.tokenAudience(ctx, "", scopes)
	return scopes, aud, err
}
