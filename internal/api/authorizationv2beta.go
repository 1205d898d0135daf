package api

import (
	"context"

	authzv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/authorization/v2"
	authzv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/authorization/v2beta"
	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	filterv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2beta"
)

// AuthorizationV2beta implements zitadel.authorization.v2beta.AuthorizationService,
// which @zitadel/client 1.3 calls, in front of the v2 service. Unlike the
// user service, v2beta's messages are not v2's on the wire (its
// Authorization is flat, its user filter is one id), so every request and
// answer is converted field by field here; TestV2betaRequestsConverted
// fails when a v2beta request field is neither converted nor refused.
type AuthorizationV2beta struct {
	authzv2beta.UnimplementedAuthorizationServiceServer
	v2 *AuthorizationV2
}

// NewAuthorizationV2beta returns the v2beta authorization service over v2.
func NewAuthorizationV2beta(v2 *AuthorizationV2) *AuthorizationV2beta {
	return &AuthorizationV2beta{v2: v2}
}

func (s *AuthorizationV2beta) CreateAuthorization(ctx context.Context, r *authzv2beta.CreateAuthorizationRequest) (*authzv2beta.CreateAuthorizationResponse, error) {
	out, err := s.v2.CreateAuthorization(ctx, createAuthorizationV2(r))
	if err != nil {
		return nil, err
	}
	return &authzv2beta.CreateAuthorizationResponse{Id: out.GetId(), CreationDate: out.GetCreationDate()}, nil
}

// createAuthorizationV2: v2beta's organization_id is optional; left out, it
// is v2's empty one, and the use case decides what that means.
func createAuthorizationV2(r *authzv2beta.CreateAuthorizationRequest) *authzv2.CreateAuthorizationRequest {
	return &authzv2.CreateAuthorizationRequest{UserId: r.GetUserId(), ProjectId: r.GetProjectId(),
		OrganizationId: r.GetOrganizationId(), RoleKeys: r.GetRoleKeys()}
}

func (s *AuthorizationV2beta) UpdateAuthorization(ctx context.Context, r *authzv2beta.UpdateAuthorizationRequest) (*authzv2beta.UpdateAuthorizationResponse, error) {
	out, err := s.v2.UpdateAuthorization(ctx, updateAuthorizationV2(r))
	if err != nil {
		return nil, err
	}
	return &authzv2beta.UpdateAuthorizationResponse{ChangeDate: out.GetChangeDate()}, nil
}

func updateAuthorizationV2(r *authzv2beta.UpdateAuthorizationRequest) *authzv2.UpdateAuthorizationRequest {
	return &authzv2.UpdateAuthorizationRequest{Id: r.GetId(), RoleKeys: r.GetRoleKeys()}
}

func (s *AuthorizationV2beta) DeleteAuthorization(ctx context.Context, r *authzv2beta.DeleteAuthorizationRequest) (*authzv2beta.DeleteAuthorizationResponse, error) {
	out, err := s.v2.DeleteAuthorization(ctx, deleteAuthorizationV2(r))
	if err != nil {
		return nil, err
	}
	return &authzv2beta.DeleteAuthorizationResponse{DeletionDate: out.GetDeletionDate()}, nil
}

func (s *AuthorizationV2beta) ActivateAuthorization(ctx context.Context, r *authzv2beta.ActivateAuthorizationRequest) (*authzv2beta.ActivateAuthorizationResponse, error) {
	out, err := s.v2.ActivateAuthorization(ctx, activateAuthorizationV2(r))
	if err != nil {
		return nil, err
	}
	return &authzv2beta.ActivateAuthorizationResponse{ChangeDate: out.GetChangeDate()}, nil
}

func (s *AuthorizationV2beta) DeactivateAuthorization(ctx context.Context, r *authzv2beta.DeactivateAuthorizationRequest) (*authzv2beta.DeactivateAuthorizationResponse, error) {
	out, err := s.v2.DeactivateAuthorization(ctx, deactivateAuthorizationV2(r))
	if err != nil {
		return nil, err
	}
	return &authzv2beta.DeactivateAuthorizationResponse{ChangeDate: out.GetChangeDate()}, nil
}

func (s *AuthorizationV2beta) ListAuthorizations(ctx context.Context, r *authzv2beta.ListAuthorizationsRequest) (*authzv2beta.ListAuthorizationsResponse, error) {
	in, err := listAuthorizationsV2(r)
	if err != nil {
		return nil, err
	}
	out, err := s.v2.ListAuthorizations(ctx, in)
	if err != nil {
		return nil, err
	}
	return listAuthorizationsV2beta(out), nil
}

func paginationV2(p *filterv2beta.PaginationRequest) *filterv2.PaginationRequest {
	if p == nil {
		return nil
	}
	return &filterv2.PaginationRequest{Offset: p.GetOffset(), Limit: p.GetLimit(), Asc: p.GetAsc()}
}

func paginationV2beta(p *filterv2.PaginationResponse) *filterv2beta.PaginationResponse {
	if p == nil {
		return nil
	}
	return &filterv2beta.PaginationResponse{TotalResult: p.GetTotalResult(), AppliedLimit: p.GetAppliedLimit()}
}

// The v2beta and v2 enums converted by number here and in projectv2beta.go
// have the same numbers and names (TestV2betaEnumsMatchV2).
func textMethodV2(m filterv2beta.TextFilterMethod) filterv2.TextFilterMethod {
	return filterv2.TextFilterMethod(m)
}

func inIDsV2(f *filterv2beta.InIDsFilter) *filterv2.InIDsFilter {
	return &filterv2.InIDsFilter{Ids: f.GetIds()}
}

func idV2(f *filterv2beta.IDFilter) *filterv2.IDFilter { return &filterv2.IDFilter{Id: f.GetId()} }

// listAuthorizationsV2 converts the request. v2beta's user_id filter (one
// id) is v2's in_user_ids with that one id; the sorting column, optional in
// v2beta, is v2's plain one (unset is UNSPECIFIED in both).
func listAuthorizationsV2(r *authzv2beta.ListAuthorizationsRequest) (*authzv2.ListAuthorizationsRequest, error) {
	out := &authzv2.ListAuthorizationsRequest{Pagination: paginationV2(r.Pagination),
		SortingColumn: authzv2.AuthorizationFieldName(r.GetSortingColumn())}
	if len(r.GetFilters()) > maxQueries {
		return nil, errTooManyQueries
	}
	for _, q := range r.GetFilters() {
		var f authzv2.AuthorizationsSearchFilter
		switch v := q.GetFilter().(type) {
		case *authzv2beta.AuthorizationsSearchFilter_AuthorizationIds:
			f.Filter = &authzv2.AuthorizationsSearchFilter_AuthorizationIds{AuthorizationIds: inIDsV2(v.AuthorizationIds)}
		case *authzv2beta.AuthorizationsSearchFilter_OrganizationId:
			f.Filter = &authzv2.AuthorizationsSearchFilter_OrganizationId{OrganizationId: idV2(v.OrganizationId)}
		case *authzv2beta.AuthorizationsSearchFilter_State:
			f.Filter = &authzv2.AuthorizationsSearchFilter_State{State: &authzv2.StateQuery{State: authzv2.State(v.State.GetState())}}
		case *authzv2beta.AuthorizationsSearchFilter_UserId:
			f.Filter = &authzv2.AuthorizationsSearchFilter_InUserIds{InUserIds: &filterv2.InIDsFilter{Ids: []string{v.UserId.GetId()}}}
		case *authzv2beta.AuthorizationsSearchFilter_InUserIds:
			f.Filter = &authzv2.AuthorizationsSearchFilter_InUserIds{InUserIds: inIDsV2(v.InUserIds)}
		case *authzv2beta.AuthorizationsSearchFilter_UserOrganizationId:
			f.Filter = &authzv2.AuthorizationsSearchFilter_UserOrganizationId{UserOrganizationId: idV2(v.UserOrganizationId)}
		case *authzv2beta.AuthorizationsSearchFilter_UserPreferredLoginName:
			f.Filter = &authzv2.AuthorizationsSearchFilter_UserPreferredLoginName{UserPreferredLoginName: &authzv2.UserPreferredLoginNameQuery{
				LoginName: v.UserPreferredLoginName.GetLoginName(), Method: textMethodV2(v.UserPreferredLoginName.GetMethod())}}
		case *authzv2beta.AuthorizationsSearchFilter_UserDisplayName:
			f.Filter = &authzv2.AuthorizationsSearchFilter_UserDisplayName{UserDisplayName: &authzv2.UserDisplayNameQuery{
				DisplayName: v.UserDisplayName.GetDisplayName(), Method: textMethodV2(v.UserDisplayName.GetMethod())}}
		case *authzv2beta.AuthorizationsSearchFilter_ProjectId:
			f.Filter = &authzv2.AuthorizationsSearchFilter_ProjectId{ProjectId: idV2(v.ProjectId)}
		case *authzv2beta.AuthorizationsSearchFilter_ProjectName:
			f.Filter = &authzv2.AuthorizationsSearchFilter_ProjectName{ProjectName: &authzv2.ProjectNameQuery{
				Name: v.ProjectName.GetName(), Method: textMethodV2(v.ProjectName.GetMethod())}}
		case *authzv2beta.AuthorizationsSearchFilter_RoleKey:
			f.Filter = &authzv2.AuthorizationsSearchFilter_RoleKey{RoleKey: &authzv2.RoleKeyQuery{
				Key: v.RoleKey.GetKey(), Method: textMethodV2(v.RoleKey.GetMethod())}}
		case *authzv2beta.AuthorizationsSearchFilter_ProjectGrantId:
			f.Filter = &authzv2.AuthorizationsSearchFilter_ProjectGrantId{ProjectGrantId: idV2(v.ProjectGrantId)}
		default: // an empty filter, as v2 answers it
			return nil, errQueryUnsupported
		}
		out.Filters = append(out.Filters, &f)
	}
	return out, nil
}

// listAuthorizationsV2beta flattens v2's nested Authorization into v2beta's:
// its roles are the keys alone; the project grant fields stay unset, as v2's
// Authorization, which this flattens, does not carry them.
func listAuthorizationsV2beta(r *authzv2.ListAuthorizationsResponse) *authzv2beta.ListAuthorizationsResponse {
	out := &authzv2beta.ListAuthorizationsResponse{Pagination: paginationV2beta(r.GetPagination()),
		Authorizations: make([]*authzv2beta.Authorization, len(r.GetAuthorizations()))}
	for i, a := range r.GetAuthorizations() {
		b := &authzv2beta.Authorization{Id: a.GetId(), ProjectId: a.GetProject().GetId(), ProjectName: a.GetProject().GetName(),
			ProjectOrganizationId: a.GetProject().GetOrganizationId(), OrganizationId: a.GetOrganization().GetId(),
			CreationDate: a.GetCreationDate(), ChangeDate: a.GetChangeDate(), State: authzv2beta.State(a.GetState()),
			User: &authzv2beta.User{Id: a.GetUser().GetId(), PreferredLoginName: a.GetUser().GetPreferredLoginName(),
				DisplayName: a.GetUser().GetDisplayName(), AvatarUrl: a.GetUser().GetAvatarUrl(), OrganizationId: a.GetUser().GetOrganizationId()}}
		for _, role := range a.GetRoles() {
			b.Roles = append(b.Roles, role.GetKey())
		}
		out.Authorizations[i] = b
	}
	return out
}

func deleteAuthorizationV2(r *authzv2beta.DeleteAuthorizationRequest) *authzv2.DeleteAuthorizationRequest {
	return &authzv2.DeleteAuthorizationRequest{Id: r.GetId()}
}

func activateAuthorizationV2(r *authzv2beta.ActivateAuthorizationRequest) *authzv2.ActivateAuthorizationRequest {
	return &authzv2.ActivateAuthorizationRequest{Id: r.GetId()}
}

func deactivateAuthorizationV2(r *authzv2beta.DeactivateAuthorizationRequest) *authzv2.DeactivateAuthorizationRequest {
	return &authzv2.DeactivateAuthorizationRequest{Id: r.GetId()}
}
