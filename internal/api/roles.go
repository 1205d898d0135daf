package api

import (
	"context"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/project"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	projectpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/project"
)

func roleV1(r *project.Role) *projectpb.Role {
	return &projectpb.Role{Key: r.Key, DisplayName: r.DisplayName, Group: r.Group, Details: &object.ObjectDetails{
		Sequence: r.Sequence, CreationDate: ts(r.CreatedAt), ChangeDate: ts(r.ChangedAt), ResourceOwner: r.OrgID}}
}

func (m *Management) AddProjectRole(ctx context.Context, r *mgmt.AddProjectRoleRequest) (*mgmt.AddProjectRoleResponse, error) {
	o, err := m.app.AddProjectRoles(ctx, scope(ctx), r.GetProjectId(),
		[]app.RoleInput{{Key: r.GetRoleKey(), DisplayName: r.GetDisplayName(), Group: r.GetGroup()}}, false)
	if err != nil {
		return nil, err
	}
	return &mgmt.AddProjectRoleResponse{Details: createDetails(o.Sequence, o.ChangedAt, o.ID)}, nil
}

func (m *Management) BulkAddProjectRoles(ctx context.Context, r *mgmt.BulkAddProjectRolesRequest) (*mgmt.BulkAddProjectRolesResponse, error) {
	in := make([]app.RoleInput, len(r.GetRoles()))
	for i, x := range r.GetRoles() {
		in[i] = app.RoleInput{Key: x.GetKey(), DisplayName: x.GetDisplayName(), Group: x.GetGroup()}
	}
	o, err := m.app.AddProjectRoles(ctx, scope(ctx), r.GetProjectId(), in, true)
	if err != nil {
		return nil, err
	}
	return &mgmt.BulkAddProjectRolesResponse{Details: changeDetails(o.Sequence, o.ChangedAt, o.ID)}, nil
}

func (m *Management) UpdateProjectRole(ctx context.Context, r *mgmt.UpdateProjectRoleRequest) (*mgmt.UpdateProjectRoleResponse, error) {
	role, err := m.app.UpdateProjectRole(ctx, scope(ctx), r.GetProjectId(),
		app.RoleInput{Key: r.GetRoleKey(), DisplayName: r.GetDisplayName(), Group: r.GetGroup()})
	if err != nil {
		return nil, err
	}
	return &mgmt.UpdateProjectRoleResponse{Details: changeDetails(role.Sequence, role.ChangedAt, role.OrgID)}, nil
}

func (m *Management) RemoveProjectRole(ctx context.Context, r *mgmt.RemoveProjectRoleRequest) (*mgmt.RemoveProjectRoleResponse, error) {
	o, err := m.app.RemoveProjectRole(ctx, scope(ctx), r.GetProjectId(), r.GetRoleKey())
	if err != nil {
		return nil, err
	}
	return &mgmt.RemoveProjectRoleResponse{Details: changeDetails(o.Sequence, o.ChangedAt, o.ID)}, nil
}

func (m *Management) ListProjectRoles(ctx context.Context, r *mgmt.ListProjectRolesRequest) (*mgmt.ListProjectRolesResponse, error) {
	if len(r.GetQueries()) > maxQueries {
		return nil, errTooManyQueries
	}
	var f app.RoleFilter
	for _, q := range r.GetQueries() {
		switch v := q.GetQuery().(type) {
		case *projectpb.RoleQuery_KeyQuery:
			tm, err := textMatch(v.KeyQuery.GetKey(), v.KeyQuery.GetMethod())
			if err != nil {
				return nil, err
			}
			f.Keys = append(f.Keys, tm)
		case *projectpb.RoleQuery_DisplayNameQuery:
			tm, err := textMatch(v.DisplayNameQuery.GetDisplayName(), v.DisplayNameQuery.GetMethod())
			if err != nil {
				return nil, err
			}
			f.DisplayNames = append(f.DisplayNames, tm)
		default:
			return nil, errQueryUnsupported
		}
	}
	pg, err := page(r.GetQuery().GetOffset(), r.GetQuery().GetLimit(), r.GetQuery().GetAsc())
	if err != nil {
		return nil, err
	}
	roles, total, err := m.app.ListProjectRoles(ctx, scope(ctx), r.GetProjectId(), f, pg)
	if err != nil {
		return nil, err
	}
	out := &mgmt.ListProjectRolesResponse{Details: listDetails(total), Result: make([]*projectpb.Role, len(roles))}
	for i, role := range roles {
		out.Result[i] = roleV1(role)
	}
	return out, nil
}

func (m *Management) DeactivateProject(ctx context.Context, r *mgmt.DeactivateProjectRequest) (*mgmt.DeactivateProjectResponse, error) {
	p, err := m.app.SetProjectActive(ctx, scope(ctx), r.GetId(), false)
	if err != nil {
		return nil, err
	}
	return &mgmt.DeactivateProjectResponse{Details: changeDetails(p.Sequence, p.ChangedAt, p.OrgID)}, nil
}

func (m *Management) ReactivateProject(ctx context.Context, r *mgmt.ReactivateProjectRequest) (*mgmt.ReactivateProjectResponse, error) {
	p, err := m.app.SetProjectActive(ctx, scope(ctx), r.GetId(), true)
	if err != nil {
		return nil, err
	}
	return &mgmt.ReactivateProjectResponse{Details: changeDetails(p.Sequence, p.ChangedAt, p.OrgID)}, nil
}
