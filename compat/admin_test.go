package compat

import (
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/admin"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/member"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org"
	"google.golang.org/grpc/codes"
)

func (s *server) admin(t testing.TB, token string) admin.AdminServiceClient {
	return admin.NewAdminServiceClient(s.conn(t, token))
}

// TestAdminOrgsAndIAMMembers drives AdminService with zitadel-go's own client:
// SetUpOrg (the org and its first human, its ORG_OWNER), GetOrgByID, ListOrgs
// with a name query, AddIAMMember and ListIAMMembers, DeactivateOrg refusing
// the org's users at once, and the ids ZITADEL's clients branch on.
func TestAdminOrgsAndIAMMembers(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		adm := s.admin(t, s.adminPAT)
		mg := s.mgmt(t, s.adminPAT)
		_, err := adm.Healthz(ctx(t), &admin.HealthzRequest{})
		mustOK(t, "Healthz", err)

		name := unique("setup")
		su, err := adm.SetUpOrg(ctx(t), &admin.SetUpOrgRequest{
			Org: &admin.SetUpOrgRequest_Org{Name: name},
			User: &admin.SetUpOrgRequest_Human_{Human: &admin.SetUpOrgRequest_Human{
				UserName: "first",
				Profile:  &admin.SetUpOrgRequest_Human_Profile{FirstName: "First", LastName: "Admin"},
				Email:    &admin.SetUpOrgRequest_Human_Email{Email: "first@example.com", IsEmailVerified: true},
				Password: "Secr3t-Passw0rd!",
			}},
		})
		mustOK(t, "SetUpOrg", err)
		if su.GetOrgId() == "" || su.GetUserId() == "" || su.GetDetails().GetResourceOwner() != su.GetOrgId() {
			t.Fatalf("SetUpOrg: %v", su)
		}
		_, err = adm.SetUpOrg(ctx(t), &admin.SetUpOrgRequest{Org: &admin.SetUpOrgRequest_Org{Name: name},
			User: &admin.SetUpOrgRequest_Human_{Human: &admin.SetUpOrgRequest_Human{UserName: "x",
				Profile: &admin.SetUpOrgRequest_Human_Profile{FirstName: "X", LastName: "Y"},
				Email:   &admin.SetUpOrgRequest_Human_Email{Email: "x@example.com"}}}})
		wantErr(t, "SetUpOrg with a taken name", err, codes.AlreadyExists, "V3-DKcYh")

		got, err := adm.GetOrgByID(ctx(t), &admin.GetOrgByIDRequest{Id: su.GetOrgId()})
		mustOK(t, "GetOrgByID", err)
		if got.GetOrg().GetName() != name || got.GetOrg().GetState() != org.OrgState_ORG_STATE_ACTIVE || got.GetOrg().GetPrimaryDomain() == "" {
			t.Fatalf("GetOrgByID: %v", got.GetOrg())
		}
		_, err = adm.GetOrgByID(ctx(t), &admin.GetOrgByIDRequest{Id: "424242"})
		wantErr(t, "GetOrgByID of no org", err, codes.NotFound, "WARDEN-ORGNOTFOUND")

		list, err := adm.ListOrgs(ctx(t), &admin.ListOrgsRequest{Queries: []*org.OrgQuery{{Query: &org.OrgQuery_NameQuery{
			NameQuery: &org.OrgNameQuery{Name: name, Method: object.TextQueryMethod_TEXT_QUERY_METHOD_EQUALS}}}}})
		mustOK(t, "ListOrgs", err)
		if list.GetDetails().GetTotalResult() != 1 || len(list.GetResult()) != 1 || list.GetResult()[0].GetId() != su.GetOrgId() {
			t.Fatalf("ListOrgs by name: %v", list)
		}

		// The first user is the org's owner.
		ms, err := mg.ListOrgMembers(inOrg(ctx(t), su.GetOrgId()), &management.ListOrgMembersRequest{})
		mustOK(t, "ListOrgMembers", err)
		if len(ms.GetResult()) != 1 || ms.GetResult()[0].GetUserId() != su.GetUserId() || ms.GetResult()[0].GetRoles()[0] != "ORG_OWNER" {
			t.Fatalf("members of the new org: %v", ms.GetResult())
		}

		// An IAM member from the new org, found again by its user id.
		bot, err := mg.AddMachineUser(inOrg(ctx(t), su.GetOrgId()), &management.AddMachineUserRequest{UserName: unique("iam-bot"), Name: "IAM bot"})
		mustOK(t, "AddMachineUser", err)
		add, err := adm.AddIAMMember(ctx(t), &admin.AddIAMMemberRequest{UserId: bot.GetUserId(), Roles: []string{"IAM_OWNER_VIEWER"}})
		mustOK(t, "AddIAMMember", err)
		if add.GetDetails().GetSequence() == 0 || add.GetDetails().GetResourceOwner() == "" {
			t.Fatalf("AddIAMMember details: %v", add.GetDetails())
		}
		_, err = adm.AddIAMMember(ctx(t), &admin.AddIAMMemberRequest{UserId: bot.GetUserId(), Roles: []string{"IAM_OWNER_VIEWER"}})
		wantErr(t, "AddIAMMember twice", err, codes.AlreadyExists, "INSTA-pFDwe")
		_, err = adm.AddIAMMember(ctx(t), &admin.AddIAMMemberRequest{UserId: bot.GetUserId(), Roles: []string{"ORG_OWNER"}})
		wantErr(t, "AddIAMMember with an org role", err, codes.InvalidArgument, "INSTANCE-4m0fS")
		found, err := adm.ListIAMMembers(ctx(t), &admin.ListIAMMembersRequest{Queries: []*member.SearchQuery{{Query: &member.SearchQuery_UserIdQuery{
			UserIdQuery: &member.UserIDQuery{UserId: bot.GetUserId()}}}}})
		mustOK(t, "ListIAMMembers", err)
		if len(found.GetResult()) != 1 || found.GetResult()[0].GetRoles()[0] != "IAM_OWNER_VIEWER" || found.GetResult()[0].GetUserResourceOwner() != su.GetOrgId() {
			t.Fatalf("ListIAMMembers by user id: %v", found.GetResult())
		}
		_, err = adm.RemoveIAMMember(ctx(t), &admin.RemoveIAMMemberRequest{UserId: bot.GetUserId()})
		mustOK(t, "RemoveIAMMember", err)

		// Deactivating the org refuses its users' tokens from that moment.
		_, err = mg.AddOrgMember(inOrg(ctx(t), su.GetOrgId()), &management.AddOrgMemberRequest{UserId: bot.GetUserId(), Roles: []string{"ORG_OWNER_VIEWER"}})
		mustOK(t, "AddOrgMember", err)
		tok := addPATIn(t, mg, su.GetOrgId(), bot.GetUserId())
		_, err = s.mgmt(t, tok).GetMyOrg(ctx(t), &management.GetMyOrgRequest{})
		mustOK(t, "GetMyOrg as the org's machine", err)
		_, err = mg.DeactivateOrg(inOrg(ctx(t), su.GetOrgId()), &management.DeactivateOrgRequest{})
		mustOK(t, "DeactivateOrg", err)
		_, err = s.mgmt(t, tok).GetMyOrg(ctx(t), &management.GetMyOrgRequest{})
		wantErr(t, "a deactivated org's user", err, codes.Unauthenticated, "")
		_, err = adm.RemoveOrg(ctx(t), &admin.RemoveOrgRequest{OrgId: su.GetOrgId()})
		mustOK(t, "RemoveOrg", err)
		_, err = adm.GetOrgByID(ctx(t), &admin.GetOrgByIDRequest{Id: su.GetOrgId()})
		wantErr(t, "GetOrgByID of a removed org", err, codes.NotFound, "WARDEN-ORGNOTFOUND")
		def, err := adm.GetDefaultOrg(ctx(t), &admin.GetDefaultOrgRequest{})
		mustOK(t, "GetDefaultOrg", err)
		_, err = adm.RemoveOrg(ctx(t), &admin.RemoveOrgRequest{OrgId: def.GetOrg().GetId()})
		wantErr(t, "RemoveOrg of the default org", err, codes.FailedPrecondition, "COMMA-wG9p1")
	})
}

func addPATIn(t testing.TB, m management.ManagementServiceClient, orgID, userID string) string {
	t.Helper()
	r, err := m.AddPersonalAccessToken(inOrg(ctx(t), orgID), &management.AddPersonalAccessTokenRequest{UserId: userID})
	mustOK(t, "AddPersonalAccessToken", err)
	return r.GetToken()
}
