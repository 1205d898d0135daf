package app

import (
	"context"
	"strings"

	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// FindLoginUserIn resolves a login name for a sign-in an org scope restricts
// to orgID: a plain user name names that org's human first (as ZITADEL's login
// looks names up in the requested org), so a name other orgs share is no
// ambiguity there. Anything else resolves as FindLoginUser does; whether the
// user found may complete the sign-in is CompleteAuthRequest's decision
// (ErrNotAllowedOrg, shown only after the right password).
func (a *App) FindLoginUserIn(ctx context.Context, orgID, loginName string) (*user.User, error) {
	name := strings.TrimSpace(loginName)
	if orgID != "" && name != "" && len(name) <= maxLoginNameLen && checkChars("login name", name) == nil {
		for _, method := range []store.TextMethod{store.TextEquals, store.TextEqualsIgnoreCase} {
			page, err := a.store.ListUsers(ctx, store.UserQuery{OrgID: orgID, UserNames: []store.TextMatch{{Value: name, Method: method}},
				Types: []user.Type{user.TypeHuman}, Limit: 2})
			if err != nil {
				return nil, storeErr(err)
			}
			if len(page.Users) == 1 {
				return page.Users[0], nil
			}
			if len(page.Users) > 1 {
				return nil, ErrLoginNameAmbiguous
			}
		}
	}
	return a.FindLoginUser(ctx, loginName)
}
