package api

import (
	"context"
	"slices"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	projectv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/project/v2"
)

// ProjectV2 implements zitadel.project.v2.ProjectService's projects and
// roles over the v1 use cases; its project-grant methods answer
// Unimplemented. v2 has no org context: the org is the request's
// (CreateProject) or the project's.
type ProjectV2 struct {
	projectv2.UnimplementedProjectServiceServer
	app *app.App
}

// NewProjectV2 returns the v2 project service.
func NewProjectV2(a *app.App) *ProjectV2 { return &ProjectV2{app: a} }

func projectV2(p *project.Project) *projectv2.Project {
	state := projectv2.ProjectState_PROJECT_STATE_ACTIVE
	if !p.Active() {
		state = projectv2.ProjectState_PROJECT_STATE_INACTIVE
	}
	return &projectv2.Project{ProjectId: p.ID, OrganizationId: p.OrgID, CreationDate: ts(p.CreatedAt), ChangeDate: ts(p.ChangedAt),
		Name: p.Name, State: state, ProjectRoleAssertion: p.RoleAssertion, AuthorizationRequired: p.RoleCheck,
		ProjectAccessRequired: p.HasProjectCheck, PrivateLabelingSetting: projectv2.PrivateLabelingSetting(p.PrivateLabeling)}
}

func projectInputV2(r *projectv2.CreateProjectRequest) app.ProjectInput {
	return app.ProjectInput{Name: r.GetName(), RoleAssertion: r.GetProjectRoleAssertion(), RoleCheck: r.GetAuthorizationRequired(),
		HasProjectCheck: r.GetProjectAccessRequired(), PrivateLabeling: int(r.GetPrivateLabelingSetting())}
}

func (s *ProjectV2) CreateProject(ctx context.Context, r *projectv2.CreateProjectRequest) (*projectv2.CreateProjectResponse, error) {
	if r.ProjectId != nil {
		return nil, errProjectIDGiven
	}
	p, err := s.app.CreateProjectV2(ctx, caller(ctx), r.GetOrganizationId(), projectInputV2(r))
	if err != nil {
		return nil, err
	}
	return &projectv2.CreateProjectResponse{ProjectId: p.ID, CreationDate: ts(p.CreatedAt)}, nil
}

func (s *ProjectV2) UpdateProject(ctx context.Context, r *projectv2.UpdateProjectRequest) (*projectv2.UpdateProjectResponse, error) {
	patch := app.ProjectPatch{Name: r.Name, RoleAssertion: r.ProjectRoleAssertion, RoleCheck: r.AuthorizationRequired, HasProjectCheck: r.ProjectAccessRequired}
	if r.PrivateLabelingSetting != nil {
		v := int(*r.PrivateLabelingSetting)
		patch.PrivateLabeling = &v
	}
	p, changed, err := s.app.UpdateProjectV2(ctx, caller(ctx), r.GetProjectId(), patch)
	if err != nil {
		return nil, err
	}
	out := &projectv2.UpdateProjectResponse{}
	if changed { // ZITADEL answers no change date when nothing changed
		out.ChangeDate = ts(p.ChangedAt)
	}
	return out, nil
}

func (s *ProjectV2) DeleteProject(ctx context.Context, r *projectv2.DeleteProjectRequest) (*projectv2.DeleteProjectResponse, error) {
	o, err := s.app.DeleteProjectV2(ctx, caller(ctx), r.GetProjectId())
	if err != nil {
		return nil, err
	}
	return &projectv2.DeleteProjectResponse{DeletionDate: ts(o.ChangedAt)}, nil
}

func (s *ProjectV2) GetProject(ctx context.Context, r *projectv2.GetProjectRequest) (*projectv2.GetProjectResponse, error) {
	p, err := s.app.GetProjectV2(ctx, caller(ctx), r.GetProjectId())
	if err != nil {
		return nil, err
	}
	return &projectv2.GetProjectResponse{Project: projectV2(p)}, nil
}

func (s *ProjectV2) ListProjects(ctx context.Context, r *projectv2.ListProjectsRequest) (*projectv2.ListProjectsResponse, error) {
	if len(r.GetFilters()) > maxQueries {
		return nil, errTooManyQueries
	}
	var f app.ProjectFilterV2
	and := func(have []string, ids ...string) []string {
		if have == nil {
			return append([]string{}, ids...)
		}
		return slices.DeleteFunc(slices.Clone(have), func(id string) bool { return !slices.Contains(ids, id) })
	}
	for _, q := range r.GetFilters() {
		switch v := q.GetFilter().(type) {
		case *projectv2.ProjectSearchFilter_ProjectNameFilter:
			tm, err := textMatch(v.ProjectNameFilter.GetProjectName(), object.TextQueryMethod(v.ProjectNameFilter.GetMethod()))
			if err != nil {
				return nil, err
			}
			f.Names = append(f.Names, tm)
		case *projectv2.ProjectSearchFilter_InProjectIdsFilter:
			f.IDs = and(f.IDs, v.InProjectIdsFilter.GetIds()...)
		case *projectv2.ProjectSearchFilter_OrganizationIdFilter:
			if v.OrganizationIdFilter.GetType() == projectv2.ProjectOrganizationIDFilter_GRANTED {
				// Projects granted to the org: Warden has no project grants (yet).
				f.IDs = []string{}
			}
			f.OrgIDs = and(f.OrgIDs, v.OrganizationIdFilter.GetOrganizationId())
		default:
			return nil, errQueryUnsupported
		}
	}
	pg, err := page(r.GetPagination().GetOffset(), r.GetPagination().GetLimit(), r.GetPagination().GetAsc())
	if err != nil {
		return nil, err
	}
	if r.GetSortingColumn() < 0 || r.GetSortingColumn() > projectv2.ProjectFieldName_PROJECT_FIELD_NAME_NAME {
		return nil, errSortColumn
	}
	ps, total, err := s.app.ListProjectsV2(ctx, caller(ctx), f, app.ProjectSort(r.GetSortingColumn()), pg)
	if err != nil {
		return nil, err
	}
	out := &projectv2.ListProjectsResponse{Pagination: &filterv2.PaginationResponse{TotalResult: total, AppliedLimit: uint64(store.ClampLimit(pg.Limit))},
		Projects: make([]*projectv2.Project, len(ps))}
	for i, p := range ps {
		out.Projects[i] = projectV2(p)
	}
	return out, nil
}

func (s *ProjectV2) DeactivateProject(ctx context.Context, r *projectv2.DeactivateProjectRequest) (*projectv2.DeactivateProjectResponse, error) {
	p, err := s.app.SetProjectActiveV2(ctx, caller(ctx), r.GetProjectId(), false)
	if err != nil {
		return nil, err
	}
	return &projectv2.DeactivateProjectResponse{ChangeDate: ts(p.ChangedAt)}, nil
}

func (s *ProjectV2) ActivateProject(ctx context.Context, r *projectv2.ActivateProjectRequest) (*projectv2.ActivateProjectResponse, error) {
	p, err := s.app.SetProjectActiveV2(ctx, caller(ctx), r.GetProjectId(), true)
	if err != nil {
		return nil, err
	}
	return &projectv2.ActivateProjectResponse{ChangeDate: ts(p.ChangedAt)}, nil
}

func (s *ProjectV2) AddProjectRole(ctx context.Context, r *projectv2.AddProjectRoleRequest) (*projectv2.AddProjectRoleResponse, error) {
	o, err := s.app.AddProjectRoleV2(ctx, caller(ctx), r.GetProjectId(), app.RoleInput{Key: r.GetRoleKey(), DisplayName: r.GetDisplayName(), Group: r.GetGroup()})
	if err != nil {
		return nil, err
	}
	return &projectv2.AddProjectRoleResponse{CreationDate: ts(o.ChangedAt)}, nil
}

func (s *ProjectV2) UpdateProjectRole(ctx context.Context, r *projectv2.UpdateProjectRoleRequest) (*projectv2.UpdateProjectRoleResponse, error) {
	role, err := s.app.UpdateProjectRoleV2(ctx, caller(ctx), r.GetProjectId(), r.GetRoleKey(), r.DisplayName, r.Group)
	if err != nil {
		return nil, err
	}
	return &projectv2.UpdateProjectRoleResponse{ChangeDate: ts(role.ChangedAt)}, nil
}

func (s *ProjectV2) RemoveProjectRole(ctx context.Context, r *projectv2.RemoveProjectRoleRequest) (*projectv2.RemoveProjectRoleResponse, error) {
	o, err := s.app.RemoveProjectRoleV2(ctx, caller(ctx), r.GetProjectId(), r.GetRoleKey())
	if err != nil {
		return nil, err
	}
	return &projectv2.RemoveProjectRoleResponse{RemovalDate: ts(o.ChangedAt)}, nil
}

func (s *ProjectV2) ListProjectRoles(ctx context.Context, r *projectv2.ListProjectRolesRequest) (*projectv2.ListProjectRolesResponse, error) {
	if len(r.GetFilters()) > maxQueries {
		return nil, errTooManyQueries
	}
	var f app.RoleFilter
	for _, q := range r.GetFilters() {
		switch v := q.GetFilter().(type) {
		case *projectv2.ProjectRoleSearchFilter_RoleKeyFilter:
			tm, err := textMatch(v.RoleKeyFilter.GetKey(), object.TextQueryMethod(v.RoleKeyFilter.GetMethod()))
			if err != nil {
				return nil, err
			}
			f.Keys = append(f.Keys, tm)
		case *projectv2.ProjectRoleSearchFilter_DisplayNameFilter:
			tm, err := textMatch(v.DisplayNameFilter.GetDisplayName(), object.TextQueryMethod(v.DisplayNameFilter.GetMethod()))
			if err != nil {
				return nil, err
			}
			f.DisplayNames = append(f.DisplayNames, tm)
		default:
			return nil, errQueryUnsupported
		}
	}
	pg, err := page(r.GetPagination().GetOffset(), r.GetPagination().GetLimit(), r.GetPagination().GetAsc())
	if err != nil {
		return nil, err
	}
	if r.GetSortingColumn() != projectv2.ProjectRoleFieldName_PROJECT_ROLE_FIELD_NAME_UNSPECIFIED &&
		r.GetSortingColumn() != projectv2.ProjectRoleFieldName_PROJECT_ROLE_FIELD_NAME_KEY {
		return nil, errSortColumn // roles come by key
	}
	roles, total, err := s.app.ListProjectRolesV2(ctx, caller(ctx), r.GetProjectId(), f, pg)
	if err != nil {
		return nil, err
	}
	out := &projectv2.ListProjectRolesResponse{Pagination: &filterv2.PaginationResponse{TotalResult: total, AppliedLimit: uint64(store.ClampLimit(pg.Limit))},
		ProjectRoles: make([]*projectv2.ProjectRole, len(roles))}
	for i, role := range roles {
		out.ProjectRoles[i] = &projectv2.ProjectRole{ProjectId: role.ProjectID, Key: role.Key, CreationDate: ts(role.CreatedAt),
			ChangeDate: ts(role.ChangedAt), DisplayName: role.DisplayName, Group: role.Group}
	}
	return out, nil
}
