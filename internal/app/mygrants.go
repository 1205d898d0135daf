package app

import (
	"cmp"
	"context"
	"errors"
	"slices"

	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
)

// ListMyUserGrants lists the caller's own grants, in every org (ZITADEL's
// Auth API: the grants whose user is the caller, nothing else), by creation.
func (a *App) ListMyUserGrants(ctx context.Context, s Scope, pg store.Page) ([]*GrantView, uint64, error) {
	g, err := a.authorize(ctx, s, UseListMyUserGrants)
	if err != nil {
		return nil, 0, err
	}
	grants, err := userGrants(ctx, a.store, g.Caller.UserID)
	if err != nil {
		return nil, 0, storeErr(err)
	}
	slices.SortFunc(grants, func(x, y *project.Grant) int {
		return cmp.Or(x.CreatedAt.Compare(y.CreatedAt), cmp.Compare(x.ID, y.ID))
	})
	projects := map[string]*project.Project{}
	for _, gr := range grants {
		if _, ok := projects[gr.ProjectID]; ok {
			continue
		}
		p, err := loadProject(ctx, a.store, gr.OrgID, gr.ProjectID)
		if err != nil && !errors.Is(err, errProjectNotFound) {
			return nil, 0, storeErr(err)
		}
		projects[gr.ProjectID] = p
	}
	page := pageOf(grants, pg)
	views, err := a.grantViews(ctx, page, projects)
	if err != nil {
		return nil, 0, err
	}
	return views, uint64(len(grants)), nil
}
