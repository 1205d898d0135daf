package compat

import (
	"slices"
	"testing"

	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	ipv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/internal_permission/v2"
	ipv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/internal_permission/v2beta"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	"google.golang.org/grpc/codes"
)

// TestInternalPermissionServiceV2: zitadel-go v3.29.0's
// InternalPermissionServiceV2 client makes a user an administrator of an org
// and of one of its projects, lists them by resource (the Administrator's
// resource, roles and user), changes and removes them; a request without a
// resource is ZITADEL's ADMIN-IbPp47HDP5; the v2beta client lists the same;
// the owner of another org can neither add nor list them.
func TestInternalPermissionServiceV2(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		c := s.v2Client(t, s.adminPAT)
		ip := c.InternalPermissionServiceV2()
		o, err := c.OrganizationServiceV2().AddOrganization(ctx(t), &orgv2.AddOrganizationRequest{Name: unique("admins")})
		mustOK(t, "AddOrganization", err)
		org := o.GetOrganizationId()
		m := s.mgmt(t, s.adminPAT)
		u, err := m.AddMachineUser(inOrg(ctx(t), org), &management.AddMachineUserRequest{UserName: unique("adm"), Name: "Admin"})
		mustOK(t, "AddMachineUser", err)
		p, err := m.AddProject(inOrg(ctx(t), org), &management.AddProjectRequest{Name: unique("shop")})
		mustOK(t, "AddProject", err)
		uid, pid := u.GetUserId(), p.GetId()

		orgRes := &ipv2.ResourceType{Resource: &ipv2.ResourceType_OrganizationId{OrganizationId: org}}
		projRes := &ipv2.ResourceType{Resource: &ipv2.ResourceType_ProjectId{ProjectId: pid}}
		cr, err := ip.CreateAdministrator(ctx(t), &ipv2.CreateAdministratorRequest{UserId: uid, Resource: orgRes, Roles: []string{"ORG_OWNER_VIEWER"}})
		mustOK(t, "CreateAdministrator org", err)
		recent(t, "CreateAdministrator", cr.GetCreationDate())
		_, err = ip.CreateAdministrator(ctx(t), &ipv2.CreateAdministratorRequest{UserId: uid, Resource: projRes, Roles: []string{"PROJECT_OWNER"}})
		mustOK(t, "CreateAdministrator project", err)
		_, err = ip.CreateAdministrator(ctx(t), &ipv2.CreateAdministratorRequest{UserId: uid, Roles: []string{"ORG_OWNER"}})
		wantErr(t, "CreateAdministrator without a resource", err, codes.InvalidArgument, "ADMIN-IbPp47HDP5")

		l, err := ip.ListAdministrators(ctx(t), &ipv2.ListAdministratorsRequest{Filters: []*ipv2.AdministratorSearchFilter{
			{Filter: &ipv2.AdministratorSearchFilter_Resource{Resource: &ipv2.ResourceFilter{Resource: &ipv2.ResourceFilter_ProjectId{ProjectId: pid}}}}}})
		mustOK(t, "ListAdministrators", err)
		if a := l.GetAdministrators(); len(a) != 1 || a[0].GetUser().GetId() != uid || a[0].GetProject().GetId() != pid ||
			a[0].GetProject().GetOrganizationId() != org || !slices.Equal(a[0].GetRoles(), []string{"PROJECT_OWNER"}) || l.GetPagination().GetTotalResult() != 1 {
			t.Fatalf("ListAdministrators by project: %v", l)
		}
		lb, err := c.InternalPermissionServiceV2Beta().ListAdministrators(ctx(t), &ipv2beta.ListAdministratorsRequest{Filters: []*ipv2beta.AdministratorSearchFilter{
			{Filter: &ipv2beta.AdministratorSearchFilter_Resource{Resource: &ipv2beta.ResourceFilter{Resource: &ipv2beta.ResourceFilter_OrganizationId{OrganizationId: org}}}}}})
		mustOK(t, "v2beta ListAdministrators", err)
		if a := lb.GetAdministrators(); len(a) != 1 || a[0].GetOrganization().GetId() != org || a[0].GetUser().GetId() != uid {
			t.Fatalf("v2beta ListAdministrators by org: %v", lb)
		}

		evil, err := c.OrganizationServiceV2().AddOrganization(ctx(t), &orgv2.AddOrganizationRequest{Name: unique("evil")})
		mustOK(t, "AddOrganization", err)
		eip := s.v2Client(t, s.orgOwnerPAT(t, evil.GetOrganizationId())).InternalPermissionServiceV2()
		_, err = eip.CreateAdministrator(ctx(t), &ipv2.CreateAdministratorRequest{UserId: uid, Resource: orgRes, Roles: []string{"ORG_OWNER"}})
		wantErr(t, "foreign CreateAdministrator", err, codes.PermissionDenied, "")
		el, err := eip.ListAdministrators(ctx(t), &ipv2.ListAdministratorsRequest{Filters: []*ipv2.AdministratorSearchFilter{
			{Filter: &ipv2.AdministratorSearchFilter_Resource{Resource: &ipv2.ResourceFilter{Resource: &ipv2.ResourceFilter_OrganizationId{OrganizationId: org}}}}}})
		mustOK(t, "foreign ListAdministrators", err)
		if len(el.GetAdministrators()) != 0 {
			t.Fatalf("the other org's owner lists %v", el.GetAdministrators())
		}

		up, err := ip.UpdateAdministrator(ctx(t), &ipv2.UpdateAdministratorRequest{UserId: uid, Resource: orgRes, Roles: []string{"ORG_USER_MANAGER"}})
		mustOK(t, "UpdateAdministrator", err)
		recent(t, "UpdateAdministrator", up.GetChangeDate())
		for _, res := range []*ipv2.ResourceType{orgRes, projRes} {
			del, err := ip.DeleteAdministrator(ctx(t), &ipv2.DeleteAdministratorRequest{UserId: uid, Resource: res})
			mustOK(t, "DeleteAdministrator", err)
			recent(t, "DeleteAdministrator", del.GetDeletionDate())
		}
		l, err = ip.ListAdministrators(ctx(t), &ipv2.ListAdministratorsRequest{Filters: []*ipv2.AdministratorSearchFilter{
			{Filter: &ipv2.AdministratorSearchFilter_InUserIdsFilter{InUserIdsFilter: &filterv2.InIDsFilter{Ids: []string{uid}}}}}})
		mustOK(t, "ListAdministrators by user", err)
		if len(l.GetAdministrators()) != 0 {
			t.Fatalf("deleted administrators are listed: %v", l.GetAdministrators())
		}
	})
}
