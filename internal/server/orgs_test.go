package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// orgWithOwner makes an org and a machine user of it with the given roles
// there and a PAT; it returns the org's id, the user's id and the token.
func (e *env) orgWithOwner(name string, roles ...string) (string, string, string) {
	e.t.Helper()
	orgID := e.must(e.admin("POST", "/management/v1/orgs", `{"name":"`+name+`"}`), 200).str("id")
	h := []string{"x-zitadel-orgid", orgID}
	uid := e.must(e.admin("POST", "/management/v1/users/machine", `{"userName":"owner","name":"Owner"}`, h...), 200).str("userId")
	if len(roles) > 0 {
		rs, _ := json.Marshal(roles)
		e.must(e.admin("POST", "/management/v1/orgs/me/members", `{"userId":"`+uid+`","roles":`+string(rs)+`}`, h...), 200)
	}
	tok := e.must(e.admin("POST", "/management/v1/users/"+uid+"/pats", `{}`, h...), 200).str("token")
	return orgID, uid, tok
}

// eventTypes lists an aggregate's event types in order.
func (e *env) eventTypes(t *testing.T, typ, id string) []string {
	t.Helper()
	evs, err := e.store.Events(context.Background(), store.EventQuery{AggregateType: typ, AggregateID: id, Asc: true, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Type)
	}
	return out
}

// TestOrgLifecycleREST: UpdateOrg, DeactivateOrg, ReactivateOrg, RemoveOrg and
// ListOrgChanges with ZITADEL's errors; a deactivated org's users are refused
// at their next request and admitted again after reactivation; removal
// cascades in one transaction and frees the name; the default org stays.
func TestOrgLifecycleREST(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			acme, ownerID, owner := e.orgWithOwner("Acme", "ORG_OWNER")
			h := []string{"x-zitadel-orgid", acme}
			me := func(tok string) int { return e.do("GET", "/management/v1/orgs/me", tok, "").status }
			if me(owner) != 200 {
				t.Fatal("the org owner cannot read its org")
			}

			// UpdateOrg.
			e.wantErr(e.do("PUT", "/management/v1/orgs/me", owner, `{"name":"  "}`), 400, "EVENT-Mf9sd")
			e.wantErr(e.do("PUT", "/management/v1/orgs/me", owner, `{"name":"Acme"}`), 400, "ORG-4VSdf")
			def := e.must(e.admin("GET", "/management/v1/orgs/me", ""), 200).str("org", "name")
			e.wantErr(e.do("PUT", "/management/v1/orgs/me", owner, `{"name":"`+def+`"}`), 409, "V3-DKcYh")
			before := e.must(e.admin("GET", "/admin/v1/orgs/"+acme, ""), 200)
			up := e.must(e.do("PUT", "/management/v1/orgs/me", owner, `{"name":"Acme Two"}`), 200)
			if up.seq(t) <= mustUint(t, before.str("org", "details", "sequence")) || up.str("details", "resourceOwner") != acme {
				t.Fatalf("update: %s", up.raw)
			}
			got := e.must(e.admin("GET", "/admin/v1/orgs/"+acme, ""), 200)
			if got.str("org", "name") != "Acme Two" || !strings.HasPrefix(got.str("org", "primaryDomain"), "acme-two.") {
				t.Fatalf("after rename: %s", got.raw)
			}
			u := e.must(e.admin("GET", "/management/v1/users/"+ownerID, "", h...), 200)
			if !strings.HasSuffix(u.str("user", "preferredLoginName"), "@"+got.str("org", "primaryDomain")) {
				t.Fatalf("login name did not follow the org's name: %s", u.raw)
			}

			// DeactivateOrg: the owner's own token dies at once; ReactivateOrg
			// brings the administrator-issued PAT back.
			e.must(e.admin("POST", "/management/v1/orgs/me/_deactivate", `{}`, h...), 200)
			if s := me(owner); s != 401 {
				t.Fatalf("a deactivated org's user: %d, want 401", s)
			}
			e.wantErr(e.admin("POST", "/management/v1/orgs/me/_deactivate", `{}`, h...), 400, "EVENT-Dbs2g")
			if st := e.must(e.admin("GET", "/admin/v1/orgs/"+acme, ""), 200).str("org", "state"); st != "ORG_STATE_INACTIVE" {
				t.Fatalf("state %s", st)
			}
			e.must(e.admin("POST", "/management/v1/orgs/me/_reactivate", `{}`, h...), 200)
			e.wantErr(e.admin("POST", "/management/v1/orgs/me/_reactivate", `{}`, h...), 400, "EVENT-bfnrh")
			if s := me(owner); s != 200 {
				t.Fatalf("after reactivation: %d", s)
			}

			// The default org is neither deactivated nor removed.
			e.wantErr(e.admin("POST", "/management/v1/orgs/me/_deactivate", `{}`), 400, "WARDEN-ORGDEF1")
			e.wantErr(e.admin("DELETE", "/management/v1/orgs/me", ""), 400, "COMMA-wG9p1")
			e.wantErr(e.admin("DELETE", "/admin/v1/orgs/"+e.orgID, ""), 400, "COMMA-wG9p1")

			ch := e.must(e.do("POST", "/management/v1/orgs/me/changes/_search", owner, `{"query":{"asc":true}}`), 200)
			var types []string
			for _, c := range ch.body["result"].([]any) {
				types = append(types, c.(map[string]any)["eventType"].(map[string]any)["localizedMessage"].(string))
			}
			if want := []string{event.OrgAdded, event.OrgMemberAdded, event.OrgMemberAdded, org.EventChanged, org.EventDeactivated, org.EventReactivated}; !slices.Equal(types, want) {
				t.Fatalf("changes %v, want %v", types, want)
			}

			// RemoveOrg (management, as the org's own owner): users, members,
			// projects, apps, PATs go with it; the name is free again.
			other := e.importHuman("outsider")
			e.must(e.admin("POST", "/management/v1/orgs/me/members", `{"userId":"`+other+`","roles":["ORG_OWNER_VIEWER"]}`, h...), 200)
			pid := e.must(e.do("POST", "/management/v1/projects", owner, `{"name":"P"}`), 200).str("id")
			e.must(e.do("POST", "/management/v1/projects/"+pid+"/apps/api", owner, `{"name":"api","authMethodType":"API_AUTH_METHOD_TYPE_BASIC"}`), 200)
			e.must(e.do("POST", "/management/v1/projects/"+pid+"/roles", owner, `{"roleKey":"admin","displayName":"Admin"}`), 200)
			e.must(e.do("POST", "/management/v1/users/"+ownerID+"/grants", owner, `{"projectId":"`+pid+`","roleKeys":["admin"]}`), 200)
			rm := e.must(e.do("DELETE", "/management/v1/orgs/me", owner, ""), 200)
			if rm.str("details", "resourceOwner") != acme {
				t.Fatalf("remove: %s", rm.raw)
			}
			if s := me(owner); s != 401 {
				t.Fatalf("a removed org's user: %d, want 401", s)
			}
			e.wantErr(e.admin("GET", "/admin/v1/orgs/"+acme, ""), 404, "WARDEN-ORGNOTFOUND")
			e.wantErr(e.admin("DELETE", "/admin/v1/orgs/"+acme, ""), 404, "COMMA-aps2n")
			e.wantErr(e.admin("GET", "/management/v1/orgs/me", "", h...), 404, "")
			ctx := context.Background()
			if su, err := e.store.User(ctx, ownerID); err != nil || su.State != user.StateDeleted {
				t.Fatalf("the org's user: %+v %v", su, err)
			}
			if ms, _ := e.store.MembershipsOf(ctx, ownerID); len(ms) != 0 {
				t.Fatalf("the removed user's memberships: %+v", ms)
			}
			if _, err := e.store.Member(ctx, acme, other); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("the removed org's member: %v", err)
			}
			for _, kind := range []string{project.KindProject, project.KindApp, project.KindRole, project.KindGrant, project.KindAppKey} {
				if arts, _, _ := e.store.ListArtifacts(ctx, store.ArtifactQuery{Kind: kind, OrgID: acme}); len(arts) != 0 {
					t.Fatalf("%d %s left", len(arts), kind)
				}
			}
			if pats, _, _ := e.store.ListPATs(ctx, ownerID, store.Page{}); len(pats) != 0 {
				t.Fatalf("PATs left: %d", len(pats))
			}
			if tt := e.eventTypes(t, event.AggregateOrg, acme); tt[len(tt)-1] != org.EventRemoved {
				t.Fatalf("org events %v", tt)
			}
			if tt := e.eventTypes(t, event.AggregateUser, ownerID); tt[len(tt)-1] != event.UserRemoved {
				t.Fatalf("user events %v", tt)
			}
			e.must(e.admin("POST", "/management/v1/orgs", `{"name":"Acme Two"}`), 200)
			// The outsider, a user of the default org, is untouched.
			if e.must(e.admin("GET", "/management/v1/users/"+other, ""), 200).str("user", "state") != "USER_STATE_ACTIVE" {
				t.Fatal("the member from another org was touched")
			}
		})
	}
}

func mustUint(t *testing.T, s string) uint64 {
	t.Helper()
	var n uint64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return n
}

// TestForeignOrgOwnerCannotChangeOrg: the owner of one org cannot rename,
// deactivate, reactivate or remove another, nor reach the admin service;
// nothing of the other org changes.
func TestForeignOrgOwnerCannotChangeOrg(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			victim, _, victimTok := e.orgWithOwner("Victim", "ORG_OWNER")
			_, _, attacker := e.orgWithOwner("Attacker", "ORG_OWNER")
			h := []string{"x-zitadel-orgid", victim}
			before := e.must(e.admin("GET", "/admin/v1/orgs/"+victim, ""), 200).raw
			for _, c := range []struct{ method, path, body string }{
				{"PUT", "/management/v1/orgs/me", `{"name":"Pwned"}`},
				{"POST", "/management/v1/orgs/me/_deactivate", `{}`},
				{"POST", "/management/v1/orgs/me/_reactivate", `{}`},
				{"DELETE", "/management/v1/orgs/me", ""},
				{"POST", "/management/v1/orgs/me/changes/_search", `{}`},
			} {
				e.wantErr(e.do(c.method, c.path, attacker, c.body, h...), 403, "AUTH-5mWD2")
			}
			for _, c := range []struct{ method, path, body string }{
				{"DELETE", "/admin/v1/orgs/" + victim, ""},
				{"GET", "/admin/v1/orgs/" + victim, ""},
				{"POST", "/admin/v1/orgs/_search", `{}`},
				{"PUT", "/admin/v1/orgs/default/" + victim, `{}`},
				{"POST", "/admin/v1/members", `{"userId":"x","roles":["IAM_OWNER"]}`},
			} {
				e.wantErr(e.do(c.method, c.path, attacker, c.body), 403, "AUTH-5mWD2")
			}
			if after := e.must(e.admin("GET", "/admin/v1/orgs/"+victim, ""), 200).raw; after != before {
				t.Fatalf("the victim org changed:\n%s\n%s", before, after)
			}
			if e.do("GET", "/management/v1/orgs/me", victimTok, "").status != 200 {
				t.Fatal("the victim's owner lost access")
			}
		})
	}
}

// TestConcurrentOrgDeactivation: of 16 concurrent deactivations of one org
// exactly one succeeds; the others get FailedPrecondition; one event.
func TestConcurrentOrgDeactivation(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			o, _, _ := e.orgWithOwner("Racy")
			var wg sync.WaitGroup
			var mu sync.Mutex
			codes := map[string]int{}
			for range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := e.admin("POST", "/management/v1/orgs/me/_deactivate", `{}`, "x-zitadel-orgid", o)
					mu.Lock()
					codes[fmt.Sprintf("%d %s", r.status, r.errID())]++
					mu.Unlock()
				}()
			}
			wg.Wait()
			if codes["200 "] != 1 || codes["400 EVENT-Dbs2g"] != 15 {
				t.Fatalf("answers %v", codes)
			}
			n := 0
			for _, typ := range e.eventTypes(t, event.AggregateOrg, o) {
				if typ == org.EventDeactivated {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%d deactivation events", n)
			}
		})
	}
}

// TestAdminOrgsREST: GetOrgByID, ListOrgs with ZITADEL's queries, IsOrgUnique,
// Get/SetDefaultOrg; the admin service is for instance roles only.
func TestAdminOrgsREST(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			a, _, ownerTok := e.orgWithOwner("Alpha", "ORG_OWNER")
			b, _, _ := e.orgWithOwner("Beta")
			e.must(e.admin("POST", "/management/v1/orgs/me/_deactivate", `{}`, "x-zitadel-orgid", b), 200)

			e.wantErr(e.admin("GET", "/admin/v1/orgs/424242", ""), 404, "WARDEN-ORGNOTFOUND")
			if g := e.must(e.admin("GET", "/admin/v1/orgs/"+a, ""), 200); g.str("org", "id") != a || g.str("org", "name") != "Alpha" || g.str("org", "state") != "ORG_STATE_ACTIVE" {
				t.Fatalf("get: %s", g.raw)
			}
			list := func(body string) reply { return e.must(e.admin("POST", "/admin/v1/orgs/_search", body), 200) }
			if l := list(`{"query":{"asc":true}}`); l.str("details", "totalResult") != "3" || len(ids(l)) != 3 {
				t.Fatalf("all: %s", l.raw)
			}
			if l := list(`{"queries":[{"nameQuery":{"name":"al","method":"TEXT_QUERY_METHOD_STARTS_WITH_IGNORE_CASE"}}]}`); fmt.Sprint(ids(l)) != "["+a+"]" || l.str("details", "totalResult") != "1" {
				t.Fatalf("by name: %s", l.raw)
			}
			if l := list(`{"queries":[{"stateQuery":{"state":"ORG_STATE_INACTIVE"}}]}`); fmt.Sprint(ids(l)) != "["+b+"]" {
				t.Fatalf("by state: %s", l.raw)
			}
			if l := list(`{"queries":[{"idQuery":{"id":"` + b + `"}},{"nameQuery":{"name":"Alpha"}}]}`); len(ids(l)) != 0 {
				t.Fatalf("id and name ANDed: %s", l.raw)
			}
			if l := list(`{"queries":[{"domainQuery":{"domain":"beta.","method":"TEXT_QUERY_METHOD_STARTS_WITH"}}]}`); fmt.Sprint(ids(l)) != "["+b+"]" {
				t.Fatalf("by domain: %s", l.raw)
			}
			if l := list(`{"query":{"limit":1,"offset":1,"asc":true}}`); len(ids(l)) != 1 || l.str("details", "totalResult") != "3" {
				t.Fatalf("page: %s", l.raw)
			}
			e.wantErr(e.admin("POST", "/admin/v1/orgs/_search", `{"queries":[{"nameQuery":{"name":"a\u0000b"}}]}`), 400, "")

			unique := func(q string) any {
				return e.must(e.admin("GET", "/admin/v1/orgs/_is_unique?"+q, ""), 200).body["isUnique"]
			}
			if unique("name=Alpha") != nil || unique("name=Gamma") != true || unique("domain=beta."+strings.SplitN(e.must(e.admin("GET", "/admin/v1/orgs/"+b, ""), 200).str("org", "primaryDomain"), ".", 2)[1]) != nil {
				t.Fatal("IsOrgUnique")
			}

			if d := e.must(e.admin("GET", "/admin/v1/orgs/default", ""), 200); d.str("org", "id") != e.orgID {
				t.Fatalf("default: %s", d.raw)
			}
			e.wantErr(e.admin("PUT", "/admin/v1/orgs/default/424242", `{}`), 404, "WARDEN-ORGNOTFOUND")
			e.wantErr(e.admin("PUT", "/admin/v1/orgs/default/"+b, `{}`), 400, "WARDEN-ORGDEF2")
			e.must(e.admin("PUT", "/admin/v1/orgs/default/"+a, `{}`), 200)
			if d := e.must(e.admin("GET", "/admin/v1/orgs/default", ""), 200); d.str("org", "id") != a {
				t.Fatalf("new default: %s", d.raw)
			}
			e.wantErr(e.admin("DELETE", "/admin/v1/orgs/"+a, ""), 400, "COMMA-wG9p1")
			e.must(e.admin("PUT", "/admin/v1/orgs/default/"+e.orgID, `{}`), 200)
			e.must(e.admin("DELETE", "/admin/v1/orgs/"+b, ""), 200)
			if l := list(`{}`); l.str("details", "totalResult") != "2" {
				t.Fatalf("after removal: %s", l.raw)
			}
			// An org owner is no instance administrator.
			for _, p := range []string{"/admin/v1/orgs/" + a, "/admin/v1/orgs/default"} {
				e.wantErr(e.do("GET", p, ownerTok, ""), 403, "AUTH-5mWD2")
			}
			if e.do("GET", "/admin/v1/healthz", "", "").status != 200 {
				t.Fatal("admin healthz")
			}
		})
	}
}

// TestIAMMembersREST: the instance's members with ZITADEL's errors and
// idempotent removal; concurrent adds of one member: exactly one wins.
func TestIAMMembersREST(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			roles := e.must(e.admin("POST", "/admin/v1/members/roles/_search", `{}`), 200)
			rs := fmt.Sprint(roles.body["roles"])
			if !strings.Contains(rs, "IAM_OWNER") || !strings.Contains(rs, "IAM_USER_MANAGER") || strings.Contains(rs, "[ORG_") || strings.Contains(rs, " ORG_") {
				t.Fatalf("roles: %s", roles.raw)
			}
			if l := e.must(e.admin("POST", "/admin/v1/members/_search", `{}`), 200); l.str("details", "totalResult") != "2" {
				t.Fatalf("bootstrap members: %s", l.raw)
			}
			uid, tok := e.machineWithToken("helper")
			e.wantErr(e.admin("POST", "/admin/v1/members", `{"userId":"","roles":["IAM_OWNER"]}`), 400, "INSTA-SDSfs")
			e.wantErr(e.admin("POST", "/admin/v1/members", `{"userId":"`+uid+`","roles":["ORG_OWNER"]}`), 400, "INSTANCE-4m0fS")
			e.wantErr(e.admin("POST", "/admin/v1/members", `{"userId":"`+uid+`","roles":[]}`), 400, "INSTANCE-4m0fS")
			e.wantErr(e.admin("POST", "/admin/v1/members", `{"userId":"424242","roles":["IAM_OWNER_VIEWER"]}`), 400, "INSTA-GSXOn")
			e.wantErr(e.admin("PUT", "/admin/v1/members/"+uid, `{"roles":["IAM_OWNER_VIEWER"]}`), 404, "INSTANCE-D8JxR")

			var wg sync.WaitGroup
			var mu sync.Mutex
			answers := map[string]int{}
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := e.admin("POST", "/admin/v1/members", `{"userId":"`+uid+`","roles":["IAM_OWNER_VIEWER"]}`)
					mu.Lock()
					answers[fmt.Sprintf("%d %s", r.status, r.errID())]++
					mu.Unlock()
				}()
			}
			wg.Wait()
			if answers["200 "] != 1 || answers["409 INSTA-pFDwe"] != 7 {
				t.Fatalf("concurrent adds: %v", answers)
			}
			// The new instance viewer reads every org.
			other, _, _ := e.orgWithOwner("Elsewhere")
			e.must(e.do("GET", "/management/v1/orgs/me", tok, "", "x-zitadel-orgid", other), 200)
			l := e.must(e.admin("POST", "/admin/v1/members/_search", `{"queries":[{"userIdQuery":{"userId":"`+uid+`"}}]}`), 200)
			if l.str("details", "totalResult") != "1" || fmt.Sprint(l.body["result"].([]any)[0].(map[string]any)["roles"]) != "[IAM_OWNER_VIEWER]" {
				t.Fatalf("by user id: %s", l.raw)
			}
			up := e.must(e.admin("PUT", "/admin/v1/members/"+uid, `{"roles":["IAM_USER_MANAGER"]}`), 200)
			same := e.must(e.admin("PUT", "/admin/v1/members/"+uid, `{"roles":["IAM_USER_MANAGER"]}`), 200)
			if up.seq(t) != same.seq(t) {
				t.Fatalf("an update to the same roles moved the sequence: %s → %s", up.raw, same.raw)
			}
			e.wantErr(e.admin("PUT", "/admin/v1/members/"+uid, `{"roles":["ORG_OWNER"]}`), 400, "INSTANCE-3m9fs")
			e.must(e.admin("DELETE", "/admin/v1/members/"+uid, ""), 200)
			e.must(e.admin("DELETE", "/admin/v1/members/"+uid, ""), 200) // as ZITADEL: already gone is fine
			if ms, _ := e.store.MembershipsOf(context.Background(), uid); len(ms) != 0 {
				t.Fatalf("memberships left: %+v", ms)
			}
			if e.do("GET", "/management/v1/orgs/me", tok, "", "x-zitadel-orgid", other).status != 403 {
				t.Fatal("the removed member still reaches other orgs")
			}
			wantTypes := []string{event.InstanceAdded, event.InstanceMemberAdded, event.InstanceMemberAdded,
				event.InstanceMemberAdded, event.InstanceMemberChanged, event.InstanceMemberRemoved}
			if got := e.eventTypes(t, event.AggregateInstance, e.instanceID(t)); !slices.Equal(got, wantTypes) {
				t.Fatalf("instance events %v, want %v", got, wantTypes)
			}
		})
	}
}

func (e *env) instanceID(t *testing.T) string {
	t.Helper()
	i, err := e.store.Instance(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return i.ID
}

// TestNoIAMRoleEscalation: an instance user manager or org manager, and an
// org owner, cannot make itself or anyone an IAM owner (or any instance
// member), nor change or remove the instance's owners; their memberships
// stay what they were.
func TestNoIAMRoleEscalation(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			owners := e.must(e.admin("POST", "/admin/v1/members/_search", `{}`), 200)
			firstOwner := owners.body["result"].([]any)[0].(map[string]any)["userId"].(string)
			for _, role := range []string{"IAM_USER_MANAGER", "IAM_ORG_MANAGER", "IAM_OWNER_VIEWER", "ORG_OWNER"} {
				uid, tok := e.machineWithToken(strings.ToLower(role))
				if strings.HasPrefix(role, "IAM_") {
					e.must(e.admin("POST", "/admin/v1/members", `{"userId":"`+uid+`","roles":["`+role+`"]}`), 200)
				} else {
					e.must(e.admin("POST", "/management/v1/orgs/me/members", `{"userId":"`+uid+`","roles":["`+role+`"]}`), 200)
				}
				before, _ := e.store.MembershipsOf(context.Background(), uid)
				for _, c := range []struct{ method, path, body string }{
					{"POST", "/admin/v1/members", `{"userId":"` + uid + `","roles":["IAM_OWNER"]}`},
					{"PUT", "/admin/v1/members/" + uid, `{"roles":["IAM_OWNER"]}`},
					{"PUT", "/admin/v1/members/" + firstOwner, `{"roles":["IAM_OWNER_VIEWER"]}`},
					{"DELETE", "/admin/v1/members/" + firstOwner, ""},
				} {
					e.wantErr(e.do(c.method, c.path, tok, c.body), 403, "AUTH-5mWD2")
				}
				after, _ := e.store.MembershipsOf(context.Background(), uid)
				if fmt.Sprint(rolesOf(before)) != fmt.Sprint(rolesOf(after)) {
					t.Fatalf("%s: memberships %v → %v", role, rolesOf(before), rolesOf(after))
				}
			}
			if l := e.must(e.admin("POST", "/admin/v1/members/_search", `{"queries":[{"userIdQuery":{"userId":"`+firstOwner+`"}}]}`), 200); !strings.Contains(l.raw, "IAM_OWNER") {
				t.Fatalf("the owner lost its role: %s", l.raw)
			}
		})
	}
}

func rolesOf(ms []*org.Member) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.OrgID+":"+strings.Join(m.Roles, ","))
	}
	slices.Sort(out)
	return out
}

// TestListOrgMembersQueries: ListOrgMembers takes ZITADEL's member search
// queries (the Terraform provider's read filters by user id), ANDed.
func TestListOrgMembersQueries(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			ann := e.importHuman("ann")
			bob := e.importHuman("bob")
			for _, id := range []string{ann, bob} {
				e.must(e.admin("POST", "/management/v1/orgs/me/members", `{"userId":"`+id+`","roles":["ORG_OWNER_VIEWER"]}`), 200)
			}
			search := func(q string) reply {
				return e.must(e.admin("POST", "/management/v1/orgs/me/members/_search", `{"queries":[`+q+`]}`), 200)
			}
			userIDs := func(r reply) []string {
				var out []string
				for _, x := range r.body["result"].([]any) {
					out = append(out, x.(map[string]any)["userId"].(string))
				}
				return out
			}
			if r := search(`{"userIdQuery":{"userId":"` + bob + `"}}`); fmt.Sprint(userIDs(r)) != "["+bob+"]" || r.str("details", "totalResult") != "1" {
				t.Fatalf("by id: %s", r.raw)
			}
			if r := search(`{"emailQuery":{"email":"ANN@","method":"TEXT_QUERY_METHOD_STARTS_WITH_IGNORE_CASE"}}`); fmt.Sprint(userIDs(r)) != "["+ann+"]" {
				t.Fatalf("by e-mail: %s", r.raw)
			}
			if r := search(`{"firstNameQuery":{"firstName":"F"}},{"userIdQuery":{"userId":"` + ann + `"}}`); fmt.Sprint(userIDs(r)) != "["+ann+"]" {
				t.Fatalf("first name and id: %s", r.raw)
			}
			if r := search(`{"lastNameQuery":{"lastName":"nobody"}}`); r.body["result"] != nil {
				t.Fatalf("no match: %s", r.raw)
			}
			e.wantErr(e.admin("POST", "/management/v1/orgs/me/members/_search", `{"queries":[{"emailQuery":{"email":"a","method":99}}]}`), 400, "")
		})
	}
}

// TestSetUpOrgREST: admin SetUpOrg makes the org and its first human, its
// ORG_OWNER, in one transaction: a refusal leaves neither behind.
func TestSetUpOrgREST(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			body := func(org, user, email, roles string) string {
				return `{"org":{"name":"` + org + `"},"human":{"userName":"` + user + `","profile":{"firstName":"Ada","lastName":"Admin"},` +
					`"email":{"email":"` + email + `","isEmailVerified":true},"password":"Secret-Pass-1"},"roles":` + roles + `}`
			}
			orgs := func() string {
				return e.must(e.admin("POST", "/admin/v1/orgs/_search", `{}`), 200).str("details", "totalResult")
			}
			n := orgs()
			e.wantErr(e.admin("POST", "/admin/v1/orgs/_setup", body(" ", "ada", "ada@example.com", `[]`)), 400, "EVENT-Mf9sd")
			e.wantErr(e.admin("POST", "/admin/v1/orgs/_setup", `{"org":{"name":"NoUser"}}`), 400, "WARDEN-SETUP1")
			e.wantErr(e.admin("POST", "/admin/v1/orgs/_setup", body("BadMail", "ada", "not-an-email", `[]`)), 400, "EMAIL-599BI")
			e.wantErr(e.admin("POST", "/admin/v1/orgs/_setup", body("BadRole", "ada", "ada@example.com", `["IAM_OWNER"]`)), 400, "Org-4N8es")
			def := e.must(e.admin("GET", "/admin/v1/orgs/default", ""), 200).str("org", "name")
			e.wantErr(e.admin("POST", "/admin/v1/orgs/_setup", body(def, "ada", "ada@example.com", `[]`)), 409, "V3-DKcYh")
			if got := orgs(); got != n {
				t.Fatalf("refused setups left orgs: %s → %s", n, got)
			}
			if p, _ := e.store.ListUsers(context.Background(), store.UserQuery{UserNames: []store.TextMatch{{Value: "ada"}}}); len(p.Users) != 0 {
				t.Fatalf("a refused setup left its user: %+v", p.Users)
			}
			r := e.must(e.admin("POST", "/admin/v1/orgs/_setup", body("Newco", "ada", "ada@example.com", `[]`)), 200)
			orgID, uid := r.str("orgId"), r.str("userId")
			if orgID == "" || uid == "" || r.str("details", "resourceOwner") != orgID || r.str("details", "creationDate") == "" {
				t.Fatalf("setup: %s", r.raw)
			}
			m, err := e.store.Member(context.Background(), orgID, uid)
			if err != nil || fmt.Sprint(m.Roles) != "[ORG_OWNER]" {
				t.Fatalf("the first user's membership: %+v %v", m, err)
			}
			if u := e.must(e.admin("GET", "/management/v1/users/"+uid, "", "x-zitadel-orgid", orgID), 200); u.str("user", "state") != "USER_STATE_ACTIVE" {
				t.Fatalf("user: %s", u.raw)
			}
			e.wantErr(e.admin("POST", "/admin/v1/orgs/_setup", body("Newco", "bob", "bob@example.com", `[]`)), 409, "V3-DKcYh")
			_, _, ownerTok := e.orgWithOwner("Elsewhere", "ORG_OWNER")
			e.wantErr(e.do("POST", "/admin/v1/orgs/_setup", ownerTok, body("Mine", "eve", "eve@example.com", `[]`)), 403, "AUTH-5mWD2")
		})
	}
}

// TestDeactivatedOrgRefusesOAuthTokens: a deactivated org's machine user gets
// no new token by client credentials, and the access token it holds is refused
// by the API, userinfo and introspection from the deactivation on; after the
// reactivation its client secret works again.
func TestDeactivatedOrgRefusesOAuthTokens(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			o, uid, _ := e.orgWithOwner("Tokens", "ORG_USER_MANAGER")
			h := []string{"x-zitadel-orgid", o}
			sec := e.must(e.admin("PUT", "/management/v1/users/"+uid+"/secret", `{}`, h...), 200)
			m := machineCreds{id: uid, clientID: sec.str("clientId"), secret: sec.str("clientSecret")}
			proj := e.must(e.admin("POST", "/management/v1/projects", `{"name":"rs"}`), 200).str("id")
			api := e.must(e.admin("POST", "/management/v1/projects/"+proj+"/apps/api", `{"name":"rs","authMethodType":"API_AUTH_METHOD_TYPE_BASIC"}`), 200)
			introspect := func(tok string) any {
				r := e.tokenPost("/oauth/v2/introspect", url.Values{"token": {tok}}, api.str("clientId"), api.str("clientSecret"))
				return r.body["active"]
			}
			// Introspection needs the API app's project in the audience.
			tok := tokenOf(t, e.tokenPost("/oauth/v2/token", url.Values{"grant_type": {"client_credentials"},
				"scope": {apiScope + " urn:zitadel:iam:org:project:id:" + proj + ":aud"}}, m.clientID, m.secret))
			if a, i, u := e.do("GET", "/management/v1/orgs/me", tok, "").status, introspect(tok), e.do("GET", "/oidc/v1/userinfo", tok, "").status; a != 200 || i != true || u != 200 {
				t.Fatalf("the token while the org is active: API %d, introspection %v, userinfo %d", a, i, u)
			}
			e.must(e.admin("POST", "/management/v1/orgs/me/_deactivate", `{}`, h...), 200)
			if s := e.do("GET", "/management/v1/orgs/me", tok, "").status; s != 401 {
				t.Fatalf("API with a deactivated org's token: %d", s)
			}
			if a := introspect(tok); a != false {
				t.Fatalf("introspection active = %v", a)
			}
			if s := e.do("GET", "/oidc/v1/userinfo", tok, "").status; s != 401 {
				t.Fatalf("userinfo: %d", s)
			}
			if r := e.clientCredentials(m); r.status == 200 {
				t.Fatalf("client credentials of a deactivated org's user: %v", r.body)
			}
			e.must(e.admin("POST", "/management/v1/orgs/me/_reactivate", `{}`, h...), 200)
			fresh := tokenOf(t, e.clientCredentials(m))
			e.must(e.do("GET", "/management/v1/orgs/me", fresh, ""), 200)
		})
	}
}

// TestOrgOwnerCannotLockOutIAMOwner: an org owner cannot deactivate or remove
// its org while a user of it holds roles the owner lacks (here an IAM owner
// whose home is that org): 403, and the IAM owner's token still works.
func TestOrgOwnerCannotLockOutIAMOwner(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			o, _, owner := e.orgWithOwner("Home", "ORG_OWNER")
			h := []string{"x-zitadel-orgid", o}
			vip := e.must(e.admin("POST", "/management/v1/users/machine", `{"userName":"vip","name":"VIP"}`, h...), 200).str("userId")
			e.must(e.admin("POST", "/admin/v1/members", `{"userId":"`+vip+`","roles":["IAM_OWNER"]}`), 200)
			vipTok := e.must(e.admin("POST", "/management/v1/users/"+vip+"/pats", `{}`, h...), 200).str("token")
			e.wantErr(e.do("POST", "/management/v1/orgs/me/_deactivate", owner, `{}`), 403, "WARDEN-RANK1")
			e.wantErr(e.do("DELETE", "/management/v1/orgs/me", owner, ""), 403, "WARDEN-RANK1")
			if e.do("GET", "/admin/v1/orgs/"+o, vipTok, "").status != 200 {
				t.Fatal("the IAM owner lost access")
			}
			// An IAM owner may.
			e.must(e.admin("POST", "/management/v1/orgs/me/_deactivate", `{}`, h...), 200)
			if e.do("GET", "/admin/v1/orgs/"+o, vipTok, "").status != 401 {
				t.Fatal("the deactivated org's IAM owner is still admitted")
			}
		})
	}
}
