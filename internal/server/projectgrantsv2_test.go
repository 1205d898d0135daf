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
	projectv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/project/v2"
	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"
)

// storedProjectGrant is the grant of projectID to grantedOrgID, nil if there
// is none.
func (e *env) storedProjectGrant(t *testing.T, projectID, grantedOrgID string) *project.ProjectGrant {
	t.Helper()
	art, err := e.store.ArtifactByKey(context.Background(), project.KindProjectGrant, project.ProjectGrantKey(projectID, grantedOrgID))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	var pg project.ProjectGrant
	if err := json.Unmarshal(art.Data, &pg); err != nil {
		t.Fatal(err)
	}
	return &pg
}

func grantProjectIDs(r *projectv2.ListProjectGrantsResponse) []string {
	var out []string
	for _, g := range r.GetProjectGrants() {
		out = append(out, g.GetProjectId()+">"+g.GetGrantedOrganizationId())
	}
	return out
}

// TestProjectGrantsV2: ProjectService's project grants over gRPC on both
// engines — a grant named by project and granted org, ZITADEL's v2 answers
// and error ids (an unchanged update and a repeated (de)activation are no
// error and answer the grant's dates; a missing grant's delete answers no
// date), roles that must be the project's, ListProjectGrants' filters, sorts
// and pages — and the attackers: the granted org's owner cannot change,
// (de)activate or delete the grant (it lists that grant only, as in ZITADEL),
// another org's owner cannot grant this org's project (to itself or anyone)
// nor touch or list its grants.
func TestProjectGrantsV2(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			c := projectv2.NewProjectServiceClient(e.grpcConn())
			ctx := e.authCtx(e.token)
			pid := e.roleProjectV1("Shop")
			granted, grantedOwner := e.ownerOfNewOrg("partner", "ORG_OWNER")
			second, _ := e.ownerOfNewOrg("second", "ORG_OWNER")

			cr, err := c.CreateProjectGrant(ctx, &projectv2.CreateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: granted, RoleKeys: []string{"reader", "admin"}})
			if err != nil || cr.GetCreationDate() == nil {
				t.Fatalf("create: %v %v", cr, err)
			}
			pg := e.storedProjectGrant(t, pid, granted)
			if pg == nil || pg.OrgID != e.orgID || !slices.Equal(pg.RoleKeys, []string{"admin", "reader"}) || !pg.Active() ||
				!cr.GetCreationDate().AsTime().Equal(pg.CreatedAt) {
				t.Fatalf("stored grant %+v (answer %v)", pg, cr.GetCreationDate().AsTime())
			}
			if ev := e.lastOrgEvent(t); ev.Type != event.ProjectGrantAdded {
				t.Fatalf("last event %+v", ev)
			}
			for _, tc := range []struct {
				req  *projectv2.CreateProjectGrantRequest
				code codes.Code
				id   string
			}{
				{&projectv2.CreateProjectGrantRequest{GrantedOrganizationId: granted}, codes.InvalidArgument, "COMMAND-FYRnWEzBzV"},
				{&projectv2.CreateProjectGrantRequest{ProjectId: pid}, codes.InvalidArgument, "COMMAND-PPhHpWGRAE"},
				{&projectv2.CreateProjectGrantRequest{ProjectId: "424242", GrantedOrganizationId: granted}, codes.FailedPrecondition, "COMMAND-m9gsd"},
				{&projectv2.CreateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: "424242"}, codes.FailedPrecondition, "COMMAND-3m9gg"},
				{&projectv2.CreateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: e.orgID}, codes.FailedPrecondition, "PROJECT-ckUpbvboAH"},
				{&projectv2.CreateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: granted}, codes.AlreadyExists, "V3-DKcYh"},
				// Grant roles must be roles of the project.
				{&projectv2.CreateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: second, RoleKeys: []string{"admin", "nope"}}, codes.FailedPrecondition, "COMMAND-6m9gd"},
			} {
				_, err := c.CreateProjectGrant(ctx, tc.req)
				wantCode(t, err, tc.code, tc.id)
			}
			if e.storedProjectGrant(t, pid, second) != nil {
				t.Fatal("a refused create left a grant")
			}

			// Update: new roles; the same again is no error and no event.
			up, err := c.UpdateProjectGrant(ctx, &projectv2.UpdateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: granted, RoleKeys: []string{"reader"}})
			pg = e.storedProjectGrant(t, pid, granted)
			if err != nil || !slices.Equal(pg.RoleKeys, []string{"reader"}) || !up.GetChangeDate().AsTime().Equal(pg.ChangedAt) {
				t.Fatalf("update: %v %v, stored %+v", up, err, pg)
			}
			seq := e.lastOrgEvent(t).Sequence
			same, err := c.UpdateProjectGrant(ctx, &projectv2.UpdateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: granted, RoleKeys: []string{"reader"}})
			if err != nil || !same.GetChangeDate().AsTime().Equal(pg.ChangedAt) || e.lastOrgEvent(t).Sequence != seq {
				t.Fatalf("unchanged update: %v %v", same, err)
			}
			other := e.roleProjectV1("Other")
			e.must(e.admin("POST", mv1+"/projects/"+other+"/roles", `{"roleKey":"elsewhere"}`), 200)
			_, err = c.UpdateProjectGrant(ctx, &projectv2.UpdateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: granted, RoleKeys: []string{"elsewhere"}})
			wantCode(t, err, codes.FailedPrecondition, "COMMAND-6m9gd")
			_, err = c.UpdateProjectGrant(ctx, &projectv2.UpdateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: second})
			wantCode(t, err, codes.NotFound, "PROJECT-D8JxR")
			_, err = c.UpdateProjectGrant(ctx, &projectv2.UpdateProjectGrantRequest{ProjectId: "424242", GrantedOrganizationId: granted})
			wantCode(t, err, codes.NotFound, "PROJECT-D8JxR")
			_, err = c.UpdateProjectGrant(ctx, &projectv2.UpdateProjectGrantRequest{ProjectId: pid})
			wantCode(t, err, codes.InvalidArgument, "PROJECT-1j83s")

			// Deactivate and activate, each twice: the second answers the
			// grant's change date and writes nothing.
			de, err := c.DeactivateProjectGrant(ctx, &projectv2.DeactivateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: granted})
			pg = e.storedProjectGrant(t, pid, granted)
			if err != nil || pg.Active() || !de.GetChangeDate().AsTime().Equal(pg.ChangedAt) || e.lastOrgEvent(t).Type != event.ProjectGrantDeactivated {
				t.Fatalf("deactivate: %v %v, stored %+v", de, err, pg)
			}
			seq = e.lastOrgEvent(t).Sequence
			de, err = c.DeactivateProjectGrant(ctx, &projectv2.DeactivateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: granted})
			if err != nil || !de.GetChangeDate().AsTime().Equal(pg.ChangedAt) || e.lastOrgEvent(t).Sequence != seq {
				t.Fatalf("deactivate again: %v %v", de, err)
			}
			_, err = c.DeactivateProjectGrant(ctx, &projectv2.DeactivateProjectGrantRequest{ProjectId: "424242", GrantedOrganizationId: granted})
			wantCode(t, err, codes.FailedPrecondition, "COMMAND-EbFMN")
			_, err = c.ActivateProjectGrant(ctx, &projectv2.ActivateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: second})
			wantCode(t, err, codes.NotFound, "PROJECT-D8JxR")
			_, err = c.ActivateProjectGrant(ctx, &projectv2.ActivateProjectGrantRequest{GrantedOrganizationId: granted})
			wantCode(t, err, codes.InvalidArgument, "PROJECT-p0s4V")
			ac, err := c.ActivateProjectGrant(ctx, &projectv2.ActivateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: granted})
			pg = e.storedProjectGrant(t, pid, granted)
			if err != nil || !pg.Active() || !ac.GetChangeDate().AsTime().Equal(pg.ChangedAt) || e.lastOrgEvent(t).Type != event.ProjectGrantReactivated {
				t.Fatalf("activate: %v %v, stored %+v", ac, err, pg)
			}
			seq = e.lastOrgEvent(t).Sequence
			ac, err = c.ActivateProjectGrant(ctx, &projectv2.ActivateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: granted})
			if err != nil || !ac.GetChangeDate().AsTime().Equal(pg.ChangedAt) || e.lastOrgEvent(t).Sequence != seq {
				t.Fatalf("activate again: %v %v", ac, err)
			}

			// Lists: a second grant of another project, then filters, sorts, pages.
			if _, err := c.CreateProjectGrant(ctx, &projectv2.CreateProjectGrantRequest{ProjectId: other, GrantedOrganizationId: second, RoleKeys: []string{"admin", "elsewhere"}}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.DeactivateProjectGrant(ctx, &projectv2.DeactivateProjectGrantRequest{ProjectId: other, GrantedOrganizationId: second}); err != nil {
				t.Fatal(err)
			}
			// The first grant, created first, changes last.
			if _, err := c.DeactivateProjectGrant(ctx, &projectv2.DeactivateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: granted}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.ActivateProjectGrant(ctx, &projectv2.ActivateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: granted}); err != nil {
				t.Fatal(err)
			}
			pg = e.storedProjectGrant(t, pid, granted)
			a, b := pid+">"+granted, other+">"+second
			list := func(sort *projectv2.ProjectGrantFieldName, asc bool, fs ...*projectv2.ProjectGrantSearchFilter) *projectv2.ListProjectGrantsResponse {
				t.Helper()
				r, err := c.ListProjectGrants(ctx, &projectv2.ListProjectGrantsRequest{Filters: fs, SortingColumn: sort, Pagination: &filterv2.PaginationRequest{Asc: asc}})
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			all := list(nil, true)
			if got := grantProjectIDs(all); !slices.Equal(got, []string{a, b}) || all.GetPagination().GetTotalResult() != 2 {
				t.Fatalf("list: %v", all)
			}
			g := all.GetProjectGrants()[0]
			if g.GetOrganizationId() != e.orgID || g.GetProjectName() != "Shop" || g.GetGrantedOrganizationName() != "partner" ||
				!slices.Equal(g.GetGrantedRoleKeys(), []string{"reader"}) || g.GetState() != projectv2.ProjectGrantState_PROJECT_GRANT_STATE_ACTIVE ||
				!g.GetCreationDate().AsTime().Equal(pg.CreatedAt) || !g.GetChangeDate().AsTime().Equal(pg.ChangedAt) {
				t.Fatalf("listed grant %v, stored %+v", g, pg)
			}
			if s := all.GetProjectGrants()[1].GetState(); s != projectv2.ProjectGrantState_PROJECT_GRANT_STATE_INACTIVE {
				t.Fatalf("state of the deactivated grant: %v", s)
			}
			if got := grantProjectIDs(list(nil, false)); !slices.Equal(got, []string{b, a}) {
				t.Fatalf("descending: %v", got)
			}
			changed := projectv2.ProjectGrantFieldName_PROJECT_GRANT_FIELD_NAME_CHANGE_DATE
			if got := grantProjectIDs(list(&changed, true)); !slices.Equal(got, []string{b, a}) {
				t.Fatalf("by change date: %v", got)
			}
			byProject := projectv2.ProjectGrantFieldName_PROJECT_GRANT_FIELD_NAME_PROJECT_ID
			want := []string{a, b}
			if other < pid {
				want = []string{b, a}
			}
			if got := grantProjectIDs(list(&byProject, true)); !slices.Equal(got, want) {
				t.Fatalf("by project id: %v", got)
			}
			name := func(n string, m filterv2.TextFilterMethod) *projectv2.ProjectGrantSearchFilter {
				return &projectv2.ProjectGrantSearchFilter{Filter: &projectv2.ProjectGrantSearchFilter_ProjectNameFilter{ProjectNameFilter: &projectv2.ProjectNameFilter{ProjectName: n, Method: m}}}
			}
			role := func(k string) *projectv2.ProjectGrantSearchFilter {
				return &projectv2.ProjectGrantSearchFilter{Filter: &projectv2.ProjectGrantSearchFilter_RoleKeyFilter{RoleKeyFilter: &projectv2.ProjectRoleKeyFilter{Key: k}}}
			}
			inProjects := func(ids ...string) *projectv2.ProjectGrantSearchFilter {
				return &projectv2.ProjectGrantSearchFilter{Filter: &projectv2.ProjectGrantSearchFilter_InProjectIdsFilter{InProjectIdsFilter: &filterv2.InIDsFilter{Ids: ids}}}
			}
			owner := func(id string) *projectv2.ProjectGrantSearchFilter {
				return &projectv2.ProjectGrantSearchFilter{Filter: &projectv2.ProjectGrantSearchFilter_OrganizationIdFilter{OrganizationIdFilter: &filterv2.IDFilter{Id: id}}}
			}
			grantedTo := func(id string) *projectv2.ProjectGrantSearchFilter {
				return &projectv2.ProjectGrantSearchFilter{Filter: &projectv2.ProjectGrantSearchFilter_GrantedOrganizationIdFilter{GrantedOrganizationIdFilter: &filterv2.IDFilter{Id: id}}}
			}
			for what, tc := range map[string]struct {
				fs   []*projectv2.ProjectGrantSearchFilter
				want []string
			}{
				"name":                  {[]*projectv2.ProjectGrantSearchFilter{name("sho", filterv2.TextFilterMethod_TEXT_FILTER_METHOD_STARTS_WITH_IGNORE_CASE)}, []string{a}},
				"exact name":            {[]*projectv2.ProjectGrantSearchFilter{name("sho", filterv2.TextFilterMethod_TEXT_FILTER_METHOD_EQUALS)}, nil},
				"role":                  {[]*projectv2.ProjectGrantSearchFilter{role("admin")}, []string{b}},
				"role is exact":         {[]*projectv2.ProjectGrantSearchFilter{role("adm")}, nil},
				"both roles":            {[]*projectv2.ProjectGrantSearchFilter{role("admin"), role("elsewhere")}, []string{b}},
				"roles of two grants":   {[]*projectv2.ProjectGrantSearchFilter{role("admin"), role("reader")}, nil},
				"projects":              {[]*projectv2.ProjectGrantSearchFilter{inProjects(pid, other)}, []string{a, b}},
				"projects and projects": {[]*projectv2.ProjectGrantSearchFilter{inProjects(pid, other), inProjects(other)}, []string{b}},
				"owner":                 {[]*projectv2.ProjectGrantSearchFilter{owner(e.orgID)}, []string{a, b}},
				"another owner":         {[]*projectv2.ProjectGrantSearchFilter{owner(granted)}, nil},
				"granted org":           {[]*projectv2.ProjectGrantSearchFilter{grantedTo(second)}, []string{b}},
				"all of them":           {[]*projectv2.ProjectGrantSearchFilter{owner(e.orgID), grantedTo(granted), inProjects(pid), role("reader"), name("Shop", 0)}, []string{a}},
			} {
				if got := grantProjectIDs(list(nil, true, tc.fs...)); !slices.Equal(got, tc.want) {
					t.Errorf("%s: %v, want %v", what, got, tc.want)
				}
			}
			pageTwo, err := c.ListProjectGrants(ctx, &projectv2.ListProjectGrantsRequest{Pagination: &filterv2.PaginationRequest{Offset: 1, Limit: 1, Asc: true}})
			if err != nil || !slices.Equal(grantProjectIDs(pageTwo), []string{b}) || pageTwo.GetPagination().GetTotalResult() != 2 || pageTwo.GetPagination().GetAppliedLimit() != 1 {
				t.Fatalf("second page: %v %v", pageTwo, err)
			}
			_, err = c.ListProjectGrants(ctx, &projectv2.ListProjectGrantsRequest{Filters: []*projectv2.ProjectGrantSearchFilter{{}}})
			wantCode(t, err, codes.InvalidArgument, "PROJECT-M099f")
			bad := projectv2.ProjectGrantFieldName(9)
			_, err = c.ListProjectGrants(ctx, &projectv2.ListProjectGrantsRequest{SortingColumn: &bad})
			wantCode(t, err, codes.InvalidArgument, "WARDEN-SORT")

			// The granted org's owner: it may not change what it was granted.
			before := e.storedProjectGrant(t, pid, granted)
			evil := e.authCtx(grantedOwner)
			evilOrg, attacker := e.ownerOfNewOrg("evil", "ORG_OWNER")
			foreign := e.authCtx(attacker)
			for who, actx := range map[string]context.Context{"the granted org's owner": evil, "another org's owner": foreign} {
				for what, call := range map[string]func() error{
					"update": func() error {
						_, err := c.UpdateProjectGrant(actx, &projectv2.UpdateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: granted, RoleKeys: []string{"admin", "reader"}})
						return err
					},
					"deactivate": func() error {
						_, err := c.DeactivateProjectGrant(actx, &projectv2.DeactivateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: granted})
						return err
					},
					"activate": func() error {
						_, err := c.ActivateProjectGrant(actx, &projectv2.ActivateProjectGrantRequest{ProjectId: other, GrantedOrganizationId: second})
						return err
					},
					"delete": func() error {
						_, err := c.DeleteProjectGrant(actx, &projectv2.DeleteProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: granted})
						return err
					},
					"delete a grant that is not there": func() error {
						_, err := c.DeleteProjectGrant(actx, &projectv2.DeleteProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: "424242"})
						return err
					},
					"update a grant that is not there": func() error {
						_, err := c.UpdateProjectGrant(actx, &projectv2.UpdateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: "424242"})
						return err
					},
					"grant the project to another org": func() error {
						_, err := c.CreateProjectGrant(actx, &projectv2.CreateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: second})
						return err
					},
				} {
					if err := call(); grpcstatus.Code(err) != codes.PermissionDenied {
						t.Errorf("%s: %s: %v", who, what, err)
					}
				}
				// As in ZITADEL, the granted org sees the grant it received
				// (project.grant.read in its org), and nothing else of this org's.
				var want []string
				if actx == evil {
					want = []string{a}
				}
				if r, err := c.ListProjectGrants(actx, &projectv2.ListProjectGrantsRequest{Filters: []*projectv2.ProjectGrantSearchFilter{owner(e.orgID)}}); err != nil || !slices.Equal(grantProjectIDs(r), want) {
					t.Errorf("%s lists this org's grants: %v %v", who, r, err)
				}
			}
			// Nor may another org's owner grant this org's project to its own org.
			_, err = c.CreateProjectGrant(foreign, &projectv2.CreateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: evilOrg, RoleKeys: []string{"admin"}})
			wantCode(t, err, codes.PermissionDenied, "")
			if e.storedProjectGrant(t, pid, evilOrg) != nil {
				t.Fatal("another org's owner granted this org's project to itself")
			}
			if after := e.storedProjectGrant(t, pid, granted); !reflect.DeepEqual(before, after) {
				t.Fatalf("an attacker changed the grant: %+v → %+v", before, after)
			}

			// Delete: the grant, then again (no error, no date); a missing
			// project is no error either.
			del, err := c.DeleteProjectGrant(ctx, &projectv2.DeleteProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: granted})
			if err != nil || del.GetDeletionDate() == nil || e.storedProjectGrant(t, pid, granted) != nil || e.lastOrgEvent(t).Type != event.ProjectGrantRemoved {
				t.Fatalf("delete: %v %v", del, err)
			}
			seq = e.lastOrgEvent(t).Sequence
			for _, req := range []*projectv2.DeleteProjectGrantRequest{{ProjectId: pid, GrantedOrganizationId: granted}, {ProjectId: "424242", GrantedOrganizationId: granted}} {
				again, err := c.DeleteProjectGrant(ctx, req)
				if err != nil || again.GetDeletionDate() != nil || e.lastOrgEvent(t).Sequence != seq {
					t.Fatalf("delete %v again: %v %v", req, again, err)
				}
			}
			_, err = c.DeleteProjectGrant(ctx, &projectv2.DeleteProjectGrantRequest{ProjectId: pid})
			wantCode(t, err, codes.InvalidArgument, "PROJECT-1m9fJ")
		})
	}
}

// TestProjectGrantV1AndV2SameState: the same operations on a project grant
// through Management v1 and ProjectService v2 leave the same stored grant
// and write the same org events, step by step, on both engines; v1's lists
// (one project's grants, all grants) find what v2 made, with their queries.
func TestProjectGrantV1AndV2SameState(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			c := projectv2.NewProjectServiceClient(e.grpcConn())
			ctx := e.authCtx(e.token)
			p1, p2 := e.roleProjectV1("One"), e.roleProjectV1("Two")
			partner, _ := e.ownerOfNewOrg("partner", "ORG_OWNER")
			var g1 string
			same := func(what string) {
				t.Helper()
				a, b := e.storedProjectGrant(t, p1, partner), e.storedProjectGrant(t, p2, partner)
				if a == nil || b == nil {
					if a != b {
						t.Fatalf("%s: v1 %+v, v2 %+v", what, a, b)
					}
					return
				}
				x, y := *a, *b
				for _, g := range []*project.ProjectGrant{&x, &y} {
					g.ID, g.ProjectID, g.Sequence, g.CreatedAt, g.ChangedAt = "", "", 0, time.Time{}, time.Time{}
				}
				if !reflect.DeepEqual(x, y) {
					t.Fatalf("%s: v1 %+v, v2 %+v", what, x, y)
				}
			}
			step := func(what string, v1 func(), v2 func() error) {
				t.Helper()
				v1()
				ev1 := e.lastOrgEvent(t).Type
				if err := v2(); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				if ev2 := e.lastOrgEvent(t).Type; ev1 != ev2 {
					t.Fatalf("%s: v1 wrote %s, v2 %s", what, ev1, ev2)
				}
				same(what)
			}
			step("create", func() {
				g1 = e.must(e.admin("POST", mv1+"/projects/"+p1+"/grants", `{"grantedOrgId":"`+partner+`","roleKeys":["reader","admin"]}`), 200).str("grantId")
			}, func() error {
				_, err := c.CreateProjectGrant(ctx, &projectv2.CreateProjectGrantRequest{ProjectId: p2, GrantedOrganizationId: partner, RoleKeys: []string{"reader", "admin"}})
				return err
			})
			grant1 := mv1 + "/projects/" + p1 + "/grants/" + g1
			step("update", func() {
				e.must(e.admin("PUT", grant1, `{"roleKeys":["reader"]}`), 200)
			}, func() error {
				_, err := c.UpdateProjectGrant(ctx, &projectv2.UpdateProjectGrantRequest{ProjectId: p2, GrantedOrganizationId: partner, RoleKeys: []string{"reader"}})
				return err
			})
			step("deactivate", func() {
				e.must(e.admin("POST", grant1+"/_deactivate", `{}`), 200)
			}, func() error {
				_, err := c.DeactivateProjectGrant(ctx, &projectv2.DeactivateProjectGrantRequest{ProjectId: p2, GrantedOrganizationId: partner})
				return err
			})
			step("reactivate", func() {
				e.must(e.admin("POST", grant1+"/_reactivate", `{}`), 200)
			}, func() error {
				_, err := c.ActivateProjectGrant(ctx, &projectv2.ActivateProjectGrantRequest{ProjectId: p2, GrantedOrganizationId: partner})
				return err
			})

			// v1's lists see v2's grant, through each of their queries.
			ids := func(r reply) []string {
				t.Helper()
				var out []string
				res, _ := r.body["result"].([]any)
				for _, x := range res {
					out = append(out, x.(map[string]any)["projectId"].(string))
				}
				return out
			}
			if got := ids(e.must(e.admin("POST", mv1+"/projects/"+p2+"/grants/_search", `{"queries":[{"roleKeyQuery":{"roleKey":"reader"}}]}`), 200)); !slices.Equal(got, []string{p2}) {
				t.Fatalf("v1 list by role: %v", got)
			}
			if got := ids(e.must(e.admin("POST", mv1+"/projects/"+p2+"/grants/_search", `{"queries":[{"projectNameQuery":{"name":"One"}}]}`), 200)); len(got) != 0 {
				t.Fatalf("v1 list of Two by the name One: %v", got)
			}
			if got := ids(e.must(e.admin("POST", mv1+"/projectgrants/_search", `{"query":{"asc":true},"queries":[{"grantedOrgIdQuery":{"grantedOrgId":"`+partner+`"}}]}`), 200)); !slices.Equal(got, []string{p1, p2}) {
				t.Fatalf("v1 list of all by granted org: %v", got)
			}
			if got := ids(e.must(e.admin("POST", mv1+"/projectgrants/_search", `{"queries":[{"projectIdQuery":{"projectId":"`+p2+`"}}]}`), 200)); !slices.Equal(got, []string{p2}) {
				t.Fatalf("v1 list of all by project: %v", got)
			}
			e.wantErr(e.admin("POST", mv1+"/projects/"+p2+"/grants/_search", `{"queries":[{}]}`), 400, "WARDEN-QUERYUNSUP")

			step("remove", func() {
				e.must(e.admin("DELETE", grant1, ""), 200)
			}, func() error {
				_, err := c.DeleteProjectGrant(ctx, &projectv2.DeleteProjectGrantRequest{ProjectId: p2, GrantedOrganizationId: partner})
				return err
			})
		})
	}
}
