package api

import (
	"context"

	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	filterv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2beta"
	ipv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/internal_permission/v2"
	ipv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/internal_permission/v2beta"
)

// InternalPermissionV2beta implements zitadel.internal_permission.v2beta in
// front of v2. The messages differ (the project grant's organization_id has
// another number, the grant filter is by grant id, the sorting column is
// optional), so each request and answer is converted field by field
// (TestV2betaRequestsConverted). As ZITADEL's v2beta handler, the list
// refuses the role, and, or and not filters (ORG-vR9nC).
type InternalPermissionV2beta struct {
	ipv2beta.UnimplementedInternalPermissionServiceServer
	v2 *InternalPermissionV2
}

// NewInternalPermissionV2beta returns the v2beta service over v2.
func NewInternalPermissionV2beta(v2 *InternalPermissionV2) *InternalPermissionV2beta {
	return &InternalPermissionV2beta{v2: v2}
}

func resourceV2(r *ipv2beta.ResourceType) *ipv2.ResourceType {
	if r == nil {
		return nil
	}
	out := &ipv2.ResourceType{}
	switch v := r.GetResource().(type) {
	case *ipv2beta.ResourceType_Instance:
		out.Resource = &ipv2.ResourceType_Instance{Instance: v.Instance}
	case *ipv2beta.ResourceType_OrganizationId:
		out.Resource = &ipv2.ResourceType_OrganizationId{OrganizationId: v.OrganizationId}
	case *ipv2beta.ResourceType_ProjectId:
		out.Resource = &ipv2.ResourceType_ProjectId{ProjectId: v.ProjectId}
	case *ipv2beta.ResourceType_ProjectGrant_:
		out.Resource = &ipv2.ResourceType_ProjectGrant_{ProjectGrant: &ipv2.ResourceType_ProjectGrant{
			ProjectId: v.ProjectGrant.GetProjectId(), OrganizationId: v.ProjectGrant.GetOrganizationId()}}
	}
	return out
}

func createAdministratorV2(r *ipv2beta.CreateAdministratorRequest) *ipv2.CreateAdministratorRequest {
	return &ipv2.CreateAdministratorRequest{UserId: r.GetUserId(), Resource: resourceV2(r.GetResource()), Roles: r.GetRoles()}
}

func updateAdministratorV2(r *ipv2beta.UpdateAdministratorRequest) *ipv2.UpdateAdministratorRequest {
	return &ipv2.UpdateAdministratorRequest{UserId: r.GetUserId(), Resource: resourceV2(r.GetResource()), Roles: r.GetRoles()}
}

func deleteAdministratorV2(r *ipv2beta.DeleteAdministratorRequest) *ipv2.DeleteAdministratorRequest {
	return &ipv2.DeleteAdministratorRequest{UserId: r.GetUserId(), Resource: resourceV2(r.GetResource())}
}

func (s *InternalPermissionV2beta) CreateAdministrator(ctx context.Context, r *ipv2beta.CreateAdministratorRequest) (*ipv2beta.CreateAdministratorResponse, error) {
	out, err := s.v2.CreateAdministrator(ctx, createAdministratorV2(r))
	if err != nil {
		return nil, err
	}
	return &ipv2beta.CreateAdministratorResponse{CreationDate: out.GetCreationDate()}, nil
}

func (s *InternalPermissionV2beta) UpdateAdministrator(ctx context.Context, r *ipv2beta.UpdateAdministratorRequest) (*ipv2beta.UpdateAdministratorResponse, error) {
	out, err := s.v2.UpdateAdministrator(ctx, updateAdministratorV2(r))
	if err != nil {
		return nil, err
	}
	return &ipv2beta.UpdateAdministratorResponse{ChangeDate: out.GetChangeDate()}, nil
}

func (s *InternalPermissionV2beta) DeleteAdministrator(ctx context.Context, r *ipv2beta.DeleteAdministratorRequest) (*ipv2beta.DeleteAdministratorResponse, error) {
	out, err := s.v2.DeleteAdministrator(ctx, deleteAdministratorV2(r))
	if err != nil {
		return nil, err
	}
	return &ipv2beta.DeleteAdministratorResponse{DeletionDate: out.GetDeletionDate()}, nil
}

// grantRef names a project grant by its project and granted org, which
// v2's filter takes; ok is false for an unknown grant.
type grantRef func(grantID string) (projectID, grantedOrgID string, ok bool, err error)

// noGrant is an id no project or org has: the filter of an unknown grant,
// which matches nothing.
const noGrant = "-"

// timestampFilterV2: v2beta's GREATER and LESS are v2's AFTER and BEFORE,
// by the same numbers (an unknown number stays as it is, for v2 to refuse).
func timestampFilterV2(f *filterv2beta.TimestampFilter) *filterv2.TimestampFilter {
	m := map[filterv2beta.TimestampFilterMethod]filterv2.TimestampFilterMethod{
		filterv2beta.TimestampFilterMethod_TIMESTAMP_FILTER_METHOD_EQUALS:            filterv2.TimestampFilterMethod_TIMESTAMP_FILTER_METHOD_EQUALS,
		filterv2beta.TimestampFilterMethod_TIMESTAMP_FILTER_METHOD_GREATER:           filterv2.TimestampFilterMethod_TIMESTAMP_FILTER_METHOD_AFTER,
		filterv2beta.TimestampFilterMethod_TIMESTAMP_FILTER_METHOD_GREATER_OR_EQUALS: filterv2.TimestampFilterMethod_TIMESTAMP_FILTER_METHOD_AFTER_OR_EQUALS,
		filterv2beta.TimestampFilterMethod_TIMESTAMP_FILTER_METHOD_LESS:              filterv2.TimestampFilterMethod_TIMESTAMP_FILTER_METHOD_BEFORE,
		filterv2beta.TimestampFilterMethod_TIMESTAMP_FILTER_METHOD_LESS_OR_EQUALS:    filterv2.TimestampFilterMethod_TIMESTAMP_FILTER_METHOD_BEFORE_OR_EQUALS,
	}
	v2, ok := m[f.GetMethod()]
	if !ok {
		v2 = filterv2.TimestampFilterMethod(f.GetMethod())
	}
	return &filterv2.TimestampFilter{Timestamp: f.GetTimestamp(), Method: v2}
}

// listAdministratorsV2 converts the request; v2beta's project grant filter
// names the grant by id, which ref turns into v2's project and granted org.
func listAdministratorsV2(r *ipv2beta.ListAdministratorsRequest, ref grantRef) (*ipv2.ListAdministratorsRequest, error) {
	if len(r.GetFilters()) > maxQueries {
		return nil, errTooManyQueries
	}
	out := &ipv2.ListAdministratorsRequest{Pagination: paginationV2(r.Pagination), SortingColumn: ipv2.AdministratorFieldName(r.GetSortingColumn())}
	for _, q := range r.GetFilters() {
		f := &ipv2.AdministratorSearchFilter{}
		switch v := q.GetFilter().(type) {
		case *ipv2beta.AdministratorSearchFilter_CreationDate:
			f.Filter = &ipv2.AdministratorSearchFilter_CreationDate{CreationDate: timestampFilterV2(v.CreationDate)}
		case *ipv2beta.AdministratorSearchFilter_ChangeDate:
			f.Filter = &ipv2.AdministratorSearchFilter_ChangeDate{ChangeDate: timestampFilterV2(v.ChangeDate)}
		case *ipv2beta.AdministratorSearchFilter_InUserIdsFilter:
			f.Filter = &ipv2.AdministratorSearchFilter_InUserIdsFilter{InUserIdsFilter: inIDsV2(v.InUserIdsFilter)}
		case *ipv2beta.AdministratorSearchFilter_UserOrganizationId:
			f.Filter = &ipv2.AdministratorSearchFilter_UserOrganizationId{UserOrganizationId: idV2(v.UserOrganizationId)}
		case *ipv2beta.AdministratorSearchFilter_UserPreferredLoginName:
			f.Filter = &ipv2.AdministratorSearchFilter_UserPreferredLoginName{UserPreferredLoginName: &ipv2.UserPreferredLoginNameFilter{
				PreferredLoginName: v.UserPreferredLoginName.GetPreferredLoginName(), Method: textMethodV2(v.UserPreferredLoginName.GetMethod())}}
		case *ipv2beta.AdministratorSearchFilter_UserDisplayName:
			f.Filter = &ipv2.AdministratorSearchFilter_UserDisplayName{UserDisplayName: &ipv2.UserDisplayNameFilter{
				DisplayName: v.UserDisplayName.GetDisplayName(), Method: textMethodV2(v.UserDisplayName.GetMethod())}}
		case *ipv2beta.AdministratorSearchFilter_Resource:
			rf := &ipv2.ResourceFilter{}
			switch rv := v.Resource.GetResource().(type) {
			case *ipv2beta.ResourceFilter_Instance:
				rf.Resource = &ipv2.ResourceFilter_Instance{Instance: rv.Instance}
			case *ipv2beta.ResourceFilter_OrganizationId:
				rf.Resource = &ipv2.ResourceFilter_OrganizationId{OrganizationId: rv.OrganizationId}
			case *ipv2beta.ResourceFilter_ProjectId:
				rf.Resource = &ipv2.ResourceFilter_ProjectId{ProjectId: rv.ProjectId}
			case *ipv2beta.ResourceFilter_ProjectGrantId:
				p, o, ok, err := ref(rv.ProjectGrantId)
				if err != nil {
					return nil, err
				}
				if !ok {
					p, o = noGrant, noGrant
				}
				rf.Resource = &ipv2.ResourceFilter_ProjectGrant_{ProjectGrant: &ipv2.ResourceFilter_ProjectGrant{ProjectId: p, OrganizationId: o}}
			}
			f.Filter = &ipv2.AdministratorSearchFilter_Resource{Resource: rf}
		default: // role, and, or, not: not in ZITADEL's v2beta either
			return nil, errOrgQuery
		}
		out.Filters = append(out.Filters, f)
	}
	return out, nil
}

func (s *InternalPermissionV2beta) ListAdministrators(ctx context.Context, r *ipv2beta.ListAdministratorsRequest) (*ipv2beta.ListAdministratorsResponse, error) {
	in, err := listAdministratorsV2(r, func(id string) (string, string, bool, error) { return s.v2.app.ProjectGrantRef(ctx, id) })
	if err != nil {
		return nil, err
	}
	out, err := s.v2.ListAdministrators(ctx, in)
	if err != nil {
		return nil, err
	}
	return listAdministratorsV2beta(out), nil
}

func listAdministratorsV2beta(r *ipv2.ListAdministratorsResponse) *ipv2beta.ListAdministratorsResponse {
	out := &ipv2beta.ListAdministratorsResponse{Pagination: paginationV2beta(r.GetPagination()),
		Administrators: make([]*ipv2beta.Administrator, len(r.GetAdministrators()))}
	for i, a := range r.GetAdministrators() {
		b := &ipv2beta.Administrator{CreationDate: a.GetCreationDate(), ChangeDate: a.GetChangeDate(), Roles: a.GetRoles(),
			User: &ipv2beta.User{Id: a.GetUser().GetId(), PreferredLoginName: a.GetUser().GetPreferredLoginName(),
				DisplayName: a.GetUser().GetDisplayName(), OrganizationId: a.GetUser().GetOrganizationId()}}
		switch v := a.GetResource().(type) {
		case *ipv2.Administrator_Instance:
			b.Resource = &ipv2beta.Administrator_Instance{Instance: v.Instance}
		case *ipv2.Administrator_Organization:
			b.Resource = &ipv2beta.Administrator_Organization{Organization: &ipv2beta.Organization{Id: v.Organization.GetId(), Name: v.Organization.GetName()}}
		case *ipv2.Administrator_Project:
			b.Resource = &ipv2beta.Administrator_Project{Project: &ipv2beta.Project{Id: v.Project.GetId(), Name: v.Project.GetName(),
				OrganizationId: v.Project.GetOrganizationId()}}
		case *ipv2.Administrator_ProjectGrant:
			g := v.ProjectGrant
			b.Resource = &ipv2beta.Administrator_ProjectGrant{ProjectGrant: &ipv2beta.ProjectGrant{Id: g.GetId(), ProjectId: g.GetProjectId(),
				ProjectName: g.GetProjectName(), OrganizationId: g.GetOrganizationId(), GrantedOrganizationId: g.GetGrantedOrganizationId()}}
		}
		out.Administrators[i] = b
	}
	return out
}
