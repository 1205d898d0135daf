package server_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	ipv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/internal_permission/v2"
	ipv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/internal_permission/v2beta"
	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"
)

// storedRoles are a membership's roles as stored; nil if there is none.
func (e *env) storedRoles(t *testing.T, scope, userID string) []string {
	t.Helper()
	m, err := e.store.Member(context.Background(), scope, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	return m.Roles
}

func resOrg(id string) *ipv2.ResourceType {
	return &ipv2.ResourceType{Resource: &ipv2.ResourceType_OrganizationId{OrganizationId: id}}
}

func resProject(id string) *ipv2.ResourceType {
	return &ipv2.ResourceType{Resource: &ipv2.ResourceType_ProjectId{ProjectId: id}}
}

func resGrant(projectID, grantedOrgID string) *ipv2.ResourceType {
	return &ipv2.ResourceType{Resource: &ipv2.ResourceType_ProjectGrant_{ProjectGrant: &ipv2.ResourceType_ProjectGrant{ProjectId: projectID, OrganizationId: grantedOrgID}}}
}

var resInstance = &ipv2.ResourceType{Resource: &ipv2.ResourceType_Instance{Instance: true}}

func byResource(r *ipv2.ResourceFilter) *ipv2.AdministratorSearchFilter {
	return &ipv2.AdministratorSearchFilter{Filter: &ipv2.AdministratorSearchFilter_Resource{Resource: r}}
}

func adminUsers(r *ipv2.ListAdministratorsResponse) []string {
	var out []string
	for _, a := range r.GetAdministrators() {
		out = append(out, a.GetUser().GetId())
	}
	return out
}

// TestInternalPermissionV2: administrators of the instance, an org, a project
// and a project grant over gRPC on both engines — each written as the v1
// membership it is, listed with its resource and user, filtered (resource,
// user, role, and/or/not) and refused with ZITADEL's ids — and the v2beta
// twin on the same state.
func TestInternalPermissionV2(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			c := ipv2.NewInternalPermissionServiceClient(e.grpcConn())
			ctx := e.authCtx(e.token)
			u := e.importHuman("alice")
			pid := e.roleProjectV1("Shop")
			partner, _ := e.ownerOfNewOrg("partner", "ORG_OWNER")
			e.must(e.admin("POST", mv1+"/projects/"+pid+"/grants", `{"grantedOrgId":"`+partner+`","roleKeys":["reader"]}`), 200)
			pu := e.must(e.admin("POST", mv1+"/users/machine", `{"userName":"partner-member","name":"P"}`, "x-zitadel-orgid", partner), 200).str("userId")
			grant, err := e.store.ArtifactByKey(context.Background(), "project_grant", pid+":"+partner)
			if err != nil {
				t.Fatal(err)
			}
			gid := grant.ID

			type admin struct {
				res   *ipv2.ResourceType
				user  string
				scope string
				roles []string
			}
			admins := []admin{
				{resInstance, u, org.InstanceScope, []string{"IAM_OWNER_VIEWER"}},
				{resOrg(e.orgID), u, e.orgID, []string{"ORG_OWNER_VIEWER"}},
				{resProject(pid), u, org.ProjectScope(e.orgID, pid), []string{"PROJECT_OWNER_VIEWER"}},
				{resGrant(pid, partner), pu, org.GrantScope(partner, gid), []string{"PROJECT_GRANT_OWNER_VIEWER"}},
			}
			for _, a := range admins {
				r, err := c.CreateAdministrator(ctx, &ipv2.CreateAdministratorRequest{UserId: a.user, Resource: a.res, Roles: a.roles})
				if err != nil || r.GetCreationDate() == nil {
					t.Fatalf("create %v: %v %v", a.res, r, err)
				}
				if got := e.storedRoles(t, a.scope, a.user); !slices.Equal(got, a.roles) {
					t.Fatalf("stored %s: %v", a.scope, got)
				}
				_, err = c.CreateAdministrator(ctx, &ipv2.CreateAdministratorRequest{UserId: a.user, Resource: a.res, Roles: a.roles})
				wantCode(t, err, codes.AlreadyExists, "")
			}
			_, err = c.CreateAdministrator(ctx, &ipv2.CreateAdministratorRequest{UserId: u, Roles: []string{"ORG_OWNER"}})
			wantCode(t, err, codes.InvalidArgument, "ADMIN-IbPp47HDP5")
			_, err = c.CreateAdministrator(ctx, &ipv2.CreateAdministratorRequest{UserId: u, Resource: &ipv2.ResourceType{Resource: &ipv2.ResourceType_Instance{}}, Roles: []string{"IAM_OWNER"}})
			wantCode(t, err, codes.InvalidArgument, "ADMIN-IbPp47HDP5")
			_, err = c.UpdateAdministrator(ctx, &ipv2.UpdateAdministratorRequest{UserId: u, Roles: []string{"ORG_OWNER"}})
			wantCode(t, err, codes.InvalidArgument, "ADMIN-i0V2IbdloZ")
			_, err = c.DeleteAdministrator(ctx, &ipv2.DeleteAdministratorRequest{UserId: u})
			wantCode(t, err, codes.InvalidArgument, "ADMIN-3UOjLtuohh")
			// A project granted to no such org: the grant is unknown.
			_, err = c.CreateAdministrator(ctx, &ipv2.CreateAdministratorRequest{UserId: pu, Resource: resGrant(pid, e.orgID), Roles: []string{"PROJECT_GRANT_OWNER"}})
			wantCode(t, err, codes.NotFound, "PROJECT-D8JxR")
			_, err = c.CreateAdministrator(ctx, &ipv2.CreateAdministratorRequest{UserId: u, Resource: resProject("424242"), Roles: []string{"PROJECT_OWNER"}})
			wantCode(t, err, codes.NotFound, "QUERY-fk2fs")
			// A project grant without its org is no project membership.
			_, err = c.CreateAdministrator(ctx, &ipv2.CreateAdministratorRequest{UserId: u, Resource: resGrant(pid, ""), Roles: []string{"PROJECT_OWNER"}})
			wantCode(t, err, codes.InvalidArgument, "WARDEN-ORGID")
			// Roles of another resource are refused as v1 refuses them.
			_, err = c.CreateAdministrator(ctx, &ipv2.CreateAdministratorRequest{UserId: pu, Resource: resOrg(e.orgID), Roles: []string{"IAM_OWNER"}})
			wantCode(t, err, codes.InvalidArgument, "")

			list := func(fs ...*ipv2.AdministratorSearchFilter) *ipv2.ListAdministratorsResponse {
				t.Helper()
				r, err := c.ListAdministrators(ctx, &ipv2.ListAdministratorsRequest{Filters: fs, Pagination: &filterv2.PaginationRequest{Asc: true}})
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			r := list(byResource(&ipv2.ResourceFilter{Resource: &ipv2.ResourceFilter_ProjectId{ProjectId: pid}}))
			if len(r.GetAdministrators()) != 1 || r.GetPagination().GetTotalResult() != 1 {
				t.Fatalf("project admins: %v", r)
			}
			a := r.GetAdministrators()[0]
			if a.GetUser().GetId() != u || a.GetUser().GetOrganizationId() != e.orgID || a.GetUser().GetPreferredLoginName() == "" ||
				a.GetUser().GetDisplayName() == "" || a.GetProject().GetId() != pid || a.GetProject().GetName() != "Shop" ||
				a.GetProject().GetOrganizationId() != e.orgID || !slices.Equal(a.GetRoles(), []string{"PROJECT_OWNER_VIEWER"}) || a.GetCreationDate() == nil {
				t.Fatalf("project admin: %v", a)
			}
			r = list(byResource(&ipv2.ResourceFilter{Resource: &ipv2.ResourceFilter_ProjectGrant_{ProjectGrant: &ipv2.ResourceFilter_ProjectGrant{ProjectId: pid, OrganizationId: partner}}}))
			if g := r.GetAdministrators(); len(g) != 1 || g[0].GetProjectGrant().GetId() != gid || g[0].GetProjectGrant().GetGrantedOrganizationId() != partner ||
				g[0].GetProjectGrant().GetOrganizationId() != e.orgID || g[0].GetProjectGrant().GetProjectName() != "Shop" || g[0].GetUser().GetId() != pu {
				t.Fatalf("grant admins: %v", r)
			}
			r = list(byResource(&ipv2.ResourceFilter{Resource: &ipv2.ResourceFilter_Instance{Instance: true}}))
			if !slices.Contains(adminUsers(r), u) || len(adminUsers(r)) < 2 { // alice and the bootstrap admin
				t.Fatalf("instance admins: %v", adminUsers(r))
			}
			for _, a := range r.GetAdministrators() {
				if !a.GetInstance() {
					t.Fatalf("not an instance admin: %v", a)
				}
			}
			mine := &ipv2.AdministratorSearchFilter{Filter: &ipv2.AdministratorSearchFilter_InUserIdsFilter{InUserIdsFilter: &filterv2.InIDsFilter{Ids: []string{u}}}}
			if r := list(mine); len(r.GetAdministrators()) != 3 {
				t.Fatalf("alice's memberships: %v", r)
			}
			role := func(k string) *ipv2.AdministratorSearchFilter {
				return &ipv2.AdministratorSearchFilter{Filter: &ipv2.AdministratorSearchFilter_Role{Role: &ipv2.RoleFilter{RoleKey: k}}}
			}
			or := &ipv2.AdministratorSearchFilter{Filter: &ipv2.AdministratorSearchFilter_Or{Or: &ipv2.OrFilter{Queries: []*ipv2.AdministratorSearchFilter{role("ORG_OWNER_VIEWER"), role("PROJECT_OWNER_VIEWER")}}}}
			if r := list(mine, or); len(r.GetAdministrators()) != 2 {
				t.Fatalf("or: %v", r)
			}
			not := &ipv2.AdministratorSearchFilter{Filter: &ipv2.AdministratorSearchFilter_Not{Not: &ipv2.NotFilter{Query: or}}}
			if r := list(mine, not); len(r.GetAdministrators()) != 1 || !r.GetAdministrators()[0].GetInstance() {
				t.Fatalf("not: %v", r)
			}
			// Sorted by user id, descending, one per page.
			page, err := c.ListAdministrators(ctx, &ipv2.ListAdministratorsRequest{Filters: []*ipv2.AdministratorSearchFilter{
				byResource(&ipv2.ResourceFilter{Resource: &ipv2.ResourceFilter_Instance{Instance: true}})},
				SortingColumn: ipv2.AdministratorFieldName_ADMINISTRATOR_FIELD_NAME_USER_ID, Pagination: &filterv2.PaginationRequest{Limit: 1}})
			if err != nil || len(page.GetAdministrators()) != 1 || page.GetPagination().GetTotalResult() < 2 {
				t.Fatalf("page: %v %v", page, err)
			}
			ids := adminUsers(list(byResource(&ipv2.ResourceFilter{Resource: &ipv2.ResourceFilter_Instance{Instance: true}})))
			if slices.Sort(ids); page.GetAdministrators()[0].GetUser().GetId() != ids[len(ids)-1] {
				t.Fatalf("the first by user id, descending, is %v of %v", page.GetAdministrators()[0].GetUser().GetId(), ids)
			}
			deep := role("x")
			for range 21 {
				deep = &ipv2.AdministratorSearchFilter{Filter: &ipv2.AdministratorSearchFilter_Not{Not: &ipv2.NotFilter{Query: deep}}}
			}
			_, err = c.ListAdministrators(ctx, &ipv2.ListAdministratorsRequest{Filters: []*ipv2.AdministratorSearchFilter{deep}})
			wantCode(t, err, codes.InvalidArgument, "PERM-zsQ97")
			_, err = c.ListAdministrators(ctx, &ipv2.ListAdministratorsRequest{Filters: []*ipv2.AdministratorSearchFilter{{}}})
			wantCode(t, err, codes.InvalidArgument, "PERM-vR9nC")

			// v2beta on the same state: its grant filter is by grant id.
			cb := ipv2beta.NewInternalPermissionServiceClient(e.grpcConn())
			rb, err := cb.ListAdministrators(ctx, &ipv2beta.ListAdministratorsRequest{Filters: []*ipv2beta.AdministratorSearchFilter{{Filter: &ipv2beta.AdministratorSearchFilter_Resource{
				Resource: &ipv2beta.ResourceFilter{Resource: &ipv2beta.ResourceFilter_ProjectGrantId{ProjectGrantId: gid}}}}}})
			if err != nil || len(rb.GetAdministrators()) != 1 || rb.GetAdministrators()[0].GetProjectGrant().GetId() != gid {
				t.Fatalf("v2beta by grant id: %v %v", rb, err)
			}
			_, err = cb.ListAdministrators(ctx, &ipv2beta.ListAdministratorsRequest{Filters: []*ipv2beta.AdministratorSearchFilter{{Filter: &ipv2beta.AdministratorSearchFilter_Role{Role: &ipv2beta.RoleFilter{RoleKey: "x"}}}}})
			wantCode(t, err, codes.InvalidArgument, "ORG-vR9nC")
			if _, err := cb.UpdateAdministrator(ctx, &ipv2beta.UpdateAdministratorRequest{UserId: pu, Roles: []string{"PROJECT_GRANT_OWNER"},
				Resource: &ipv2beta.ResourceType{Resource: &ipv2beta.ResourceType_ProjectGrant_{ProjectGrant: &ipv2beta.ResourceType_ProjectGrant{ProjectId: pid, OrganizationId: partner}}}}); err != nil {
				t.Fatal(err)
			}
			if got := e.storedRoles(t, org.GrantScope(partner, gid), pu); !slices.Equal(got, []string{"PROJECT_GRANT_OWNER"}) {
				t.Fatalf("v2beta update: %v", got)
			}

			// Update and delete each.
			for _, a := range admins[:3] {
				roles := map[string][]string{org.InstanceScope: {"IAM_USER_MANAGER"}, e.orgID: {"ORG_USER_MANAGER"}}[a.scope]
				if roles == nil {
					roles = []string{"PROJECT_OWNER"}
				}
				up, err := c.UpdateAdministrator(ctx, &ipv2.UpdateAdministratorRequest{UserId: a.user, Resource: a.res, Roles: roles})
				if err != nil || up.GetChangeDate() == nil || !slices.Equal(e.storedRoles(t, a.scope, a.user), roles) {
					t.Fatalf("update %s: %v %v", a.scope, up, err)
				}
			}
			for _, a := range admins {
				del, err := c.DeleteAdministrator(ctx, &ipv2.DeleteAdministratorRequest{UserId: a.user, Resource: a.res})
				if err != nil || del.GetDeletionDate() == nil || e.storedRoles(t, a.scope, a.user) != nil {
					t.Fatalf("delete %s: %v %v", a.scope, del, err)
				}
			}
			_, err = c.DeleteAdministrator(ctx, &ipv2.DeleteAdministratorRequest{UserId: u, Resource: resProject(pid)})
			wantCode(t, err, codes.NotFound, "")
		})
	}
}

// TestInternalPermissionAttackers: the owner of another org names this
// org's, its project's, its grant's and the instance's administrators and is
// refused every change and lists none of them; a project creator cannot make
// anyone PROJECT_OWNER of its own project through this API either (the
// escalation rule: nobody grants what it does not hold).
func TestInternalPermissionAttackers(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			c := ipv2.NewInternalPermissionServiceClient(e.grpcConn())
			ctx := e.authCtx(e.token)
			victim := e.importHuman("victim")
			pid := e.roleProjectV1("Shop")
			partner, _ := e.ownerOfNewOrg("partner", "ORG_OWNER")
			e.must(e.admin("POST", mv1+"/projects/"+pid+"/grants", `{"grantedOrgId":"`+partner+`","roleKeys":["reader"]}`), 200)
			pu := e.must(e.admin("POST", mv1+"/users/machine", `{"userName":"partner-member","name":"P"}`, "x-zitadel-orgid", partner), 200).str("userId")
			for _, res := range []*ipv2.ResourceType{resOrg(e.orgID), resProject(pid)} {
				roles := []string{"ORG_OWNER_VIEWER"}
				if res.GetProjectId() != "" {
					roles = []string{"PROJECT_OWNER_VIEWER"}
				}
				if _, err := c.CreateAdministrator(ctx, &ipv2.CreateAdministratorRequest{UserId: victim, Resource: res, Roles: roles}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := c.CreateAdministrator(ctx, &ipv2.CreateAdministratorRequest{UserId: pu, Resource: resGrant(pid, partner), Roles: []string{"PROJECT_GRANT_OWNER_VIEWER"}}); err != nil {
				t.Fatal(err)
			}

			other, attacker := e.ownerOfNewOrg("evil", "ORG_OWNER")
			evilUser := e.must(e.admin("POST", mv1+"/users/machine", `{"userName":"evil-friend","name":"E"}`, "x-zitadel-orgid", other), 200).str("userId")
			actx := e.authCtx(attacker)
			for _, tc := range []struct {
				res          *ipv2.ResourceType
				user, role   string
				scope, owned string
			}{
				{resInstance, evilUser, "IAM_OWNER", org.InstanceScope, ""},
				{resOrg(e.orgID), evilUser, "ORG_OWNER", e.orgID, victim},
				{resProject(pid), evilUser, "PROJECT_OWNER", org.ProjectScope(e.orgID, pid), victim},
				{resGrant(pid, partner), pu, "PROJECT_GRANT_OWNER", "", ""},
			} {
				_, err := c.CreateAdministrator(actx, &ipv2.CreateAdministratorRequest{UserId: tc.user, Resource: tc.res, Roles: []string{tc.role}})
				if grpcstatus.Code(err) != codes.PermissionDenied {
					t.Errorf("create on %v: %v", tc.res, err)
				}
				if tc.owned == "" {
					tc.owned = tc.user
				}
				_, err = c.UpdateAdministrator(actx, &ipv2.UpdateAdministratorRequest{UserId: tc.owned, Resource: tc.res, Roles: []string{tc.role}})
				if grpcstatus.Code(err) != codes.PermissionDenied {
					t.Errorf("update on %v: %v", tc.res, err)
				}
				_, err = c.DeleteAdministrator(actx, &ipv2.DeleteAdministratorRequest{UserId: tc.owned, Resource: tc.res})
				if grpcstatus.Code(err) != codes.PermissionDenied {
					t.Errorf("delete on %v: %v", tc.res, err)
				}
				if tc.scope != "" && tc.scope != org.InstanceScope && e.storedRoles(t, tc.scope, evilUser) != nil {
					t.Errorf("the attacker's friend became a member of %s", tc.scope)
				}
			}
			if e.storedRoles(t, org.InstanceScope, evilUser) != nil || e.storedRoles(t, e.orgID, victim) == nil || e.storedRoles(t, org.ProjectScope(e.orgID, pid), victim) == nil {
				t.Fatal("the attacker changed a membership")
			}
			// Its lists show its own org's administrators only.
			for _, fs := range [][]*ipv2.AdministratorSearchFilter{nil,
				{byResource(&ipv2.ResourceFilter{Resource: &ipv2.ResourceFilter_OrganizationId{OrganizationId: e.orgID}})},
				{byResource(&ipv2.ResourceFilter{Resource: &ipv2.ResourceFilter_ProjectId{ProjectId: pid}})},
				{byResource(&ipv2.ResourceFilter{Resource: &ipv2.ResourceFilter_Instance{Instance: true}})},
				{byResource(&ipv2.ResourceFilter{Resource: &ipv2.ResourceFilter_ProjectGrant_{ProjectGrant: &ipv2.ResourceFilter_ProjectGrant{ProjectId: pid, OrganizationId: partner}}})},
			} {
				r, err := c.ListAdministrators(actx, &ipv2.ListAdministratorsRequest{Filters: fs})
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range r.GetAdministrators() {
					if a.GetOrganization().GetId() != other {
						t.Errorf("the attacker lists %v", a)
					}
				}
			}

			// A project creator's own project: it acts on it, but gives no
			// role it does not hold.
			creatorOrg, creator := e.ownerOfNewOrg("creators", "ORG_PROJECT_CREATOR")
			friend := e.must(e.admin("POST", mv1+"/users/machine", `{"userName":"friend","name":"F"}`, "x-zitadel-orgid", creatorOrg), 200).str("userId")
			cctx := e.authCtx(creator)
			own := e.do("POST", mv1+"/projects", creator, `{"name":"Mine"}`)
			if own.status != 200 {
				t.Fatalf("creator's project: %d %s", own.status, own.raw)
			}
			_, err := c.CreateAdministrator(cctx, &ipv2.CreateAdministratorRequest{UserId: friend, Resource: resProject(own.str("id")), Roles: []string{"PROJECT_OWNER"}})
			wantCode(t, err, codes.PermissionDenied, "WARDEN-RANK1")
			if e.storedRoles(t, org.ProjectScope(creatorOrg, own.str("id")), friend) != nil {
				t.Fatal("the creator made its friend PROJECT_OWNER")
			}
		})
	}
}
