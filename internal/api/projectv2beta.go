package api

import (
	"context"

	"github.com/warden-id/warden/internal/app"

	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	projectv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/project/v2"
	projectv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/project/v2beta"
)

// ProjectV2beta implements zitadel.project.v2beta.ProjectService (projects,
// roles and project grants), which @zitadel/client 1.3 calls, in front of the
// v2 service. v2beta renames
// fields (id for project_id, project_role_check for authorization_required,
// ...) and has CreateProjectRequest.admins, so every request and answer is
// converted field by field (admins, which v2 has not, beside the v2
// request); TestV2betaRequestsConverted fails when a
// v2beta request field is neither converted nor refused.
type ProjectV2beta struct {
	projectv2beta.UnimplementedProjectServiceServer
	v2 *ProjectV2
}

// NewProjectV2beta returns the v2beta project service over v2.
func NewProjectV2beta(v2 *ProjectV2) *ProjectV2beta { return &ProjectV2beta{v2: v2} }

// The enums are converted by number (TestV2betaEnumsMatchV2).
func projectV2beta(p *projectv2.Project) *projectv2beta.Project {
	return &projectv2beta.Project{Id: p.GetProjectId(), OrganizationId: p.GetOrganizationId(), CreationDate: p.GetCreationDate(),
		ChangeDate: p.GetChangeDate(), Name: p.GetName(), State: projectv2beta.ProjectState(p.GetState()),
		ProjectRoleAssertion: p.GetProjectRoleAssertion(), AuthorizationRequired: p.GetAuthorizationRequired(),
		ProjectAccessRequired: p.GetProjectAccessRequired(), PrivateLabelingSetting: projectv2beta.PrivateLabelingSetting(p.GetPrivateLabelingSetting()),
		GrantedOrganizationId: p.GrantedOrganizationId, GrantedOrganizationName: p.GrantedOrganizationName,
		GrantedState: projectv2beta.GrantedProjectState(p.GetGrantedState())}
}

// createProjectV2 converts the request; its admins, which v2 has not, come
// beside it: they become the new project's members in the same transaction
// (app.CreateProjectWithAdmins).
func createProjectV2(r *projectv2beta.CreateProjectRequest) (*projectv2.CreateProjectRequest, []app.ProjectAdmin) {
	var admins []app.ProjectAdmin
	for _, a := range r.GetAdmins() {
		admins = append(admins, app.ProjectAdmin{UserID: a.GetUserId(), Roles: a.GetRoles()})
	}
	return &projectv2.CreateProjectRequest{OrganizationId: r.GetOrganizationId(), ProjectId: r.Id, Name: r.GetName(),
		ProjectRoleAssertion: r.GetProjectRoleAssertion(), AuthorizationRequired: r.GetAuthorizationRequired(),
		ProjectAccessRequired: r.GetProjectAccessRequired(), PrivateLabelingSetting: projectv2.PrivateLabelingSetting(r.GetPrivateLabelingSetting())}, admins
}

func (s *ProjectV2beta) CreateProject(ctx context.Context, r *projectv2beta.CreateProjectRequest) (*projectv2beta.CreateProjectResponse, error) {
	in, admins := createProjectV2(r)
	if len(admins) == 0 {
		out, err := s.v2.CreateProject(ctx, in)
		if err != nil {
			return nil, err
		}
		return &projectv2beta.CreateProjectResponse{Id: out.GetProjectId(), CreationDate: out.GetCreationDate()}, nil
	}
	if in.ProjectId != nil {
		return nil, errProjectIDGiven
	}
	p, err := s.v2.app.CreateProjectWithAdmins(ctx, caller(ctx), in.GetOrganizationId(), projectInputV2(in), admins)
	if err != nil {
		return nil, err
	}
	return &projectv2beta.CreateProjectResponse{Id: p.ID, CreationDate: ts(p.CreatedAt)}, nil
}

// updateProjectV2: v2beta's project_role_check and has_project_check are
// v2's authorization_required and project_access_required (ZITADEL's v2beta
// handler sets ProjectRoleCheck and HasProjectCheck from them).
func updateProjectV2(r *projectv2beta.UpdateProjectRequest) *projectv2.UpdateProjectRequest {
	out := &projectv2.UpdateProjectRequest{ProjectId: r.GetId(), Name: r.Name, ProjectRoleAssertion: r.ProjectRoleAssertion,
		AuthorizationRequired: r.ProjectRoleCheck, ProjectAccessRequired: r.HasProjectCheck}
	if r.PrivateLabelingSetting != nil {
		v := projectv2.PrivateLabelingSetting(*r.PrivateLabelingSetting)
		out.PrivateLabelingSetting = &v
	}
	return out
}

func (s *ProjectV2beta) UpdateProject(ctx context.Context, r *projectv2beta.UpdateProjectRequest) (*projectv2beta.UpdateProjectResponse, error) {
	out, err := s.v2.UpdateProject(ctx, updateProjectV2(r))
	if err != nil {
		return nil, err
	}
	return &projectv2beta.UpdateProjectResponse{ChangeDate: out.GetChangeDate()}, nil
}

func (s *ProjectV2beta) DeleteProject(ctx context.Context, r *projectv2beta.DeleteProjectRequest) (*projectv2beta.DeleteProjectResponse, error) {
	out, err := s.v2.DeleteProject(ctx, deleteProjectV2(r))
	if err != nil {
		return nil, err
	}
	return &projectv2beta.DeleteProjectResponse{DeletionDate: out.GetDeletionDate()}, nil
}

func (s *ProjectV2beta) GetProject(ctx context.Context, r *projectv2beta.GetProjectRequest) (*projectv2beta.GetProjectResponse, error) {
	out, err := s.v2.GetProject(ctx, getProjectV2(r))
	if err != nil {
		return nil, err
	}
	return &projectv2beta.GetProjectResponse{Project: projectV2beta(out.GetProject())}, nil
}

// listProjectsV2 converts the filters as ZITADEL's v2beta handler reads
// them: project_resource_owner_filter is the projects the org owns,
// project_grant_resource_owner_filter those granted to it, and
// project_organization_id_filter either — v2's organization filter of type
// OWNED, GRANTED and OWNED_OR_GRANTED.
func listProjectsV2(r *projectv2beta.ListProjectsRequest) (*projectv2.ListProjectsRequest, error) {
	if len(r.GetFilters()) > maxQueries {
		return nil, errTooManyQueries
	}
	out := &projectv2.ListProjectsRequest{Pagination: paginationV2(r.Pagination)}
	if r.SortingColumn != nil {
		c := projectv2.ProjectFieldName(*r.SortingColumn)
		out.SortingColumn = &c
	}
	org := func(id string, t projectv2.ProjectOrganizationIDFilter_Type) *projectv2.ProjectSearchFilter {
		return &projectv2.ProjectSearchFilter{Filter: &projectv2.ProjectSearchFilter_OrganizationIdFilter{
			OrganizationIdFilter: &projectv2.ProjectOrganizationIDFilter{OrganizationId: id, Type: t}}}
	}
	for _, q := range r.GetFilters() {
		var f *projectv2.ProjectSearchFilter
		switch v := q.GetFilter().(type) {
		case *projectv2beta.ProjectSearchFilter_ProjectNameFilter:
			f = &projectv2.ProjectSearchFilter{Filter: &projectv2.ProjectSearchFilter_ProjectNameFilter{ProjectNameFilter: &projectv2.ProjectNameFilter{
				ProjectName: v.ProjectNameFilter.GetProjectName(), Method: textMethodV2(v.ProjectNameFilter.GetMethod())}}}
		case *projectv2beta.ProjectSearchFilter_InProjectIdsFilter:
			f = &projectv2.ProjectSearchFilter{Filter: &projectv2.ProjectSearchFilter_InProjectIdsFilter{InProjectIdsFilter: inIDsV2(v.InProjectIdsFilter)}}
		case *projectv2beta.ProjectSearchFilter_ProjectResourceOwnerFilter:
			f = org(v.ProjectResourceOwnerFilter.GetId(), projectv2.ProjectOrganizationIDFilter_OWNED)
		case *projectv2beta.ProjectSearchFilter_ProjectGrantResourceOwnerFilter:
			f = org(v.ProjectGrantResourceOwnerFilter.GetId(), projectv2.ProjectOrganizationIDFilter_GRANTED)
		case *projectv2beta.ProjectSearchFilter_ProjectOrganizationIdFilter:
			f = org(v.ProjectOrganizationIdFilter.GetId(), projectv2.ProjectOrganizationIDFilter_OWNED_OR_GRANTED)
		default:
			return nil, errQueryUnsupported
		}
		out.Filters = append(out.Filters, f)
	}
	return out, nil
}

func (s *ProjectV2beta) ListProjects(ctx context.Context, r *projectv2beta.ListProjectsRequest) (*projectv2beta.ListProjectsResponse, error) {
	in, err := listProjectsV2(r)
	if err != nil {
		return nil, err
	}
	out, err := s.v2.ListProjects(ctx, in)
	if err != nil {
		return nil, err
	}
	res := &projectv2beta.ListProjectsResponse{Pagination: paginationV2beta(out.GetPagination()), Projects: make([]*projectv2beta.Project, len(out.GetProjects()))}
	for i, p := range out.GetProjects() {
		res.Projects[i] = projectV2beta(p)
	}
	return res, nil
}

func (s *ProjectV2beta) DeactivateProject(ctx context.Context, r *projectv2beta.DeactivateProjectRequest) (*projectv2beta.DeactivateProjectResponse, error) {
	out, err := s.v2.DeactivateProject(ctx, deactivateProjectV2(r))
	if err != nil {
		return nil, err
	}
	return &projectv2beta.DeactivateProjectResponse{ChangeDate: out.GetChangeDate()}, nil
}

func (s *ProjectV2beta) ActivateProject(ctx context.Context, r *projectv2beta.ActivateProjectRequest) (*projectv2beta.ActivateProjectResponse, error) {
	out, err := s.v2.ActivateProject(ctx, activateProjectV2(r))
	if err != nil {
		return nil, err
	}
	return &projectv2beta.ActivateProjectResponse{ChangeDate: out.GetChangeDate()}, nil
}

func addProjectRoleV2(r *projectv2beta.AddProjectRoleRequest) *projectv2.AddProjectRoleRequest {
	return &projectv2.AddProjectRoleRequest{ProjectId: r.GetProjectId(), RoleKey: r.GetRoleKey(), DisplayName: r.GetDisplayName(), Group: r.Group}
}

func (s *ProjectV2beta) AddProjectRole(ctx context.Context, r *projectv2beta.AddProjectRoleRequest) (*projectv2beta.AddProjectRoleResponse, error) {
	out, err := s.v2.AddProjectRole(ctx, addProjectRoleV2(r))
	if err != nil {
		return nil, err
	}
	return &projectv2beta.AddProjectRoleResponse{CreationDate: out.GetCreationDate()}, nil
}

func updateProjectRoleV2(r *projectv2beta.UpdateProjectRoleRequest) *projectv2.UpdateProjectRoleRequest {
	return &projectv2.UpdateProjectRoleRequest{ProjectId: r.GetProjectId(), RoleKey: r.GetRoleKey(), DisplayName: r.DisplayName, Group: r.Group}
}

func (s *ProjectV2beta) UpdateProjectRole(ctx context.Context, r *projectv2beta.UpdateProjectRoleRequest) (*projectv2beta.UpdateProjectRoleResponse, error) {
	out, err := s.v2.UpdateProjectRole(ctx, updateProjectRoleV2(r))
	if err != nil {
		return nil, err
	}
	return &projectv2beta.UpdateProjectRoleResponse{ChangeDate: out.GetChangeDate()}, nil
}

func (s *ProjectV2beta) RemoveProjectRole(ctx context.Context, r *projectv2beta.RemoveProjectRoleRequest) (*projectv2beta.RemoveProjectRoleResponse, error) {
	out, err := s.v2.RemoveProjectRole(ctx, removeProjectRoleV2(r))
	if err != nil {
		return nil, err
	}
	return &projectv2beta.RemoveProjectRoleResponse{RemovalDate: out.GetRemovalDate()}, nil
}

func listProjectRolesV2(r *projectv2beta.ListProjectRolesRequest) (*projectv2.ListProjectRolesRequest, error) {
	if len(r.GetFilters()) > maxQueries {
		return nil, errTooManyQueries
	}
	out := &projectv2.ListProjectRolesRequest{ProjectId: r.GetProjectId(), Pagination: paginationV2(r.Pagination)}
	if r.SortingColumn != nil {
		c := projectv2.ProjectRoleFieldName(*r.SortingColumn)
		out.SortingColumn = &c
	}
	for _, q := range r.GetFilters() {
		var f *projectv2.ProjectRoleSearchFilter
		switch v := q.GetFilter().(type) {
		case *projectv2beta.ProjectRoleSearchFilter_RoleKeyFilter:
			f = &projectv2.ProjectRoleSearchFilter{Filter: &projectv2.ProjectRoleSearchFilter_RoleKeyFilter{RoleKeyFilter: &projectv2.ProjectRoleKeyFilter{
				Key: v.RoleKeyFilter.GetKey(), Method: textMethodV2(v.RoleKeyFilter.GetMethod())}}}
		case *projectv2beta.ProjectRoleSearchFilter_DisplayNameFilter:
			f = &projectv2.ProjectRoleSearchFilter{Filter: &projectv2.ProjectRoleSearchFilter_DisplayNameFilter{DisplayNameFilter: &projectv2.ProjectRoleDisplayNameFilter{
				DisplayName: v.DisplayNameFilter.GetDisplayName(), Method: textMethodV2(v.DisplayNameFilter.GetMethod())}}}
		default:
			return nil, errQueryUnsupported
		}
		out.Filters = append(out.Filters, f)
	}
	return out, nil
}

func (s *ProjectV2beta) ListProjectRoles(ctx context.Context, r *projectv2beta.ListProjectRolesRequest) (*projectv2beta.ListProjectRolesResponse, error) {
	in, err := listProjectRolesV2(r)
	if err != nil {
		return nil, err
	}
	out, err := s.v2.ListProjectRoles(ctx, in)
	if err != nil {
		return nil, err
	}
	res := &projectv2beta.ListProjectRolesResponse{Pagination: paginationV2beta(out.GetPagination()),
		ProjectRoles: make([]*projectv2beta.ProjectRole, len(out.GetProjectRoles()))}
	for i, role := range out.GetProjectRoles() {
		res.ProjectRoles[i] = &projectv2beta.ProjectRole{ProjectId: role.GetProjectId(), Key: role.GetKey(), CreationDate: role.GetCreationDate(),
			ChangeDate: role.GetChangeDate(), DisplayName: role.GetDisplayName(), Group: role.GetGroup()}
	}
	return res, nil
}

func deleteProjectV2(r *projectv2beta.DeleteProjectRequest) *projectv2.DeleteProjectRequest {
	return &projectv2.DeleteProjectRequest{ProjectId: r.GetId()}
}

func getProjectV2(r *projectv2beta.GetProjectRequest) *projectv2.GetProjectRequest {
	return &projectv2.GetProjectRequest{ProjectId: r.GetId()}
}

func deactivateProjectV2(r *projectv2beta.DeactivateProjectRequest) *projectv2.DeactivateProjectRequest {
	return &projectv2.DeactivateProjectRequest{ProjectId: r.GetId()}
}

func activateProjectV2(r *projectv2beta.ActivateProjectRequest) *projectv2.ActivateProjectRequest {
	return &projectv2.ActivateProjectRequest{ProjectId: r.GetId()}
}

func removeProjectRoleV2(r *projectv2beta.RemoveProjectRoleRequest) *projectv2.RemoveProjectRoleRequest {
	return &projectv2.RemoveProjectRoleRequest{ProjectId: r.GetProjectId(), RoleKey: r.GetRoleKey()}
}

func createProjectGrantV2(r *projectv2beta.CreateProjectGrantRequest) *projectv2.CreateProjectGrantRequest {
	return &projectv2.CreateProjectGrantRequest{ProjectId: r.GetProjectId(), GrantedOrganizationId: r.GetGrantedOrganizationId(), RoleKeys: r.GetRoleKeys()}
}

func (s *ProjectV2beta) CreateProjectGrant(ctx context.Context, r *projectv2beta.CreateProjectGrantRequest) (*projectv2beta.CreateProjectGrantResponse, error) {
	out, err := s.v2.CreateProjectGrant(ctx, createProjectGrantV2(r))
	if err != nil {
		return nil, err
	}
	return &projectv2beta.CreateProjectGrantResponse{CreationDate: out.GetCreationDate()}, nil
}

func updateProjectGrantV2(r *projectv2beta.UpdateProjectGrantRequest) *projectv2.UpdateProjectGrantRequest {
	return &projectv2.UpdateProjectGrantRequest{ProjectId: r.GetProjectId(), GrantedOrganizationId: r.GetGrantedOrganizationId(), RoleKeys: r.GetRoleKeys()}
}

func (s *ProjectV2beta) UpdateProjectGrant(ctx context.Context, r *projectv2beta.UpdateProjectGrantRequest) (*projectv2beta.UpdateProjectGrantResponse, error) {
	out, err := s.v2.UpdateProjectGrant(ctx, updateProjectGrantV2(r))
	if err != nil {
		return nil, err
	}
	return &projectv2beta.UpdateProjectGrantResponse{ChangeDate: out.GetChangeDate()}, nil
}

func deactivateProjectGrantV2(r *projectv2beta.DeactivateProjectGrantRequest) *projectv2.DeactivateProjectGrantRequest {
	return &projectv2.DeactivateProjectGrantRequest{ProjectId: r.GetProjectId(), GrantedOrganizationId: r.GetGrantedOrganizationId()}
}

func (s *ProjectV2beta) DeactivateProjectGrant(ctx context.Context, r *projectv2beta.DeactivateProjectGrantRequest) (*projectv2beta.DeactivateProjectGrantResponse, error) {
	out, err := s.v2.DeactivateProjectGrant(ctx, deactivateProjectGrantV2(r))
	if err != nil {
		return nil, err
	}
	return &projectv2beta.DeactivateProjectGrantResponse{ChangeDate: out.GetChangeDate()}, nil
}

func activateProjectGrantV2(r *projectv2beta.ActivateProjectGrantRequest) *projectv2.ActivateProjectGrantRequest {
	return &projectv2.ActivateProjectGrantRequest{ProjectId: r.GetProjectId(), GrantedOrganizationId: r.GetGrantedOrganizationId()}
}

func (s *ProjectV2beta) ActivateProjectGrant(ctx context.Context, r *projectv2beta.ActivateProjectGrantRequest) (*projectv2beta.ActivateProjectGrantResponse, error) {
	out, err := s.v2.ActivateProjectGrant(ctx, activateProjectGrantV2(r))
	if err != nil {
		return nil, err
	}
	return &projectv2beta.ActivateProjectGrantResponse{ChangeDate: out.GetChangeDate()}, nil
}

func deleteProjectGrantV2(r *projectv2beta.DeleteProjectGrantRequest) *projectv2.DeleteProjectGrantRequest {
	return &projectv2.DeleteProjectGrantRequest{ProjectId: r.GetProjectId(), GrantedOrganizationId: r.GetGrantedOrganizationId()}
}

func (s *ProjectV2beta) DeleteProjectGrant(ctx context.Context, r *projectv2beta.DeleteProjectGrantRequest) (*projectv2beta.DeleteProjectGrantResponse, error) {
	out, err := s.v2.DeleteProjectGrant(ctx, deleteProjectGrantV2(r))
	if err != nil {
		return nil, err
	}
	return &projectv2beta.DeleteProjectGrantResponse{DeletionDate: out.GetDeletionDate()}, nil
}

// listProjectGrantsV2 converts the filters as ZITADEL's v2beta handler reads
// them: project_resource_owner_filter is v2's organization_id_filter (the
// granting org), project_grant_resource_owner_filter its
// granted_organization_id_filter.
func listProjectGrantsV2(r *projectv2beta.ListProjectGrantsRequest) (*projectv2.ListProjectGrantsRequest, error) {
	if len(r.GetFilters()) > maxQueries {
		return nil, errTooManyQueries
	}
	out := &projectv2.ListProjectGrantsRequest{Pagination: paginationV2(r.Pagination)}
	if r.SortingColumn != nil {
		c := projectv2.ProjectGrantFieldName(*r.SortingColumn)
		out.SortingColumn = &c
	}
	for _, q := range r.GetFilters() {
		var f *projectv2.ProjectGrantSearchFilter
		switch v := q.GetFilter().(type) {
		case *projectv2beta.ProjectGrantSearchFilter_ProjectNameFilter:
			f = &projectv2.ProjectGrantSearchFilter{Filter: &projectv2.ProjectGrantSearchFilter_ProjectNameFilter{ProjectNameFilter: &projectv2.ProjectNameFilter{
				ProjectName: v.ProjectNameFilter.GetProjectName(), Method: textMethodV2(v.ProjectNameFilter.GetMethod())}}}
		case *projectv2beta.ProjectGrantSearchFilter_RoleKeyFilter:
			f = &projectv2.ProjectGrantSearchFilter{Filter: &projectv2.ProjectGrantSearchFilter_RoleKeyFilter{RoleKeyFilter: &projectv2.ProjectRoleKeyFilter{
				Key: v.RoleKeyFilter.GetKey(), Method: textMethodV2(v.RoleKeyFilter.GetMethod())}}}
		case *projectv2beta.ProjectGrantSearchFilter_InProjectIdsFilter:
			f = &projectv2.ProjectGrantSearchFilter{Filter: &projectv2.ProjectGrantSearchFilter_InProjectIdsFilter{InProjectIdsFilter: inIDsV2(v.InProjectIdsFilter)}}
		case *projectv2beta.ProjectGrantSearchFilter_ProjectResourceOwnerFilter:
			f = &projectv2.ProjectGrantSearchFilter{Filter: &projectv2.ProjectGrantSearchFilter_OrganizationIdFilter{
				OrganizationIdFilter: &filterv2.IDFilter{Id: v.ProjectResourceOwnerFilter.GetId()}}}
		case *projectv2beta.ProjectGrantSearchFilter_ProjectGrantResourceOwnerFilter:
			f = &projectv2.ProjectGrantSearchFilter{Filter: &projectv2.ProjectGrantSearchFilter_GrantedOrganizationIdFilter{
				GrantedOrganizationIdFilter: &filterv2.IDFilter{Id: v.ProjectGrantResourceOwnerFilter.GetId()}}}
		default:
			return nil, errProjectGrantFilter
		}
		out.Filters = append(out.Filters, f)
	}
	return out, nil
}

func projectGrantV2beta(g *projectv2.ProjectGrant) *projectv2beta.ProjectGrant {
	return &projectv2beta.ProjectGrant{OrganizationId: g.GetOrganizationId(), CreationDate: g.GetCreationDate(), ChangeDate: g.GetChangeDate(),
		GrantedOrganizationId: g.GetGrantedOrganizationId(), GrantedOrganizationName: g.GetGrantedOrganizationName(),
		GrantedRoleKeys: g.GetGrantedRoleKeys(), ProjectId: g.GetProjectId(), ProjectName: g.GetProjectName(),
		State: projectv2beta.ProjectGrantState(g.GetState())}
}

func (s *ProjectV2beta) ListProjectGrants(ctx context.Context, r *projectv2beta.ListProjectGrantsRequest) (*projectv2beta.ListProjectGrantsResponse, error) {
	in, err := listProjectGrantsV2(r)
	if err != nil {
		return nil, err
	}
	out, err := s.v2.ListProjectGrants(ctx, in)
	if err != nil {
		return nil, err
	}
	return listProjectGrantsV2beta(out), nil
}

func listProjectGrantsV2beta(out *projectv2.ListProjectGrantsResponse) *projectv2beta.ListProjectGrantsResponse {
	res := &projectv2beta.ListProjectGrantsResponse{Pagination: paginationV2beta(out.GetPagination()),
		ProjectGrants: make([]*projectv2beta.ProjectGrant, len(out.GetProjectGrants()))}
	for i, g := range out.GetProjectGrants() {
		res.ProjectGrants[i] = projectGrantV2beta(g)
	}
	return res
}
