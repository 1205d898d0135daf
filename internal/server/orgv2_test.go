package server_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
	objv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object/v2"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func newAdminHuman(name string) *orgv2.AddOrganizationRequest_Admin_Human {
	return &orgv2.AddOrganizationRequest_Admin_Human{Human: &userv2.AddHumanUserRequest{Username: &name,
		Profile: &userv2.SetHumanProfile{GivenName: "Ada", FamilyName: "Lovelace"},
		Email:   &userv2.SetHumanEmail{Email: name + "@example.com"}}}
}

func (e *env) storedOrg(t *testing.T, id string) *org.Org {
	t.Helper()
	o, err := e.store.Org(context.Background(), id)
	if err != nil {
		t.Fatalf("org %s: %v", id, err)
	}
	return o
}

func orgNames(r *orgv2.ListOrganizationsResponse) []string {
	var out []string
	for _, o := range r.GetResult() {
		out = append(out, o.GetName())
	}
	return out
}

// TestOrgV2: OrganizationService over gRPC on both engines — AddOrganization
// with a new human admin and an existing user, in one transaction (a failing
// admin leaves neither org nor user behind), ZITADEL's error ids for bad
// input, a taken name or id, missing orgs and repeated transitions, and
// ListOrganizations' queries and sorting.
func TestOrgV2(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			c := orgv2.NewOrganizationServiceClient(e.grpcConn())
			ctx := e.authCtx(e.token)
			existing := e.importHuman("grace")

			add, err := c.AddOrganization(ctx, &orgv2.AddOrganizationRequest{Name: " Acme ", Admins: []*orgv2.AddOrganizationRequest_Admin{
				{UserType: newAdminHuman("ada")},
				{UserType: &orgv2.AddOrganizationRequest_Admin_UserId{UserId: existing}, Roles: []string{"ORG_USER_MANAGER"}},
			}})
			if err != nil || add.GetOrganizationId() == "" || len(add.GetCreatedAdmins()) != 1 || add.GetDetails().GetResourceOwner() != add.GetOrganizationId() {
				t.Fatalf("add: %v %v", add, err)
			}
			acme, adaID := add.GetOrganizationId(), add.GetCreatedAdmins()[0].GetUserId()
			if o := e.storedOrg(t, acme); o.Name != "Acme" || o.State != org.StateActive || o.Sequence != 3 {
				t.Fatalf("stored org %+v", o)
			}
			if u, err := e.store.User(context.Background(), adaID); err != nil || u.OrgID != acme || u.UserName != "ada" {
				t.Fatalf("new admin %+v %v", u, err)
			}
			for id, roles := range map[string][]string{adaID: {"ORG_OWNER"}, existing: {"ORG_USER_MANAGER"}} {
				if m, err := e.store.Member(context.Background(), acme, id); err != nil || !slices.Equal(m.Roles, roles) {
					t.Fatalf("member %s: %+v %v", id, m, err)
				}
			}
			// Unlike v1 AddOrg, the caller is no member of the new org.
			if ms, total, err := e.store.ListMembers(context.Background(), acme, store.Page{Limit: 10, Asc: true}); err != nil || total != 2 {
				t.Fatalf("the caller became a member: %v %v", ms, err)
			}
			if got := e.eventTypes(t, event.AggregateOrg, acme); !slices.Equal(got, []string{event.OrgAdded, event.OrgMemberAdded, event.OrgMemberAdded}) {
				t.Fatalf("org events %v", got)
			}

			// No admins, a chosen id.
			custom := "my-org"
			if r, err := c.AddOrganization(ctx, &orgv2.AddOrganizationRequest{Name: "Custom", OrganizationId: &custom}); err != nil || r.GetOrganizationId() != custom || len(r.GetCreatedAdmins()) != 0 {
				t.Fatalf("add with id: %v %v", r, err)
			}
			_, err = c.AddOrganization(ctx, &orgv2.AddOrganizationRequest{Name: "Other", OrganizationId: &custom})
			wantCode(t, err, codes.FailedPrecondition, "COMMAND-poaj2")
			_, err = c.AddOrganization(ctx, &orgv2.AddOrganizationRequest{Name: "Acme"})
			wantCode(t, err, codes.AlreadyExists, "V3-DKcYh")
			_, err = c.AddOrganization(ctx, &orgv2.AddOrganizationRequest{Name: "  "})
			wantCode(t, err, codes.InvalidArgument, "EVENT-Mf9sd")
			bad := "a b"
			_, err = c.AddOrganization(ctx, &orgv2.AddOrganizationRequest{Name: "Bad", OrganizationId: &bad})
			wantCode(t, err, codes.InvalidArgument, "WARDEN-ORGID2")
			_, err = c.AddOrganization(ctx, &orgv2.AddOrganizationRequest{Name: "Bad", Admins: []*orgv2.AddOrganizationRequest_Admin{{}}})
			wantCode(t, err, codes.Unimplemented, "ORGv2-SD2r1")
			_, err = c.AddOrganization(ctx, &orgv2.AddOrganizationRequest{Name: "Bad", Admins: []*orgv2.AddOrganizationRequest_Admin{
				{UserType: newAdminHuman("x")}, {UserType: &orgv2.AddOrganizationRequest_Admin_UserId{UserId: existing}, Roles: []string{"IAM_OWNER"}}}})
			wantCode(t, err, codes.InvalidArgument, "Org-4N8es")

			// Atomicity: the second admin is missing, so neither the org nor
			// the first admin exists afterwards.
			_, err = c.AddOrganization(ctx, &orgv2.AddOrganizationRequest{Name: "Halfway", Admins: []*orgv2.AddOrganizationRequest_Admin{
				{UserType: newAdminHuman("bob")}, {UserType: &orgv2.AddOrganizationRequest_Admin_UserId{UserId: "424242"}}}})
			wantCode(t, err, codes.NotFound, "WARDEN-MEMBERUSER")
			if _, err := e.store.OrgByName(context.Background(), "Halfway"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("a failed AddOrganization left its org: %v", err)
			}
			if p, err := e.store.ListUsers(context.Background(), store.UserQuery{UserNames: []store.TextMatch{{Value: "bob"}}, Limit: 10}); err != nil || len(p.Users) != 0 {
				t.Fatalf("a failed AddOrganization left its admin: %v %v", p, err)
			}

			// Update.
			up, err := c.UpdateOrganization(ctx, &orgv2.UpdateOrganizationRequest{OrganizationId: acme, Name: "Acme Corp"})
			if err != nil || up.GetChangeDate() == nil || e.storedOrg(t, acme).Name != "Acme Corp" {
				t.Fatalf("update: %v %v", up, err)
			}
			_, err = c.UpdateOrganization(ctx, &orgv2.UpdateOrganizationRequest{OrganizationId: acme, Name: "Acme Corp"})
			wantCode(t, err, codes.FailedPrecondition, "ORG-4VSdf")
			_, err = c.UpdateOrganization(ctx, &orgv2.UpdateOrganizationRequest{OrganizationId: acme, Name: "Custom"})
			wantCode(t, err, codes.AlreadyExists, "V3-DKcYh")
			_, err = c.UpdateOrganization(ctx, &orgv2.UpdateOrganizationRequest{OrganizationId: "424242", Name: "x"})
			wantCode(t, err, codes.NotFound, "ORG-1MRds")
			_, err = c.UpdateOrganization(ctx, &orgv2.UpdateOrganizationRequest{Name: "x"})
			wantCode(t, err, codes.InvalidArgument, "WARDEN-ORGID")

			// Deactivate, activate.
			if r, err := c.DeactivateOrganization(ctx, &orgv2.DeactivateOrganizationRequest{OrganizationId: acme}); err != nil || r.GetChangeDate() == nil || e.storedOrg(t, acme).State != org.StateInactive {
				t.Fatalf("deactivate: %v %v", r, err)
			}
			_, err = c.DeactivateOrganization(ctx, &orgv2.DeactivateOrganizationRequest{OrganizationId: acme})
			wantCode(t, err, codes.FailedPrecondition, "EVENT-Dbs2g")
			_, err = c.DeactivateOrganization(ctx, &orgv2.DeactivateOrganizationRequest{OrganizationId: "424242"})
			wantCode(t, err, codes.NotFound, "ORG-oL9nT")
			_, err = c.DeactivateOrganization(ctx, &orgv2.DeactivateOrganizationRequest{OrganizationId: e.orgID})
			wantCode(t, err, codes.FailedPrecondition, "")
			if r, err := c.ActivateOrganization(ctx, &orgv2.ActivateOrganizationRequest{OrganizationId: acme}); err != nil || r.GetChangeDate() == nil || e.storedOrg(t, acme).State != org.StateActive {
				t.Fatalf("activate: %v %v", r, err)
			}
			_, err = c.ActivateOrganization(ctx, &orgv2.ActivateOrganizationRequest{OrganizationId: acme})
			wantCode(t, err, codes.FailedPrecondition, "EVENT-bfnrh")
			_, err = c.ActivateOrganization(ctx, &orgv2.ActivateOrganizationRequest{OrganizationId: "424242"})
			wantCode(t, err, codes.NotFound, "ORG-Dgf3g")

			// List: the admin's org, Acme Corp, Custom.
			all, err := c.ListOrganizations(ctx, &orgv2.ListOrganizationsRequest{SortingColumn: orgv2.OrganizationFieldName_ORGANIZATION_FIELD_NAME_NAME, Query: &objv2.ListQuery{Asc: true}})
			if err != nil || all.GetDetails().GetTotalResult() != 3 || len(all.GetResult()) != 3 || !slices.IsSorted(orgNames(all)) ||
				all.GetSortingColumn() != orgv2.OrganizationFieldName_ORGANIZATION_FIELD_NAME_NAME {
				t.Fatalf("list: %v %v", all, err)
			}
			desc, err := c.ListOrganizations(ctx, &orgv2.ListOrganizationsRequest{SortingColumn: orgv2.OrganizationFieldName_ORGANIZATION_FIELD_NAME_NAME, Query: &objv2.ListQuery{Limit: 1}})
			if names := orgNames(all); err != nil || len(desc.GetResult()) != 1 || desc.GetResult()[0].GetName() != names[2] || desc.GetDetails().GetTotalResult() != 3 {
				t.Fatalf("list desc, limit 1: %v %v", desc, err)
			}
			for _, q := range []struct {
				what string
				q    *orgv2.SearchQuery
				want []string
			}{
				{"name starts with", &orgv2.SearchQuery{Query: &orgv2.SearchQuery_NameQuery{NameQuery: &orgv2.OrganizationNameQuery{Name: "acme", Method: objv2.TextQueryMethod_TEXT_QUERY_METHOD_STARTS_WITH_IGNORE_CASE}}}, []string{"Acme Corp"}},
				{"id", &orgv2.SearchQuery{Query: &orgv2.SearchQuery_IdQuery{IdQuery: &orgv2.OrganizationIDQuery{Id: custom}}}, []string{"Custom"}},
				{"state inactive", &orgv2.SearchQuery{Query: &orgv2.SearchQuery_StateQuery{StateQuery: &orgv2.OrganizationStateQuery{State: orgv2.OrganizationState_ORGANIZATION_STATE_INACTIVE}}}, nil},
				{"default", &orgv2.SearchQuery{Query: &orgv2.SearchQuery_DefaultQuery{DefaultQuery: &orgv2.DefaultOrganizationQuery{}}}, []string{e.storedOrg(t, e.orgID).Name}},
				{"domain", &orgv2.SearchQuery{Query: &orgv2.SearchQuery_DomainQuery{DomainQuery: &orgv2.OrganizationDomainQuery{Domain: "custom.", Method: objv2.TextQueryMethod_TEXT_QUERY_METHOD_STARTS_WITH}}}, []string{"Custom"}},
			} {
				r, err := c.ListOrganizations(ctx, &orgv2.ListOrganizationsRequest{Queries: []*orgv2.SearchQuery{q.q}})
				if err != nil || !slices.Equal(orgNames(r), q.want) || r.GetDetails().GetTotalResult() != uint64(len(q.want)) {
					t.Errorf("list by %s: %v %v, want %v", q.what, orgNames(r), err, q.want)
				}
			}
			_, err = c.ListOrganizations(ctx, &orgv2.ListOrganizationsRequest{Queries: []*orgv2.SearchQuery{{}}})
			wantCode(t, err, codes.InvalidArgument, "ORG-vR9nC")
			_, err = c.ListOrganizations(ctx, &orgv2.ListOrganizationsRequest{SortingColumn: 9})
			wantCode(t, err, codes.InvalidArgument, "WARDEN-SORT")

			// Delete.
			if r, err := c.DeleteOrganization(ctx, &orgv2.DeleteOrganizationRequest{OrganizationId: acme}); err != nil || r.GetDeletionDate() == nil {
				t.Fatalf("delete: %v %v", r, err)
			}
			if u, err := e.store.User(context.Background(), adaID); err == nil && u.State != user.StateDeleted {
				t.Fatalf("the removed org's admin survived: %+v", u)
			}
			_, err = c.DeleteOrganization(ctx, &orgv2.DeleteOrganizationRequest{OrganizationId: acme})
			wantCode(t, err, codes.NotFound, "")
			_, err = c.DeleteOrganization(ctx, &orgv2.DeleteOrganizationRequest{OrganizationId: "424242"})
			wantCode(t, err, codes.NotFound, "COMMA-aps2n")
			_, err = c.DeleteOrganization(ctx, &orgv2.DeleteOrganizationRequest{OrganizationId: e.orgID})
			wantCode(t, err, codes.FailedPrecondition, "COMMA-wG9p1")
			if r, err := c.ListOrganizations(ctx, &orgv2.ListOrganizationsRequest{}); err != nil || r.GetDetails().GetTotalResult() != 2 {
				t.Fatalf("list after delete: %v %v", orgNames(r), err)
			}
		})
	}
}

// TestOrgV2Attacker: the ORG_OWNER of org A can neither create orgs nor
// update, deactivate, activate or delete org B, whose state stays as it was,
// and lists only its own org; over REST as well as gRPC.
func TestOrgV2Attacker(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			c := orgv2.NewOrganizationServiceClient(e.grpcConn())
			a, attacker := e.ownerOfNewOrg("evil", "ORG_OWNER")
			bo, err := c.AddOrganization(e.authCtx(e.token), &orgv2.AddOrganizationRequest{Name: "Victim"})
			if err != nil {
				t.Fatal(err)
			}
			b := bo.GetOrganizationId()
			before := *e.storedOrg(t, b)
			ctx := e.authCtx(attacker)
			for what, call := range map[string]func() error{
				"add": func() error {
					_, err := c.AddOrganization(ctx, &orgv2.AddOrganizationRequest{Name: "Mine"})
					return err
				},
				"update": func() error {
					_, err := c.UpdateOrganization(ctx, &orgv2.UpdateOrganizationRequest{OrganizationId: b, Name: "Pwned"})
					return err
				},
				"deactivate": func() error {
					_, err := c.DeactivateOrganization(ctx, &orgv2.DeactivateOrganizationRequest{OrganizationId: b})
					return err
				},
				"activate": func() error {
					_, err := c.ActivateOrganization(ctx, &orgv2.ActivateOrganizationRequest{OrganizationId: b})
					return err
				},
				"delete": func() error {
					_, err := c.DeleteOrganization(ctx, &orgv2.DeleteOrganizationRequest{OrganizationId: b})
					return err
				},
			} {
				if err := call(); status.Code(err) != codes.PermissionDenied {
					t.Errorf("%s: %v, want PermissionDenied", what, err)
				}
			}
			e.wantErr(e.do("POST", "/v2/organizations/"+b, attacker, `{"name":"Pwned"}`), 403, "")
			e.wantErr(e.do("DELETE", "/v2/organizations/"+b, attacker, ``), 403, "")
			e.wantErr(e.do("POST", "/v2/organizations", attacker, `{"name":"Mine"}`), 403, "")
			if after := *e.storedOrg(t, b); after != before {
				t.Fatalf("org B changed: %+v, was %+v", after, before)
			}
			if _, err := e.store.OrgByName(context.Background(), "Mine"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("the attacker created an org: %v", err)
			}
			r, err := c.ListOrganizations(ctx, &orgv2.ListOrganizationsRequest{})
			if err != nil || len(r.GetResult()) != 1 || r.GetResult()[0].GetId() != a || r.GetDetails().GetTotalResult() != 1 {
				t.Fatalf("the attacker lists %v %v", orgNames(r), err)
			}
			// Its own org it may rename, over REST.
			e.must(e.do("POST", "/v2/organizations/"+a, attacker, `{"name":"evil corp"}`), 200)
		})
	}
}

// TestOrgV1AndV2SameState: renaming, deactivating and reactivating an org with
// Management v1 (x-zitadel-orgid) and with OrganizationService v2 (the org in
// the request) leave the same org row and write the same events with the
// same payloads (the names aside, which must differ), on both engines.
func TestOrgV1AndV2SameState(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			c := orgv2.NewOrganizationServiceClient(e.grpcConn())
			ctx := e.authCtx(e.token)
			o1 := e.must(e.admin("POST", mv1+"/orgs", `{"name":"One"}`), 200).str("id")
			o2 := e.must(e.admin("POST", mv1+"/orgs", `{"name":"Two"}`), 200).str("id")
			h := []string{"x-zitadel-orgid", o1}
			last := func(id string) event.Event {
				t.Helper()
				evs, err := e.store.Events(context.Background(), store.EventQuery{AggregateType: event.AggregateOrg, AggregateID: id, Limit: 1})
				if err != nil || len(evs) != 1 {
					t.Fatalf("events of %s: %v %v", id, evs, err)
				}
				return evs[0]
			}
			step := func(what, wantType string, v1 func(), v2 func() error) {
				t.Helper()
				v1()
				if err := v2(); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				a, b := *e.storedOrg(t, o1), *e.storedOrg(t, o2)
				if strings.Replace(a.Name, "One", "Two", 1) != b.Name || a.State != b.State || a.Sequence != b.Sequence {
					t.Fatalf("%s: v1 %+v, v2 %+v", what, a, b)
				}
				x, y := last(o1), last(o2)
				if x.Type != wantType || x.Type != y.Type || x.Sequence != y.Sequence || x.CreatorID != y.CreatorID ||
					strings.Replace(string(x.Payload), "One", "Two", 1) != string(y.Payload) {
					t.Fatalf("%s: v1 wrote %s %s, v2 %s %s", what, x.Type, x.Payload, y.Type, y.Payload)
				}
			}
			step("rename", org.EventChanged, func() {
				e.must(e.admin("PUT", mv1+"/orgs/me", `{"name":"One renamed"}`, h...), 200)
			}, func() error {
				_, err := c.UpdateOrganization(ctx, &orgv2.UpdateOrganizationRequest{OrganizationId: o2, Name: "Two renamed"})
				return err
			})
			step("deactivate", org.EventDeactivated, func() {
				e.must(e.admin("POST", mv1+"/orgs/me/_deactivate", `{}`, h...), 200)
			}, func() error {
				_, err := c.DeactivateOrganization(ctx, &orgv2.DeactivateOrganizationRequest{OrganizationId: o2})
				return err
			})
			step("reactivate", org.EventReactivated, func() {
				e.must(e.admin("POST", mv1+"/orgs/me/_reactivate", `{}`, h...), 200)
			}, func() error {
				_, err := c.ActivateOrganization(ctx, &orgv2.ActivateOrganizationRequest{OrganizationId: o2})
				return err
			})
		})
	}
}

// TestOrgV2REST: OrganizationService over its REST mappings on both engines —
// ZITADEL's JSON for AddOrganization with a new human admin, google.rpc.Status
// answers with ZITADEL's ids for bad input and a taken name, and two
// concurrent AddOrganization of one name: exactly one org.
func TestOrgV2REST(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			r := e.must(e.admin("POST", "/v2/organizations", `{"name":"Rest","organizationId":"rest-org","admins":[{"human":{"username":"rita",`+
				`"profile":{"givenName":"Rita","familyName":"R"},"email":{"email":"rita@example.com","isVerified":true}},"roles":["ORG_OWNER"]}]}`), 200)
			admins, _ := r.val("createdAdmins").([]any)
			if r.str("organizationId") != "rest-org" || len(admins) != 1 || r.str("details", "resourceOwner") != "rest-org" {
				t.Fatalf("AddOrganization: %s", r.raw)
			}
			if a, _ := admins[0].(map[string]any); a["userId"] == "" || a["userId"] == nil {
				t.Fatalf("created admin: %s", r.raw)
			}
			e.wantErr(e.admin("POST", "/v2/organizations", `{"name":"Rest"}`), 409, "V3-DKcYh")
			e.wantErr(e.admin("POST", "/v2/organizations", `{"name":""}`), 400, "EVENT-Mf9sd")
			e.wantErr(e.admin("POST", "/v2/organizations", `{"name":"x","admins":[{"human":{"username":"nomail","profile":{"givenName":"N","familyName":"M"}}}]}`), 400, "")
			e.wantErr(e.admin("POST", "/v2/organizations", `{"name":"x","bogus":1}`), 400, "")
			l := e.must(e.admin("POST", "/v2/organizations/_search", `{"queries":[{"idQuery":{"id":"rest-org"}}]}`), 200)
			if got := ids(l); !slices.Equal(got, []string{"rest-org"}) {
				t.Fatalf("ListOrganizations: %s", l.raw)
			}
			if res, _ := l.val("result").([]any); len(res) == 1 {
				if o, _ := res[0].(map[string]any); o["state"] != "ORGANIZATION_STATE_ACTIVE" || o["name"] != "Rest" {
					t.Fatalf("listed org: %v", o)
				}
			}
			e.must(e.admin("POST", "/v2/organizations/rest-org", `{"name":"Rest 2"}`), 200)
			e.must(e.admin("POST", "/v2/organizations/rest-org/deactivate", `{}`), 200)
			e.wantErr(e.admin("POST", "/v2/organizations/rest-org/deactivate", `{}`), 400, "EVENT-Dbs2g")
			e.must(e.admin("POST", "/v2/organizations/rest-org/activate", `{}`), 200)
			e.must(e.admin("DELETE", "/v2/organizations/rest-org", ``), 200)
			e.wantErr(e.admin("DELETE", "/v2/organizations/424242", ``), 404, "COMMA-aps2n")

			// Concurrent creations of one name: one org, the others V3-DKcYh.
			const n = 6
			codesSeen := make(chan int, n)
			for i := 0; i < n; i++ {
				go func() { codesSeen <- e.admin("POST", "/v2/organizations", `{"name":"Race"}`).status }()
			}
			won := 0
			for i := 0; i < n; i++ {
				switch s := <-codesSeen; s {
				case 200:
					won++
				case 409:
				default:
					t.Errorf("concurrent AddOrganization: status %d", s)
				}
			}
			if won != 1 {
				t.Fatalf("%d concurrent AddOrganization of one name succeeded", won)
			}
		})
	}
}
