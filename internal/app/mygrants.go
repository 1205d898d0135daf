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

// ListMyProjectPermissions lists the caller's roles in the project of the
// client its token was issued to, as ZITADEL does: the roles of its user
// grant on that project owned by the org context (x-zitadel-orgid, else the
// caller's org). A PAT names no client; a client of no project, no grant
// there, or one not owned by the org context is ZITADEL's NotFound. Unlike
// ZITADEL an inactive grant (or one given through an inactive project
// grant) counts as none, as it does in the token's role claims.
func (a *App) ListMyProjectPermissions(ctx context.Context, s Scope) ([]string, error) {
	g, err := a.authorize(ctx, s, UseListMyProjectPermissions)
	if err != nil {
		return nil, err
	}
	c := g.Caller
	if c.ClientID == "" {
		return nil, errGrantGetNotFound
	}
	_, p, err := clientProject(ctx, a.store, c.ClientID)
	if err != nil {
		return nil, storeErr(err)
	}
	if p == nil {
		return nil, errGrantGetNotFound
	}
	art, err := a.store.ArtifactByKey(ctx, project.KindGrant, project.GrantKey(c.UserID, p.ID))
	if errors.Is(err, store.ErrNotFound) {
		return nil, errGrantGetNotFound
	} else if err != nil {
		return nil, storeErr(err)
	}
	gr, err := decodeGrant(art)
	if err != nil {
		return nil, storeErr(err)
	}
	if gr.OrgID != g.OrgID || !gr.Active() {
		return nil, errGrantGetNotFound
	}
	if gr.ProjectGrantID != "" {
		if _, pg, err := grantProject(ctx, a.store, gr); errors.Is(err, errProjectNotFound) || (err == nil && !pg.Active()) {
			return nil, errGrantGetNotFound
		} else if err != nil {
			return nil, storeErr(err)
		}
	}
	return append([]string{}, gr.RoleKeys...), nil
}
