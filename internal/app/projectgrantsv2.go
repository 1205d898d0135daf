package app

import (
	"cmp"
	"context"
	"errors"
	"slices"

	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
)

// The v2 forms of project grants (zitadel.project.v2). v2 names a grant by
// its project and granted org, not by its id, and has no org context: each
// finds the project's org and the grant, then runs the v1 use case there,
// so permissions, checks and events are v1's. Unlike v1, changing a grant to
// what it already is — the same roles, deactivating an inactive one — is no
// error in v2: the answer is the grant as it is.

// projectGrantV2 finds the project's org scope and the grant of projectID
// to grantedOrgID (nil if there is none). The errors are the method's
// answers for a missing project id, granted org id and project.
func (a *App) projectGrantV2(ctx context.Context, c *Caller, projectID, grantedOrgID string, projectIDMissing, orgIDMissing, projectNotFound *fail.Error) (Scope, *project.Project, *project.ProjectGrant, error) {
	if err := checkID(projectID, projectIDMissing); err != nil {
		return Scope{}, nil, nil, err
	}
	if err := checkID(grantedOrgID, orgIDMissing); err != nil {
		return Scope{}, nil, nil, err
	}
	s, p, err := a.projectOrgScope(ctx, c, projectID)
	if errors.Is(err, errProjectNotFound) {
		return Scope{}, nil, nil, projectNotFound
	} else if err != nil {
		return Scope{}, nil, nil, err
	}
	art, err := a.store.ArtifactByKey(ctx, project.KindProjectGrant, project.ProjectGrantKey(p.ID, grantedOrgID))
	if errors.Is(err, store.ErrNotFound) {
		return s, p, nil, nil
	} else if err != nil {
		return Scope{}, nil, nil, storeErr(err)
	}
	pg, err := decodeProjectGrant(art)
	if err != nil {
		return Scope{}, nil, nil, storeErr(err)
	}
	return s, p, pg, nil
}

// missingGrant is the answer for a grant that does not exist: notFound for
// a caller who may do use on the project, else PermissionDenied, so a
// caller without the permission learns nothing about the project's grants.
func missingGrant(s Scope, use Use, p *project.Project, notFound *fail.Error) error {
	if !s.MayOnProject(use, p) {
		return fail.PermissionDenied
	}
	return notFound
}

// CreateProjectGrantV2 is AddProjectGrant on the project's org.
func (a *App) CreateProjectGrantV2(ctx context.Context, c *Caller, projectID, grantedOrgID string, roleKeys []string) (*project.ProjectGrant, error) {
	s, _, _, err := a.projectGrantV2(ctx, c, projectID, grantedOrgID, errPGrantV2ProjectIDMissing, errPGrantV2OrgIDMissing, errPGrantProjectNotFound)
	if err != nil {
		return nil, err
	}
	pg, err := a.AddProjectGrant(ctx, s, projectID, grantedOrgID, roleKeys)
	if errors.Is(err, errPGrantOwnOrg) {
		return nil, errPGrantV2OwnOrg
	}
	return pg, err
}

// UpdateProjectGrantV2 is UpdateProjectGrant on the project's org; the same
// roles again answer the grant unchanged.
func (a *App) UpdateProjectGrantV2(ctx context.Context, c *Caller, projectID, grantedOrgID string, roleKeys []string) (*project.ProjectGrant, error) {
	s, p, pg, err := a.projectGrantV2(ctx, c, projectID, grantedOrgID, errPGrantUpdateIDMissing, errPGrantUpdateIDMissing, errPGrantNotFound)
	if err != nil {
		return nil, err
	}
	if pg == nil {
		return nil, missingGrant(s, UseUpdateProjectGrant, p, errPGrantNotFound)
	}
	out, err := a.UpdateProjectGrant(ctx, s, projectID, pg.ID, roleKeys)
	if errors.Is(err, errPGrantNotChanged) {
		// Reached only past the permission check, inside the write.
		return pg, nil
	}
	return out, err
}

// SetProjectGrantActiveV2 is SetProjectGrantActive on the project's org; a
// grant already in the state asked for is answered as it is.
func (a *App) SetProjectGrantActiveV2(ctx context.Context, c *Caller, projectID, grantedOrgID string, active bool) (*project.ProjectGrant, error) {
	use, same := UseDeactivateProjectGrant, project.ErrProjectGrantNotActive
	if active {
		use, same = UseReactivateProjectGrant, project.ErrProjectGrantNotInactive
	}
	s, p, pg, err := a.projectGrantV2(ctx, c, projectID, grantedOrgID, errPGrantStateIDMissing, errPGrantStateIDMissing, errPGrantV2ProjectNotFound)
	if err != nil {
		return nil, err
	}
	if pg == nil {
		return nil, missingGrant(s, use, p, errPGrantNotFound)
	}
	out, err := a.SetProjectGrantActive(ctx, s, projectID, pg.ID, active)
	if errors.Is(err, same) {
		// The state check runs past the permission check, inside the write;
		// the grant is re-read for the state it has now.
		if cur, err := loadProjectGrant(ctx, a.store, pg.ID); err != nil {
			return nil, storeErr(err)
		} else if cur != nil {
			return cur, nil
		}
		return nil, errPGrantNotFound
	}
	return out, err
}

// DeleteProjectGrantV2 is RemoveProjectGrant on the project's org. A grant
// (or project) that does not exist is no error in v2; the org is nil then,
// and the answer has no deletion date.
func (a *App) DeleteProjectGrantV2(ctx context.Context, c *Caller, projectID, grantedOrgID string) (*org.Org, error) {
	s, p, pg, err := a.projectGrantV2(ctx, c, projectID, grantedOrgID, errPGrantRemoveIDMissing, errPGrantRemoveIDMissing, errProjectNotFound)
	if errors.Is(err, errProjectNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if pg == nil {
		if !s.MayOnProject(UseRemoveProjectGrant, p) {
			return nil, fail.PermissionDenied
		}
		return nil, nil
	}
	o, err := a.RemoveProjectGrant(ctx, s, projectID, pg.ID)
	if errors.Is(err, errPGrantNotFound) {
		// Removed meanwhile, past the permission check.
		return nil, nil
	}
	return o, err
}

// ProjectGrantFilterV2 selects project grants for ListProjectGrants v2;
// every set filter holds.
type ProjectGrantFilterV2 struct {
	ProjectNames  []store.TextMatch
	RoleKeys      []string // has every one of these roles
	ProjectIDs    []string // nil: any
	OrgIDs        []string // the projects' orgs; nil: every org the caller may list grants in
	GrantedOrgIDs []string // nil: any
}

// ProjectGrantSort is the column ListProjectGrants v2 sorts by
// (zitadel.project.v2.ProjectGrantFieldName numbers).
type ProjectGrantSort int

const (
	SortProjectGrantProjectID ProjectGrantSort = iota + 1
	SortProjectGrantCreated
	SortProjectGrantChanged
)

// ListProjectGrantsV2 lists, filtered by f, the grants of every org the
// caller may list all project grants in (ListAllProjectGrants' rule in each,
// so a project owner sees its own projects') and, as in ZITADEL, the grants
// given to an org where it holds project.grant.read, or on the grant itself
// (a grant member): the granted side sees what it was granted.
func (a *App) ListProjectGrantsV2(ctx context.Context, c *Caller, f ProjectGrantFilterV2, sort ProjectGrantSort, pg store.Page) ([]*ProjectGrantView, uint64, error) {
	if c == nil {
		return nil, 0, fail.Unauthenticated
	}
	if f.ProjectIDs != nil && len(f.ProjectIDs) == 0 || f.GrantedOrgIDs != nil && len(f.GrantedOrgIDs) == 0 {
		return nil, 0, nil // filters no grant can meet
	}
	orgIDs, err := a.grantOrgs(ctx, c, f.OrgIDs)
	if err != nil {
		return nil, 0, err
	}
	v1 := ProjectGrantFilter{ProjectIDs: f.ProjectIDs, GrantedOrgIDs: f.GrantedOrgIDs, ProjectNames: f.ProjectNames}
	var all []*ProjectGrantView
	for _, id := range orgIDs {
		s := OrgScope(c, id)
		if !s.May(UseListAllProjectGrants) {
			continue
		}
		for off := 0; ; {
			vs, total, err := a.ListProjectGrants(ctx, s, "", true, v1, store.Page{Offset: off, Limit: 1000, Asc: true})
			if errors.Is(err, fail.PermissionDenied) || errors.Is(err, fail.OrgNotFound) {
				break
			} else if err != nil {
				return nil, 0, err
			}
			for _, v := range vs {
				if !slices.ContainsFunc(f.RoleKeys, func(k string) bool { return !slices.Contains(v.RoleKeys, k) }) {
					all = append(all, v)
				}
			}
			off += len(vs)
			if len(vs) == 0 || uint64(off) >= total {
				break
			}
		}
	}
	received, err := a.grantsReadableTo(ctx, c, f)
	if err != nil {
		return nil, 0, err
	}
	for _, v := range received {
		if !slices.ContainsFunc(all, func(w *ProjectGrantView) bool { return w.ID == v.ID }) {
			all = append(all, v)
		}
	}
	slices.SortStableFunc(all, func(x, y *ProjectGrantView) int {
		var c int
		switch sort {
		case SortProjectGrantProjectID:
			c = cmp.Compare(x.ProjectID, y.ProjectID)
		case SortProjectGrantChanged:
			c = x.ChangedAt.Compare(y.ChangedAt)
		default:
			c = x.CreatedAt.Compare(y.CreatedAt)
		}
		return cmp.Or(c, cmp.Compare(x.ID, y.ID))
	})
	return pageOf(all, pg), uint64(len(all)), nil
}

// grantsReadableTo lists the project grants matching f that c may read as
// their granted org: project.grant.read in that org or on the grant. Grants
// belong to the granting org, so every grant of the instance is read
// (grantsTo's cost).
func (a *App) grantsReadableTo(ctx context.Context, c *Caller, f ProjectGrantFilterV2) ([]*ProjectGrantView, error) {
	arts, err := allArtifacts(ctx, a.store, project.KindProjectGrant, "", "")
	if err != nil {
		return nil, storeErr(err)
	}
	var keep []*project.ProjectGrant
	projects := map[string]*project.Project{}
	for _, art := range arts {
		pg, err := decodeProjectGrant(art)
		if err != nil {
			return nil, storeErr(err)
		}
		if !c.Can(org.PermProjectGrantRead, org.GrantScope(pg.GrantedOrgID, pg.ID)) ||
			f.ProjectIDs != nil && !slices.Contains(f.ProjectIDs, pg.ProjectID) ||
			f.GrantedOrgIDs != nil && !slices.Contains(f.GrantedOrgIDs, pg.GrantedOrgID) ||
			f.OrgIDs != nil && !slices.Contains(f.OrgIDs, pg.OrgID) ||
			slices.ContainsFunc(f.RoleKeys, func(k string) bool { return !slices.Contains(pg.RoleKeys, k) }) {
			continue
		}
		p, err := loadProject(ctx, a.store, pg.OrgID, pg.ProjectID)
		if errors.Is(err, errProjectNotFound) {
			continue
		} else if err != nil {
			return nil, storeErr(err)
		}
		if !matchAll(f.ProjectNames, p.Name) {
			continue
		}
		projects[p.ID] = p
		keep = append(keep, pg)
	}
	return a.projectGrantViews(ctx, keep, projects)
}
