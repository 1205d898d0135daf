package api

import (
	"context"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/store"
	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	ipv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/internal_permission/v2"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// InternalPermissionV2 implements zitadel.internal_permission.v2's
// administrators: the memberships of the instance, an org, a project or a
// project grant, as the request's resource says, through their v1 use cases
// (app.ChangeAdministrator, app.ListAdministrators). It has no org context
// and no REST mapping.
type InternalPermissionV2 struct {
	ipv2.UnimplementedInternalPermissionServiceServer
	app *app.App
}

// NewInternalPermissionV2 returns the v2 internal permission service.
func NewInternalPermissionV2(a *app.App) *InternalPermissionV2 { return &InternalPermissionV2{app: a} }

// adminResource converts a request's resource; missing is ZITADEL's id of
// the method for a request without one. instance: false names nothing, which
// ZITADEL answers with success and no change; Warden refuses it the same way.
func adminResource(r *ipv2.ResourceType, missing error) (app.AdminResource, error) {
	switch v := r.GetResource().(type) {
	case *ipv2.ResourceType_Instance:
		if v.Instance {
			return app.AdminResource{Instance: true}, nil
		}
	case *ipv2.ResourceType_OrganizationId:
		return app.AdminResource{OrgID: v.OrganizationId}, nil
	case *ipv2.ResourceType_ProjectId:
		return app.AdminResource{ProjectID: v.ProjectId}, nil
	case *ipv2.ResourceType_ProjectGrant_:
		return app.AdminResource{Grant: true, ProjectID: v.ProjectGrant.GetProjectId(), GrantedOrgID: v.ProjectGrant.GetOrganizationId()}, nil
	}
	return app.AdminResource{}, missing
}

func (s *InternalPermissionV2) change(ctx context.Context, res *ipv2.ResourceType, missing error, userID string, roles []string, kind app.MemberChange) (*timestamppb.Timestamp, error) {
	r, err := adminResource(res, missing)
	if err != nil {
		return nil, err
	}
	at, err := s.app.ChangeAdministrator(ctx, caller(ctx), r, userID, roles, kind)
	if err != nil {
		return nil, err
	}
	return ts(at), nil
}

func (s *InternalPermissionV2) CreateAdministrator(ctx context.Context, r *ipv2.CreateAdministratorRequest) (*ipv2.CreateAdministratorResponse, error) {
	at, err := s.change(ctx, r.GetResource(), errAdminCreateResource, r.GetUserId(), r.GetRoles(), app.MemberAdd)
	if err != nil {
		return nil, err
	}
	return &ipv2.CreateAdministratorResponse{CreationDate: at}, nil
}

func (s *InternalPermissionV2) UpdateAdministrator(ctx context.Context, r *ipv2.UpdateAdministratorRequest) (*ipv2.UpdateAdministratorResponse, error) {
	at, err := s.change(ctx, r.GetResource(), errAdminUpdateResource, r.GetUserId(), r.GetRoles(), app.MemberUpdate)
	if err != nil {
		return nil, err
	}
	return &ipv2.UpdateAdministratorResponse{ChangeDate: at}, nil
}

func (s *InternalPermissionV2) DeleteAdministrator(ctx context.Context, r *ipv2.DeleteAdministratorRequest) (*ipv2.DeleteAdministratorResponse, error) {
	at, err := s.change(ctx, r.GetResource(), errAdminDeleteResource, r.GetUserId(), nil, app.MemberRemove)
	if err != nil {
		return nil, err
	}
	return &ipv2.DeleteAdministratorResponse{DeletionDate: at}, nil
}

// maxAdminFilters bounds the filters of one ListAdministrators, nested ones
// counted, so a deep tree of And and Or cannot make one request expensive.
const maxAdminFilters = 5 * maxQueries

// adminQueries converts ListAdministrators' filters, as ZITADEL reads them:
// its login and display name filters compare for equality whatever their
// method, and deeper nesting than 20 levels is refused.
func adminQueries(fs []*ipv2.AdministratorSearchFilter, depth int, count *int) ([]app.AdminQuery, error) {
	out := make([]app.AdminQuery, 0, len(fs))
	for _, f := range fs {
		q, err := adminQuery(f, depth, count)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

func adminQuery(f *ipv2.AdministratorSearchFilter, depth int, count *int) (app.AdminQuery, error) {
	var q app.AdminQuery
	if depth > app.MaxAdminQueryDepth {
		return q, errAdminQueryDepth
	}
	if *count++; *count > maxAdminFilters {
		return q, errTooManyQueries
	}
	var err error
	switch v := f.GetFilter().(type) {
	case *ipv2.AdministratorSearchFilter_InUserIdsFilter:
		if len(v.InUserIdsFilter.GetIds()) > 1000 {
			return q, errTooManyIDs
		}
		q.UserIDs = append([]string{}, v.InUserIdsFilter.GetIds()...)
	case *ipv2.AdministratorSearchFilter_CreationDate:
		q.Created, err = timeMatch(v.CreationDate)
	case *ipv2.AdministratorSearchFilter_ChangeDate:
		q.Changed, err = timeMatch(v.ChangeDate)
	case *ipv2.AdministratorSearchFilter_UserOrganizationId:
		id := v.UserOrganizationId.GetId()
		q.UserOrgID = &id
	case *ipv2.AdministratorSearchFilter_UserPreferredLoginName:
		n := v.UserPreferredLoginName.GetPreferredLoginName()
		q.LoginName = &n
	case *ipv2.AdministratorSearchFilter_UserDisplayName:
		n := v.UserDisplayName.GetDisplayName()
		q.DisplayName = &n
	case *ipv2.AdministratorSearchFilter_Resource:
		var r app.AdminResource
		switch rv := v.Resource.GetResource().(type) {
		case *ipv2.ResourceFilter_Instance:
			r.Instance = rv.Instance
		case *ipv2.ResourceFilter_OrganizationId:
			r.OrgID = rv.OrganizationId
		case *ipv2.ResourceFilter_ProjectId:
			r.ProjectID = rv.ProjectId
		case *ipv2.ResourceFilter_ProjectGrant_:
			r.Grant, r.ProjectID, r.GrantedOrgID = true, rv.ProjectGrant.GetProjectId(), rv.ProjectGrant.GetOrganizationId()
			if r.ProjectID == "" || r.GrantedOrgID == "" {
				return q, errAdminGrantFilter
			}
		}
		q.Resource = &r
	case *ipv2.AdministratorSearchFilter_Role:
		k := v.Role.GetRoleKey()
		q.Role = &k
	case *ipv2.AdministratorSearchFilter_And:
		q.And, err = adminQueries(v.And.GetQueries(), depth+1, count)
		if q.And == nil && err == nil {
			q.And = []app.AdminQuery{}
		}
	case *ipv2.AdministratorSearchFilter_Or:
		q.Or, err = adminQueries(v.Or.GetQueries(), depth+1, count)
		if q.Or == nil && err == nil {
			q.Or = []app.AdminQuery{}
		}
	case *ipv2.AdministratorSearchFilter_Not:
		var n app.AdminQuery
		n, err = adminQuery(v.Not.GetQuery(), depth+1, count)
		q.Not = &n
	default:
		return q, errAdminQuery
	}
	return q, err
}

func timeMatch(f *filterv2.TimestampFilter) (*app.TimeMatch, error) {
	m := f.GetMethod()
	if m < filterv2.TimestampFilterMethod_TIMESTAMP_FILTER_METHOD_EQUALS || m > filterv2.TimestampFilterMethod_TIMESTAMP_FILTER_METHOD_BEFORE_OR_EQUALS {
		return nil, errQueryMethod
	}
	at := time.Time{}
	if f.GetTimestamp() != nil {
		if err := f.GetTimestamp().CheckValid(); err != nil {
			return nil, errTimestamp
		}
		at = f.GetTimestamp().AsTime()
	}
	return &app.TimeMatch{At: at, Method: app.TimeMethod(m)}, nil
}

func (s *InternalPermissionV2) ListAdministrators(ctx context.Context, r *ipv2.ListAdministratorsRequest) (*ipv2.ListAdministratorsResponse, error) {
	count := 0
	qs, err := adminQueries(r.GetFilters(), 0, &count)
	if err != nil {
		return nil, err
	}
	pg, err := page(r.GetPagination().GetOffset(), r.GetPagination().GetLimit(), r.GetPagination().GetAsc())
	if err != nil {
		return nil, err
	}
	if r.GetSortingColumn() < 0 || r.GetSortingColumn() > ipv2.AdministratorFieldName_ADMINISTRATOR_FIELD_NAME_CHANGE_DATE {
		return nil, errSortColumn
	}
	vs, total, err := s.app.ListAdministrators(ctx, caller(ctx), qs, app.AdminSort(r.GetSortingColumn()), pg)
	if err != nil {
		return nil, err
	}
	out := &ipv2.ListAdministratorsResponse{Pagination: &filterv2.PaginationResponse{TotalResult: total, AppliedLimit: uint64(store.ClampLimit(pg.Limit))},
		Administrators: make([]*ipv2.Administrator, len(vs))}
	for i, v := range vs {
		out.Administrators[i] = s.administrator(v)
	}
	return out, nil
}

// administrator renders one membership. The user's names are given only where
// the caller may read the user (as the v1 member lists do); its id always.
func (s *InternalPermissionV2) administrator(v *app.AdminView) *ipv2.Administrator {
	out := &ipv2.Administrator{CreationDate: ts(v.Member.CreatedAt), ChangeDate: ts(v.Member.ChangedAt),
		User: &ipv2.User{Id: v.Member.UserID}, Roles: v.Member.Roles}
	if u := v.User; u != nil {
		out.User.OrganizationId = u.OrgID
		out.User.PreferredLoginName = s.app.LoginName(u, v.UserOrg)
		out.User.DisplayName = v.DisplayName()
	}
	switch v.Kind {
	case app.AdminInstance:
		out.Resource = &ipv2.Administrator_Instance{Instance: true}
	case app.AdminOrg:
		out.Resource = &ipv2.Administrator_Organization{Organization: &ipv2.Organization{Id: v.Org.ID, Name: v.Org.Name}}
	case app.AdminProject:
		out.Resource = &ipv2.Administrator_Project{Project: &ipv2.Project{Id: v.Project.ID, Name: v.Project.Name, OrganizationId: v.Project.OrgID}}
	case app.AdminProjectGrant:
		out.Resource = &ipv2.Administrator_ProjectGrant{ProjectGrant: &ipv2.ProjectGrant{Id: v.Grant.ID, ProjectId: v.Grant.ProjectID,
			ProjectName: v.Project.Name, OrganizationId: v.Grant.OrgID, GrantedOrganizationId: v.Grant.GrantedOrgID}}
	}
	return out
}
