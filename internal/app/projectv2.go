package app

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
)

// The v2 forms of projects and their roles (zitadel.project.v2). As with the
// v2 authorizations, each finds its org — the one the request names, or the
// project's own — and calls the v1 use case there.

// projectOrgScope is the org scope of an existing project. Loading it before
// the permission check tells a caller without the permission that the id
// exists, as ZITADEL's v2 does.
func (a *App) projectOrgScope(ctx context.Context, c *Caller, projectID string) (Scope, *project.Project, error) {
	if err := checkID(projectID, errProjectIDMissing); err != nil {
		return Scope{}, nil, err
	}
	art, err := a.store.Artifact(ctx, project.KindProject, projectID)
	if errors.Is(err, store.ErrNotFound) {
		return Scope{}, nil, errProjectNotFound
	} else if err != nil {
		return Scope{}, nil, storeErr(err)
	}
	p, err := loadProject(ctx, a.store, art.OrgID, projectID)
	if err != nil {
		return Scope{}, nil, storeErr(err)
	}
	return OrgScope(c, p.OrgID), p, nil
}

// CreateProjectV2 is AddProject in orgID ("" is the caller's org).
func (a *App) CreateProjectV2(ctx context.Context, c *Caller, orgID string, in ProjectInput) (*project.Project, error) {
	return a.AddProject(ctx, OrgScope(c, orgID), in)
}

// ProjectPatch is UpdateProject v2's content: nil leaves a setting as it is.
type ProjectPatch struct {
	Name                     *string
	RoleAssertion, RoleCheck *bool
	HasProjectCheck          *bool
	PrivateLabeling          *int
}

// UpdateProjectV2 is UpdateProject on the project's org with the patch
// applied to what the project has. Nothing to change is no error in v2
// (ZITADEL answers without a change date): changed is false then.
func (a *App) UpdateProjectV2(ctx context.Context, c *Caller, projectID string, patch ProjectPatch) (p *project.Project, changed bool, err error) {
	s, cur, err := a.projectOrgScope(ctx, c, projectID)
	if err != nil {
		return nil, false, err
	}
	in := ProjectInput{Name: cur.Name, RoleAssertion: cur.RoleAssertion, RoleCheck: cur.RoleCheck,
		HasProjectCheck: cur.HasProjectCheck, PrivateLabeling: cur.PrivateLabeling}
	set := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	if patch.Name != nil {
		in.Name = *patch.Name
	}
	set(&in.RoleAssertion, patch.RoleAssertion)
	set(&in.RoleCheck, patch.RoleCheck)
	set(&in.HasProjectCheck, patch.HasProjectCheck)
	if patch.PrivateLabeling != nil {
		in.PrivateLabeling = *patch.PrivateLabeling
	}
	p, err = a.UpdateProject(ctx, s, projectID, in)
	if errors.Is(err, errNoChanges) {
		// The use case decided the permission before it found nothing to change.
		return cur, false, nil
	}
	return p, err == nil, err
}

// GetProjectV2 is GetProject on the project's org.
func (a *App) GetProjectV2(ctx context.Context, c *Caller, projectID string) (*project.Project, error) {
	s, _, err := a.projectOrgScope(ctx, c, projectID)
	if err != nil {
		return nil, err
	}
	return a.GetProject(ctx, s, projectID)
}

// DeleteProjectV2 is RemoveProject on the project's org.
func (a *App) DeleteProjectV2(ctx context.Context, c *Caller, projectID string) (*org.Org, error) {
	s, _, err := a.projectOrgScope(ctx, c, projectID)
	if err != nil {
		return nil, err
	}
	return a.RemoveProject(ctx, s, projectID)
}

// SetProjectActiveV2 is SetProjectActive on the project's org.
func (a *App) SetProjectActiveV2(ctx context.Context, c *Caller, projectID string, active bool) (*project.Project, error) {
	s, _, err := a.projectOrgScope(ctx, c, projectID)
	if err != nil {
		return nil, err
	}
	return a.SetProjectActive(ctx, s, projectID, active)
}

// AddProjectRoleV2 is AddProjectRole on the project's org.
func (a *App) AddProjectRoleV2(ctx context.Context, c *Caller, projectID string, in RoleInput) (*org.Org, error) {
	s, _, err := a.projectOrgScope(ctx, c, projectID)
	if err != nil {
		return nil, err
	}
	return a.AddProjectRoles(ctx, s, projectID, []RoleInput{in}, false)
}

// UpdateProjectRoleV2 is UpdateProjectRole on the project's org, a nil
// display name or group leaving the role's as it is.
func (a *App) UpdateProjectRoleV2(ctx context.Context, c *Caller, projectID, key string, displayName, group *string) (*project.Role, error) {
	s, p, err := a.projectOrgScope(ctx, c, projectID)
	if err != nil {
		return nil, err
	}
	in := RoleInput{Key: key}
	if role, err := loadRole(ctx, a.store, p.ID, key); err != nil {
		return nil, storeErr(err)
	} else if role != nil {
		in.DisplayName, in.Group = role.DisplayName, role.Group
	}
	if displayName != nil {
		in.DisplayName = *displayName
	}
	if group != nil {
		in.Group = *group
	}
	return a.UpdateProjectRole(ctx, s, projectID, in)
}

// RemoveProjectRoleV2 is RemoveProjectRole on the project's org.
func (a *App) RemoveProjectRoleV2(ctx context.Context, c *Caller, projectID, key string) (*org.Org, error) {
	s, _, err := a.projectOrgScope(ctx, c, projectID)
	if err != nil {
		return nil, err
	}
	return a.RemoveProjectRole(ctx, s, projectID, key)
}

// ListProjectRolesV2 is ListProjectRoles on the project's org.
func (a *App) ListProjectRolesV2(ctx context.Context, c *Caller, projectID string, f RoleFilter, pg store.Page) ([]*project.Role, uint64, error) {
	s, _, err := a.projectOrgScope(ctx, c, projectID)
	if err != nil {
		return nil, 0, err
	}
	return a.ListProjectRoles(ctx, s, projectID, f, pg)
}

// ProjectOrgFilter is v2's organization filter: the rows of the projects
// OrgID owns (with their grants' rows, whose org is the project's, as in
// ZITADEL), the rows of the grants given to it, or either.
type ProjectOrgFilter struct {
	OrgID          string
	Owned, Granted bool
}

func (f ProjectOrgFilter) holds(r *ProjectRowV2) bool {
	return f.Owned && r.OrgID == f.OrgID || f.Granted && r.Grant != nil && r.Grant.GrantedOrgID == f.OrgID
}

// ProjectFilterV2 selects rows for ListProjects v2; every set filter holds.
type ProjectFilterV2 struct {
	Names []store.TextMatch
	IDs   []string // nil: any
	Orgs  []ProjectOrgFilter
}

// ProjectRowV2 is one row of ListProjects v2: a project as its org owns it,
// or (Grant set) as it is granted to another org. ZITADEL lists both, so a
// project with two grants is three rows.
type ProjectRowV2 struct {
	*project.Project
	Grant      *project.ProjectGrant
	GrantedOrg *org.Org // nil if the org is gone
}

// created and changed are the row's dates: a grant row's are the grant's.
func (r *ProjectRowV2) created() time.Time {
	if r.Grant != nil {
		return r.Grant.CreatedAt
	}
	return r.CreatedAt
}

func (r *ProjectRowV2) changed() time.Time {
	if r.Grant != nil {
		return r.Grant.ChangedAt
	}
	return r.ChangedAt
}

func (r *ProjectRowV2) grantID() string {
	if r.Grant != nil {
		return r.Grant.ID
	}
	return ""
}

// ProjectSort is the column ListProjects v2 sorts by
// (zitadel.project.v2.ProjectFieldName numbers).
type ProjectSort int

const (
	SortProjectID ProjectSort = iota + 1
	SortProjectCreated
	SortProjectChanged
	SortProjectName
)

// ListProjectsV2 lists the projects of every org the caller may list them in
// (ListProjects's rule in each, so a creator sees its own) and the grants of
// projects the caller may see: those of an org where it may list all project
// grants, and those given to an org where it may list the granted projects
// (ListGrantedProjects's rule there), filtered by f.
func (a *App) ListProjectsV2(ctx context.Context, c *Caller, f ProjectFilterV2, sort ProjectSort, pg store.Page) ([]*ProjectRowV2, uint64, error) {
	if c == nil {
		return nil, 0, fail.Unauthenticated
	}
	owned, err := a.ownedProjectRows(ctx, c, f)
	if err != nil {
		return nil, 0, err
	}
	grants, err := a.grantedProjectRows(ctx, c)
	if err != nil {
		return nil, 0, err
	}
	all := slices.DeleteFunc(append(owned, grants...), func(r *ProjectRowV2) bool {
		if f.IDs != nil && !slices.Contains(f.IDs, r.ID) || !matchAll(f.Names, r.Name) {
			return true
		}
		return slices.ContainsFunc(f.Orgs, func(o ProjectOrgFilter) bool { return !o.holds(r) })
	})
	slices.SortStableFunc(all, func(x, y *ProjectRowV2) int {
		var c int
		switch sort {
		case SortProjectID:
		case SortProjectChanged:
			c = x.changed().Compare(y.changed())
		case SortProjectName:
			c = cmp.Compare(x.Name, y.Name)
		default:
			c = x.created().Compare(y.created())
		}
		return cmp.Or(c, cmp.Compare(x.ID, y.ID), cmp.Compare(x.grantID(), y.grantID()))
	})
	return pageOf(all, pg), uint64(len(all)), nil
}

// ownedProjectRows lists the projects of the orgs the caller may list
// projects in that f's org filters leave possible.
func (a *App) ownedProjectRows(ctx context.Context, c *Caller, f ProjectFilterV2) ([]*ProjectRowV2, error) {
	var asked []string // nil: any org
	for _, o := range f.Orgs {
		if !o.Owned {
			return nil, nil // only grant rows can meet it
		}
		asked = andOrgs(asked, o.OrgID)
	}
	orgIDs, err := a.grantOrgs(ctx, c, asked)
	if err != nil {
		return nil, err
	}
	var all []*ProjectRowV2
	for _, id := range orgIDs {
		s := OrgScope(c, id)
		if !s.May(UseListProjects) {
			continue
		}
		for off := 0; ; {
			ps, total, err := a.ListProjects(ctx, s, f.Names, store.Page{Offset: off, Limit: 1000, Asc: true})
			if errors.Is(err, fail.PermissionDenied) || errors.Is(err, fail.OrgNotFound) {
				break
			} else if err != nil {
				return nil, err
			}
			for _, p := range ps {
				all = append(all, &ProjectRowV2{Project: p})
			}
			off += len(ps)
			if len(ps) == 0 || uint64(off) >= total {
				break
			}
		}
	}
	return all, nil
}

// andOrgs narrows the orgs asked for (nil: any) to id.
func andOrgs(asked []string, id string) []string {
	if asked == nil || slices.Contains(asked, id) {
		return []string{id}
	}
	return []string{}
}

// grantedProjectRows lists the grant rows the caller may see. As
// ListGrantedProjects, it reads every project grant of the instance: a count
// of partner grants, not of users.
func (a *App) grantedProjectRows(ctx context.Context, c *Caller) ([]*ProjectRowV2, error) {
	arts, err := allArtifacts(ctx, a.store, project.KindProjectGrant, "", "")
	if err != nil {
		return nil, storeErr(err)
	}
	var grants []*project.ProjectGrant
	projects := map[string]*project.Project{}
	for _, art := range arts {
		gr, err := decodeProjectGrant(art)
		if err != nil {
			return nil, storeErr(err)
		}
		receiver := OrgScope(c, gr.GrantedOrgID).May(UseListGrantedProjects)
		if !receiver && !OrgScope(c, gr.OrgID).May(UseListAllProjectGrants) {
			continue // decided before the project is read
		}
		p, ok := projects[gr.ProjectID]
		if !ok {
			if p, err = loadProject(ctx, a.store, gr.OrgID, gr.ProjectID); errors.Is(err, errProjectNotFound) {
				p = nil
			} else if err != nil {
				return nil, storeErr(err)
			}
			projects[gr.ProjectID] = p
		}
		// The granting side's rule is v1 ListAllProjectGrants's, project by
		// project (a project's member sees that project's grants only).
		if p == nil || !receiver && !OrgScope(c, gr.OrgID).MayOnProject(UseListAllProjectGrants, p) {
			continue
		}
		grants = append(grants, gr)
	}
	vs, err := a.projectGrantViews(ctx, grants, projects)
	if err != nil {
		return nil, err
	}
	out := make([]*ProjectRowV2, len(vs))
	for i, v := range vs {
		out[i] = &ProjectRowV2{Project: v.Project, Grant: v.ProjectGrant, GrantedOrg: v.GrantedOrg}
	}
	return out, nil
}

// ProjectAdmin is one admin of v2beta's CreateProject: an existing user made a
// member of the new project with Roles (PROJECT_OWNER when none, as in
// ZITADEL).
type ProjectAdmin struct {
	UserID string
	Roles  []string
}

// CreateProjectWithAdmins is CreateProjectV2 with the project's first
// members written in the same transaction: an admin that AddProjectMember
// would refuse (an unknown user, or one of an org whose users the caller may
// not read; roles the caller does not hold) refuses the whole creation, and
// nothing is written. The caller needs AddProjectMember's permission on the
// new project besides AddProject's.
func (a *App) CreateProjectWithAdmins(ctx context.Context, c *Caller, orgID string, in ProjectInput, admins []ProjectAdmin) (*project.Project, error) {
	if len(admins) == 0 {
		return a.CreateProjectV2(ctx, c, orgID, in)
	}
	g, err := a.authorize(ctx, OrgScope(c, orgID), UseAddProject)
	if err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	if !g.mayProject(nil) {
		return nil, fail.PermissionDenied
	}
	pid := a.ids.Next()
	scope := org.ProjectScope(g.OrgID, pid)
	seen := map[string]bool{}
	planned := make([]ProjectAdmin, len(admins))
	for i, ad := range admins {
		if err := checkID(ad.UserID, errPMemberInvalid); err != nil {
			return nil, err
		}
		if seen[ad.UserID] {
			return nil, errPMemberExists
		}
		seen[ad.UserID] = true
		roles := ad.Roles
		if len(roles) == 0 {
			roles = []string{"PROJECT_OWNER"}
		}
		roles, err := memberRoles(MemberAdd, roles, org.IsProjectRole, errPMemberRoles, errPMemberRoles)
		if err != nil {
			return nil, err
		}
		if !c.Can(rules[UseAddProjectMember].Perm, scope) {
			return nil, fail.PermissionDenied
		}
		if !c.CoversRoles(scope, roles) {
			return nil, errOutranked // nobody grants what they do not hold
		}
		planned[i] = ProjectAdmin{UserID: ad.UserID, Roles: roles}
	}
	var out project.Project
	_, err = a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		out = project.Project{ID: pid, OrgID: g.OrgID, Name: in.Name, CreatorID: c.UserID, RoleAssertion: in.RoleAssertion, PrivateLabeling: in.PrivateLabeling,
			RoleCheck: in.RoleCheck, HasProjectCheck: in.HasProjectCheck, State: project.StateActive,
			Sequence: ch.o.Sequence, CreatedAt: ch.by.At, ChangedAt: ch.by.At}
		if err := putProject(ctx, tx, &out); err != nil {
			return "", nil, err
		}
		// The project's event, then one per member but the last, whose
		// event changeOrg appends at the org's final sequence.
		typ, payload := event.ProjectAdded, any(map[string]any{"projectId": pid, "name": in.Name})
		for _, ad := range planned {
			// AddProjectMember's rule for who may become a member.
			if err := joinable(ctx, tx, c, ad.UserID, g.OrgID, errMemberUser); err != nil {
				return "", nil, err
			}
			if err := tx.Append(ctx, orgEvent(ch.o, ch.o.Sequence, typ, ch.by, payload)); err != nil {
				return "", nil, err
			}
			ch.o.Sequence++
			if err := tx.PutMember(ctx, &org.Member{OrgID: scope, UserID: ad.UserID, Roles: ad.Roles,
				CreatedAt: ch.by.At, ChangedAt: ch.by.At, Sequence: ch.o.Sequence}); err != nil {
				return "", nil, err
			}
			typ, payload = event.ProjectMemberAdded, map[string]any{"projectId": pid, "userId": ad.UserID, "roles": ad.Roles}
		}
		return typ, payload, nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
