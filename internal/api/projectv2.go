package api

import (
	"context"
	"slices"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	projectv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/project/v2"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// ProjectV2 implements zitadel.project.v2.ProjectService — projects, roles
// and project grants — over the v1 use cases. v2 has no org context: the org
// is the request's (CreateProject) or the project's.
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
	for _, q := range r.GetFilters() {
		switch v := q.GetFilter().(type) {
		case *projectv2.ProjectSearchFilter_ProjectNameFilter:
			tm, err := textMatch(v.ProjectNameFilter.GetProjectName(), object.TextQueryMethod(v.ProjectNameFilter.GetMethod()))
			if err != nil {
				return nil, err
			}
			f.Names = append(f.Names, tm)
		case *projectv2.ProjectSearchFilter_InProjectIdsFilter:
			f.IDs = andIDs(f.IDs, v.InProjectIdsFilter.GetIds()...)
		case *projectv2.ProjectSearchFilter_OrganizationIdFilter:
			o := app.ProjectOrgFilter{OrgID: v.OrganizationIdFilter.GetOrganizationId(), Owned: true, Granted: true}
			switch v.OrganizationIdFilter.GetType() {
			case projectv2.ProjectOrganizationIDFilter_OWNED:
				o.Granted = false
			case projectv2.ProjectOrganizationIDFilter_GRANTED:
				o.Owned = false
			}
			f.Orgs = append(f.Orgs, o)
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
		out.Projects[i] = projectRowV2(p)
	}
	return out, nil
}

// projectRowV2 is a project, or a grant row with the granted org's id, name
// and the grant's state and dates, as ZITADEL lists them.
func projectRowV2(r *app.ProjectRowV2) *projectv2.Project {
	out := projectV2(r.Project)
	if r.Grant == nil {
		return out
	}
	out.CreationDate, out.ChangeDate = ts(r.Grant.CreatedAt), ts(r.Grant.ChangedAt)
	out.GrantedOrganizationId = &r.Grant.GrantedOrgID
	if r.GrantedOrg != nil {
		out.GrantedOrganizationName = &r.GrantedOrg.Name
	}
	out.GrantedState = projectv2.GrantedProjectState_GRANTED_PROJECT_STATE_ACTIVE
	if !r.Grant.Active() {
		out.GrantedState = projectv2.GrantedProjectState_GRANTED_PROJECT_STATE_INACTIVE
	}
	return out
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

// tsIf is a date v2 answers only when something was written (a zero time
// otherwise).
func tsIf(o *org.Org) *timestamppb.Timestamp {
	if o == nil {
		return nil
	}
	return ts(o.ChangedAt)
}

func (s *ProjectV2) CreateProjectGrant(ctx context.Context, r *projectv2.CreateProjectGrantRequest) (*projectv2.CreateProjectGrantResponse, error) {
	pg, err := s.app.CreateProjectGrantV2(ctx, caller(ctx), r.GetProjectId(), r.GetGrantedOrganizationId(), r.GetRoleKeys())
	if err != nil {
		return nil, err
	}
	return &projectv2.CreateProjectGrantResponse{CreationDate: ts(pg.CreatedAt)}, nil
}

func (s *ProjectV2) UpdateProjectGrant(ctx context.Context, r *projectv2.UpdateProjectGrantRequest) (*projectv2.UpdateProjectGrantResponse, error) {
	pg, err := s.app.UpdateProjectGrantV2(ctx, caller(ctx), r.GetProjectId(), r.GetGrantedOrganizationId(), r.GetRoleKeys())
	if err != nil {
		return nil, err
	}
	return &projectv2.UpdateProjectGrantResponse{ChangeDate: ts(pg.ChangedAt)}, nil
}

func (s *ProjectV2) DeactivateProjectGrant(ctx context.Context, r *projectv2.DeactivateProjectGrantRequest) (*projectv2.DeactivateProjectGrantResponse, error) {
	pg, err := s.app.SetProjectGrantActiveV2(ctx, caller(ctx), r.GetProjectId(), r.GetGrantedOrganizationId(), false)
	if err != nil {
		return nil, err
	}
	return &projectv2.DeactivateProjectGrantResponse{ChangeDate: ts(pg.ChangedAt)}, nil
}

func (s *ProjectV2) ActivateProjectGrant(ctx context.Context, r *projectv2.ActivateProjectGrantRequest) (*projectv2.ActivateProjectGrantResponse, error) {
	pg, err := s.app.SetProjectGrantActiveV2(ctx, caller(ctx), r.GetProjectId(), r.GetGrantedOrganizationId(), true)
	if err != nil {
		return nil, err
	}
	return &projectv2.ActivateProjectGrantResponse{ChangeDate: ts(pg.ChangedAt)}, nil
}

func (s *ProjectV2) DeleteProjectGrant(ctx context.Context, r *projectv2.DeleteProjectGrantRequest) (*projectv2.DeleteProjectGrantResponse, error) {
	o, err := s.app.DeleteProjectGrantV2(ctx, caller(ctx), r.GetProjectId(), r.GetGrantedOrganizationId())
	if err != nil {
		return nil, err
	}
	return &projectv2.DeleteProjectGrantResponse{DeletionDate: tsIf(o)}, nil
}

func projectGrantV2(v *app.ProjectGrantView) *projectv2.ProjectGrant {
	state := projectv2.ProjectGrantState_PROJECT_GRANT_STATE_ACTIVE
	if v.State != project.StateActive {
		state = projectv2.ProjectGrantState_PROJECT_GRANT_STATE_INACTIVE
	}
	out := &projectv2.ProjectGrant{OrganizationId: v.OrgID, CreationDate: ts(v.CreatedAt), ChangeDate: ts(v.ChangedAt),
		GrantedOrganizationId: v.GrantedOrgID, GrantedRoleKeys: v.RoleKeys, ProjectId: v.ProjectID, State: state}
	if v.GrantedOrg != nil {
		out.GrantedOrganizationName = v.GrantedOrg.Name
	}
	if v.Project != nil {
		out.ProjectName = v.Project.Name
	}
	return out
}

// ListProjectGrants serves every filter ZITADEL's has. As in ZITADEL, the
// role key filter matches a granted key exactly, whatever its method; and
// several filters of one kind must all hold.
func (s *ProjectV2) ListProjectGrants(ctx context.Context, r *projectv2.ListProjectGrantsRequest) (*projectv2.ListProjectGrantsResponse, error) {
	if len(r.GetFilters()) > maxQueries {
		return nil, errTooManyQueries
	}
	var f app.ProjectGrantFilterV2
	for _, q := range r.GetFilters() {
		switch v := q.GetFilter().(type) {
		case *projectv2.ProjectGrantSearchFilter_ProjectNameFilter:
			tm, err := textMatch(v.ProjectNameFilter.GetProjectName(), object.TextQueryMethod(v.ProjectNameFilter.GetMethod()))
			if err != nil {
				return nil, err
			}
			f.ProjectNames = append(f.ProjectNames, tm)
		case *projectv2.ProjectGrantSearchFilter_RoleKeyFilter:
			f.RoleKeys = append(f.RoleKeys, v.RoleKeyFilter.GetKey())
		case *projectv2.ProjectGrantSearchFilter_InProjectIdsFilter:
			f.ProjectIDs = andIDs(f.ProjectIDs, v.InProjectIdsFilter.GetIds()...)
		case *projectv2.ProjectGrantSearchFilter_OrganizationIdFilter:
			f.OrgIDs = andIDs(f.OrgIDs, v.OrganizationIdFilter.GetId())
		case *projectv2.ProjectGrantSearchFilter_GrantedOrganizationIdFilter:
			f.GrantedOrgIDs = andIDs(f.GrantedOrgIDs, v.GrantedOrganizationIdFilter.GetId())
		default:
			return nil, errProjectGrantFilter
		}
	}
	pg, err := page(r.GetPagination().GetOffset(), r.GetPagination().GetLimit(), r.GetPagination().GetAsc())
	if err != nil {
		return nil, err
	}
	if r.GetSortingColumn() < 0 || r.GetSortingColumn() > projectv2.ProjectGrantFieldName_PROJECT_GRANT_FIELD_NAME_CHANGE_DATE {
		return nil, errSortColumn
	}
	vs, total, err := s.app.ListProjectGrantsV2(ctx, caller(ctx), f, app.ProjectGrantSort(r.GetSortingColumn()), pg)
	if err != nil {
		return nil, err
	}
	out := &projectv2.ListProjectGrantsResponse{Pagination: &filterv2.PaginationResponse{TotalResult: total, AppliedLimit: uint64(store.ClampLimit(pg.Limit))},
		ProjectGrants: make([]*projectv2.ProjectGrant, len(vs))}
	for i, v := range vs {
		out.ProjectGrants[i] = projectGrantV2(v)
	}
	return out, nil
}

// andIDs is the conjunction of an id filter with those before it (nil: none
// before).
func andIDs(have []string, ids ...string) []string {
	if have == nil {
		return append([]string{}, ids...)
	}
	return slices.DeleteFunc(slices.Clone(have), func(id string) bool { return !slices.Contains(ids, id) })
}
