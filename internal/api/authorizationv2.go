package api

import (
	"context"
	"slices"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/store"
	authzv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/authorization/v2"
	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
)

// AuthorizationV2 implements zitadel.authorization.v2.AuthorizationService:
// the user grants of Management v1 under v2's names. v2 has no org context;
// the app's v2 forms take the org from the request or the grant.
type AuthorizationV2 struct {
	authzv2.UnimplementedAuthorizationServiceServer
	app *app.App
}

// NewAuthorizationV2 returns the v2 authorization service.
func NewAuthorizationV2(a *app.App) *AuthorizationV2 { return &AuthorizationV2{app: a} }

func (s *AuthorizationV2) CreateAuthorization(ctx context.Context, r *authzv2.CreateAuthorizationRequest) (*authzv2.CreateAuthorizationResponse, error) {
	g, err := s.app.CreateAuthorization(ctx, caller(ctx), r.GetOrganizationId(),
		app.GrantInput{UserID: r.GetUserId(), ProjectID: r.GetProjectId(), RoleKeys: r.GetRoleKeys()})
	if err != nil {
		return nil, err
	}
	return &authzv2.CreateAuthorizationResponse{Id: g.ID, CreationDate: ts(g.CreatedAt)}, nil
}

func (s *AuthorizationV2) UpdateAuthorization(ctx context.Context, r *authzv2.UpdateAuthorizationRequest) (*authzv2.UpdateAuthorizationResponse, error) {
	g, err := s.app.UpdateAuthorization(ctx, caller(ctx), r.GetId(), r.GetRoleKeys())
	if err != nil {
		return nil, err
	}
	return &authzv2.UpdateAuthorizationResponse{ChangeDate: ts(g.ChangedAt)}, nil
}

func (s *AuthorizationV2) DeleteAuthorization(ctx context.Context, r *authzv2.DeleteAuthorizationRequest) (*authzv2.DeleteAuthorizationResponse, error) {
	o, err := s.app.DeleteAuthorization(ctx, caller(ctx), r.GetId())
	if err != nil {
		return nil, err
	}
	return &authzv2.DeleteAuthorizationResponse{DeletionDate: ts(o.ChangedAt)}, nil
}

func (s *AuthorizationV2) ActivateAuthorization(ctx context.Context, r *authzv2.ActivateAuthorizationRequest) (*authzv2.ActivateAuthorizationResponse, error) {
	g, err := s.app.SetAuthorizationActive(ctx, caller(ctx), r.GetId(), true)
	if err != nil {
		return nil, err
	}
	return &authzv2.ActivateAuthorizationResponse{ChangeDate: ts(g.ChangedAt)}, nil
}

func (s *AuthorizationV2) DeactivateAuthorization(ctx context.Context, r *authzv2.DeactivateAuthorizationRequest) (*authzv2.DeactivateAuthorizationResponse, error) {
	g, err := s.app.SetAuthorizationActive(ctx, caller(ctx), r.GetId(), false)
	if err != nil {
		return nil, err
	}
	return &authzv2.DeactivateAuthorizationResponse{ChangeDate: ts(g.ChangedAt)}, nil
}

func (s *AuthorizationV2) ListAuthorizations(ctx context.Context, r *authzv2.ListAuthorizationsRequest) (*authzv2.ListAuthorizationsResponse, error) {
	f, err := authorizationFilter(r.GetFilters())
	if err != nil {
		return nil, err
	}
	pg, err := page(r.GetPagination().GetOffset(), r.GetPagination().GetLimit(), r.GetPagination().GetAsc())
	if err != nil {
		return nil, err
	}
	if r.GetSortingColumn() < 0 || r.GetSortingColumn() > authzv2.AuthorizationFieldName_AUTHORIZATION_FIELD_NAME_USER_ORGANIZATION_ID {
		return nil, errSortColumn
	}
	views, total, err := s.app.ListAuthorizations(ctx, caller(ctx), f, app.AuthorizationSort(r.GetSortingColumn()), pg)
	if err != nil {
		return nil, err
	}
	out := &authzv2.ListAuthorizationsResponse{
		Pagination:     &filterv2.PaginationResponse{TotalResult: total, AppliedLimit: uint64(store.ClampLimit(pg.Limit))},
		Authorizations: make([]*authzv2.Authorization, len(views)),
	}
	for i, v := range views {
		out.Authorizations[i] = s.authorizationV2(v)
	}
	return out, nil
}

func (s *AuthorizationV2) authorizationV2(v *app.AuthorizationView) *authzv2.Authorization {
	out := &authzv2.Authorization{Id: v.ID, CreationDate: ts(v.CreatedAt), ChangeDate: ts(v.ChangedAt),
		Project: &authzv2.Project{Id: v.ProjectID, OrganizationId: v.OrgID}, Organization: &authzv2.Organization{Id: v.OrgID},
		User: &authzv2.User{Id: v.UserID}, State: authzv2.State(v.State), Roles: make([]*authzv2.Role, len(v.Roles))}
	if v.Project != nil {
		out.Project.Name = v.Project.Name
	}
	if v.Org != nil {
		out.Organization.Name = v.Org.Name
	}
	if u := v.User; u != nil {
		out.User.OrganizationId = u.OrgID
		out.User.PreferredLoginName = s.app.LoginName(u, v.UserOrg)
		if h := u.Human; h != nil {
			out.User.DisplayName = h.DisplayName
		} else if u.Machine != nil {
			out.User.DisplayName = u.Machine.Name
		}
	}
	for i, r := range v.Roles {
		out.Roles[i] = &authzv2.Role{Key: r.Key, DisplayName: r.DisplayName, Group: r.Group}
	}
	return out
}

// authorizationFilter converts ListAuthorizations' filters, which ZITADEL
// ANDs: two id filters naming different ids match nothing.
func authorizationFilter(fs []*authzv2.AuthorizationsSearchFilter) (app.AuthorizationFilter, error) {
	var f app.AuthorizationFilter
	if len(fs) > maxQueries {
		return f, errTooManyQueries
	}
	and := func(have []string, ids ...string) []string {
		if have == nil {
			return append([]string{}, ids...)
		}
		return slices.DeleteFunc(slices.Clone(have), func(id string) bool { return !slices.Contains(ids, id) })
	}
	text := func(v string, m filterv2.TextFilterMethod) (store.TextMatch, error) {
		return textMatch(v, object.TextQueryMethod(m)) // the same numbers
	}
	for _, q := range fs {
		var err error
		var tm store.TextMatch
		switch v := q.GetFilter().(type) {
		case *authzv2.AuthorizationsSearchFilter_AuthorizationIds:
			f.IDs = and(f.IDs, v.AuthorizationIds.GetIds()...)
		case *authzv2.AuthorizationsSearchFilter_OrganizationId:
			f.OrgIDs = and(f.OrgIDs, v.OrganizationId.GetId())
		case *authzv2.AuthorizationsSearchFilter_State:
			st := int(v.State.GetState())
			if f.States == nil {
				f.States = []int{st}
			} else if !slices.Contains(f.States, st) {
				f.States = []int{}
			}
		case *authzv2.AuthorizationsSearchFilter_InUserIds:
			f.UserIDs = and(f.UserIDs, v.InUserIds.GetIds()...)
		case *authzv2.AuthorizationsSearchFilter_UserOrganizationId:
			f.UserOrgIDs = and(f.UserOrgIDs, v.UserOrganizationId.GetId())
		case *authzv2.AuthorizationsSearchFilter_UserPreferredLoginName:
			if tm, err = text(v.UserPreferredLoginName.GetLoginName(), v.UserPreferredLoginName.GetMethod()); err == nil {
				f.LoginNames = append(f.LoginNames, tm)
			}
		case *authzv2.AuthorizationsSearchFilter_UserDisplayName:
			if tm, err = text(v.UserDisplayName.GetDisplayName(), v.UserDisplayName.GetMethod()); err == nil {
				f.DisplayNames = append(f.DisplayNames, tm)
			}
		case *authzv2.AuthorizationsSearchFilter_ProjectId:
			f.ProjectIDs = and(f.ProjectIDs, v.ProjectId.GetId())
		case *authzv2.AuthorizationsSearchFilter_ProjectName:
			if tm, err = text(v.ProjectName.GetName(), v.ProjectName.GetMethod()); err == nil {
				f.ProjectNames = append(f.ProjectNames, tm)
			}
		case *authzv2.AuthorizationsSearchFilter_RoleKey:
			// ZITADEL matches the key exactly, whatever the method says.
			if tm, err = text(v.RoleKey.GetKey(), filterv2.TextFilterMethod_TEXT_FILTER_METHOD_EQUALS); err == nil {
				f.RoleKeys = append(f.RoleKeys, tm)
			}
		case *authzv2.AuthorizationsSearchFilter_ProjectGrantId:
			// Those given through that project grant (by the org it was granted to).
			f.ProjectGrantIDs = and(f.ProjectGrantIDs, v.ProjectGrantId.GetId())
		default:
			return f, errQueryUnsupported
		}
		if err != nil {
			return f, err
		}
	}
	return f, nil
}
