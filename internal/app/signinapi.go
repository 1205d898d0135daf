package app

import (
	"context"
	"errors"

	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// InstanceID is the id of the instance (the resource owner of default policies).
func (a *App) InstanceID(ctx context.Context) (string, error) {
	i, err := a.store.Instance(ctx)
	if err != nil {
		return "", storeErr(err)
	}
	return i.ID, nil
}

// ChangePassword is v2 SetPassword with the current password: the caller is the
// user itself or holds the permission in the user's org, and the current
// password is verified as a sign-in check would (so wrong guesses count towards
// the lockout policy) before the new one is set.
func (a *App) ChangePassword(ctx context.Context, c *Caller, userID, current, password string, changeRequired bool) (*user.User, error) {
	g, err := a.authorize(ctx, Scope{Caller: c}, UseChangePassword) // v2: decided on the user, below
	if err != nil {
		return nil, err
	}
	if err := checkID(userID, errUserIDMissing); err != nil {
		return nil, err
	}
	u, err := a.store.User(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, user.ErrGetNotFound
	}
	if err != nil {
		return nil, storeErr(err)
	}
	if u.State == user.StateDeleted {
		return nil, user.ErrGetNotFound
	}
	may := c.Can(g.perm(), u.OrgID)
	if !may && !(g.rule.Self && c.UserID == userID) {
		return nil, fail.PermissionDenied
	}
	return a.changePassword(ctx, c, u, current, password, changeRequired, !may)
}

// changePassword sets u's password once the current one is proved: the new one
// is measured first (a refused one costs no check and no attempt), then the
// current one is checked as at sign-in.
func (a *App) changePassword(ctx context.Context, c *Caller, u *user.User, current, password string, changeRequired, self bool) (*user.User, error) {
	if err := checkNewPassword(ctx, a.store, u.OrgID, password); err != nil {
		return nil, err
	}
	if _, err := a.CheckPassword(ctx, u.ID, current); err != nil {
		return nil, err
	}
	return a.SetPassword(ctx, Scope{Caller: c}, u.ID, password, changeRequired, self)
}
