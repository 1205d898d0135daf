package app

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// Login-page lifetimes.
const (
	// SessionTTL is how long a browser stays signed in at the login page.
	SessionTTL = 12 * time.Hour
	// passwordChangeTTL bounds the time between a password check that found a
	// forced change and the change itself.
	passwordChangeTTL = 10 * time.Minute
)

// KindPasswordChange is the artifact kind of a pending forced password change:
// proof that the password was checked for one auth request.
const KindPasswordChange = "login_password_change"

// maxLoginNameLen bounds what the login page looks up.
const maxLoginNameLen = 2*MaxNameLen + 1

// FindLoginUser resolves what a person typed into the login page to a human
// user: the full login name user@org-domain, else a user name that is unique
// among the non-removed humans of every org, else a unique verified e-mail address. Unknown names are user.ErrGetNotFound; a plain name shared by
// several orgs is ErrLoginNameAmbiguous (the person must type the full name).
func (a *App) FindLoginUser(ctx context.Context, loginName string) (*user.User, error) {
	loginName = strings.TrimSpace(loginName)
	if loginName == "" || len(loginName) > maxLoginNameLen || checkChars("login name", loginName) != nil {
		return nil, user.ErrGetNotFound // names cannot hold what checkChars refuses; NUL would break PostgreSQL
	}
	humans := []user.Type{user.TypeHuman}
	// Login names compare case-insensitively, as in ZITADEL; an exact match
	// wins over one that differs only in case.
	for _, method := range []store.TextMethod{store.TextEquals, store.TextEqualsIgnoreCase} {
		// user@org-domain. The user name itself may contain '@' (e-mail user
		// names), so the domain is what follows the last one.
		if i := strings.LastIndexByte(loginName, '@'); i > 0 && i < len(loginName)-1 {
			name, domain := loginName[:i], strings.ToLower(loginName[i+1:])
			page, err := a.store.ListUsers(ctx, store.UserQuery{UserNames: []store.TextMatch{{Value: name, Method: method}}, Types: humans, Limit: 1000})
			if err != nil {
				return nil, storeErr(err)
			}
			// Any verified domain of the user's org, not only the primary one.
			domOrg, err := a.orgByVerifiedDomain(ctx, a.store, domain)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return nil, storeErr(err)
			}
			var found []*user.User
			for _, u := range page.Users {
				if domOrg != nil && u.OrgID == domOrg.ID {
					found = append(found, u)
				}
			}
			switch len(found) {
			case 1:
				return found[0], nil
			case 0:
			default:
				return nil, ErrLoginNameAmbiguous
			}
		}
		page, err := a.store.ListUsers(ctx, store.UserQuery{UserNames: []store.TextMatch{{Value: loginName, Method: method}}, Types: humans, Limit: 2})
		if err != nil {
			return nil, storeErr(err)
		}
		switch len(page.Users) {
		case 1:
			return page.Users[0], nil
		case 2:
			return nil, ErrLoginNameAmbiguous
		}
	}
	if strings.Contains(loginName, "@") {
		// Only verified addresses: anyone may type any address into a profile.
		page, err := a.store.ListUsers(ctx, store.UserQuery{Emails: []store.TextMatch{{Value: loginName, Method: store.TextEqualsIgnoreCase}}, Types: humans, Limit: 10})
		if err != nil {
			return nil, storeErr(err)
		}
		var found []*user.User
		for _, u := range page.Users {
			if u.Human != nil && u.Human.EmailVerified {
				found = append(found, u)
			}
		}
		switch {
		case len(found) == 1 && page.Total <= uint64(len(page.Users)):
			return found[0], nil
		case len(found) > 1 || page.Total > uint64(len(page.Users)):
			return nil, ErrLoginNameAmbiguous
		}
	}
	return nil, user.ErrGetNotFound
}

// CheckUnknownUserPassword spends the time of a real password check and fails
// as an unknown user does, so the login page's answer for a user name that does
// not exist looks and takes the same as for a wrong password.
func (a *App) CheckUnknownUserPassword(ctx context.Context, password string) error {
	if _, err := a.verifyPassword(ctx, dummyHash, password); err != nil {
		return err
	}
	return user.ErrGetNotFound
}

func cookieKey(cookie string) string { return hex.EncodeToString(credential.HashToken(cookie)) }

// CreateSession starts a browser session for a user who just signed in, in the
// credential epoch the sign-in saw. It returns the cookie value (256 random
// bits); only its SHA-256 is stored.
func (a *App) CreateSession(ctx context.Context, userID string, epoch uint64, authTime time.Time) (string, error) {
	if err := checkID(userID, user.ErrGetNotFound); err != nil {
		return "", err
	}
	cookie, _ := credential.NewToken()
	now := store.Now()
	s := oauth.Session{ID: a.ids.Next(), UserID: userID, AuthTime: authTime.UTC().Truncate(time.Microsecond), Epoch: epoch}
	data, err := json.Marshal(s)
	if err != nil {
		return "", fail.Internal.Wrap(err)
	}
	err = a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return tx.PutArtifact(ctx, &store.Artifact{Kind: oauth.KindSession, ID: s.ID, Key: cookieKey(cookie),
			UserID: userID, CreatedAt: now, ExpiresAt: now.Add(SessionTTL), Data: data})
	})
	if err != nil {
		return "", storeErr(err)
	}
	return cookie, nil
}

// SessionUser returns the user of a browser session and the session. A session
// is valid only while it exists, has not expired, and its user can still sign
// in within the session's credential epoch — read now, so a lock or
// deactivation ends every session at once and for good.
//
// When the session exists but its user cannot sign in, the user is returned
// with user.ErrLocked or user.ErrNotActive, so the page can say why; every other
// failure is ErrSessionEnded.
func (a *App) SessionUser(ctx context.Context, cookie string) (*user.User, *oauth.Session, error) {
	if cookie == "" || len(cookie) > 200 {
		return nil, nil, ErrSessionEnded
	}
	art, err := a.store.ArtifactByKey(ctx, oauth.KindSession, cookieKey(cookie))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, ErrSessionEnded
	}
	if err != nil {
		return nil, nil, storeErr(err)
	}
	if !art.ExpiresAt.IsZero() && !time.Now().Before(art.ExpiresAt) {
		return nil, nil, ErrSessionEnded
	}
	var s oauth.Session
	if err := json.Unmarshal(art.Data, &s); err != nil {
		return nil, nil, fail.Internal.Wrap(err)
	}
	u, err := a.LiveUser(ctx, s.UserID, s.Epoch)
	if err == nil {
		return u, &s, nil
	}
	if !errors.Is(err, fail.Unauthenticated) {
		return nil, nil, err
	}
	cur, gerr := a.store.User(ctx, s.UserID)
	if gerr != nil {
		return nil, nil, ErrSessionEnded
	}
	switch cur.State {
	case user.StateLocked:
		return cur, &s, user.ErrLocked
	case user.StateInactive:
		return cur, &s, user.ErrNotActive
	}
	return nil, nil, ErrSessionEnded // removed, or the epoch moved on (locked and unlocked since)
}

// EndSession deletes a browser session and returns whose it was; an unknown
// one is already ended ("", nil).
func (a *App) EndSession(ctx context.Context, cookie string) (string, error) {
	if cookie == "" || len(cookie) > 200 {
		return "", nil
	}
	var userID string
	err := a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		art, err := tx.ArtifactByKey(ctx, oauth.KindSession, cookieKey(cookie))
		if err != nil {
			return err
		}
		userID = art.UserID
		return tx.DeleteArtifact(ctx, oauth.KindSession, art.ID)
	})
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	return userID, storeErr(err)
}

// passwordChange is a pending forced change (artifact data).
type passwordChange struct {
	UserID        string `json:"userId"`
	AuthRequestID string `json:"authRequestId"`
	Epoch         uint64 `json:"epoch"`
}

// StartPasswordChange records that userID just proved its password for the auth
// request and must now change it. The returned ticket (256 random bits) is the
// only way to FinishPasswordChange.
func (a *App) StartPasswordChange(ctx context.Context, userID, authRequestID string, epoch uint64) (string, error) {
	ticket, _ := credential.NewToken()
	data, err := json.Marshal(passwordChange{UserID: userID, AuthRequestID: authRequestID, Epoch: epoch})
	if err != nil {
		return "", fail.Internal.Wrap(err)
	}
	now := store.Now()
	err = a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return tx.PutArtifact(ctx, &store.Artifact{Kind: KindPasswordChange, ID: cookieKey(ticket), UserID: userID,
			CreatedAt: now, ExpiresAt: now.Add(passwordChangeTTL), Data: data})
	})
	if err != nil {
		return "", storeErr(err)
	}
	return ticket, nil
}

// FinishPasswordChange sets the new password of the user a ticket was issued
// for, if the ticket belongs to the auth request, has not expired, and the user
// can still sign in within the same credential epoch. The ticket is spent
// unless the new password is refused by the password rules. It returns the user
// as committed (its epoch is the one the sign-in continues in).
func (a *App) FinishPasswordChange(ctx context.Context, ticket, authRequestID, newPassword string) (*user.User, error) {
	if ticket == "" || len(ticket) > 200 {
		return nil, ErrPasswordChangeExpired
	}
	art, err := a.store.Artifact(ctx, KindPasswordChange, cookieKey(ticket))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrPasswordChangeExpired
	}
	if err != nil {
		return nil, storeErr(err)
	}
	var pc passwordChange
	if err := json.Unmarshal(art.Data, &pc); err != nil {
		return nil, fail.Internal.Wrap(err)
	}
	if pc.AuthRequestID != authRequestID || !time.Now().Before(art.ExpiresAt) {
		return nil, ErrPasswordChangeExpired
	}
	// The user must still be the one who proved the password, in the same
	// credential epoch — checked inside the write, so a lock meanwhile wins.
	u, err := a.writePassword(ctx, newPassword, false, user.Actor{UserID: pc.UserID},
		func(ctx context.Context, tx store.Reader) (*user.User, error) {
			u, err := tx.User(ctx, pc.UserID)
			if err != nil {
				return nil, err
			}
			if !live(u, pc.Epoch) {
				return nil, whyNotLive(u)
			}
			return u, nil
		})
	if err != nil {
		return nil, err
	}
	_ = a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return tx.DeleteArtifact(ctx, KindPasswordChange, art.ID)
	})
	return u, nil
}

// whyNotLive names the reason a user cannot sign in (for the login page).
func whyNotLive(u *user.User) error {
	switch u.State {
	case user.StateLocked:
		return user.ErrLocked
	case user.StateInactive:
		return user.ErrNotActive
	}
	return ErrPasswordChangeExpired
}
