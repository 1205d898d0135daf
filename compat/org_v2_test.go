package compat

import (
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/admin"
	objv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object/v2"
	orgpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/grpc/codes"
)

// TestOrganizationServiceV2: zitadel-go v3.29.0's OrganizationServiceV2
// client creates an org with a new human admin and an existing user as its
// admins, as ZITADEL's Terraform provider does, and Admin v1's GetOrgByID
// (the provider's read) sees it; the client lists, renames, deactivates,
// activates and deletes it; a taken name is ZITADEL's V3-DKcYh; an owner of
// another org can neither change it nor list it.
func TestOrganizationServiceV2(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		orgs := s.v2Client(t, s.adminPAT).OrganizationServiceV2()
		adm := s.admin(t, s.adminPAT)
		existing := addMachine(t, s.mgmt(t, s.adminPAT), unique("member"))
		name, human := unique("acme"), unique("ada")
		add, err := orgs.AddOrganization(ctx(t), &orgv2.AddOrganizationRequest{Name: name, Admins: []*orgv2.AddOrganizationRequest_Admin{
			{UserType: &orgv2.AddOrganizationRequest_Admin_Human{Human: &userv2.AddHumanUserRequest{Username: &human,
				Profile: &userv2.SetHumanProfile{GivenName: "Ada", FamilyName: "Lovelace"}, Email: &userv2.SetHumanEmail{Email: human + "@example.com"}}}},
			{UserType: &orgv2.AddOrganizationRequest_Admin_UserId{UserId: existing}, Roles: []string{"ORG_USER_MANAGER"}},
		}})
		mustOK(t, "AddOrganization", err)
		id := add.GetOrganizationId()
		if id == "" || len(add.GetCreatedAdmins()) != 1 || add.GetCreatedAdmins()[0].GetUserId() == "" {
			t.Fatalf("AddOrganization: %v", add)
		}
		got, err := adm.GetOrgByID(ctx(t), &admin.GetOrgByIDRequest{Id: id})
		mustOK(t, "GetOrgByID", err)
		if got.GetOrg().GetName() != name || got.GetOrg().GetState() != orgpb.OrgState_ORG_STATE_ACTIVE {
			t.Fatalf("GetOrgByID: %v", got)
		}
		_, err = orgs.AddOrganization(ctx(t), &orgv2.AddOrganizationRequest{Name: name})
		wantErr(t, "AddOrganization with a taken name", err, codes.AlreadyExists, "V3-DKcYh")

		l, err := orgs.ListOrganizations(ctx(t), &orgv2.ListOrganizationsRequest{Queries: []*orgv2.SearchQuery{
			{Query: &orgv2.SearchQuery_NameQuery{NameQuery: &orgv2.OrganizationNameQuery{Name: name, Method: objv2.TextQueryMethod_TEXT_QUERY_METHOD_EQUALS}}}}})
		mustOK(t, "ListOrganizations", err)
		if len(l.GetResult()) != 1 || l.GetResult()[0].GetId() != id || l.GetDetails().GetTotalResult() != 1 {
			t.Fatalf("ListOrganizations: %v", l)
		}
		renamed := unique("acme-renamed")
		up, err := orgs.UpdateOrganization(ctx(t), &orgv2.UpdateOrganizationRequest{OrganizationId: id, Name: renamed})
		mustOK(t, "UpdateOrganization", err)
		recent(t, "UpdateOrganization", up.GetChangeDate())
		_, err = orgs.DeactivateOrganization(ctx(t), &orgv2.DeactivateOrganizationRequest{OrganizationId: id})
		mustOK(t, "DeactivateOrganization", err)
		got, err = adm.GetOrgByID(ctx(t), &admin.GetOrgByIDRequest{Id: id})
		mustOK(t, "GetOrgByID", err)
		if got.GetOrg().GetName() != renamed || got.GetOrg().GetState() != orgpb.OrgState_ORG_STATE_INACTIVE {
			t.Fatalf("GetOrgByID after rename and deactivate: %v", got)
		}
		_, err = orgs.ActivateOrganization(ctx(t), &orgv2.ActivateOrganizationRequest{OrganizationId: id})
		mustOK(t, "ActivateOrganization", err)

		o2, err := orgs.AddOrganization(ctx(t), &orgv2.AddOrganizationRequest{Name: unique("evil")})
		mustOK(t, "AddOrganization", err)
		eos := s.v2Client(t, s.orgOwnerPAT(t, o2.GetOrganizationId())).OrganizationServiceV2()
		_, err = eos.UpdateOrganization(ctx(t), &orgv2.UpdateOrganizationRequest{OrganizationId: id, Name: unique("pwned")})
		wantErr(t, "foreign UpdateOrganization", err, codes.PermissionDenied, "")
		_, err = eos.DeleteOrganization(ctx(t), &orgv2.DeleteOrganizationRequest{OrganizationId: id})
		wantErr(t, "foreign DeleteOrganization", err, codes.PermissionDenied, "")
		el, err := eos.ListOrganizations(ctx(t), &orgv2.ListOrganizationsRequest{})
		mustOK(t, "foreign ListOrganizations", err)
		if len(el.GetResult()) != 1 || el.GetResult()[0].GetId() != o2.GetOrganizationId() {
			t.Fatalf("the other org's owner lists %v", el.GetResult())
		}

		del, err := orgs.DeleteOrganization(ctx(t), &orgv2.DeleteOrganizationRequest{OrganizationId: id})
		mustOK(t, "DeleteOrganization", err)
		recent(t, "DeleteOrganization", del.GetDeletionDate())
		_, err = adm.GetOrgByID(ctx(t), &admin.GetOrgByIDRequest{Id: id})
		wantErr(t, "GetOrgByID after delete", err, codes.NotFound, "")
	})
}
