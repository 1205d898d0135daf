package compat

import (
	"slices"
	"strings"
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client"
	authzv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/authorization/v2"
	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
	"github.com/zitadel/zitadel-go/v3/pkg/zitadel"
	"google.golang.org/grpc/codes"
)

// authorizationsV2 is zitadel-go's own client (pkg/client) for
// AuthorizationService v2, speaking with pat.
func (s *server) authorizationsV2(t testing.TB, pat string) authzv2.AuthorizationServiceClient {
	t.Helper()
	port := s.addr[strings.LastIndexByte(s.addr, ':')+1:]
	c, err := client.New(ctx(t), zitadel.New("127.0.0.1", zitadel.WithInsecure(port)), client.WithAuth(client.PAT(pat)))
	mustOK(t, "client.New", err)
	return c.AuthorizationServiceV2()
}

// TestAuthorizationServiceV2: zitadel-go v3.29.0's AuthorizationServiceV2
// client creates, lists, updates, deactivates, activates and deletes a grant
// that Management v1 then sees the same; ZITADEL's ids answer a duplicate and
// an unknown id; an owner of another org cannot touch or list it.
func TestAuthorizationServiceV2(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		admin := s.mgmt(t, s.adminPAT)
		org := myOrg(t, admin)
		az := s.authorizationsV2(t, s.adminPAT)
		p, err := admin.AddProject(ctx(t), &management.AddProjectRequest{Name: unique("authz")})
		mustOK(t, "AddProject", err)
		_, err = admin.BulkAddProjectRoles(ctx(t), &management.BulkAddProjectRolesRequest{ProjectId: p.GetId(),
			Roles: []*management.BulkAddProjectRolesRequest_Role{{Key: "admin", DisplayName: "Admin"}, {Key: "reader"}}})
		mustOK(t, "BulkAddProjectRoles", err)
		u := importHuman(t, admin, unique("granted")).GetUserId()

		cr, err := az.CreateAuthorization(ctx(t), &authzv2.CreateAuthorizationRequest{UserId: u, ProjectId: p.GetId(), OrganizationId: org, RoleKeys: []string{"reader"}})
		mustOK(t, "CreateAuthorization", err)
		recent(t, "CreateAuthorization", cr.GetCreationDate())
		_, err = az.CreateAuthorization(ctx(t), &authzv2.CreateAuthorizationRequest{UserId: u, ProjectId: p.GetId(), OrganizationId: org})
		wantErr(t, "CreateAuthorization twice", err, codes.AlreadyExists, "V3-DKcYh")

		up, err := az.UpdateAuthorization(ctx(t), &authzv2.UpdateAuthorizationRequest{Id: cr.GetId(), RoleKeys: []string{"admin", "reader"}})
		mustOK(t, "UpdateAuthorization", err)
		recent(t, "UpdateAuthorization", up.GetChangeDate())
		_, err = az.DeactivateAuthorization(ctx(t), &authzv2.DeactivateAuthorizationRequest{Id: cr.GetId()})
		mustOK(t, "DeactivateAuthorization", err)

		v1, err := admin.GetUserGrantByID(ctx(t), &management.GetUserGrantByIDRequest{UserId: u, GrantId: cr.GetId()})
		mustOK(t, "GetUserGrantByID", err)
		if g := v1.GetUserGrant(); !slices.Equal(g.GetRoleKeys(), []string{"admin", "reader"}) || g.GetState() != user.UserGrantState_USER_GRANT_STATE_INACTIVE {
			t.Fatalf("v1 sees %v", g)
		}
		l, err := az.ListAuthorizations(ctx(t), &authzv2.ListAuthorizationsRequest{Filters: []*authzv2.AuthorizationsSearchFilter{
			{Filter: &authzv2.AuthorizationsSearchFilter_ProjectId{ProjectId: &filterv2.IDFilter{Id: p.GetId()}}}}})
		mustOK(t, "ListAuthorizations", err)
		if as := l.GetAuthorizations(); len(as) != 1 || as[0].GetId() != cr.GetId() || as[0].GetState() != authzv2.State_STATE_INACTIVE ||
			as[0].GetUser().GetId() != u || len(as[0].GetRoles()) != 2 || as[0].GetRoles()[0].GetDisplayName() != "Admin" || l.GetPagination().GetTotalResult() != 1 {
			t.Fatalf("ListAuthorizations: %v", l)
		}
		_, err = az.ActivateAuthorization(ctx(t), &authzv2.ActivateAuthorizationRequest{Id: cr.GetId()})
		mustOK(t, "ActivateAuthorization", err)

		// Another org's owner names this org's grant and org.
		o2, err := admin.AddOrg(ctx(t), &management.AddOrgRequest{Name: unique("evil")})
		mustOK(t, "AddOrg", err)
		evil := s.orgOwnerPAT(t, o2.GetId())
		eaz := s.authorizationsV2(t, evil)
		_, err = eaz.DeleteAuthorization(ctx(t), &authzv2.DeleteAuthorizationRequest{Id: cr.GetId()})
		wantErr(t, "foreign DeleteAuthorization", err, codes.PermissionDenied, "")
		_, err = eaz.CreateAuthorization(ctx(t), &authzv2.CreateAuthorizationRequest{UserId: u, ProjectId: p.GetId(), OrganizationId: org})
		wantErr(t, "foreign CreateAuthorization", err, codes.PermissionDenied, "")
		el, err := eaz.ListAuthorizations(ctx(t), &authzv2.ListAuthorizationsRequest{})
		mustOK(t, "foreign ListAuthorizations", err)
		if len(el.GetAuthorizations()) != 0 {
			t.Fatalf("the other org's owner lists %v", el.GetAuthorizations())
		}

		del, err := az.DeleteAuthorization(ctx(t), &authzv2.DeleteAuthorizationRequest{Id: cr.GetId()})
		mustOK(t, "DeleteAuthorization", err)
		recent(t, "DeleteAuthorization", del.GetDeletionDate())
		_, err = az.DeleteAuthorization(ctx(t), &authzv2.DeleteAuthorizationRequest{Id: cr.GetId()})
		wantErr(t, "DeleteAuthorization again", err, codes.NotFound, "COMMAND-1My0t")
		_, err = admin.GetUserGrantByID(ctx(t), &management.GetUserGrantByIDRequest{UserId: u, GrantId: cr.GetId()})
		wantErr(t, "GetUserGrantByID after delete", err, codes.NotFound, "QUERY-wIPkA")
	})
}

// orgOwnerPAT is a PAT of a new machine user of org that is its ORG_OWNER.
func (s *server) orgOwnerPAT(t testing.TB, org string) string {
	t.Helper()
	admin := s.mgmt(t, s.adminPAT)
	m, err := admin.AddMachineUser(inOrg(ctx(t), org), &management.AddMachineUserRequest{UserName: unique("owner"), Name: "owner"})
	mustOK(t, "AddMachineUser", err)
	_, err = admin.AddOrgMember(inOrg(ctx(t), org), &management.AddOrgMemberRequest{UserId: m.GetUserId(), Roles: []string{"ORG_OWNER"}})
	mustOK(t, "AddOrgMember", err)
	pat, err := admin.AddPersonalAccessToken(inOrg(ctx(t), org), &management.AddPersonalAccessTokenRequest{UserId: m.GetUserId()})
	mustOK(t, "AddPersonalAccessToken", err)
	return pat.GetToken()
}
