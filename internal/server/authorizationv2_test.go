package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
	authzv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/authorization/v2"
	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// wantCode checks a gRPC error's code and ZITADEL error id.
func wantCode(t *testing.T, err error, code codes.Code, id string) {
	t.Helper()
	if status.Code(err) != code || (id != "" && detailID(err) != id) {
		t.Fatalf("got %v (id %q), want %v %s", err, detailID(err), code, id)
	}
}

// roleProjectV1 is a new project of the admin's org with the roles admin and reader.
func (e *env) roleProjectV1(name string) string {
	e.t.Helper()
	pid := e.must(e.admin("POST", mv1+"/projects", `{"name":"`+name+`"}`), 200).str("id")
	e.must(e.admin("POST", mv1+"/projects/"+pid+"/roles/_bulk", `{"roles":[{"key":"admin","displayName":"Administrator","group":"ops"},{"key":"reader"}]}`), 200)
	return pid
}

// ownerOfNewOrg makes an org and a machine user of it with roles there; it
// returns the org's id and the user's PAT.
func (e *env) ownerOfNewOrg(name string, roles ...string) (string, string) {
	e.t.Helper()
	o := e.must(e.admin("POST", mv1+"/orgs", `{"name":"`+name+`"}`), 200).str("id")
	id := e.must(e.admin("POST", mv1+"/users/machine", `{"userName":"`+name+`-bot","name":"bot"}`, "x-zitadel-orgid", o), 200).str("userId")
	rs, _ := json.Marshal(roles)
	e.must(e.admin("POST", mv1+"/orgs/me/members", `{"userId":"`+id+`","roles":`+string(rs)+`}`, "x-zitadel-orgid", o), 200)
	return o, e.must(e.admin("POST", mv1+"/users/"+id+"/pats", `{}`, "x-zitadel-orgid", o), 200).str("token")
}

func (e *env) storedGrant(t *testing.T, id string) *project.Grant {
	t.Helper()
	art, err := e.store.Artifact(context.Background(), project.KindGrant, id)
	if err != nil {
		t.Fatalf("grant %s: %v", id, err)
	}
	var g project.Grant
	if err := json.Unmarshal(art.Data, &g); err != nil {
		t.Fatal(err)
	}
	return &g
}

func authzIDs(r *authzv2.ListAuthorizationsResponse) []string {
	var out []string
	for _, a := range r.GetAuthorizations() {
		out = append(out, a.GetId())
	}
	return out
}

// TestAuthorizationV2: AuthorizationService's six methods over gRPC on both
// engines — ZITADEL's answers, its error ids for bad input, unknown ids and
// duplicates, v2's unchanged update that is no error — and an owner of
// another org naming this org's ids (there is no org header in v2) is
// refused every change and lists none of its grants.
func TestAuthorizationV2(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			c := authzv2.NewAuthorizationServiceClient(e.grpcConn())
			ctx := e.authCtx(e.token)
			pid := e.roleProjectV1("Authz")
			u := e.importHuman("alice")

			cr, err := c.CreateAuthorization(ctx, &authzv2.CreateAuthorizationRequest{UserId: u, ProjectId: pid, OrganizationId: e.orgID, RoleKeys: []string{"reader"}})
			if err != nil || cr.GetId() == "" || cr.GetCreationDate() == nil {
				t.Fatalf("create: %v %v", cr, err)
			}
			gid := cr.GetId()
			if ev := e.lastOrgEvent(t); ev.Type != event.UserGrantAdded {
				t.Fatalf("last org event %+v", ev)
			}
			// v1 sees the same grant.
			g1 := e.must(e.admin("GET", mv1+"/users/"+u+"/grants/"+gid, ""), 200)
			if g1.str("userGrant", "state") != "USER_GRANT_STATE_ACTIVE" || g1.str("userGrant", "orgId") != e.orgID {
				t.Fatalf("v1 get: %s", g1.raw)
			}
			_, err = c.CreateAuthorization(ctx, &authzv2.CreateAuthorizationRequest{UserId: u, ProjectId: pid, OrganizationId: e.orgID, RoleKeys: []string{"admin"}})
			wantCode(t, err, codes.AlreadyExists, "V3-DKcYh")
			u2 := e.importHuman("bob")
			for _, tc := range []struct {
				req  *authzv2.CreateAuthorizationRequest
				code codes.Code
				id   string
			}{
				{&authzv2.CreateAuthorizationRequest{ProjectId: pid, OrganizationId: e.orgID}, codes.InvalidArgument, "COMMAND-kVfMa"},
				{&authzv2.CreateAuthorizationRequest{UserId: u2, OrganizationId: e.orgID}, codes.InvalidArgument, "COMMAND-kVfMa"},
				{&authzv2.CreateAuthorizationRequest{UserId: u2, ProjectId: pid, OrganizationId: e.orgID, RoleKeys: []string{"nope"}}, codes.FailedPrecondition, "COMMAND-mm9F4"},
				{&authzv2.CreateAuthorizationRequest{UserId: u2, ProjectId: "424242", OrganizationId: e.orgID}, codes.FailedPrecondition, "COMMAND-3n77S"},
				{&authzv2.CreateAuthorizationRequest{UserId: "424242", ProjectId: pid, OrganizationId: e.orgID}, codes.FailedPrecondition, "COMMAND-4f8sg"},
				{&authzv2.CreateAuthorizationRequest{UserId: u2, ProjectId: pid, OrganizationId: "424242"}, codes.NotFound, ""},
				{&authzv2.CreateAuthorizationRequest{UserId: u2, ProjectId: pid, OrganizationId: e.orgID, RoleKeys: []string{"a\x00b"}}, codes.InvalidArgument, ""},
			} {
				_, err := c.CreateAuthorization(ctx, tc.req)
				wantCode(t, err, tc.code, tc.id)
			}

			up, err := c.UpdateAuthorization(ctx, &authzv2.UpdateAuthorizationRequest{Id: gid, RoleKeys: []string{"reader", "admin"}})
			if err != nil || up.GetChangeDate() == nil {
				t.Fatalf("update: %v %v", up, err)
			}
			if g := e.storedGrant(t, gid); !slices.Equal(g.RoleKeys, []string{"admin", "reader"}) {
				t.Fatalf("stored keys %v", g.RoleKeys)
			}
			seq := e.lastOrgEvent(t).Sequence
			// The same keys again: no change, no error, no event (ZITADEL's v2).
			again, err := c.UpdateAuthorization(ctx, &authzv2.UpdateAuthorizationRequest{Id: gid, RoleKeys: []string{"admin", "reader"}})
			if err != nil || !again.GetChangeDate().AsTime().Equal(up.GetChangeDate().AsTime()) || e.lastOrgEvent(t).Sequence != seq {
				t.Fatalf("unchanged update: %v %v", again, err)
			}
			_, err = c.UpdateAuthorization(ctx, &authzv2.UpdateAuthorizationRequest{Id: gid, RoleKeys: []string{"nope"}})
			wantCode(t, err, codes.FailedPrecondition, "COMMAND-mm9F4")
			_, err = c.UpdateAuthorization(ctx, &authzv2.UpdateAuthorizationRequest{Id: "424242"})
			wantCode(t, err, codes.NotFound, "COMMAND-3M9sd")
			_, err = c.UpdateAuthorization(ctx, &authzv2.UpdateAuthorizationRequest{})
			wantCode(t, err, codes.InvalidArgument, "COMMAND-3M0sd")

			if _, err := c.DeactivateAuthorization(ctx, &authzv2.DeactivateAuthorizationRequest{Id: gid}); err != nil {
				t.Fatal(err)
			}
			if g := e.storedGrant(t, gid); g.Active() {
				t.Fatal("still active")
			}
			_, err = c.DeactivateAuthorization(ctx, &authzv2.DeactivateAuthorizationRequest{Id: gid})
			wantCode(t, err, codes.FailedPrecondition, "")
			_, err = c.DeactivateAuthorization(ctx, &authzv2.DeactivateAuthorizationRequest{})
			wantCode(t, err, codes.InvalidArgument, "COMMAND-N2OhG")
			_, err = c.ActivateAuthorization(ctx, &authzv2.ActivateAuthorizationRequest{Id: "424242"})
			wantCode(t, err, codes.NotFound, "COMMAND-Lp0gs")

			// A second grant, of bob, to list against.
			g2, err := c.CreateAuthorization(ctx, &authzv2.CreateAuthorizationRequest{UserId: u2, ProjectId: pid, OrganizationId: e.orgID, RoleKeys: []string{"admin"}})
			if err != nil {
				t.Fatal(err)
			}
			list := func(fs ...*authzv2.AuthorizationsSearchFilter) *authzv2.ListAuthorizationsResponse {
				t.Helper()
				r, err := c.ListAuthorizations(ctx, &authzv2.ListAuthorizationsRequest{Filters: fs,
					Pagination: &filterv2.PaginationRequest{Asc: true}})
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			all := list()
			if got := authzIDs(all); !slices.Equal(got, []string{gid, g2.GetId()}) || all.GetPagination().GetTotalResult() != 2 {
				t.Fatalf("list: %v", all)
			}
			a0 := all.GetAuthorizations()[0]
			if a0.GetState() != authzv2.State_STATE_INACTIVE || a0.GetProject().GetName() != "Authz" || a0.GetProject().GetOrganizationId() != e.orgID ||
				a0.GetUser().GetId() != u || a0.GetUser().GetOrganizationId() != e.orgID || !strings.HasPrefix(a0.GetUser().GetPreferredLoginName(), "alice@") ||
				a0.GetOrganization().GetId() != e.orgID || len(a0.GetRoles()) != 2 || a0.GetRoles()[0].GetDisplayName() != "Administrator" || a0.GetRoles()[0].GetGroup() != "ops" {
				t.Fatalf("authorization: %v", a0)
			}
			for _, tc := range []struct {
				name string
				f    []*authzv2.AuthorizationsSearchFilter
				want []string
			}{
				{"user", []*authzv2.AuthorizationsSearchFilter{{Filter: &authzv2.AuthorizationsSearchFilter_InUserIds{InUserIds: &filterv2.InIDsFilter{Ids: []string{u2}}}}}, []string{g2.GetId()}},
				{"state", []*authzv2.AuthorizationsSearchFilter{{Filter: &authzv2.AuthorizationsSearchFilter_State{State: &authzv2.StateQuery{State: authzv2.State_STATE_INACTIVE}}}}, []string{gid}},
				{"role", []*authzv2.AuthorizationsSearchFilter{{Filter: &authzv2.AuthorizationsSearchFilter_RoleKey{RoleKey: &authzv2.RoleKeyQuery{Key: "reader"}}}}, []string{gid}},
				{"ids", []*authzv2.AuthorizationsSearchFilter{{Filter: &authzv2.AuthorizationsSearchFilter_AuthorizationIds{AuthorizationIds: &filterv2.InIDsFilter{Ids: []string{g2.GetId(), "424242"}}}}}, []string{g2.GetId()}},
				{"project", []*authzv2.AuthorizationsSearchFilter{{Filter: &authzv2.AuthorizationsSearchFilter_ProjectId{ProjectId: &filterv2.IDFilter{Id: pid}}}}, []string{gid, g2.GetId()}},
				{"project name", []*authzv2.AuthorizationsSearchFilter{{Filter: &authzv2.AuthorizationsSearchFilter_ProjectName{ProjectName: &authzv2.ProjectNameQuery{Name: "auth", Method: filterv2.TextFilterMethod_TEXT_FILTER_METHOD_STARTS_WITH_IGNORE_CASE}}}}, []string{gid, g2.GetId()}},
				{"login name", []*authzv2.AuthorizationsSearchFilter{{Filter: &authzv2.AuthorizationsSearchFilter_UserPreferredLoginName{UserPreferredLoginName: &authzv2.UserPreferredLoginNameQuery{LoginName: "bob@", Method: filterv2.TextFilterMethod_TEXT_FILTER_METHOD_STARTS_WITH}}}}, []string{g2.GetId()}},
				{"org", []*authzv2.AuthorizationsSearchFilter{{Filter: &authzv2.AuthorizationsSearchFilter_OrganizationId{OrganizationId: &filterv2.IDFilter{Id: e.orgID}}}}, []string{gid, g2.GetId()}},
				{"user org", []*authzv2.AuthorizationsSearchFilter{{Filter: &authzv2.AuthorizationsSearchFilter_UserOrganizationId{UserOrganizationId: &filterv2.IDFilter{Id: "424242"}}}}, nil},
				{"and", []*authzv2.AuthorizationsSearchFilter{
					{Filter: &authzv2.AuthorizationsSearchFilter_InUserIds{InUserIds: &filterv2.InIDsFilter{Ids: []string{u}}}},
					{Filter: &authzv2.AuthorizationsSearchFilter_InUserIds{InUserIds: &filterv2.InIDsFilter{Ids: []string{u2}}}}}, nil},
			} {
				if got := authzIDs(list(tc.f...)); !slices.Equal(got, tc.want) {
					t.Errorf("filter %s: %v, want %v", tc.name, got, tc.want)
				}
			}
			desc, err := c.ListAuthorizations(ctx, &authzv2.ListAuthorizationsRequest{Pagination: &filterv2.PaginationRequest{Limit: 1}})
			if err != nil || !slices.Equal(authzIDs(desc), []string{g2.GetId()}) || desc.GetPagination().GetTotalResult() != 2 || desc.GetPagination().GetAppliedLimit() != 1 {
				t.Fatalf("descending page: %v %v", desc, err)
			}
			_, err = c.ListAuthorizations(ctx, &authzv2.ListAuthorizationsRequest{SortingColumn: 99})
			wantCode(t, err, codes.InvalidArgument, "WARDEN-SORT")

			// The owner of another org, naming this org's ids.
			other, attacker := e.ownerOfNewOrg("evil", "ORG_OWNER")
			actx := e.authCtx(attacker)
			u3 := e.importHuman("carol")
			before := e.storedGrant(t, gid)
			_, err = c.CreateAuthorization(actx, &authzv2.CreateAuthorizationRequest{UserId: u3, ProjectId: pid, OrganizationId: e.orgID, RoleKeys: []string{"admin"}})
			wantCode(t, err, codes.PermissionDenied, "")
			// In its own org the victim's project is not found.
			_, err = c.CreateAuthorization(actx, &authzv2.CreateAuthorizationRequest{UserId: u3, ProjectId: pid, OrganizationId: other, RoleKeys: []string{"admin"}})
			wantCode(t, err, codes.FailedPrecondition, "COMMAND-3n77S")
			_, err = c.UpdateAuthorization(actx, &authzv2.UpdateAuthorizationRequest{Id: gid, RoleKeys: []string{"admin"}})
			wantCode(t, err, codes.PermissionDenied, "")
			_, err = c.ActivateAuthorization(actx, &authzv2.ActivateAuthorizationRequest{Id: gid})
			wantCode(t, err, codes.PermissionDenied, "")
			_, err = c.DeactivateAuthorization(actx, &authzv2.DeactivateAuthorizationRequest{Id: g2.GetId()})
			wantCode(t, err, codes.PermissionDenied, "")
			_, err = c.DeleteAuthorization(actx, &authzv2.DeleteAuthorizationRequest{Id: gid})
			wantCode(t, err, codes.PermissionDenied, "")
			for _, fs := range [][]*authzv2.AuthorizationsSearchFilter{nil,
				{{Filter: &authzv2.AuthorizationsSearchFilter_OrganizationId{OrganizationId: &filterv2.IDFilter{Id: e.orgID}}}}} {
				r, err := c.ListAuthorizations(actx, &authzv2.ListAuthorizationsRequest{Filters: fs})
				if err != nil || len(r.GetAuthorizations()) != 0 || r.GetPagination().GetTotalResult() != 0 {
					t.Fatalf("attacker's list: %v %v", r, err)
				}
			}
			if after := e.storedGrant(t, gid); after.Sequence != before.Sequence || !slices.Equal(after.RoleKeys, before.RoleKeys) || after.State != before.State {
				t.Fatalf("the attacker changed the grant: %+v → %+v", before, after)
			}
			if _, err := e.store.ArtifactByKey(context.Background(), project.KindGrant, project.GrantKey(u3, pid)); err == nil {
				t.Fatal("the attacker's grant was written")
			}
			// A user of this org without a membership: refused too.
			_, none := e.machineWithToken("nobody")
			_, err = c.DeleteAuthorization(e.authCtx(none), &authzv2.DeleteAuthorizationRequest{Id: gid})
			wantCode(t, err, codes.PermissionDenied, "")

			if _, err := c.ActivateAuthorization(ctx, &authzv2.ActivateAuthorizationRequest{Id: gid}); err != nil {
				t.Fatal(err)
			}
			del, err := c.DeleteAuthorization(ctx, &authzv2.DeleteAuthorizationRequest{Id: gid})
			if err != nil || del.GetDeletionDate() == nil {
				t.Fatalf("delete: %v %v", del, err)
			}
			if _, err := e.store.Artifact(context.Background(), project.KindGrant, gid); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("deleted grant: %v", err)
			}
			_, err = c.DeleteAuthorization(ctx, &authzv2.DeleteAuthorizationRequest{Id: gid})
			wantCode(t, err, codes.NotFound, "COMMAND-1My0t")
		})
	}
}

// TestGrantV1AndV2SameState: the same operations through Management v1's
// user grants and AuthorizationService v2, on two users of one project, leave
// the same stored grant and write the same org events after each step, on both
// engines.
func TestGrantV1AndV2SameState(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			c := authzv2.NewAuthorizationServiceClient(e.grpcConn())
			ctx := e.authCtx(e.token)
			pid := e.roleProjectV1("Same")
			u1, u2 := e.importHuman("one"), e.importHuman("two")
			// comparable is a grant without what differs by construction.
			comparable := func(g *project.Grant) project.Grant {
				out := *g
				out.ID, out.UserID, out.Sequence = "", "", 0
				out.CreatedAt, out.ChangedAt = time.Time{}, time.Time{}
				return out
			}
			var g1, g2 string
			step := func(what string, v1 func(), v2 func()) {
				t.Helper()
				v1()
				ev1 := e.lastOrgEvent(t)
				v2()
				ev2 := e.lastOrgEvent(t)
				if ev1.Type != ev2.Type {
					t.Fatalf("%s: v1 wrote %s, v2 %s", what, ev1.Type, ev2.Type)
				}
				if g1 == "" {
					return
				}
				a, errA := e.store.Artifact(context.Background(), project.KindGrant, g1)
				b, errB := e.store.Artifact(context.Background(), project.KindGrant, g2)
				if errors.Is(errA, store.ErrNotFound) && errors.Is(errB, store.ErrNotFound) {
					return
				}
				if errA != nil || errB != nil || a.OrgID != b.OrgID || a.Kind != b.Kind {
					t.Fatalf("%s: artifacts %v %v / %v %v", what, a, errA, b, errB)
				}
				if x, y := comparable(e.storedGrant(t, g1)), comparable(e.storedGrant(t, g2)); !reflect.DeepEqual(x, y) {
					t.Fatalf("%s: v1 state %+v, v2 state %+v", what, x, y)
				}
			}
			step("add", func() {
				g1 = e.must(e.admin("POST", mv1+"/users/"+u1+"/grants", `{"projectId":"`+pid+`","roleKeys":["reader","reader"]}`), 200).str("userGrantId")
			}, func() {
				r, err := c.CreateAuthorization(ctx, &authzv2.CreateAuthorizationRequest{UserId: u2, ProjectId: pid, OrganizationId: e.orgID, RoleKeys: []string{"reader", "reader"}})
				if err != nil {
					t.Fatal(err)
				}
				g2 = r.GetId()
			})
			step("update", func() {
				e.must(e.admin("PUT", mv1+"/users/"+u1+"/grants/"+g1, `{"roleKeys":["reader","admin"]}`), 200)
			}, func() {
				if _, err := c.UpdateAuthorization(ctx, &authzv2.UpdateAuthorizationRequest{Id: g2, RoleKeys: []string{"reader", "admin"}}); err != nil {
					t.Fatal(err)
				}
			})
			step("deactivate", func() {
				e.must(e.admin("POST", mv1+"/users/"+u1+"/grants/"+g1+"/_deactivate", `{}`), 200)
			}, func() {
				if _, err := c.DeactivateAuthorization(ctx, &authzv2.DeactivateAuthorizationRequest{Id: g2}); err != nil {
					t.Fatal(err)
				}
			})
			step("reactivate", func() {
				e.must(e.admin("POST", mv1+"/users/"+u1+"/grants/"+g1+"/_reactivate", `{}`), 200)
			}, func() {
				if _, err := c.ActivateAuthorization(ctx, &authzv2.ActivateAuthorizationRequest{Id: g2}); err != nil {
					t.Fatal(err)
				}
			})
			// Both read back alike through both APIs.
			v1 := e.must(e.admin("POST", mv1+"/users/grants/_search", `{"query":{"asc":true}}`), 200)
			if got := ids(v1); !slices.Equal(got, []string{g1, g2}) {
				t.Fatalf("v1 list %v", got)
			}
			l, err := c.ListAuthorizations(ctx, &authzv2.ListAuthorizationsRequest{Pagination: &filterv2.PaginationRequest{Asc: true}})
			if err != nil || !slices.Equal(authzIDs(l), []string{g1, g2}) {
				t.Fatalf("v2 list %v %v", l, err)
			}
			step("remove", func() {
				e.must(e.admin("DELETE", mv1+"/users/"+u1+"/grants/"+g1, ""), 200)
			}, func() {
				if _, err := c.DeleteAuthorization(ctx, &authzv2.DeleteAuthorizationRequest{Id: g2}); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
}

// TestListMyUserGrants: Auth v1's ListMyUserGrants gives the caller its own
// grants only — in every org, with ZITADEL's fields — and nobody else's, over
// REST on both engines; another caller with grants of its own does not see
// them, whatever x-zitadel-orgid it sends.
func TestListMyUserGrants(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			pid := e.roleProjectV1("Mine")
			me, myPAT := e.machineWithToken("me")
			other, otherPAT := e.machineWithToken("other")
			o2 := e.must(e.admin("POST", mv1+"/orgs", `{"name":"Second"}`), 200).str("id")
			p2 := e.must(e.admin("POST", mv1+"/projects", `{"name":"Elsewhere"}`, "x-zitadel-orgid", o2), 200).str("id")
			e.must(e.admin("POST", mv1+"/projects/"+p2+"/roles", `{"roleKey":"viewer"}`, "x-zitadel-orgid", o2), 200)
			g1 := e.must(e.admin("POST", mv1+"/users/"+me+"/grants", `{"projectId":"`+pid+`","roleKeys":["admin"]}`), 200).str("userGrantId")
			g2 := e.must(e.admin("POST", mv1+"/users/"+me+"/grants", `{"projectId":"`+p2+`","roleKeys":["viewer"]}`, "x-zitadel-orgid", o2), 200).str("userGrantId")
			e.must(e.admin("POST", mv1+"/users/"+other+"/grants", `{"projectId":"`+pid+`","roleKeys":["reader"]}`), 200)

			mine := e.must(e.do("POST", "/auth/v1/usergrants/me/_search", myPAT, `{"query":{"asc":true}}`), 200)
			res, _ := mine.body["result"].([]any)
			if mine.str("details", "totalResult") != "2" || len(res) != 2 {
				t.Fatalf("my grants: %s", mine.raw)
			}
			first, _ := res[0].(map[string]any)
			second, _ := res[1].(map[string]any)
			if first["grantId"] != g1 || first["orgId"] != e.orgID || first["projectName"] != "Mine" || fmt.Sprint(first["roles"]) != "[admin]" ||
				first["userId"] != me || first["userType"] != "TYPE_MACHINE" || first["state"] != "USER_GRANT_STATE_ACTIVE" || first["orgDomain"] == "" {
				t.Fatalf("first grant: %v", first)
			}
			if second["grantId"] != g2 || second["orgId"] != o2 || second["orgName"] != "Second" {
				t.Fatalf("second grant: %v", second)
			}
			// The other caller sees its own grant only, with any org header.
			for _, hdr := range [][]string{nil, {"x-zitadel-orgid", o2}} {
				theirs := e.must(e.do("POST", "/auth/v1/usergrants/me/_search", otherPAT, `{}`, hdr...), 200)
				if theirs.str("details", "totalResult") != "1" || strings.Contains(theirs.raw, g1) || strings.Contains(theirs.raw, g2) {
					t.Fatalf("the other caller's grants (%v): %s", hdr, theirs.raw)
				}
			}
			page := e.must(e.do("POST", "/auth/v1/usergrants/me/_search", myPAT, `{"query":{"asc":true,"offset":1,"limit":1}}`), 200)
			if r, _ := page.body["result"].([]any); len(r) != 1 || !strings.Contains(page.raw, g2) || page.str("details", "totalResult") != "2" {
				t.Fatalf("page 2: %s", page.raw)
			}
			e.wantErr(e.do("POST", "/auth/v1/usergrants/me/_search", "", `{}`), 401, "")
		})
	}
}

// TestAuthorizationsV2ByProjectGrant: ListAuthorizations' project_grant_id
// filter finds the user grants given through that project grant (by the org
// it was granted to) and no direct grant; the owner of a third org finds
// none of them.
func TestAuthorizationsV2ByProjectGrant(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			c := authzv2.NewAuthorizationServiceClient(e.grpcConn())
			pid := e.roleProjectV1("Shop")
			partner, partnerOwner := e.ownerOfNewOrg("partner", "ORG_OWNER")
			_, thirdOwner := e.ownerOfNewOrg("third", "ORG_OWNER")
			pg := e.must(e.admin("POST", mv1+"/projects/"+pid+"/grants", `{"grantedOrgId":"`+partner+`","roleKeys":["reader"]}`), 200).str("grantId")
			bob := e.must(e.admin("POST", mv1+"/users/machine", `{"userName":"partner-user","name":"bob"}`, "x-zitadel-orgid", partner), 200).str("userId")
			through := e.must(e.admin("POST", mv1+"/users/"+bob+"/grants", `{"projectId":"`+pid+`","projectGrantId":"`+pg+`","roleKeys":["reader"]}`,
				"x-zitadel-orgid", partner), 200).str("userGrantId")
			alice := e.importHuman("alice")
			direct := e.must(e.admin("POST", mv1+"/users/"+alice+"/grants", `{"projectId":"`+pid+`","roleKeys":["admin"]}`), 200).str("userGrantId")

			list := func(token string, fs ...*authzv2.AuthorizationsSearchFilter) []string {
				t.Helper()
				r, err := c.ListAuthorizations(e.authCtx(token), &authzv2.ListAuthorizationsRequest{Filters: fs})
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, a := range r.GetAuthorizations() {
					out = append(out, a.GetId())
				}
				slices.Sort(out)
				return out
			}
			byGrant := func(id string) *authzv2.AuthorizationsSearchFilter {
				return &authzv2.AuthorizationsSearchFilter{Filter: &authzv2.AuthorizationsSearchFilter_ProjectGrantId{ProjectGrantId: &filterv2.IDFilter{Id: id}}}
			}
			if got := list(e.token); !slices.Equal(got, slices.Sorted(slices.Values([]string{through, direct}))) {
				t.Fatalf("all: %v", got)
			}
			for who, token := range map[string]string{"the instance owner": e.token, "the granted org's owner": partnerOwner} {
				if got := list(token, byGrant(pg)); !slices.Equal(got, []string{through}) {
					t.Errorf("%s, by project grant: %v", who, got)
				}
				if got := list(token, byGrant("424242")); len(got) != 0 {
					t.Errorf("%s, by an unknown project grant: %v", who, got)
				}
			}
			if got := list(thirdOwner, byGrant(pg)); len(got) != 0 {
				t.Fatalf("the third org's owner lists %v", got)
			}
		})
	}
}
