package api

import (
	"context"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/store"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	projectpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/project"
)

func projectGrantV1(v *app.ProjectGrantView) *projectpb.GrantedProject {
	out := &projectpb.GrantedProject{GrantId: v.ID, GrantedOrgId: v.GrantedOrgID, GrantedRoleKeys: v.RoleKeys,
		State: projectpb.ProjectGrantState(v.State), ProjectId: v.ProjectID, ProjectOwnerId: v.OrgID,
		Details: &object.ObjectDetails{Sequence: v.Sequence, CreationDate: ts(v.CreatedAt), ChangeDate: ts(v.ChangedAt), ResourceOwner: v.OrgID}}
	if out.GrantedRoleKeys == nil {
		out.GrantedRoleKeys = []string{}
	}
	if v.Project != nil {
		out.ProjectName = v.Project.Name
	}
	if v.Owner != nil {
		out.ProjectOwnerName = v.Owner.Name
	}
	if v.GrantedOrg != nil {
		out.GrantedOrgName = v.GrantedOrg.Name
	}
	return out
}

func (m *Management) AddProjectGrant(ctx context.Context, r *mgmt.AddProjectGrantRequest) (*mgmt.AddProjectGrantResponse, error) {
	pg, err := m.app.AddProjectGrant(ctx, scope(ctx), r.GetProjectId(), r.GetGrantedOrgId(), r.GetRoleKeys())
	if err != nil {
		return nil, err
	}
	return &mgmt.AddProjectGrantResponse{GrantId: pg.ID, Details: createDetails(pg.Sequence, pg.ChangedAt, pg.OrgID)}, nil
}

func (m *Management) UpdateProjectGrant(ctx context.Context, r *mgmt.UpdateProjectGrantRequest) (*mgmt.UpdateProjectGrantResponse, error) {
	pg, err := m.app.UpdateProjectGrant(ctx, scope(ctx), r.GetProjectId(), r.GetGrantId(), r.GetRoleKeys())
	if err != nil {
		return nil, err
	}
	return &mgmt.UpdateProjectGrantResponse{Details: changeDetails(pg.Sequence, pg.ChangedAt, pg.OrgID)}, nil
}

func (m *Management) DeactivateProjectGrant(ctx context.Context, r *mgmt.DeactivateProjectGrantRequest) (*mgmt.DeactivateProjectGrantResponse, error) {
	pg, err := m.app.SetProjectGrantActive(ctx, scope(ctx), r.GetProjectId(), r.GetGrantId(), false)
	if err != nil {
		return nil, err
	}
	return &mgmt.DeactivateProjectGrantResponse{Details: changeDetails(pg.Sequence, pg.ChangedAt, pg.OrgID)}, nil
}

func (m *Management) ReactivateProjectGrant(ctx context.Context, r *mgmt.ReactivateProjectGrantRequest) (*mgmt.ReactivateProjectGrantResponse, error) {
	pg, err := m.app.SetProjectGrantActive(ctx, scope(ctx), r.GetProjectId(), r.GetGrantId(), true)
	if err != nil {
		return nil, err
	}
	return &mgmt.ReactivateProjectGrantResponse{Details: changeDetails(pg.Sequence, pg.ChangedAt, pg.OrgID)}, nil
}

func (m *Management) RemoveProjectGrant(ctx context.Context, r *mgmt.RemoveProjectGrantRequest) (*mgmt.RemoveProjectGrantResponse, error) {
	o, err := m.app.RemoveProjectGrant(ctx, scope(ctx), r.GetProjectId(), r.GetGrantId())
	if err != nil {
		return nil, err
	}
	return &mgmt.RemoveProjectGrantResponse{Details: changeDetails(o.Sequence, o.ChangedAt, o.ID)}, nil
}

func (m *Management) GetProjectGrantByID(ctx context.Context, r *mgmt.GetProjectGrantByIDRequest) (*mgmt.GetProjectGrantByIDResponse, error) {
	v, err := m.app.GetProjectGrant(ctx, scope(ctx), r.GetProjectId(), r.GetGrantId())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetProjectGrantByIDResponse{ProjectGrant: projectGrantV1(v)}, nil
}

func (m *Management) listProjectGrants(ctx context.Context, projectID string, all bool, f app.ProjectGrantFilter, q *object.ListQuery) (*object.ListDetails, []*projectpb.GrantedProject, error) {
	pg, err := page(q.GetOffset(), q.GetLimit(), q.GetAsc())
	if err != nil {
		return nil, nil, err
	}
	vs, total, err := m.app.ListProjectGrants(ctx, scope(ctx), projectID, all, f, pg)
	if err != nil {
		return nil, nil, err
	}
	out := make([]*projectpb.GrantedProject, len(vs))
	for i, v := range vs {
		out[i] = projectGrantV1(v)
	}
	return listDetails(total), out, nil
}

func (m *Management) ListProjectGrants(ctx context.Context, r *mgmt.ListProjectGrantsRequest) (*mgmt.ListProjectGrantsResponse, error) {
	// Its queries are a subset of ListAllProjectGrants', with the same inner
	// messages: wrapped as those, they are converted in one place.
	qs := make([]*projectpb.AllProjectGrantQuery, len(r.GetQueries()))
	for i, q := range r.GetQueries() {
		qs[i] = &projectpb.AllProjectGrantQuery{}
		switch v := q.GetQuery().(type) {
		case *projectpb.ProjectGrantQuery_ProjectNameQuery:
			qs[i].Query = &projectpb.AllProjectGrantQuery_ProjectNameQuery{ProjectNameQuery: v.ProjectNameQuery}
		case *projectpb.ProjectGrantQuery_RoleKeyQuery:
			qs[i].Query = &projectpb.AllProjectGrantQuery_RoleKeyQuery{RoleKeyQuery: v.RoleKeyQuery}
		}
	}
	f, err := projectGrantFilterV1(qs)
	if err != nil {
		return nil, err
	}
	d, res, err := m.listProjectGrants(ctx, r.GetProjectId(), false, f, r.GetQuery())
	if err != nil {
		return nil, err
	}
	return &mgmt.ListProjectGrantsResponse{Details: d, Result: res}, nil
}

func (m *Management) ListAllProjectGrants(ctx context.Context, r *mgmt.ListAllProjectGrantsRequest) (*mgmt.ListAllProjectGrantsResponse, error) {
	f, err := projectGrantFilterV1(r.GetQueries())
	if err != nil {
		return nil, err
	}
	d, res, err := m.listProjectGrants(ctx, "", true, f, r.GetQuery())
	if err != nil {
		return nil, err
	}
	return &mgmt.ListAllProjectGrantsResponse{Details: d, Result: res}, nil
}

// projectGrantFilterV1 converts the v1 project-grant list queries; one it
// does not know (or an empty one) is refused, not ignored.
func projectGrantFilterV1(qs []*projectpb.AllProjectGrantQuery) (app.ProjectGrantFilter, error) {
	var f app.ProjectGrantFilter
	if len(qs) > maxQueries {
		return f, errTooManyQueries
	}
	for _, q := range qs {
		var err error
		switch v := q.GetQuery().(type) {
		case *projectpb.AllProjectGrantQuery_ProjectNameQuery:
			err = appendMatch(&f.ProjectNames, v.ProjectNameQuery.GetName(), v.ProjectNameQuery.GetMethod())
		case *projectpb.AllProjectGrantQuery_RoleKeyQuery:
			err = appendMatch(&f.RoleKeys, v.RoleKeyQuery.GetRoleKey(), v.RoleKeyQuery.GetMethod())
		case *projectpb.AllProjectGrantQuery_ProjectIdQuery:
			f.ProjectIDs = append(f.ProjectIDs, v.ProjectIdQuery.GetProjectId())
		case *projectpb.AllProjectGrantQuery_GrantedOrgIdQuery:
			f.GrantedOrgIDs = append(f.GrantedOrgIDs, v.GrantedOrgIdQuery.GetGrantedOrgId())
		default:
			err = errQueryUnsupported
		}
		if err != nil {
			return f, err
		}
	}
	return f, nil
}

// appendMatch adds a text query to a filter.
func appendMatch(to *[]store.TextMatch, v string, method object.TextQueryMethod) error {
	tm, err := textMatch(v, method)
	if err != nil {
		return err
	}
	*to = append(*to, tm)
	return nil
}

func (m *Management) ListProjectChanges(ctx context.Context, r *mgmt.ListProjectChangesRequest) (*mgmt.ListProjectChangesResponse, error) {
	q := r.GetQuery()
	evs, err := m.app.ProjectChanges(ctx, scope(ctx), r.GetProjectId(), store.EventQuery{AfterSequence: q.GetSequence(), Asc: q.GetAsc(), Limit: int(q.GetLimit())})
	if err != nil {
		return nil, err
	}
	return &mgmt.ListProjectChangesResponse{Result: changes(evs)}, nil
}

func (m *Management) ListProjectGrantChanges(ctx context.Context, r *mgmt.ListProjectGrantChangesRequest) (*mgmt.ListProjectGrantChangesResponse, error) {
	q := r.GetQuery()
	evs, err := m.app.ProjectGrantChanges(ctx, scope(ctx), r.GetProjectId(), r.GetGrantId(), store.EventQuery{AfterSequence: q.GetSequence(), Asc: q.GetAsc(), Limit: int(q.GetLimit())})
	if err != nil {
		return nil, err
	}
	return &mgmt.ListProjectGrantChangesResponse{Result: changes(evs)}, nil
}

func (m *Management) ListGrantedProjects(ctx context.Context, r *mgmt.ListGrantedProjectsRequest) (*mgmt.ListGrantedProjectsResponse, error) {
	if len(r.GetQueries()) > maxQueries {
		return nil, errTooManyQueries
	}
	var names []store.TextMatch
	for _, q := range r.GetQueries() {
		v, ok := q.GetQuery().(*projectpb.ProjectQuery_NameQuery)
		if !ok {
			return nil, errQueryUnsupported
		}
		if err := appendMatch(&names, v.NameQuery.GetName(), v.NameQuery.GetMethod()); err != nil {
			return nil, err
		}
	}
	q := r.GetQuery()
	pg, err := page(q.GetOffset(), q.GetLimit(), q.GetAsc())
	if err != nil {
		return nil, err
	}
	vs, total, err := m.app.ListGrantedProjects(ctx, scope(ctx), names, pg)
	if err != nil {
		return nil, err
	}
	out := &mgmt.ListGrantedProjectsResponse{Details: listDetails(total), Result: make([]*projectpb.GrantedProject, len(vs))}
	for i, v := range vs {
		out.Result[i] = projectGrantV1(v)
	}
	return out, nil
}

func (m *Management) GetGrantedProjectByID(ctx context.Context, r *mgmt.GetGrantedProjectByIDRequest) (*mgmt.GetGrantedProjectByIDResponse, error) {
	v, err := m.app.GetGrantedProject(ctx, scope(ctx), r.GetProjectId(), r.GetGrantId())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetGrantedProjectByIDResponse{GrantedProject: projectGrantV1(v)}, nil
}

func (m *Management) ListGrantedProjectRoles(ctx context.Context, r *mgmt.ListGrantedProjectRolesRequest) (*mgmt.ListGrantedProjectRolesResponse, error) {
	if len(r.GetQueries()) > maxQueries {
		return nil, errTooManyQueries
	}
	var f app.RoleFilter
	for _, q := range r.GetQueries() {
		var err error
		switch v := q.GetQuery().(type) {
		case *projectpb.RoleQuery_KeyQuery:
			err = appendMatch(&f.Keys, v.KeyQuery.GetKey(), v.KeyQuery.GetMethod())
		case *projectpb.RoleQuery_DisplayNameQuery:
			err = appendMatch(&f.DisplayNames, v.DisplayNameQuery.GetDisplayName(), v.DisplayNameQuery.GetMethod())
		default:
			err = errQueryUnsupported
		}
		if err != nil {
			return nil, err
		}
	}
	q := r.GetQuery()
	pg, err := page(q.GetOffset(), q.GetLimit(), q.GetAsc())
	if err != nil {
		return nil, err
	}
	roles, total, err := m.app.ListGrantedProjectRoles(ctx, scope(ctx), r.GetProjectId(), r.GetGrantId(), f, pg)
	if err != nil {
		return nil, err
	}
	out := &mgmt.ListGrantedProjectRolesResponse{Details: listDetails(total), Result: make([]*projectpb.Role, len(roles))}
	for i, role := range roles {
		out.Result[i] = roleV1(role)
	}
	return out, nil
}
