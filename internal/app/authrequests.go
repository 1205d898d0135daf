package app

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
)

// The sign-in flow's use cases. An auth request is bound at /authorize to the
// browser that started it (the SHA-256 of its binding cookie is kept) and only
// moves forward: a login name is chosen (and may be chosen again) until a user
// is authenticated; an authenticated request may wait for consent, then it is
// done; a done request issues one code; one token request redeems it. A step
// that would move it back is refused, so a finished sign-in can neither change
// its user nor complete twice. The OpenID provider (internal/oidc) and the
// login page only call these; none of them writes a request itself.

// Lifetimes of a sign-in's artifacts.
const (
	authRequestTTL = 15 * time.Minute
	codeTTL        = 5 * time.Minute
	// maxFlowValue bounds the request ids and cookies the flow looks up.
	maxFlowValue = 100
)

// randomID is an unguessable id (144 random bits) for auth requests and tokens.
func randomID() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b) // crypto/rand does not fail on Linux
	return base64.RawURLEncoding.EncodeToString(b)
}

// boundTo tells whether browser is the binding cookie ar was started with.
func boundTo(ar *oauth.AuthRequest, browser string) bool {
	return browser != "" && ar.BrowserHash != "" &&
		subtle.ConstantTimeCompare([]byte(cookieKey(browser)), []byte(ar.BrowserHash)) == 1
}

// loadArtifact reads an artifact of kind into v (by id, or by its lookup key);
// an expired one is not found.
func loadArtifact[T any](ctx context.Context, r store.Reader, kind, idOrKey string, byKey bool) (*T, *store.Artifact, error) {
	var art *store.Artifact
	var err error
	if byKey {
		art, err = r.ArtifactByKey(ctx, kind, idOrKey)
	} else {
		art, err = r.Artifact(ctx, kind, idOrKey)
	}
	if err != nil {
		return nil, nil, err
	}
	if !art.ExpiresAt.IsZero() && !time.Now().Before(art.ExpiresAt) {
		return nil, nil, store.ErrNotFound
	}
	v := new(T)
	if err := json.Unmarshal(art.Data, v); err != nil {
		return nil, nil, fail.Internal.Wrap(err)
	}
	return v, art, nil
}

func putJSON(ctx context.Context, tx store.Tx, art *store.Artifact, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fail.Internal.Wrap(err)
	}
	art.Data = data
	return tx.PutArtifact(ctx, art)
}

// flowValue tells whether an id or cookie from a request may be looked up.
func flowValue(v string) bool { return v != "" && len(v) <= maxFlowValue && pgText(v) }

// authRequestErr maps a missing request to ErrAuthRequestNotFound.
func authRequestErr(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return ErrAuthRequestNotFound
	}
	return storeErr(err)
}

// CreateAuthRequest stores what /oauth/v2/authorize asked for, bound to the
// browser whose binding cookie is browser, and returns it with its id. Only
// S256 code challenges are accepted, and org scopes must name one existing
// organisation, which the sign-in is then restricted to.
func (a *App) CreateAuthRequest(ctx context.Context, ar oauth.AuthRequest, browser string) (*oauth.AuthRequest, error) {
	if browser == "" {
		return nil, ErrNoBrowserBinding
	}
	if ar.CodeChallenge != "" && ar.CodeChallengeMethod != "S256" {
		return nil, ErrPKCEPlain
	}
	orgID, err := a.requestedOrg(ctx, a.store, ar.Scopes)
	if err != nil {
		return nil, err
	}
	now := store.Now()
	ar.ID, ar.BrowserHash, ar.OrgID, ar.CreatedAt = randomID(), cookieKey(browser), orgID, now
	ar.LoginName, ar.UserID, ar.Authenticated, ar.Done, ar.CodeIssued = "", "", false, false, false
	err = a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return putJSON(ctx, tx, &store.Artifact{Kind: oauth.KindAuthRequest, ID: ar.ID, CreatedAt: now,
			ExpiresAt: now.Add(authRequestTTL)}, ar)
	})
	if err != nil {
		return nil, storeErr(err)
	}
	return &ar, nil
}

// requestedOrg is the organisation the org scopes name ("" for none): every
// urn:zitadel:iam:org:id:{id} and urn:zitadel:iam:org:domain:primary:{domain}
// must name the same existing organisation.
func (a *App) requestedOrg(ctx context.Context, r store.Reader, scopes []string) (string, error) {
	var orgID string
	for _, sc := range scopes {
		var o *org.Org
		var err error
		if id, ok := oauth.OrgIDScope(sc); ok {
			o, err = r.Org(ctx, id)
		} else if d, ok := oauth.OrgDomainScope(sc); ok {
			o, err = a.orgByPrimaryDomain(ctx, r, d)
		} else {
			continue
		}
		switch {
		case errors.Is(err, store.ErrNotFound):
			return "", ErrOrgScope
		case err != nil:
			return "", storeErr(err)
		case o.State != org.StateActive, orgID != "" && orgID != o.ID:
			return "", ErrOrgScope
		}
		orgID = o.ID
	}
	return orgID, nil
}

// orgByPrimaryDomain finds the organisation whose primary domain (OrgDomain)
// is domain: the one holding it as its stored primary, else an org written
// before org domains whose generated domain it is (two such orgs, names of
// one slug, are neither).
func (a *App) orgByPrimaryDomain(ctx context.Context, r store.Reader, domain string) (*org.Org, error) {
	domain = strings.ToLower(domain)
	art, err := r.ArtifactByKey(ctx, org.KindPrimaryDomain, domain)
	if err == nil {
		return r.Org(ctx, art.OrgID)
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return a.orgByDerivedDomain(ctx, r, domain)
}

// PendingAuthRequest returns an auth request of this browser that is not done,
// for the login page. A completed request, one of another browser and an
// unknown or expired one are all refused.
func (a *App) PendingAuthRequest(ctx context.Context, id, browser string) (*oauth.AuthRequest, error) {
	if !flowValue(id) {
		return nil, ErrAuthRequestNotFound
	}
	ar, _, err := loadArtifact[oauth.AuthRequest](ctx, a.store, oauth.KindAuthRequest, id, false)
	if err != nil {
		return nil, authRequestErr(err)
	}
	if !boundTo(ar, browser) {
		return nil, ErrOtherBrowser
	}
	if ar.Done {
		return nil, ErrFlowState
	}
	return ar, nil
}

// SelectLoginName records the login name typed at the user-name step. It may
// be typed again ("use another account") until a user is authenticated.
func (a *App) SelectLoginName(ctx context.Context, id, browser, loginName string) error {
	_, err := a.moveAuthRequest(ctx, id, browser, func(_ context.Context, _ store.Tx, ar *oauth.AuthRequest) error {
		if ar.Authenticated {
			return ErrFlowState
		}
		ar.LoginName = loginName
		return nil
	})
	return err
}

// RestartAuthRequest takes an authenticated request that awaits consent back
// to the user-name step (the person chose another account); done ones stay done.
func (a *App) RestartAuthRequest(ctx context.Context, id, browser string) error {
	_, err := a.moveAuthRequest(ctx, id, browser, func(_ context.Context, _ store.Tx, ar *oauth.AuthRequest) error {
		ar.LoginName, ar.UserID, ar.Authenticated, ar.Epoch, ar.AuthTime, ar.AMR = "", "", false, 0, time.Time{}, nil
		return nil
	})
	return err
}

// AuthenticateAuthRequest records that userID proved who it is for the request,
// in the user's credential epoch, without completing it (consent comes next).
// It is refused once a user is authenticated — the user of a request never
// changes — and for a user outside the organisation the request is restricted to.
func (a *App) AuthenticateAuthRequest(ctx context.Context, id, browser, userID string, epoch uint64, authTime time.Time, amr []string) error {
	_, err := a.moveAuthRequest(ctx, id, browser, func(ctx context.Context, tx store.Tx, ar *oauth.AuthRequest) error {
		if ar.Authenticated {
			return ErrFlowState
		}
		return authenticate(ctx, tx, ar, userID, epoch, authTime, amr)
	})
	return err
}

// CompleteAuthRequest finishes a request: authenticated by userID (recorded now
// unless it already was, for that same user), and done, so the callback issues
// one code.
func (a *App) CompleteAuthRequest(ctx context.Context, id, browser, userID string, epoch uint64, authTime time.Time, amr []string) error {
	_, err := a.moveAuthRequest(ctx, id, browser, func(ctx context.Context, tx store.Tx, ar *oauth.AuthRequest) error {
		switch {
		case !ar.Authenticated:
			if err := authenticate(ctx, tx, ar, userID, epoch, authTime, amr); err != nil {
				return err
			}
		case ar.UserID != userID:
			return ErrFlowState
		}
		ar.Done = true
		return nil
	})
	return err
}

// authenticate records the user of a request, if it may sign in there.
func authenticate(ctx context.Context, tx store.Reader, ar *oauth.AuthRequest, userID string, epoch uint64, authTime time.Time, amr []string) error {
	if err := checkID(userID, ErrFlowState); err != nil {
		return err
	}
	u, err := tx.User(ctx, userID)
	if err != nil {
		return err
	}
	if ar.OrgID != "" && u.OrgID != ar.OrgID {
		return ErrNotAllowedOrg
	}
	// The project's role and project checks (ErrGrantRequired, ErrProjectRequired).
	if err := projectAccess(ctx, tx, ar.ClientID, u); err != nil {
		return err
	}
	ar.UserID, ar.Authenticated, ar.Epoch, ar.AuthTime, ar.AMR = userID, true, epoch, authTime.UTC(), amr
	return nil
}

// DenyAuthRequest ends a pending request of this browser (the user refused
// consent) and returns it, so the provider can tell the client access_denied.
func (a *App) DenyAuthRequest(ctx context.Context, id, browser string) (*oauth.AuthRequest, error) {
	return a.moveAuthRequest(ctx, id, browser, func(ctx context.Context, tx store.Tx, ar *oauth.AuthRequest) error {
		return errDeleteRequest
	})
}

// errDeleteRequest tells moveAuthRequest to delete the request instead of
// storing it; it never leaves moveAuthRequest.
var errDeleteRequest = errors.New("delete the auth request")

// moveAuthRequest changes a pending request of this browser in one write and
// returns it as committed.
func (a *App) moveAuthRequest(ctx context.Context, id, browser string, change func(context.Context, store.Tx, *oauth.AuthRequest) error) (*oauth.AuthRequest, error) {
	if !flowValue(id) {
		return nil, ErrAuthRequestNotFound
	}
	var out oauth.AuthRequest
	err := a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		ar, art, err := loadArtifact[oauth.AuthRequest](ctx, tx, oauth.KindAuthRequest, id, false)
		if err != nil {
			return err
		}
		if !boundTo(ar, browser) {
			return ErrOtherBrowser
		}
		if ar.Done {
			return ErrFlowState
		}
		err = change(ctx, tx, ar)
		out = *ar
		if errors.Is(err, errDeleteRequest) {
			return tx.DeleteArtifact(ctx, oauth.KindAuthRequest, art.ID)
		}
		if err != nil {
			return err
		}
		return putJSON(ctx, tx, art, ar)
	})
	if err != nil {
		return nil, authRequestErr(err)
	}
	return &out, nil
}

// SignInGrant is a done auth request as its tokens will see it: the scopes the
// user may give its client, and the audience they make.
type SignInGrant struct {
	Request  oauth.AuthRequest // Scopes as granted
	Audience []string
}

// CallbackAuthRequest serves the callback after the login: a request of this
// browser until its one code is issued; a done one only while its user may
// still sign in (a lock between sign-in and the redirect back stops the flow).
func (a *App) CallbackAuthRequest(ctx context.Context, id, browser string) (*SignInGrant, error) {
	if !flowValue(id) {
		return nil, ErrAuthRequestNotFound
	}
	ar, _, err := loadArtifact[oauth.AuthRequest](ctx, a.store, oauth.KindAuthRequest, id, false)
	if err != nil {
		return nil, authRequestErr(err)
	}
	// A device flow's sign-in ends at the login page's approval, never here.
	if !boundTo(ar, browser) || ar.CodeIssued || ar.DeviceAuth != "" {
		return nil, ErrAuthRequestNotFound
	}
	if ar.Done {
		if _, err := a.LiveUser(ctx, ar.UserID, ar.Epoch); err != nil {
			return nil, err
		}
	}
	return a.signInGrant(ctx, a.store, *ar)
}

// AuthRequestByCode finds the done request a code was issued for, while its
// user may still sign in.
func (a *App) AuthRequestByCode(ctx context.Context, code string) (*SignInGrant, error) {
	if code == "" {
		return nil, ErrAuthRequestNotFound
	}
	ar, _, err := loadArtifact[oauth.AuthRequest](ctx, a.store, oauth.KindAuthRequest, cookieKey(code), true)
	if err != nil {
		return nil, authRequestErr(err)
	}
	if !ar.Done {
		return nil, ErrAuthRequestNotFound
	}
	if _, err := a.LiveUser(ctx, ar.UserID, ar.Epoch); err != nil {
		return nil, err
	}
	return a.signInGrant(ctx, a.store, *ar)
}

// SaveAuthCode issues a done request's one code. Only its hash is kept, as the
// request's lookup key; a second callback finds the request spent.
func (a *App) SaveAuthCode(ctx context.Context, id, code string) error {
	err := a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		ar, art, err := loadArtifact[oauth.AuthRequest](ctx, tx, oauth.KindAuthRequest, id, false)
		if err != nil {
			return err
		}
		if !ar.Done || ar.CodeIssued {
			return ErrAuthRequestNotFound
		}
		ar.CodeIssued = true
		art.Key = cookieKey(code)
		art.ExpiresAt = store.Now().Add(codeTTL)
		return putJSON(ctx, tx, art, ar)
	})
	return authRequestErr(err)
}

// DeleteAuthRequest deletes a request (the library's cleanup after tokens were
// issued; the token write already deleted a redeemed one). An unknown one is
// already gone.
func (a *App) DeleteAuthRequest(ctx context.Context, id string) error {
	err := a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return tx.DeleteArtifact(ctx, oauth.KindAuthRequest, id)
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return storeErr(err)
}

// signInGrant decides what a request's tokens carry. Warden's API audience
// stays in its scopes only for a user who may give it to this client: the client
// is trusted, or the user consented; otherwise the tokens simply lack it. The
// audience is the client, its project, and the projects the audience scopes name.
func (a *App) signInGrant(ctx context.Context, r store.Reader, ar oauth.AuthRequest) (*SignInGrant, error) {
	if slices.Contains(ar.Scopes, oauth.APIAudienceScope) {
		need := true
		if ar.Authenticated {
			var err error
			if need, err = apiConsentNeeded(ctx, r, ar.UserID, ar.ClientID); err != nil {
				return nil, err
			}
		}
		if need {
			ar.Scopes = slices.DeleteFunc(slices.Clone(ar.Scopes), func(sc string) bool { return sc == oauth.APIAudienceScope })
		}
	}
	aud, err := a.tokenAudience(ctx, ar.ClientID, ar.Scopes)
	if err != nil {
		return nil, err
	}
	if ap, err := appByClientID(ctx, r, ar.ClientID); err == nil && ap.ProjectID != "" && !slices.Contains(aud, ap.ProjectID) {
		aud = append(aud, ap.ProjectID)
	}
	return &SignInGrant{Request: ar, Audience: aud}, nil
}

// tokenAudience is a token's audience: the client (if any), plus every project
// an audience scope names — "zitadel" meaning Warden's API.
func (a *App) tokenAudience(ctx context.Context, clientID string, scopes []string) ([]string, error) {
	aud := []string{}
	if clientID != "" {
		aud = append(aud, clientID)
	}
	for _, sc := range scopes {
		id, ok := oauth.ProjectAudience(sc)
		if !ok {
			continue
		}
		if id == oauth.APIProjectID {
			var err error
			if id, err = a.APIAudience(ctx); err != nil {
				return nil, err
			}
		}
		if !slices.Contains(aud, id) {
			aud = append(aud, id)
		}
	}
	return aud, nil
}
