package server_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
)

func metaKeys(r wardentest.Reply, field string) []string {
	var out []string
	res, _ := r.Body[field].([]any)
	for _, m := range res {
		mm, _ := m.(map[string]any)
		k, _ := mm["key"].(string)
		out = append(out, k)
	}
	return out
}

func storedMetadata(t *testing.T, st store.Store, kind, orgID, userID string) int {
	t.Helper()
	_, n, err := st.ListArtifacts(context.Background(), store.ArtifactQuery{Kind: kind, OrgID: orgID, UserID: userID, Page: store.Page{Limit: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func eventTypes(t *testing.T, st store.Store, aggType, aggID string) []string {
	t.Helper()
	evs, err := st.Events(context.Background(), store.EventQuery{AggregateType: aggType, AggregateID: aggID, Asc: true, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Type
	}
	return out
}

// patIn is a PAT for a user of another org than the administrator's.
func patIn(t *testing.T, e *authEnv, orgID, userID string) string {
	t.Helper()
	return wardentest.Must(t, e.DoHeaders(t, "POST", "/management/v1/users/"+userID+"/pats", e.Boot.Token, `{}`, map[string]string{"x-zitadel-orgid": orgID}), 200).Str("token")
}

func count(xs []string, x string) int {
	n := 0
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}

// TestUserMetadata: Management v1's six user methods, User v2's three and
// Auth v1's two, on both engines: values are bytes (base64 in JSON), bulk
// calls are all or nothing, each change is an event of the user, a removed
// user takes its entries, and nobody outside the user's org reads or sets
// them.
func TestUserMetadata(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		e := startAuthEnv(t, open)
		home := e.Boot.Instance.DefaultOrgID
		other := e.AddOrg(t, "Other")
		robot := e.AddMachine(t, "", "robot")
		robotPAT := e.AddPAT(t, robot)
		target := e.AddMachine(t, "", "target")
		// A user manager of another org: the attacker.
		mallory := e.AddMachine(t, other, "mallory")
		e.Grant(t, other, mallory, "ORG_USER_MANAGER")
		malloryPAT := patIn(t, e, other, mallory)
		base := "/management/v1/users/" + target + "/metadata"

		t.Run("SetGetList", func(t *testing.T) {
			r := wardentest.Must(t, e.Admin(t, "POST", base+"/color", `{"value":"Ymx1ZQ=="}`), 200) // "blue"
			if r.Str("details", "resourceOwner") != home {
				t.Fatalf("set: %s", r.Raw)
			}
			g := wardentest.Must(t, e.Admin(t, "GET", base+"/color", ""), 200)
			if g.Str("metadata", "key") != "color" || g.Str("metadata", "value") != "Ymx1ZQ==" {
				t.Fatalf("get: %s", g.Raw)
			}
			wardentest.Must(t, e.Admin(t, "POST", base+"/_bulk", `{"metadata":[{"key":"size","value":"TA=="},{"key":"shape","value":"cm91bmQ="}]}`), 200)
			l := wardentest.Must(t, e.Admin(t, "POST", base+"/_search", `{"queries":[{"keyQuery":{"key":"S","method":"TEXT_QUERY_METHOD_STARTS_WITH_IGNORE_CASE"}}]}`), 200)
			if got := metaKeys(l, "result"); strings.Join(got, ",") != "size,shape" || l.Str("details", "totalResult") != "2" {
				t.Fatalf("list by key: %v %s", got, l.Raw)
			}
			all := wardentest.Must(t, e.Admin(t, "POST", base+"/_search", `{}`), 200)
			if got := metaKeys(all, "result"); len(got) != 3 {
				t.Fatalf("list: %v", got)
			}
			// An overwrite keeps one entry.
			wardentest.Must(t, e.Admin(t, "POST", base+"/color", `{"value":"cmVk"}`), 200)
			if g := wardentest.Must(t, e.Admin(t, "GET", base+"/color", ""), 200); g.Str("metadata", "value") != "cmVk" {
				t.Fatalf("overwritten: %s", g.Raw)
			}
			if n := storedMetadata(t, e.Store, app.KindUserMetadata, "", target); n != 3 {
				t.Fatalf("stored: %d", n)
			}
			if n := count(eventTypes(t, e.Store, event.AggregateUser, target), "user.metadata.set"); n != 4 {
				t.Fatalf("user.metadata.set events: %d", n)
			}
		})

		t.Run("Refusals", func(t *testing.T) {
			for _, c := range []struct{ method, path, body, id string }{
				{"POST", base + "/empty", `{}`, "META-2m00f"},
				{"POST", base + "/_bulk", `{"metadata":[]}`, "META-9mm2d"},
				{"GET", base + "/nope", "", "QUERY-Rgh32"},
				{"DELETE", base + "/nope", "", "META-ncnw3"},
				{"POST", "/management/v1/users/404404/metadata/k", `{"value":"dg=="}`, "WARDEN-METAUSER"},
			} {
				r := e.Admin(t, c.method, c.path, c.body)
				if r.Status < 400 || !strings.Contains(r.Raw, c.id) {
					t.Errorf("%s %s: %d %s, want %s", c.method, c.path, r.Status, r.Raw, c.id)
				}
			}
		})

		t.Run("Bounded", func(t *testing.T) {
			u := e.AddMachine(t, "", "full")
			p := "/management/v1/users/" + u + "/metadata"
			bulk := func(from, n int) string {
				var b strings.Builder
				b.WriteString(`{"metadata":[`)
				for i := range n {
					if i > 0 {
						b.WriteByte(',')
					}
					fmt.Fprintf(&b, `{"key":"k%d","value":"dg=="}`, from+i)
				}
				b.WriteString(`]}`)
				return b.String()
			}
			if r := e.Admin(t, "POST", p+"/_bulk", bulk(0, app.MaxMetadataEntries+1)); r.Status != 400 || !strings.Contains(r.Raw, "WARDEN-METAMANY") {
				t.Fatalf("a bulk over the cap: %d %.300s", r.Status, r.Raw)
			}
			wardentest.Must(t, e.Admin(t, "POST", p+"/_bulk", bulk(0, app.MaxMetadataEntries)), 200)
			if r := e.Admin(t, "POST", p+"/one-more", `{"value":"dg=="}`); r.Status != 400 || !strings.Contains(r.Raw, "WARDEN-METAMANY") {
				t.Fatalf("one entry over the cap: %d %.300s", r.Status, r.Raw)
			}
			// Overwriting an entry is no new one.
			wardentest.Must(t, e.Admin(t, "POST", p+"/k7", `{"value":"eA=="}`), 200)
			long := base64.StdEncoding.EncodeToString(make([]byte, app.MaxMetadataValueLen+1))
			if r := e.Admin(t, "POST", p+"/k1", `{"value":"`+long+`"}`); r.Status != 400 || !strings.Contains(r.Raw, "WARDEN-LEN") {
				t.Fatalf("a value over the limit: %d %.300s", r.Status, r.Raw)
			}
			if r := e.Admin(t, "POST", p+"/"+strings.Repeat("k", app.MaxMetadataKeyLen+1), `{"value":"dg=="}`); r.Status != 400 || !strings.Contains(r.Raw, "WARDEN-LEN") {
				t.Fatalf("a key over the limit: %d %.300s", r.Status, r.Raw)
			}
			if r := e.Admin(t, "DELETE", p+"/_bulk", `{"keys":["k1","k1"]}`); r.Status != 400 || !strings.Contains(r.Raw, "WARDEN-METAKEY2") {
				t.Fatalf("a key named twice: %d %.300s", r.Status, r.Raw)
			}
		})

		t.Run("BulkIsAtomic", func(t *testing.T) {
			// One key it does not hold: nothing is removed.
			r := e.Admin(t, "DELETE", base+"/_bulk", `{"keys":["size","missing"]}`)
			if r.Status != 404 || !strings.Contains(r.Raw, "META-2nnds") {
				t.Fatalf("bulk remove with a missing key: %d %s", r.Status, r.Raw)
			}
			wardentest.Must(t, e.Admin(t, "GET", base+"/size", ""), 200)
			// One invalid entry: nothing is set.
			r = e.Admin(t, "POST", base+"/_bulk", `{"metadata":[{"key":"fresh","value":"dg=="},{"key":"","value":"dg=="}]}`)
			if r.Status != 400 {
				t.Fatalf("bulk set with an empty key: %d %s", r.Status, r.Raw)
			}
			if r := e.Admin(t, "GET", base+"/fresh", ""); r.Status != 404 {
				t.Fatalf("fresh was set: %d", r.Status)
			}
			wardentest.Must(t, e.Admin(t, "DELETE", base+"/_bulk", `{"keys":["size","shape"]}`), 200)
			if n := storedMetadata(t, e.Store, app.KindUserMetadata, "", target); n != 1 {
				t.Fatalf("after bulk remove: %d", n)
			}
		})

		t.Run("V2", func(t *testing.T) {
			p := "/v2/users/" + target + "/metadata"
			if r := wardentest.Must(t, e.Admin(t, "POST", p, `{"metadata":[{"key":"v2a","value":"YQ=="},{"key":"v2b","value":"Yg=="}]}`), 200); r.Str("setDate") == "" {
				t.Fatalf("set: %s", r.Raw)
			}
			l := wardentest.Must(t, e.Admin(t, "POST", p+"/search", `{"pagination":{"asc":true},"filters":[{"keyFilter":{"key":"v2","method":"TEXT_FILTER_METHOD_STARTS_WITH"}}]}`), 200)
			if got := metaKeys(l, "metadata"); strings.Join(got, ",") != "v2a,v2b" || l.Str("pagination", "totalResult") != "2" {
				t.Fatalf("list: %v %s", got, l.Raw)
			}
			if r := e.Admin(t, "DELETE", p+"?keys=v2a&keys=gone", ""); r.Status != 404 {
				t.Fatalf("delete with a missing key: %d %s", r.Status, r.Raw)
			}
			wardentest.Must(t, e.Admin(t, "DELETE", p+"?keys=v2a&keys=v2b", ""), 200)
			if r := e.Admin(t, "GET", base+"/v2a", ""); r.Status != 404 {
				t.Fatalf("v2a left: %d", r.Status)
			}
		})

		t.Run("V2AddHumanUser", func(t *testing.T) {
			r := wardentest.Must(t, e.Admin(t, "POST", "/v2/users/human", `{"username":"withmeta","organization":{"orgId":"`+home+`"},`+
				`"profile":{"givenName":"G","familyName":"F"},"email":{"email":"withmeta@example.com"},`+
				`"metadata":[{"key":"team","value":"cmVk"},{"key":"floor","value":"Mg=="}]}`), 200)
			id := r.Str("userId")
			l := wardentest.Must(t, e.Admin(t, "POST", "/management/v1/users/"+id+"/metadata/_search", `{}`), 200)
			if got := metaKeys(l, "result"); strings.Join(got, ",") != "team,floor" {
				t.Fatalf("metadata of the new user: %v", got)
			}
			// The creation, the unverified address's code, then the metadata, as in ZITADEL.
			if types := eventTypes(t, e.Store, event.AggregateUser, id); len(types) != 4 || types[0] != "user.human.added" ||
				types[1] != event.HumanEmailCodeAdded || types[2] != "user.metadata.set" {
				t.Fatalf("events: %v", types)
			}
			if r.Str("details", "sequence") != "4" {
				t.Fatalf("details: %s", r.Raw)
			}
			// An invalid entry: no user either.
			bad := e.Admin(t, "POST", "/v2/users/human", `{"username":"badmeta","organization":{"orgId":"`+home+`"},`+
				`"profile":{"givenName":"G","familyName":"F"},"email":{"email":"badmeta@example.com"},"metadata":[{"key":"k"}]}`)
			if bad.Status != 400 || !strings.Contains(bad.Raw, "META-2m00f") {
				t.Fatalf("empty value: %d %s", bad.Status, bad.Raw)
			}
			if l := wardentest.Must(t, e.Admin(t, "POST", "/v2/users", `{"queries":[{"userNameQuery":{"userName":"badmeta"}}]}`), 200); strings.Contains(l.Raw, "badmeta") {
				t.Fatalf("the user was made: %s", l.Raw)
			}
		})

		t.Run("ForeignUserManagerRefused", func(t *testing.T) {
			// In the target's org context: no permission there.
			h := map[string]string{"x-zitadel-orgid": home}
			for _, c := range []struct{ method, path, body string }{
				{"GET", base + "/color", ""},
				{"POST", base + "/_search", `{}`},
				{"POST", base + "/stolen", `{"value":"dg=="}`},
				{"DELETE", base + "/color", ""},
			} {
				if r := e.DoHeaders(t, c.method, c.path, malloryPAT, c.body, h); r.Status != 403 {
					t.Errorf("%s %s in the target's org: %d %s", c.method, c.path, r.Status, r.Raw)
				}
				// In its own org context the target is not there.
				if r := e.Do(t, c.method, c.path, malloryPAT, c.body); r.Status != 404 {
					t.Errorf("%s %s in its own org: %d %s", c.method, c.path, r.Status, r.Raw)
				}
			}
			for _, c := range []struct{ method, path, body string }{
				{"POST", "/v2/users/" + target + "/metadata", `{"metadata":[{"key":"stolen","value":"dg=="}]}`},
				{"POST", "/v2/users/" + target + "/metadata/search", `{}`},
				{"DELETE", "/v2/users/" + target + "/metadata?keys=color", ""},
			} {
				if r := e.Do(t, c.method, c.path, malloryPAT, c.body); r.Status != 403 {
					t.Errorf("v2 %s %s: %d %s", c.method, c.path, r.Status, r.Raw)
				}
			}
			if r := e.Admin(t, "GET", base+"/stolen", ""); r.Status != 404 {
				t.Fatalf("the attacker set a key: %d", r.Status)
			}
		})

		t.Run("OutrankedRefused", func(t *testing.T) {
			// A user manager of the org cannot change an org owner's metadata:
			// a metadata change is a change of the user (Caller.Covers).
			mgr := e.AddMachine(t, "", "manager")
			e.Grant(t, "", mgr, "ORG_USER_MANAGER")
			boss := e.AddMachine(t, "", "boss")
			e.Grant(t, "", boss, "ORG_OWNER")
			mgrPAT := e.AddPAT(t, mgr)
			wardentest.Must(t, e.Admin(t, "POST", "/management/v1/users/"+boss+"/metadata/k", `{"value":"dg=="}`), 200)
			for _, c := range []struct{ method, path, body string }{
				{"POST", "/management/v1/users/" + boss + "/metadata/k", `{"value":"eA=="}`},
				{"DELETE", "/management/v1/users/" + boss + "/metadata/k", ""},
				{"POST", "/v2/users/" + boss + "/metadata", `{"metadata":[{"key":"k","value":"eA=="}]}`},
			} {
				if r := e.Do(t, c.method, c.path, mgrPAT, c.body); r.Status != 403 || !strings.Contains(r.Raw, "WARDEN-RANK1") {
					t.Errorf("%s %s: %d %s", c.method, c.path, r.Status, r.Raw)
				}
			}
			// Reading is not a change: user.read suffices.
			if g := wardentest.Must(t, e.Do(t, "GET", "/management/v1/users/"+boss+"/metadata/k", mgrPAT, ""), 200); g.Str("metadata", "value") != "dg==" {
				t.Fatalf("read: %s", g.Raw)
			}
		})

		t.Run("AuthV1OwnOnly", func(t *testing.T) {
			wardentest.Must(t, e.Admin(t, "POST", "/management/v1/users/"+robot+"/metadata/mine", `{"value":"bWluZQ=="}`), 200)
			l := wardentest.Must(t, e.rest("POST", "/users/me/metadata/_search", robotPAT, `{}`), 200)
			if got := metaKeys(l, "result"); strings.Join(got, ",") != "mine" {
				t.Fatalf("my metadata: %v", got)
			}
			if g := wardentest.Must(t, e.rest("GET", "/users/me/metadata/mine", robotPAT, ""), 200); g.Str("metadata", "value") != "bWluZQ==" {
				t.Fatalf("get mine: %s", g.Raw)
			}
			// The target's key is not the caller's.
			if r := e.rest("GET", "/users/me/metadata/color", robotPAT, ""); r.Status != 404 {
				t.Fatalf("another user's key: %d %s", r.Status, r.Raw)
			}
		})

		t.Run("RemovalTakesMetadata", func(t *testing.T) {
			if storedMetadata(t, e.Store, app.KindUserMetadata, "", target) == 0 {
				t.Fatal("nothing to remove")
			}
			wardentest.Must(t, e.Admin(t, "DELETE", "/management/v1/users/"+target, ""), 200)
			if n := storedMetadata(t, e.Store, app.KindUserMetadata, "", target); n != 0 {
				t.Fatalf("left after the removal: %d", n)
			}
			if n := count(eventTypes(t, e.Store, event.AggregateUser, target), "user.metadata.removed.all"); n != 1 {
				t.Fatalf("user.metadata.removed.all: %d", n)
			}
		})
	})
}

// TestOrgMetadata: Management v1's six org methods and Org v2's three on both
// engines; org.read / org.write in the org; the org's removal takes its
// entries and its users'.
func TestOrgMetadata(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		e := startAuthEnv(t, open)
		org := e.AddOrg(t, "Meta")
		other := e.AddOrg(t, "Other")
		owner := e.AddMachine(t, other, "owner")
		e.Grant(t, other, owner, "ORG_OWNER")
		ownerPAT := patIn(t, e, other, owner)
		h := map[string]string{"x-zitadel-orgid": org}
		do := func(method, path, body string) wardentest.Reply {
			return e.DoHeaders(t, method, path, e.Boot.Token, body, h)
		}
		wardentest.Must(t, do("POST", "/management/v1/metadata/a", `{"value":"YQ=="}`), 200)
		wardentest.Must(t, do("POST", "/management/v1/metadata/_bulk", `{"metadata":[{"key":"b","value":"Yg=="},{"key":"c","value":"Yw=="}]}`), 200)
		if g := wardentest.Must(t, do("GET", "/management/v1/metadata/b", ""), 200); g.Str("metadata", "value") != "Yg==" || g.Str("metadata", "details", "resourceOwner") != org {
			t.Fatalf("get: %s", g.Raw)
		}
		if l := wardentest.Must(t, do("POST", "/management/v1/metadata/_search", `{}`), 200); strings.Join(metaKeys(l, "result"), ",") != "a,b,c" {
			t.Fatalf("list: %s", l.Raw)
		}
		if r := do("DELETE", "/management/v1/metadata/_bulk", `{"keys":["a","zz"]}`); r.Status != 404 || !strings.Contains(r.Raw, "META-2npds") {
			t.Fatalf("bulk remove with a missing key: %d %s", r.Status, r.Raw)
		}
		if r := do("DELETE", "/management/v1/metadata/_bulk", `{"keys":[]}`); r.Status != 400 || !strings.Contains(r.Raw, "META-9mw2d") {
			t.Fatalf("bulk remove of nothing: %d %s", r.Status, r.Raw)
		}
		wardentest.Must(t, do("DELETE", "/management/v1/metadata/a", ""), 200)
		if r := do("GET", "/management/v1/metadata/a", ""); r.Status != 404 || !strings.Contains(r.Raw, "QUERY-Rph32") {
			t.Fatalf("removed: %d %s", r.Status, r.Raw)
		}
		// Sequences: one org event per entry (3 set, 1 removed), after org.added.
		types := eventTypes(t, e.Store, event.AggregateOrg, org)
		if count(types, "org.metadata.set") != 3 || count(types, "org.metadata.removed") != 1 {
			t.Fatalf("org events: %v", types)
		}

		// Concurrent bulk sets resolve as if serial: every one lands, each
		// entry with an event of its own at a sequence of its own.
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body := fmt.Sprintf(`{"metadata":[{"key":"p%d","value":"dg=="},{"key":"q%d","value":"dg=="}]}`, i, i)
				if r := do("POST", "/management/v1/metadata/_bulk", body); r.Status != 200 {
					t.Errorf("parallel bulk set %d: %d %s", i, r.Status, r.Raw)
				}
			}()
		}
		wg.Wait()
		evs, err := e.Store.Events(context.Background(), store.EventQuery{AggregateType: event.AggregateOrg, AggregateID: org, Asc: true, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		seen, sets := map[uint64]bool{}, 0
		for _, ev := range evs {
			if seen[ev.Sequence] {
				t.Fatalf("sequence %d twice", ev.Sequence)
			}
			seen[ev.Sequence] = true
			if ev.Type == "org.metadata.set" {
				sets++
			}
		}
		if sets != 3+16 || storedMetadata(t, e.Store, app.KindOrgMetadata, org, "") != 2+16 {
			t.Fatalf("after parallel bulk sets: %d set events, %d entries", sets, storedMetadata(t, e.Store, app.KindOrgMetadata, org, ""))
		}

		// Org v2.
		p := "/v2/organizations/" + org + "/metadata"
		wardentest.Must(t, e.Admin(t, "POST", p, `{"metadata":[{"key":"d","value":"ZA=="}]}`), 200)
		if l := wardentest.Must(t, e.Admin(t, "POST", p+"/search", `{"filters":[{"keyFilter":{"key":"d"}}]}`), 200); strings.Join(metaKeys(l, "metadata"), ",") != "d" {
			t.Fatalf("v2 list: %s", l.Raw)
		}
		wardentest.Must(t, e.Admin(t, "DELETE", p+"?keys=d", ""), 200)

		// Another org's owner reads and writes nothing here.
		for _, c := range []struct{ method, path, body string }{
			{"GET", "/management/v1/metadata/b", ""},
			{"POST", "/management/v1/metadata/_search", `{}`},
			{"POST", "/management/v1/metadata/x", `{"value":"dg=="}`},
			{"DELETE", "/management/v1/metadata/b", ""},
		} {
			if r := e.DoHeaders(t, c.method, c.path, ownerPAT, c.body, h); r.Status != 403 {
				t.Errorf("foreign owner %s %s: %d %s", c.method, c.path, r.Status, r.Raw)
			}
		}
		for _, c := range []struct{ method, path, body string }{
			{"POST", p, `{"metadata":[{"key":"x","value":"dg=="}]}`},
			{"POST", p + "/search", `{}`},
			{"DELETE", p + "?keys=b", ""},
		} {
			if r := e.Do(t, c.method, c.path, ownerPAT, c.body); r.Status != 403 {
				t.Errorf("foreign owner v2 %s %s: %d %s", c.method, c.path, r.Status, r.Raw)
			}
		}

		// The org's removal takes its metadata and its users'.
		u := e.AddMachine(t, org, "member")
		wardentest.Must(t, do("POST", "/management/v1/users/"+u+"/metadata/k", `{"value":"dg=="}`), 200)
		wardentest.Must(t, e.Admin(t, "DELETE", "/v2/organizations/"+org, ""), 200)
		if n := storedMetadata(t, e.Store, app.KindOrgMetadata, org, ""); n != 0 {
			t.Fatalf("org metadata left: %d", n)
		}
		if n := storedMetadata(t, e.Store, app.KindUserMetadata, "", u); n != 0 {
			t.Fatalf("user metadata left: %d", n)
		}
	})
}
