package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	filterv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2beta"
	projectv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/project/v2"
	projectv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/project/v2beta"
	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"
)

func (e *env) storedProject(t *testing.T, id string) *project.Project {
	t.Helper()
	art, err := e.store.Artifact(context.Background(), project.KindProject, id)
	if err != nil {
		t.Fatalf("project %s: %v", id, err)
	}
	var p project.Project
	if err := json.Unmarshal(art.Data, &p); err != nil {
		t.Fatal(err)
	}
	return &p
}

func (e *env) storedRole(t *testing.T, projectID, key string) *project.Role {
	t.Helper()
	art, err := e.store.Artifact(context.Background(), project.KindRole, project.RoleID(projectID, key))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	var r project.Role
	if err := json.Unmarshal(art.Data, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func projectIDs(r *projectv2.ListProjectsResponse) []string {
	var out []string
	for _, p := range r.GetProjects() {
		out = append(out, p.GetProjectId())
	}
	return out
}

// TestProjectV2: ProjectService's projects and roles over gRPC on both
// engines — ZITADEL's answers and error ids, v2's partial update and its
// unchanged update that is no error — and an owner of another org naming
// this org's project and ids is refused every change and lists nothing of it.
func TestProjectV2(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			c := projectv2.NewProjectServiceClient(e.grpcConn())
			ctx := e.authCtx(e.token)

			cr, err := c.CreateProject(ctx, &projectv2.CreateProjectRequest{OrganizationId: e.orgID, Name: "Shop", ProjectRoleAssertion: true, AuthorizationRequired: true})
			if err != nil || cr.GetProjectId() == "" || cr.GetCreationDate() == nil {
				t.Fatalf("create: %v %v", cr, err)
			}
			pid := cr.GetProjectId()
			if ev := e.lastOrgEvent(t); ev.Type != event.ProjectAdded {
				t.Fatalf("last event %+v", ev)
			}
			_, err = c.CreateProject(ctx, &projectv2.CreateProjectRequest{OrganizationId: e.orgID, Name: ""})
			wantCode(t, err, codes.InvalidArgument, "")
			custom := "myid"
			_, err = c.CreateProject(ctx, &projectv2.CreateProjectRequest{OrganizationId: e.orgID, Name: "x", ProjectId: &custom})
			wantCode(t, err, codes.InvalidArgument, "WARDEN-PROJECTIDGIVEN")
			_, err = c.CreateProject(ctx, &projectv2.CreateProjectRequest{OrganizationId: "424242", Name: "x"})
			wantCode(t, err, codes.NotFound, "")

			got, err := c.GetProject(ctx, &projectv2.GetProjectRequest{ProjectId: pid})
			if p := got.GetProject(); err != nil || p.GetName() != "Shop" || p.GetOrganizationId() != e.orgID || !p.GetProjectRoleAssertion() ||
				!p.GetAuthorizationRequired() || p.GetProjectAccessRequired() || p.GetState() != projectv2.ProjectState_PROJECT_STATE_ACTIVE {
				t.Fatalf("get: %v %v", got, err)
			}
			_, err = c.GetProject(ctx, &projectv2.GetProjectRequest{ProjectId: "424242"})
			wantCode(t, err, codes.NotFound, "QUERY-fk2fs")
			_, err = c.GetProject(ctx, &projectv2.GetProjectRequest{})
			wantCode(t, err, codes.InvalidArgument, "WARDEN-PROJECTID")

			// Partial update: only what is set changes.
			yes, newName := true, "Store"
			up, err := c.UpdateProject(ctx, &projectv2.UpdateProjectRequest{ProjectId: pid, ProjectAccessRequired: &yes})
			if err != nil || up.GetChangeDate() == nil {
				t.Fatalf("update: %v %v", up, err)
			}
			if p := e.storedProject(t, pid); p.Name != "Shop" || !p.HasProjectCheck || !p.RoleCheck || !p.RoleAssertion {
				t.Fatalf("after partial update: %+v", p)
			}
			seq := e.lastOrgEvent(t).Sequence
			same, err := c.UpdateProject(ctx, &projectv2.UpdateProjectRequest{ProjectId: pid, ProjectAccessRequired: &yes})
			if err != nil || same.GetChangeDate() != nil || e.lastOrgEvent(t).Sequence != seq {
				t.Fatalf("unchanged update: %v %v", same, err)
			}
			if _, err := c.UpdateProject(ctx, &projectv2.UpdateProjectRequest{ProjectId: pid, Name: &newName}); err != nil {
				t.Fatal(err)
			}
			_, err = c.UpdateProject(ctx, &projectv2.UpdateProjectRequest{ProjectId: "424242", Name: &newName})
			wantCode(t, err, codes.NotFound, "QUERY-fk2fs")

			// Roles.
			group := "ops"
			ar, err := c.AddProjectRole(ctx, &projectv2.AddProjectRoleRequest{ProjectId: pid, RoleKey: "admin", DisplayName: "Admin", Group: &group})
			if err != nil || ar.GetCreationDate() == nil {
				t.Fatalf("add role: %v %v", ar, err)
			}
			_, err = c.AddProjectRole(ctx, &projectv2.AddProjectRoleRequest{ProjectId: pid, RoleKey: "admin", DisplayName: "again"})
			wantCode(t, err, codes.AlreadyExists, "V3-DKcYh")
			_, err = c.AddProjectRole(ctx, &projectv2.AddProjectRoleRequest{ProjectId: pid, RoleKey: " "})
			wantCode(t, err, codes.InvalidArgument, "COMMAND-4m9vS")
			_, err = c.AddProjectRole(ctx, &projectv2.AddProjectRoleRequest{ProjectId: "424242", RoleKey: "x"})
			wantCode(t, err, codes.NotFound, "QUERY-fk2fs")
			if _, err := c.AddProjectRole(ctx, &projectv2.AddProjectRoleRequest{ProjectId: pid, RoleKey: "reader", DisplayName: "Reader"}); err != nil {
				t.Fatal(err)
			}
			display := "Administrator"
			if _, err := c.UpdateProjectRole(ctx, &projectv2.UpdateProjectRoleRequest{ProjectId: pid, RoleKey: "admin", DisplayName: &display}); err != nil {
				t.Fatal(err)
			}
			if r := e.storedRole(t, pid, "admin"); r.DisplayName != "Administrator" || r.Group != "ops" {
				t.Fatalf("role after partial update: %+v", r)
			}
			_, err = c.UpdateProjectRole(ctx, &projectv2.UpdateProjectRoleRequest{ProjectId: pid, RoleKey: "nope", DisplayName: &display})
			wantCode(t, err, codes.NotFound, "COMMAND-vv8M9")
			roles, err := c.ListProjectRoles(ctx, &projectv2.ListProjectRolesRequest{ProjectId: pid, Pagination: &filterv2.PaginationRequest{Asc: true}})
			if err != nil || len(roles.GetProjectRoles()) != 2 || roles.GetProjectRoles()[0].GetKey() != "admin" || roles.GetProjectRoles()[0].GetGroup() != "ops" ||
				roles.GetPagination().GetTotalResult() != 2 {
				t.Fatalf("list roles: %v %v", roles, err)
			}
			byName, err := c.ListProjectRoles(ctx, &projectv2.ListProjectRolesRequest{ProjectId: pid, Filters: []*projectv2.ProjectRoleSearchFilter{
				{Filter: &projectv2.ProjectRoleSearchFilter_DisplayNameFilter{DisplayNameFilter: &projectv2.ProjectRoleDisplayNameFilter{DisplayName: "read", Method: filterv2.TextFilterMethod_TEXT_FILTER_METHOD_STARTS_WITH_IGNORE_CASE}}}}})
			if err != nil || len(byName.GetProjectRoles()) != 1 || byName.GetProjectRoles()[0].GetKey() != "reader" {
				t.Fatalf("roles by name: %v %v", byName, err)
			}

			// Lists across the caller's orgs, with filters.
			p2, err := c.CreateProject(ctx, &projectv2.CreateProjectRequest{OrganizationId: e.orgID, Name: "Blog"})
			if err != nil {
				t.Fatal(err)
			}
			list := func(fs ...*projectv2.ProjectSearchFilter) []string {
				t.Helper()
				r, err := c.ListProjects(ctx, &projectv2.ListProjectsRequest{Filters: fs, Pagination: &filterv2.PaginationRequest{Asc: true}})
				if err != nil {
					t.Fatal(err)
				}
				return projectIDs(r)
			}
			if got := list(); !slices.Equal(got, []string{pid, p2.GetProjectId()}) {
				t.Fatalf("list: %v", got)
			}
			if got := list(&projectv2.ProjectSearchFilter{Filter: &projectv2.ProjectSearchFilter_ProjectNameFilter{ProjectNameFilter: &projectv2.ProjectNameFilter{ProjectName: "Blog"}}}); !slices.Equal(got, []string{p2.GetProjectId()}) {
				t.Fatalf("by name: %v", got)
			}
			if got := list(&projectv2.ProjectSearchFilter{Filter: &projectv2.ProjectSearchFilter_InProjectIdsFilter{InProjectIdsFilter: &filterv2.InIDsFilter{Ids: []string{pid}}}}); !slices.Equal(got, []string{pid}) {
				t.Fatalf("by id: %v", got)
			}
			if got := list(&projectv2.ProjectSearchFilter{Filter: &projectv2.ProjectSearchFilter_OrganizationIdFilter{OrganizationIdFilter: &projectv2.ProjectOrganizationIDFilter{OrganizationId: e.orgID, Type: projectv2.ProjectOrganizationIDFilter_GRANTED}}}); len(got) != 0 {
				t.Fatalf("granted: %v", got)
			}

			// Deactivate and activate.
			if _, err := c.DeactivateProject(ctx, &projectv2.DeactivateProjectRequest{ProjectId: pid}); err != nil {
				t.Fatal(err)
			}
			_, err = c.DeactivateProject(ctx, &projectv2.DeactivateProjectRequest{ProjectId: pid})
			wantCode(t, err, codes.FailedPrecondition, "COMMAND-mki55")
			if _, err := c.ActivateProject(ctx, &projectv2.ActivateProjectRequest{ProjectId: pid}); err != nil {
				t.Fatal(err)
			}
			_, err = c.ActivateProject(ctx, &projectv2.ActivateProjectRequest{ProjectId: pid})
			wantCode(t, err, codes.FailedPrecondition, "COMMAND-5M9bs")

			// The owner of another org, naming this org's ids.
			other, attacker := e.ownerOfNewOrg("evil", "ORG_OWNER")
			actx := e.authCtx(attacker)
			before := e.storedProject(t, pid)
			evil := "pwned"
			for what, call := range map[string]func() error{
				"create": func() error {
					_, err := c.CreateProject(actx, &projectv2.CreateProjectRequest{OrganizationId: e.orgID, Name: "evil"})
					return err
				},
				"get": func() error { _, err := c.GetProject(actx, &projectv2.GetProjectRequest{ProjectId: pid}); return err },
				"update": func() error {
					_, err := c.UpdateProject(actx, &projectv2.UpdateProjectRequest{ProjectId: pid, Name: &evil})
					return err
				},
				"deactivate": func() error {
					_, err := c.DeactivateProject(actx, &projectv2.DeactivateProjectRequest{ProjectId: pid})
					return err
				},
				"delete": func() error {
					_, err := c.DeleteProject(actx, &projectv2.DeleteProjectRequest{ProjectId: pid})
					return err
				},
				"add role": func() error {
					_, err := c.AddProjectRole(actx, &projectv2.AddProjectRoleRequest{ProjectId: pid, RoleKey: "evil"})
					return err
				},
				"update role": func() error {
					_, err := c.UpdateProjectRole(actx, &projectv2.UpdateProjectRoleRequest{ProjectId: pid, RoleKey: "admin", DisplayName: &evil})
					return err
				},
				"remove role": func() error {
					_, err := c.RemoveProjectRole(actx, &projectv2.RemoveProjectRoleRequest{ProjectId: pid, RoleKey: "admin"})
					return err
				},
				"list roles": func() error {
					_, err := c.ListProjectRoles(actx, &projectv2.ListProjectRolesRequest{ProjectId: pid})
					return err
				},
			} {
				if err := call(); grpcstatus.Code(err) != codes.PermissionDenied {
					t.Errorf("the other org's owner: %s: %v", what, err)
				}
			}
			for _, fs := range [][]*projectv2.ProjectSearchFilter{nil, {{Filter: &projectv2.ProjectSearchFilter_OrganizationIdFilter{
				OrganizationIdFilter: &projectv2.ProjectOrganizationIDFilter{OrganizationId: e.orgID}}}}} {
				r, err := c.ListProjects(actx, &projectv2.ListProjectsRequest{Filters: fs})
				if err != nil || len(r.GetProjects()) != 0 {
					t.Fatalf("the other org's owner lists %v %v", r, err)
				}
			}
			if after := e.storedProject(t, pid); !reflect.DeepEqual(before, after) || e.storedRole(t, pid, "admin") == nil || e.storedRole(t, pid, "evil") != nil {
				t.Fatalf("the attacker changed the project: %+v → %+v", before, after)
			}
			// In its own org it creates projects, which this org does not see.
			mine, err := c.CreateProject(actx, &projectv2.CreateProjectRequest{OrganizationId: other, Name: "Mine"})
			if err != nil {
				t.Fatal(err)
			}
			if got := list(); !slices.Contains(got, mine.GetProjectId()) {
				// The admin is an IAM owner: it sees every org's projects.
				t.Fatalf("the instance admin's list misses another org's project: %v", got)
			}

			rm, err := c.RemoveProjectRole(ctx, &projectv2.RemoveProjectRoleRequest{ProjectId: pid, RoleKey: "reader"})
			if err != nil || rm.GetRemovalDate() == nil || e.storedRole(t, pid, "reader") != nil {
				t.Fatalf("remove role: %v %v", rm, err)
			}
			_, err = c.RemoveProjectRole(ctx, &projectv2.RemoveProjectRoleRequest{ProjectId: pid, RoleKey: "reader"})
			wantCode(t, err, codes.NotFound, "COMMAND-m9vMf")
			del, err := c.DeleteProject(ctx, &projectv2.DeleteProjectRequest{ProjectId: pid})
			if err != nil || del.GetDeletionDate() == nil {
				t.Fatalf("delete: %v %v", del, err)
			}
			if _, err := e.store.Artifact(context.Background(), project.KindProject, pid); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("deleted project: %v", err)
			}
			if e.storedRole(t, pid, "admin") != nil {
				t.Fatal("a deleted project's role is left")
			}
			_, err = c.DeleteProject(ctx, &projectv2.DeleteProjectRequest{ProjectId: pid})
			wantCode(t, err, codes.NotFound, "QUERY-fk2fs")
		})
	}
}

// TestProjectV1AndV2SameState: the same operations on projects and roles
// through Management v1 and ProjectService v2 leave the same stored project
// and roles and write the same org events, step by step, on both engines.
func TestProjectV1AndV2SameState(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			c := projectv2.NewProjectServiceClient(e.grpcConn())
			ctx := e.authCtx(e.token)
			var p1, p2 string
			sameProject := func(what string) {
				t.Helper()
				a, b := *e.storedProject(t, p1), *e.storedProject(t, p2)
				for _, p := range []*project.Project{&a, &b} {
					p.ID, p.Sequence, p.CreatedAt, p.ChangedAt = "", 0, time.Time{}, time.Time{}
				}
				if !reflect.DeepEqual(a, b) {
					t.Fatalf("%s: v1 %+v, v2 %+v", what, a, b)
				}
			}
			sameRole := func(what, key string) {
				t.Helper()
				a, b := e.storedRole(t, p1, key), e.storedRole(t, p2, key)
				if a == nil || b == nil {
					if a != b {
						t.Fatalf("%s: role %s v1 %v, v2 %v", what, key, a, b)
					}
					return
				}
				x, y := *a, *b
				for _, r := range []*project.Role{&x, &y} {
					r.ProjectID, r.Sequence, r.CreatedAt, r.ChangedAt = "", 0, time.Time{}, time.Time{}
				}
				if !reflect.DeepEqual(x, y) {
					t.Fatalf("%s: role v1 %+v, v2 %+v", what, x, y)
				}
			}
			step := func(what string, v1, v2 func()) {
				t.Helper()
				v1()
				ev1 := e.lastOrgEvent(t).Type
				v2()
				if ev2 := e.lastOrgEvent(t).Type; ev1 != ev2 {
					t.Fatalf("%s: v1 wrote %s, v2 %s", what, ev1, ev2)
				}
			}
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			step("create", func() {
				p1 = e.must(e.admin("POST", mv1+"/projects", `{"name":"Same","projectRoleAssertion":true,"hasProjectCheck":true,"privateLabelingSetting":"PRIVATE_LABELING_SETTING_ENFORCE_PROJECT_RESOURCE_OWNER_POLICY"}`), 200).str("id")
			}, func() {
				r, err := c.CreateProject(ctx, &projectv2.CreateProjectRequest{OrganizationId: e.orgID, Name: "Same", ProjectRoleAssertion: true, ProjectAccessRequired: true,
					PrivateLabelingSetting: projectv2.PrivateLabelingSetting_PRIVATE_LABELING_SETTING_ENFORCE_PROJECT_RESOURCE_OWNER_POLICY})
				must(err)
				p2 = r.GetProjectId()
			})
			sameProject("create")
			step("update", func() {
				e.must(e.admin("PUT", mv1+"/projects/"+p1, `{"name":"Same","projectRoleAssertion":true,"projectRoleCheck":true,"hasProjectCheck":true,"privateLabelingSetting":"PRIVATE_LABELING_SETTING_ENFORCE_PROJECT_RESOURCE_OWNER_POLICY"}`), 200)
			}, func() {
				yes := true
				_, err := c.UpdateProject(ctx, &projectv2.UpdateProjectRequest{ProjectId: p2, AuthorizationRequired: &yes})
				must(err)
			})
			sameProject("update")
			step("add role", func() {
				e.must(e.admin("POST", mv1+"/projects/"+p1+"/roles", `{"roleKey":"admin","displayName":"Admin","group":"ops"}`), 200)
			}, func() {
				g := "ops"
				_, err := c.AddProjectRole(ctx, &projectv2.AddProjectRoleRequest{ProjectId: p2, RoleKey: "admin", DisplayName: "Admin", Group: &g})
				must(err)
			})
			sameRole("add role", "admin")
			step("update role", func() {
				e.must(e.admin("PUT", mv1+"/projects/"+p1+"/roles/admin", `{"displayName":"Administrator","group":"ops"}`), 200)
			}, func() {
				d := "Administrator"
				_, err := c.UpdateProjectRole(ctx, &projectv2.UpdateProjectRoleRequest{ProjectId: p2, RoleKey: "admin", DisplayName: &d})
				must(err)
			})
			sameRole("update role", "admin")
			step("deactivate", func() {
				e.must(e.admin("POST", mv1+"/projects/"+p1+"/_deactivate", `{}`), 200)
			}, func() {
				_, err := c.DeactivateProject(ctx, &projectv2.DeactivateProjectRequest{ProjectId: p2})
				must(err)
			})
			sameProject("deactivate")
			step("reactivate", func() {
				e.must(e.admin("POST", mv1+"/projects/"+p1+"/_reactivate", `{}`), 200)
			}, func() {
				_, err := c.ActivateProject(ctx, &projectv2.ActivateProjectRequest{ProjectId: p2})
				must(err)
			})
			sameProject("reactivate")
			step("remove role", func() {
				e.must(e.admin("DELETE", mv1+"/projects/"+p1+"/roles/admin", ""), 200)
			}, func() {
				_, err := c.RemoveProjectRole(ctx, &projectv2.RemoveProjectRoleRequest{ProjectId: p2, RoleKey: "admin"})
				must(err)
			})
			sameRole("remove role", "admin")
			step("remove", func() {
				e.must(e.admin("DELETE", mv1+"/projects/"+p1, ""), 200)
			}, func() {
				_, err := c.DeleteProject(ctx, &projectv2.DeleteProjectRequest{ProjectId: p2})
				must(err)
			})
		})
	}
}

// TestListProjectsV2Granted: ListProjects v2 (and v2beta) lists a project
// granted to an org as ZITADEL does, one row per grant beside the owned
// project's, with the granted org and the grant's state; the granted org's
// owner sees the grants it received, and the owner of a third org sees no
// row of either org under any filter.
func TestListProjectsV2Granted(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			c := projectv2.NewProjectServiceClient(e.grpcConn())
			cb := projectv2beta.NewProjectServiceClient(e.grpcConn())
			actx := e.authCtx(e.token)
			pid := e.roleProjectV1("Shop")
			partner, partnerOwner := e.ownerOfNewOrg("partner", "ORG_OWNER")
			third, thirdOwner := e.ownerOfNewOrg("third", "ORG_OWNER")
			if _, err := c.CreateProjectGrant(actx, &projectv2.CreateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: partner, RoleKeys: []string{"reader"}}); err != nil {
				t.Fatal(err)
			}
			pctx := e.authCtx(partnerOwner)
			own, err := c.CreateProject(pctx, &projectv2.CreateProjectRequest{OrganizationId: partner, Name: "Own"})
			if err != nil {
				t.Fatal(err)
			}
			orgFilter := func(id string, typ projectv2.ProjectOrganizationIDFilter_Type) *projectv2.ProjectSearchFilter {
				return &projectv2.ProjectSearchFilter{Filter: &projectv2.ProjectSearchFilter_OrganizationIdFilter{
					OrganizationIdFilter: &projectv2.ProjectOrganizationIDFilter{OrganizationId: id, Type: typ}}}
			}
			type row struct{ id, grantedOrg string }
			list := func(ctx context.Context, fs ...*projectv2.ProjectSearchFilter) ([]row, *projectv2.ListProjectsResponse) {
				t.Helper()
				r, err := c.ListProjects(ctx, &projectv2.ListProjectsRequest{Filters: fs, Pagination: &filterv2.PaginationRequest{Asc: true}})
				if err != nil {
					t.Fatal(err)
				}
				var out []row
				for _, p := range r.GetProjects() {
					out = append(out, row{p.GetProjectId(), p.GetGrantedOrganizationId()})
				}
				if r.GetPagination().GetTotalResult() != uint64(len(out)) {
					t.Fatalf("total %d, %d rows", r.GetPagination().GetTotalResult(), len(out))
				}
				return out, r
			}
			granted := row{pid, partner}

			// The granted org's owner: the grant it received, with what ZITADEL shows.
			got, r := list(pctx, orgFilter(partner, projectv2.ProjectOrganizationIDFilter_GRANTED))
			if !slices.Equal(got, []row{granted}) {
				t.Fatalf("granted to partner: %v", got)
			}
			stored := e.storedProjectGrant(t, pid, partner)
			if p := r.GetProjects()[0]; p.GetOrganizationId() != e.orgID || p.GetName() != "Shop" || p.GetGrantedOrganizationName() != "partner" ||
				p.GetGrantedState() != projectv2.GrantedProjectState_GRANTED_PROJECT_STATE_ACTIVE || !p.GetCreationDate().AsTime().Equal(stored.CreatedAt) {
				t.Fatalf("granted row %v", p)
			}
			for what, tc := range map[string]struct {
				fs   []*projectv2.ProjectSearchFilter
				want []row
			}{
				"no filter":        {nil, []row{granted, {own.GetProjectId(), ""}}},
				"owned":            {[]*projectv2.ProjectSearchFilter{orgFilter(partner, projectv2.ProjectOrganizationIDFilter_OWNED)}, []row{{own.GetProjectId(), ""}}},
				"owned or granted": {[]*projectv2.ProjectSearchFilter{orgFilter(partner, projectv2.ProjectOrganizationIDFilter_OWNED_OR_GRANTED)}, []row{granted, {own.GetProjectId(), ""}}},
				"unspecified":      {[]*projectv2.ProjectSearchFilter{orgFilter(partner, projectv2.ProjectOrganizationIDFilter_TYPE_UNSPECIFIED)}, []row{granted, {own.GetProjectId(), ""}}},
				"by name":          {[]*projectv2.ProjectSearchFilter{orgFilter(partner, projectv2.ProjectOrganizationIDFilter_GRANTED), {Filter: &projectv2.ProjectSearchFilter_ProjectNameFilter{ProjectNameFilter: &projectv2.ProjectNameFilter{ProjectName: "Own"}}}}, nil},
				// A grant row's org is the project's, as in ZITADEL: the granting
				// org's filter finds the grant, and nothing else of that org.
				"granting org's": {[]*projectv2.ProjectSearchFilter{orgFilter(e.orgID, projectv2.ProjectOrganizationIDFilter_OWNED)}, []row{granted}},
				"both types":     {[]*projectv2.ProjectSearchFilter{orgFilter(partner, projectv2.ProjectOrganizationIDFilter_OWNED), orgFilter(partner, projectv2.ProjectOrganizationIDFilter_GRANTED)}, nil},
			} {
				if got, _ := list(pctx, tc.fs...); !slices.Equal(got, tc.want) {
					t.Errorf("partner, %s: %v, want %v", what, got, tc.want)
				}
			}

			// The granting side (an instance owner here): its project and its grant, as two rows.
			if got, _ := list(actx, orgFilter(e.orgID, projectv2.ProjectOrganizationIDFilter_OWNED), &projectv2.ProjectSearchFilter{
				Filter: &projectv2.ProjectSearchFilter_InProjectIdsFilter{InProjectIdsFilter: &filterv2.InIDsFilter{Ids: []string{pid}}}}); !slices.Equal(got, []row{{pid, ""}, granted}) {
				t.Fatalf("the granting org's rows: %v", got)
			}
			if _, err := c.DeactivateProjectGrant(actx, &projectv2.DeactivateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: partner}); err != nil {
				t.Fatal(err)
			}
			if _, r := list(pctx, orgFilter(partner, projectv2.ProjectOrganizationIDFilter_GRANTED)); len(r.GetProjects()) != 1 ||
				r.GetProjects()[0].GetGrantedState() != projectv2.GrantedProjectState_GRANTED_PROJECT_STATE_INACTIVE {
				t.Fatalf("after deactivation: %v", r)
			}

			// v2beta's filters, converted to v2's.
			br, err := cb.ListProjects(pctx, &projectv2beta.ListProjectsRequest{Filters: []*projectv2beta.ProjectSearchFilter{{Filter: &projectv2beta.ProjectSearchFilter_ProjectGrantResourceOwnerFilter{
				ProjectGrantResourceOwnerFilter: &filterv2beta.IDFilter{Id: partner}}}}})
			if err != nil || len(br.GetProjects()) != 1 || br.GetProjects()[0].GetId() != pid || br.GetProjects()[0].GetGrantedOrganizationId() != partner ||
				br.GetProjects()[0].GetGrantedState() != projectv2beta.GrantedProjectState_GRANTED_PROJECT_STATE_INACTIVE {
				t.Fatalf("v2beta granted: %v %v", br, err)
			}

			// The owner of a third org sees neither org's rows, whatever it names.
			tctx := e.authCtx(thirdOwner)
			for _, fs := range [][]*projectv2.ProjectSearchFilter{
				nil,
				{orgFilter(partner, projectv2.ProjectOrganizationIDFilter_GRANTED)},
				{orgFilter(partner, projectv2.ProjectOrganizationIDFilter_OWNED_OR_GRANTED)},
				{orgFilter(e.orgID, projectv2.ProjectOrganizationIDFilter_OWNED)},
				{orgFilter(third, projectv2.ProjectOrganizationIDFilter_GRANTED)},
			} {
				if got, _ := list(tctx, fs...); len(got) != 0 {
					t.Errorf("the third org's owner lists %v with %v", got, fs)
				}
			}
			br, err = cb.ListProjects(tctx, &projectv2beta.ListProjectsRequest{Filters: []*projectv2beta.ProjectSearchFilter{{Filter: &projectv2beta.ProjectSearchFilter_ProjectGrantResourceOwnerFilter{
				ProjectGrantResourceOwnerFilter: &filterv2beta.IDFilter{Id: partner}}}}})
			if err != nil || len(br.GetProjects()) != 0 {
				t.Fatalf("the third org's owner, v2beta: %v %v", br, err)
			}
		})
	}
}
