package compat

import (
	"slices"
	"strings"
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client"
	authzv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/authorization/v2"
	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	projectv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/project/v2"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
	"github.com/zitadel/zitadel-go/v3/pkg/zitadel"
	"google.golang.org/grpc/codes"
)

// v2Client is zitadel-go's own client (pkg/client), speaking with pat.
func (s *server) v2Client(t testing.TB, pat string) *client.Client {
	t.Helper()
	port := s.addr[strings.LastIndexByte(s.addr, ':')+1:]
	c, err := client.New(ctx(t), zitadel.New("127.0.0.1", zitadel.WithInsecure(port)), client.WithAuth(client.PAT(pat)))
	mustOK(t, "client.New", err)
	return c
}

// authorizationsV2 is zitadel-go's AuthorizationService v2 client.
func (s *server) authorizationsV2(t testing.TB, pat string) authzv2.AuthorizationServiceClient {
	return s.v2Client(t, pat).AuthorizationServiceV2()
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

// TestProjectServiceV2: zitadel-go v3.29.0's ProjectServiceV2 client creates
// a project with roles, updates it partly, lists, deactivates, activates and
// deletes it, and Management v1 sees the same project; an owner of another
// org cannot read or change it.
func TestProjectServiceV2(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		admin := s.mgmt(t, s.adminPAT)
		org := myOrg(t, admin)
		ps := s.v2Client(t, s.adminPAT).ProjectServiceV2()
		name := unique("shop")
		cr, err := ps.CreateProject(ctx(t), &projectv2.CreateProjectRequest{OrganizationId: org, Name: name, ProjectRoleAssertion: true})
		mustOK(t, "CreateProject", err)
		recent(t, "CreateProject", cr.GetCreationDate())
		pid := cr.GetProjectId()
		yes := true
		up, err := ps.UpdateProject(ctx(t), &projectv2.UpdateProjectRequest{ProjectId: pid, AuthorizationRequired: &yes})
		mustOK(t, "UpdateProject", err)
		recent(t, "UpdateProject", up.GetChangeDate())
		_, err = ps.AddProjectRole(ctx(t), &projectv2.AddProjectRoleRequest{ProjectId: pid, RoleKey: "admin", DisplayName: "Admin"})
		mustOK(t, "AddProjectRole", err)
		_, err = ps.AddProjectRole(ctx(t), &projectv2.AddProjectRoleRequest{ProjectId: pid, RoleKey: "admin", DisplayName: "Admin"})
		wantErr(t, "AddProjectRole twice", err, codes.AlreadyExists, "V3-DKcYh")

		v1, err := admin.GetProjectByID(ctx(t), &management.GetProjectByIDRequest{Id: pid})
		mustOK(t, "GetProjectByID", err)
		if p := v1.GetProject(); p.GetName() != name || !p.GetProjectRoleAssertion() || !p.GetProjectRoleCheck() || p.GetHasProjectCheck() {
			t.Fatalf("v1 sees %v", p)
		}
		roles, err := admin.ListProjectRoles(ctx(t), &management.ListProjectRolesRequest{ProjectId: pid})
		mustOK(t, "ListProjectRoles", err)
		if len(roles.GetResult()) != 1 || roles.GetResult()[0].GetKey() != "admin" {
			t.Fatalf("v1 roles %v", roles.GetResult())
		}
		l, err := ps.ListProjects(ctx(t), &projectv2.ListProjectsRequest{Filters: []*projectv2.ProjectSearchFilter{
			{Filter: &projectv2.ProjectSearchFilter_ProjectNameFilter{ProjectNameFilter: &projectv2.ProjectNameFilter{ProjectName: name}}}}})
		mustOK(t, "ListProjects", err)
		if len(l.GetProjects()) != 1 || l.GetProjects()[0].GetProjectId() != pid || !l.GetProjects()[0].GetAuthorizationRequired() {
			t.Fatalf("ListProjects: %v", l)
		}
		_, err = ps.DeactivateProject(ctx(t), &projectv2.DeactivateProjectRequest{ProjectId: pid})
		mustOK(t, "DeactivateProject", err)
		g, err := ps.GetProject(ctx(t), &projectv2.GetProjectRequest{ProjectId: pid})
		mustOK(t, "GetProject", err)
		if g.GetProject().GetState() != projectv2.ProjectState_PROJECT_STATE_INACTIVE {
			t.Fatalf("GetProject after deactivate: %v", g)
		}
		_, err = ps.ActivateProject(ctx(t), &projectv2.ActivateProjectRequest{ProjectId: pid})
		mustOK(t, "ActivateProject", err)

		o2, err := admin.AddOrg(ctx(t), &management.AddOrgRequest{Name: unique("evil")})
		mustOK(t, "AddOrg", err)
		eps := s.v2Client(t, s.orgOwnerPAT(t, o2.GetId())).ProjectServiceV2()
		_, err = eps.GetProject(ctx(t), &projectv2.GetProjectRequest{ProjectId: pid})
		wantErr(t, "foreign GetProject", err, codes.PermissionDenied, "")
		_, err = eps.DeleteProject(ctx(t), &projectv2.DeleteProjectRequest{ProjectId: pid})
		wantErr(t, "foreign DeleteProject", err, codes.PermissionDenied, "")
		_, err = eps.RemoveProjectRole(ctx(t), &projectv2.RemoveProjectRoleRequest{ProjectId: pid, RoleKey: "admin"})
		wantErr(t, "foreign RemoveProjectRole", err, codes.PermissionDenied, "")

		del, err := ps.DeleteProject(ctx(t), &projectv2.DeleteProjectRequest{ProjectId: pid})
		mustOK(t, "DeleteProject", err)
		recent(t, "DeleteProject", del.GetDeletionDate())
		_, err = admin.GetProjectByID(ctx(t), &management.GetProjectByIDRequest{Id: pid})
		wantErr(t, "GetProjectByID after delete", err, codes.NotFound, "QUERY-fk2fs")
	})
}
