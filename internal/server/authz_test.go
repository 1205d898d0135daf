package server_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
)

const mv1 = "/management/v1"

// roleKeys lists the keys of a ListProjectRoles answer.
func roleKeys(r reply) []string {
	var out []string
	res, _ := r.body["result"].([]any)
	for _, x := range res {
		m, _ := x.(map[string]any)
		s, _ := m["key"].(string)
		out = append(out, s)
	}
	return out
}

func (e *env) lastOrgEvent(t *testing.T) event.Event {
	t.Helper()
	evs := e.orgEvents(t)
	return evs[len(evs)-1]
}

// TestProjectRolesREST: roles are added (one and in bulk, all or none),
// changed, listed with ZITADEL's key and display-name queries, and removed —
// each with its org event in the same write — with ZITADEL's error ids for
// bad input, unknown ids, duplicates and no change; a foreign org's context
// sees nothing, and a role's removal takes it out of the grants.
func TestProjectRolesREST(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			pid := e.must(e.admin("POST", mv1+"/projects", `{"name":"Roles"}`), 200).str("id")
			roles := mv1 + "/projects/" + pid + "/roles"

			add := e.must(e.admin("POST", roles, `{"roleKey":"admin","displayName":"Administrator","group":"ops"}`), 200)
			if ev := e.lastOrgEvent(t); ev.Type != event.ProjectRoleAdded || fmt.Sprint(ev.Sequence) != add.str("details", "sequence") ||
				add.str("details", "resourceOwner") != e.orgID {
				t.Fatalf("add: %s, last event %+v", add.raw, ev)
			}
			e.wantErr(e.admin("POST", roles, `{"roleKey":"admin","displayName":"again"}`), 409, "V3-DKcYh")
			e.wantErr(e.admin("POST", roles, `{"roleKey":"","displayName":"x"}`), 400, "COMMAND-4m9vS")
			e.wantErr(e.admin("POST", roles, `{"roleKey":"   "}`), 400, "COMMAND-4m9vS")
			e.wantErr(e.admin("POST", mv1+"/projects/424242/roles", `{"roleKey":"x"}`), 404, "QUERY-fk2fs")
			e.wantErr(e.admin("POST", roles, `{"roleKey":"a\u0000b"}`), 400, "")

			// Bulk: all or none.
			before := len(e.orgEvents(t))
			e.wantErr(e.admin("POST", roles+"/_bulk", `{"roles":[{"key":"reader"},{"key":"admin"}]}`), 409, "V3-DKcYh")
			e.wantErr(e.admin("POST", roles+"/_bulk", `{"roles":[{"key":"reader"},{"key":"reader"}]}`), 409, "V3-DKcYh")
			e.wantErr(e.admin("POST", roles+"/_bulk", `{"roles":[]}`), 400, "")
			if n := len(e.orgEvents(t)); n != before {
				t.Fatalf("a refused bulk add wrote %d events", n-before)
			}
			e.must(e.admin("POST", roles+"/_bulk", `{"roles":[{"key":"reader","displayName":"Reader"},{"key":"writer","displayName":"Writer"}]}`), 200)
			if got := roleKeys(e.must(e.admin("POST", roles+"/_search", `{"query":{"asc":true}}`), 200)); !slices.Equal(got, []string{"admin", "reader", "writer"}) {
				t.Fatalf("roles %v", got)
			}

			// Queries.
			q := func(body string) []string {
				return roleKeys(e.must(e.admin("POST", roles+"/_search", body), 200))
			}
			if got := q(`{"queries":[{"keyQuery":{"key":"ad","method":"TEXT_QUERY_METHOD_STARTS_WITH"}}]}`); !slices.Equal(got, []string{"admin"}) {
				t.Fatalf("key query: %v", got)
			}
			if got := q(`{"queries":[{"displayNameQuery":{"displayName":"er","method":"TEXT_QUERY_METHOD_CONTAINS"}}]}`); !slices.Equal(got, []string{"writer", "reader"}) {
				t.Fatalf("display name query: %v", got)
			}
			if got := q(`{"query":{"limit":1,"offset":1,"asc":true}}`); !slices.Equal(got, []string{"reader"}) {
				t.Fatalf("page: %v", got)
			}

			// Update.
			up := e.must(e.admin("PUT", roles+"/reader", `{"displayName":"Readers","group":"g"}`), 200)
			if ev := e.lastOrgEvent(t); ev.Type != event.ProjectRoleChanged || fmt.Sprint(ev.Sequence) != up.str("details", "sequence") {
				t.Fatalf("update event %+v", ev)
			}
			e.wantErr(e.admin("PUT", roles+"/reader", `{"displayName":"Readers","group":"g"}`), 400, "COMMAND-5M0cs")
			e.wantErr(e.admin("PUT", roles+"/nobody", `{"displayName":"x"}`), 404, "COMMAND-vv8M9")

			// A foreign org's context sees no such project.
			other := e.must(e.admin("POST", mv1+"/orgs", `{"name":"Other roles"}`), 200).str("id")
			e.wantErr(e.admin("POST", roles+"/_search", `{}`, "x-zitadel-orgid", other), 404, "QUERY-fk2fs")
			e.wantErr(e.admin("DELETE", roles+"/admin", "", "x-zitadel-orgid", other), 404, "QUERY-fk2fs")

			// Removing a role takes it out of the grants, in one write.
			uid := e.importHuman("role-holder")
			gid := e.must(e.admin("POST", mv1+"/users/"+uid+"/grants", `{"projectId":"`+pid+`","roleKeys":["admin","reader"]}`), 200).str("userGrantId")
			e.must(e.admin("DELETE", roles+"/admin", ""), 200)
			if ev := e.lastOrgEvent(t); ev.Type != event.ProjectRoleRemoved || !strings.Contains(string(ev.Payload), gid) {
				t.Fatalf("remove event %+v %s", ev, ev.Payload)
			}
			g := e.must(e.admin("GET", mv1+"/users/"+uid+"/grants/"+gid, ""), 200)
			if fmt.Sprint(g.val("userGrant", "roleKeys")) != "[reader]" {
				t.Fatalf("grant after role removal: %s", g.raw)
			}
			e.wantErr(e.admin("DELETE", roles+"/admin", ""), 404, "COMMAND-m9vMf")
			e.wantErr(e.admin("POST", mv1+"/users/"+uid+"/grants", `{"projectId":"`+pid+`","roleKeys":["admin"]}`), 400, "COMMAND-mm9F4")
		})
	}
}

// TestUserGrantsREST: AddUserGrant, UpdateUserGrant, Deactivate/Reactivate,
// GetUserGrantByID, ListUserGrants (user id, project id, role key, user name
// queries), RemoveUserGrant and BulkRemoveUserGrant, with ZITADEL's ids for
// every refusal; one grant per user and project; a removed project takes its
// roles and grants, a removed user its grants, each in its own write.
func TestUserGrantsREST(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			pid := e.must(e.admin("POST", mv1+"/projects", `{"name":"Granted"}`), 200).str("id")
			e.must(e.admin("POST", mv1+"/projects/"+pid+"/roles/_bulk", `{"roles":[{"key":"admin"},{"key":"reader"}]}`), 200)
			ann, bob := e.importHuman("grant-ann"), e.importHuman("grant-bob")
			grants := func(u string) string { return mv1 + "/users/" + u + "/grants" }

			add := e.must(e.admin("POST", grants(ann), `{"projectId":"`+pid+`","roleKeys":["reader","admin"]}`), 200)
			gid := add.str("userGrantId")
			if ev := e.lastOrgEvent(t); gid == "" || ev.Type != event.UserGrantAdded || fmt.Sprint(ev.Sequence) != add.str("details", "sequence") {
				t.Fatalf("add %s, event %+v", add.raw, ev)
			}
			e.wantErr(e.admin("POST", grants(ann), `{"projectId":"`+pid+`","roleKeys":["reader"]}`), 409, "V3-DKcYh")
			e.wantErr(e.admin("POST", grants(bob), `{"projectId":"`+pid+`","roleKeys":["nope"]}`), 400, "COMMAND-mm9F4")
			e.wantErr(e.admin("POST", grants(bob), `{"projectId":"424242","roleKeys":["admin"]}`), 400, "COMMAND-3n77S")
			e.wantErr(e.admin("POST", grants("424242"), `{"projectId":"`+pid+`"}`), 400, "COMMAND-4f8sg")
			e.wantErr(e.admin("POST", grants(bob), `{"roleKeys":["admin"]}`), 400, "COMMAND-kVfMa")
			e.wantErr(e.admin("POST", grants(bob), `{"projectId":"`+pid+`","projectGrantId":"1"}`), 400, "")

			get := e.must(e.admin("GET", grants(ann)+"/"+gid, ""), 200)
			if get.str("userGrant", "state") != "USER_GRANT_STATE_ACTIVE" || fmt.Sprint(get.val("userGrant", "roleKeys")) != "[admin reader]" ||
				get.str("userGrant", "userName") != "grant-ann" || get.str("userGrant", "projectName") != "Granted" ||
				get.str("userGrant", "orgId") != e.orgID || get.str("userGrant", "preferredLoginName") == "" {
				t.Fatalf("get: %s", get.raw)
			}
			e.wantErr(e.admin("GET", grants(bob)+"/"+gid, ""), 404, "QUERY-wIPkA")
			e.wantErr(e.admin("GET", grants(ann)+"/424242", ""), 404, "QUERY-wIPkA")

			// Update.
			e.must(e.admin("PUT", grants(ann)+"/"+gid, `{"roleKeys":["admin"]}`), 200)
			e.wantErr(e.admin("PUT", grants(ann)+"/"+gid, `{"roleKeys":["admin"]}`), 400, "COMMAND-Rs8fy")
			e.wantErr(e.admin("PUT", grants(ann)+"/"+gid, `{"roleKeys":["ghost"]}`), 400, "COMMAND-mm9F4")
			e.wantErr(e.admin("PUT", grants(ann)+"/424242", `{"roleKeys":["admin"]}`), 404, "COMMAND-3M9sd")

			// State.
			e.must(e.admin("POST", grants(ann)+"/"+gid+"/_deactivate", `{}`), 200)
			if ev := e.lastOrgEvent(t); ev.Type != event.UserGrantDeactivated {
				t.Fatalf("event %+v", ev)
			}
			e.wantErr(e.admin("POST", grants(ann)+"/"+gid+"/_deactivate", `{}`), 400, "COMMAND-1S9gx")
			if e.must(e.admin("GET", grants(ann)+"/"+gid, ""), 200).str("userGrant", "state") != "USER_GRANT_STATE_INACTIVE" {
				t.Fatal("not inactive")
			}
			e.must(e.admin("POST", grants(ann)+"/"+gid+"/_reactivate", `{}`), 200)
			e.wantErr(e.admin("POST", grants(ann)+"/"+gid+"/_reactivate", `{}`), 400, "COMMAND-1ML0v")
			e.wantErr(e.admin("POST", grants(ann)+"/424242/_reactivate", `{}`), 404, "COMMAND-Lp0gs")

			// Lists.
			bg := e.must(e.admin("POST", grants(bob), `{"projectId":"`+pid+`","roleKeys":["reader"]}`), 200).str("userGrantId")
			list := func(body string) []string {
				got := ids(e.must(e.admin("POST", mv1+"/users/grants/_search", body), 200))
				sort.Strings(got)
				return got
			}
			both := []string{gid, bg}
			sort.Strings(both)
			if got := list(`{}`); !slices.Equal(got, both) {
				t.Fatalf("all grants %v, want %v", got, both)
			}
			if got := list(`{"queries":[{"userIdQuery":{"userId":"` + bob + `"}}]}`); !slices.Equal(got, []string{bg}) {
				t.Fatalf("user query %v", got)
			}
			if got := list(`{"queries":[{"projectIdQuery":{"projectId":"` + pid + `"}},{"roleKeyQuery":{"roleKey":"admin"}}]}`); !slices.Equal(got, []string{gid}) {
				t.Fatalf("role query %v", got)
			}
			if got := list(`{"queries":[{"userNameQuery":{"userName":"grant-b","method":"TEXT_QUERY_METHOD_STARTS_WITH"}}]}`); !slices.Equal(got, []string{bg}) {
				t.Fatalf("user name query %v", got)
			}
			if got := list(`{"queries":[{"userIdQuery":{"userId":"` + bob + `"}},{"userIdQuery":{"userId":"` + ann + `"}}]}`); len(got) != 0 {
				t.Fatalf("two user ids matched %v", got)
			}
			e.wantErr(e.admin("POST", mv1+"/users/grants/_search", `{"queries":[{"orgNameQuery":{"orgName":"x"}}]}`), 400, "WARDEN-QUERYUNSUP")
			other := e.must(e.admin("POST", mv1+"/orgs", `{"name":"Other grants"}`), 200).str("id")
			if got := ids(e.must(e.admin("POST", mv1+"/users/grants/_search", `{}`, "x-zitadel-orgid", other), 200)); len(got) != 0 {
				t.Fatalf("a foreign org lists %v", got)
			}
			e.wantErr(e.admin("DELETE", grants(ann)+"/"+gid, "", "x-zitadel-orgid", other), 404, "COMMAND-1My0t")

			// Remove, bulk remove (all or none).
			e.wantErr(e.admin("DELETE", mv1+"/user_grants/_bulk", `{"grantId":["`+gid+`","424242"]}`), 404, "COMMAND-1My0t")
			e.wantErr(e.admin("DELETE", mv1+"/user_grants/_bulk", `{"grantId":[]}`), 400, "COMMAND-5M0sd")
			if len(list(`{}`)) != 2 {
				t.Fatal("a refused bulk removal removed something")
			}
			e.must(e.admin("DELETE", grants(ann)+"/"+gid, ""), 200)
			e.wantErr(e.admin("DELETE", grants(ann)+"/"+gid, ""), 404, "COMMAND-1My0t")
			e.must(e.admin("DELETE", mv1+"/user_grants/_bulk", `{"grantId":["`+bg+`"]}`), 200)
			if got := list(`{}`); len(got) != 0 {
				t.Fatalf("left %v", got)
			}

			// Cascades: a removed user's grants, a removed project's roles and grants.
			g1 := e.must(e.admin("POST", grants(ann), `{"projectId":"`+pid+`","roleKeys":["admin"]}`), 200).str("userGrantId")
			g2 := e.must(e.admin("POST", grants(bob), `{"projectId":"`+pid+`","roleKeys":["admin"]}`), 200).str("userGrantId")
			e.must(e.admin("DELETE", mv1+"/users/"+bob, ""), 200)
			if got := list(`{}`); !slices.Equal(got, []string{g1}) {
				t.Fatalf("after removing the user: %v", got)
			}
			if _, err := e.store.Artifact(context.Background(), project.KindGrant, g2); err == nil {
				t.Fatal("the removed user's grant is still stored")
			}
			e.must(e.admin("DELETE", mv1+"/projects/"+pid, ""), 200)
			for _, kind := range []string{project.KindGrant, project.KindRole} {
				arts, _, err := e.store.ListArtifacts(context.Background(), store.ArtifactQuery{Kind: kind, OrgID: e.orgID})
				if err != nil || len(arts) != 0 {
					t.Fatalf("%s left after the project's removal: %d %v", kind, len(arts), err)
				}
			}
		})
	}
}

// TestProjectActivationREST: the project checks are stored and returned by
// Add/Update/GetProject; Deactivate/ReactivateProject with ZITADEL's ids, the
// state in GetProjectByID, each with its event.
func TestProjectActivationREST(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			pid := e.must(e.admin("POST", mv1+"/projects", `{"name":"Switch","projectRoleCheck":true,"hasProjectCheck":true}`), 200).str("id")
			if g := e.must(e.admin("GET", mv1+"/projects/"+pid, ""), 200); g.val("project", "projectRoleCheck") != true || g.val("project", "hasProjectCheck") != true {
				t.Fatalf("the checks are not kept: %s", g.raw)
			}
			e.must(e.admin("PUT", mv1+"/projects/"+pid, `{"name":"Switch","projectRoleCheck":false,"hasProjectCheck":true}`), 200)
			if g := e.must(e.admin("GET", mv1+"/projects/"+pid, ""), 200); g.val("project", "projectRoleCheck") != nil || g.val("project", "hasProjectCheck") != true {
				t.Fatalf("the update of the checks: %s", g.raw)
			}
			e.wantErr(e.admin("POST", mv1+"/projects/"+pid+"/_reactivate", `{}`), 400, "COMMAND-5M9bs")
			e.must(e.admin("POST", mv1+"/projects/"+pid+"/_deactivate", `{}`), 200)
			if ev := e.lastOrgEvent(t); ev.Type != event.ProjectDeactivated {
				t.Fatalf("event %+v", ev)
			}
			if s := e.must(e.admin("GET", mv1+"/projects/"+pid, ""), 200).str("project", "state"); s != "PROJECT_STATE_INACTIVE" {
				t.Fatalf("state %s", s)
			}
			e.wantErr(e.admin("POST", mv1+"/projects/"+pid+"/_deactivate", `{}`), 400, "COMMAND-mki55")
			e.must(e.admin("POST", mv1+"/projects/"+pid+"/_reactivate", `{}`), 200)
			if s := e.must(e.admin("GET", mv1+"/projects/"+pid, ""), 200).str("project", "state"); s != "PROJECT_STATE_ACTIVE" {
				t.Fatalf("state %s", s)
			}
			e.wantErr(e.admin("POST", mv1+"/projects/424242/_deactivate", `{}`), 404, "QUERY-fk2fs")
		})
	}
}

// TestConcurrentUserGrants: of 16 concurrent AddUserGrant calls for one user
// and project, exactly one succeeds and the others get AlreadyExists; one
// grant is stored.
func TestConcurrentUserGrants(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			pid := e.must(e.admin("POST", mv1+"/projects", `{"name":"Race"}`), 200).str("id")
			e.must(e.admin("POST", mv1+"/projects/"+pid+"/roles", `{"roleKey":"admin"}`), 200)
			uid := e.importHuman("racer")
			const n = 16
			statuses := make([]int, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					statuses[i] = e.admin("POST", mv1+"/users/"+uid+"/grants", `{"projectId":"`+pid+`","roleKeys":["admin"]}`).status
				}()
			}
			wg.Wait()
			ok, conflict := 0, 0
			for _, s := range statuses {
				switch s {
				case 200:
					ok++
				case 409:
					conflict++
				}
			}
			if ok != 1 || conflict != n-1 {
				t.Fatalf("statuses %v: %d succeeded, %d AlreadyExists", statuses, ok, conflict)
			}
			arts, _, err := e.store.ListArtifacts(context.Background(), store.ArtifactQuery{Kind: project.KindGrant, UserID: uid})
			if err != nil || len(arts) != 1 {
				t.Fatalf("%d grants stored (%v)", len(arts), err)
			}
		})
	}
}
