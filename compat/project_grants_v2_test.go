package compat

import (
	"slices"
	"testing"

	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	projectv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/project/v2"
	"google.golang.org/grpc/codes"
)

// TestProjectServiceV2Grants: zitadel-go v3.29.0's ProjectServiceV2 client
// grants a project to another org, lists, updates, deactivates (twice: no
// error), activates and deletes the grant (twice: no error), which
// Management v1 sees the same; the granted org's owner cannot change it.
func TestProjectServiceV2Grants(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		admin := s.mgmt(t, s.adminPAT)
		org := myOrg(t, admin)
		ps := s.v2Client(t, s.adminPAT).ProjectServiceV2()
		p, err := admin.AddProject(ctx(t), &management.AddProjectRequest{Name: unique("granted")})
		mustOK(t, "AddProject", err)
		pid := p.GetId()
		_, err = admin.BulkAddProjectRoles(ctx(t), &management.BulkAddProjectRolesRequest{ProjectId: pid,
			Roles: []*management.BulkAddProjectRolesRequest_Role{{Key: "admin", DisplayName: "Admin"}, {Key: "reader"}}})
		mustOK(t, "BulkAddProjectRoles", err)
		partner, err := admin.AddOrg(ctx(t), &management.AddOrgRequest{Name: unique("partner")})
		mustOK(t, "AddOrg", err)
		po := partner.GetId()

		cr, err := ps.CreateProjectGrant(ctx(t), &projectv2.CreateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: po, RoleKeys: []string{"reader"}})
		mustOK(t, "CreateProjectGrant", err)
		recent(t, "CreateProjectGrant", cr.GetCreationDate())
		_, err = ps.CreateProjectGrant(ctx(t), &projectv2.CreateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: po})
		wantErr(t, "CreateProjectGrant twice", err, codes.AlreadyExists, "V3-DKcYh")
		_, err = ps.CreateProjectGrant(ctx(t), &projectv2.CreateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: unique("x"), RoleKeys: []string{"nope"}})
		wantErr(t, "CreateProjectGrant to no org", err, codes.FailedPrecondition, "COMMAND-3m9gg")

		up, err := ps.UpdateProjectGrant(ctx(t), &projectv2.UpdateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: po, RoleKeys: []string{"admin", "reader"}})
		mustOK(t, "UpdateProjectGrant", err)
		recent(t, "UpdateProjectGrant", up.GetChangeDate())
		for range 2 {
			de, err := ps.DeactivateProjectGrant(ctx(t), &projectv2.DeactivateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: po})
			mustOK(t, "DeactivateProjectGrant", err)
			recent(t, "DeactivateProjectGrant", de.GetChangeDate())
		}
		v1, err := admin.ListProjectGrants(ctx(t), &management.ListProjectGrantsRequest{ProjectId: pid})
		mustOK(t, "ListProjectGrants v1", err)
		if r := v1.GetResult(); len(r) != 1 || r[0].GetGrantedOrgId() != po || !slices.Equal(r[0].GetGrantedRoleKeys(), []string{"admin", "reader"}) ||
			r[0].GetState().String() != "PROJECT_GRANT_STATE_INACTIVE" {
			t.Fatalf("v1 sees %v", r)
		}
		_, err = ps.ActivateProjectGrant(ctx(t), &projectv2.ActivateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: po})
		mustOK(t, "ActivateProjectGrant", err)

		l, err := ps.ListProjectGrants(ctx(t), &projectv2.ListProjectGrantsRequest{Filters: []*projectv2.ProjectGrantSearchFilter{
			{Filter: &projectv2.ProjectGrantSearchFilter_InProjectIdsFilter{InProjectIdsFilter: &filterv2.InIDsFilter{Ids: []string{pid}}}}}})
		mustOK(t, "ListProjectGrants", err)
		if g := l.GetProjectGrants(); len(g) != 1 || g[0].GetOrganizationId() != org || g[0].GetGrantedOrganizationId() != po ||
			g[0].GetState() != projectv2.ProjectGrantState_PROJECT_GRANT_STATE_ACTIVE || l.GetPagination().GetTotalResult() != 1 {
			t.Fatalf("ListProjectGrants: %v", l)
		}

		gps := s.v2Client(t, s.orgOwnerPAT(t, po)).ProjectServiceV2()
		_, err = gps.UpdateProjectGrant(ctx(t), &projectv2.UpdateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: po, RoleKeys: []string{"admin"}})
		wantErr(t, "the granted org's UpdateProjectGrant", err, codes.PermissionDenied, "")
		_, err = gps.DeleteProjectGrant(ctx(t), &projectv2.DeleteProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: po})
		wantErr(t, "the granted org's DeleteProjectGrant", err, codes.PermissionDenied, "")

		del, err := ps.DeleteProjectGrant(ctx(t), &projectv2.DeleteProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: po})
		mustOK(t, "DeleteProjectGrant", err)
		recent(t, "DeleteProjectGrant", del.GetDeletionDate())
		again, err := ps.DeleteProjectGrant(ctx(t), &projectv2.DeleteProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: po})
		mustOK(t, "DeleteProjectGrant again", err)
		if again.GetDeletionDate() != nil {
			t.Fatalf("DeleteProjectGrant of a deleted grant: %v", again)
		}
		v1, err = admin.ListProjectGrants(ctx(t), &management.ListProjectGrantsRequest{ProjectId: pid})
		mustOK(t, "ListProjectGrants v1 after delete", err)
		if len(v1.GetResult()) != 0 {
			t.Fatalf("v1 sees %v after delete", v1.GetResult())
		}
	})
}
