package app

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
)

// Project grants, the granted side: the org context is the org a project is
// granted to, which sees the grant (ListGrantedProjects, GetGrantedProjectByID)
// and the roles it delegates (ListGrantedProjectRoles), never the project's
// other roles or grants. Grants are owned by the granting org, so they are
// found by reading every project grant of the instance and keeping the
// context's: a count of partner grants, not of users.

// grantsTo lists the project grants given to orgID whose project still
// exists, with their projects.
func grantsTo(ctx context.Context, r store.Reader, orgID string) ([]*project.ProjectGrant, map[string]*project.Project, error) {
	arts, err := allArtifacts(ctx, r, project.KindProjectGrant, "", "")
	if err != nil {
		return nil, nil, err
	}
	var out []*project.ProjectGrant
	projects := map[string]*project.Project{}
	for _, art := range arts {
		pg, err := decodeProjectGrant(art)
		if err != nil {
			return nil, nil, err
		}
		if pg.GrantedOrgID != orgID {
			continue
		}
		p, err := loadProject(ctx, r, pg.OrgID, pg.ProjectID)
		if errors.Is(err, errProjectNotFound) {
			continue
		} else if err != nil {
			return nil, nil, err
		}
		projects[p.ID] = p
		out = append(out, pg)
	}
	slices.SortStableFunc(out, func(x, y *project.ProjectGrant) int {
		if c := x.CreatedAt.Compare(y.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	return out, projects, nil
}

// ListGrantedProjects lists the projects granted to the org context whose
// names match every filter.
func (a *App) ListGrantedProjects(ctx context.Context, s Scope, names []store.TextMatch, pg store.Page) ([]*ProjectGrantView, uint64, error) {
	g, err := a.authorize(ctx, s, UseListGrantedProjects)
	if err != nil {
		return nil, 0, err
	}
	grants, projects, err := grantsTo(ctx, a.store, g.OrgID)
	if err != nil {
		return nil, 0, storeErr(err)
	}
	grants = slices.DeleteFunc(grants, func(x *project.ProjectGrant) bool { return !matchAll(names, projects[x.ProjectID].Name) })
	vs, err := a.projectGrantViews(ctx, pageOf(grants, pg), projects)
	if err != nil {
		return nil, 0, err
	}
	return vs, uint64(len(grants)), nil
}

// grantTo loads grant grantID of projectID given to g's org context.
func grantTo(ctx context.Context, r store.Reader, g granted, projectID, grantID string) (*project.ProjectGrant, *project.Project, error) {
	if err := checkID(projectID, errPGrantGetNotFound); err != nil {
		return nil, nil, err
	}
	if err := checkID(grantID, errPGrantGetNotFound); err != nil {
		return nil, nil, err
	}
	pg, err := loadProjectGrant(ctx, r, grantID)
	if err != nil {
		return nil, nil, err
	}
	if pg == nil || pg.GrantedOrgID != g.OrgID || pg.ProjectID != projectID {
		return nil, nil, errPGrantGetNotFound
	}
	p, err := loadProject(ctx, r, pg.OrgID, pg.ProjectID)
	if errors.Is(err, errProjectNotFound) {
		return nil, nil, errPGrantGetNotFound
	}
	return pg, p, err
}

// GetGrantedProject returns a project grant given to the org context.
func (a *App) GetGrantedProject(ctx context.Context, s Scope, projectID, grantID string) (*ProjectGrantView, error) {
	g, err := a.authorize(ctx, s, UseGetGrantedProject)
	if err != nil {
		return nil, err
	}
	pg, p, err := grantTo(ctx, a.store, g, projectID, grantID)
	if err != nil {
		return nil, storeErr(err)
	}
	vs, err := a.projectGrantViews(ctx, []*project.ProjectGrant{pg}, map[string]*project.Project{p.ID: p})
	if err != nil {
		return nil, err
	}
	return vs[0], nil
}

// ListGrantedProjectRoles lists the roles a project grant given to the org
// context delegates, by key.
func (a *App) ListGrantedProjectRoles(ctx context.Context, s Scope, projectID, grantID string, f RoleFilter, pg store.Page) ([]*project.Role, uint64, error) {
	g, err := a.authorize(ctx, s, UseListGrantedProjectRoles)
	if err != nil {
		return nil, 0, err
	}
	gr, p, err := grantTo(ctx, a.store, g, projectID, grantID)
	if err != nil {
		return nil, 0, storeErr(err)
	}
	roles, err := projectRoles(ctx, a.store, p.OrgID, p.ID)
	if err != nil {
		return nil, 0, storeErr(err)
	}
	var all []*project.Role
	for _, r := range roles {
		if slices.Contains(gr.RoleKeys, r.Key) && matchAll(f.Keys, r.Key) && matchAll(f.DisplayNames, r.DisplayName) {
			all = append(all, r)
		}
	}
	return pageOf(all, pg), uint64(len(all)), nil
}
