package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// TestRESTLifecycle walks one user through every state over REST and checks the
// exact wire shapes the spec fixes: ObjectDetails, error bodies, ids, statuses.
func TestRESTLifecycle(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			id := e.importHuman("ann")
			u := e.must(e.admin("GET", "/management/v1/users/"+id, ""), 200)
			if u.str("user", "state") != "USER_STATE_ACTIVE" || u.str("user", "details", "sequence") != "1" ||
				u.str("user", "preferredLoginName") != "ann@warden.localhost" || u.str("user", "human", "email", "email") != "ann@example.com" {
				t.Fatalf("get: %s", u.raw)
			}

			seq := 1
			step := func(method, path string, wantSeq int) {
				t.Helper()
				r := e.must(e.admin(method, path, bodyFor(method)), 200)
				seq++
				if wantSeq != seq || r.str("details", "sequence") != fmt.Sprint(seq) || r.str("details", "resourceOwner") != e.orgID ||
					r.str("details", "changeDate") == "" || r.str("details", "creationDate") != "" {
					t.Fatalf("%s %s: details %s, want sequence %d", method, path, r.raw, wantSeq)
				}
				if strings.Contains(r.raw, "null") {
					t.Fatalf("null in %s", r.raw)
				}
			}
			wantErr := func(method, path string, status, code int, errID, msg string) {
				t.Helper()
				r := e.admin(method, path, bodyFor(method))
				if r.status != status || r.body["code"] != float64(code) || r.errID() != errID ||
					(msg != "" && r.body["message"] != msg+" ("+errID+")") {
					t.Fatalf("%s %s: got %d %s, want %d code %d id %s", method, path, r.status, r.raw, status, code, errID)
				}
			}
			state := func(want string) {
				t.Helper()
				if got := e.must(e.admin("GET", "/management/v1/users/"+id, ""), 200).str("user", "state"); got != want {
					t.Fatalf("state %s, want %s", got, want)
				}
			}
			p := "/management/v1/users/" + id
			step("POST", p+"/_lock", 2)
			state("USER_STATE_LOCKED")
			wantErr("POST", p+"/_lock", 400, 9, "COMMAND-3NN8v", "User is not active or initial")
			wantErr("POST", p+"/_reactivate", 400, 9, "COMMAND-6M0sf", "User is not inactive")
			step("POST", p+"/_unlock", 3)
			state("USER_STATE_ACTIVE")
			wantErr("POST", p+"/_unlock", 400, 9, "COMMAND-4M0ds", "User is not locked")
			step("POST", p+"/_deactivate", 4)
			wantErr("POST", p+"/_deactivate", 400, 9, "COMMAND-5M0sf", "User already inactive")
			wantErr("POST", p+"/_lock", 400, 9, "COMMAND-3NN8v", "")
			step("POST", p+"/_reactivate", 5)
			// v2 on the same user: other paths, other ids, other numbering.
			step("POST", "/v2/users/"+id+"/lock", 6)
			wantErr("POST", "/v2/users/"+id+"/lock", 400, 9, "COMMAND-lgws8wtsqf", "User is not active or initial")
			step("POST", "/v2/users/"+id+"/unlock", 7)
			step("DELETE", p, 8)
			wantErr("GET", p, 404, 5, "QUERY-Dfbg2", "User could not be found")
			wantErr("POST", p+"/_lock", 404, 5, "COMMAND-5M9fs", "User could not be found")
			wantErr("POST", p+"/_unlock", 404, 5, "COMMAND-M0dos", "")
			wantErr("DELETE", p, 404, 5, "COMMAND-m9od", "")
			wantErr("POST", "/v2/users/"+id+"/deactivate", 404, 5, "COMMAND-5gp2p62iin", "")
			wantErr("POST", "/management/v1/users/123/_reactivate", 404, 5, "COMMAND-4M0sd", "")

			// The history: every change, in order, with its author.
			ch := e.must(e.admin("POST", p+"/changes/_search", `{"query":{"asc":true,"limit":100}}`), 200)
			var hist struct {
				Result []struct {
					Sequence  string `json:"sequence"`
					EventType struct {
						LocalizedMessage string `json:"localizedMessage"`
					} `json:"eventType"`
					EditorID string `json:"editorId"`
				} `json:"result"`
			}
			if err := json.Unmarshal([]byte(ch.raw), &hist); err != nil {
				t.Fatal(err)
			}
			want := []string{"user.human.added", "user.locked", "user.unlocked", "user.deactivated", "user.reactivated",
				"user.locked", "user.unlocked", "user.removed"}
			if len(hist.Result) != len(want) {
				t.Fatalf("history %s", ch.raw)
			}
			for i, h := range hist.Result {
				if h.EventType.LocalizedMessage != want[i] || h.Sequence != fmt.Sprint(i+1) || (i > 0 && h.EditorID == "") {
					t.Fatalf("event %d: %+v, want %s", i, h, want[i])
				}
			}
			desc := e.must(e.admin("POST", p+"/changes/_search", `{"query":{"sequence":"5","limit":2}}`), 200)
			if !strings.Contains(desc.raw, `"sequence":"4"`) || !strings.Contains(desc.raw, `"sequence":"3"`) || strings.Contains(desc.raw, `"sequence":"5"`) {
				t.Fatalf("descending page before 5: %s", desc.raw)
			}
		})
	}
}

func bodyFor(method string) string {
	if method == "POST" {
		return "{}"
	}
	return ""
}

// TestAuthorization covers 401/403/404 and the org context.
func TestAuthorization(t *testing.T) {
	e := startEnv(t, engines(t)["sqlite"](t))
	target := e.importHuman("target")
	lock := "/management/v1/users/" + target + "/_lock"

	r := e.do("POST", lock, "", "{}")
	if r.status != 401 || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") || r.body["code"] != float64(16) {
		t.Fatalf("no token: %d %v %s", r.status, r.header, r.raw)
	}
	if r := e.do("POST", lock, "not-a-token", "{}"); r.status != 401 {
		t.Fatalf("bad token: %d", r.status)
	}
	if r := e.do("POST", "/v2/users/"+target+"/lock", "", "{}"); r.status != 401 {
		t.Fatalf("v2 no token: %d", r.status)
	}

	_, none := e.machineWithToken("nobody")
	if r := e.do("POST", lock, none, "{}"); r.status != 403 || r.errID() != "AUTH-5mWD2" || !strings.Contains(r.raw, "No matching permissions found") {
		t.Fatalf("no membership: %d %s", r.status, r.raw)
	}
	if r := e.do("POST", "/v2/users/"+target+"/lock", none, "{}"); r.status != 403 {
		t.Fatalf("v2 no membership: %d %s", r.status, r.raw)
	}
	_, viewer := e.machineWithToken("viewer", "ORG_OWNER_VIEWER")
	e.must(e.do("GET", "/management/v1/users/"+target, viewer, ""), 200)
	if r := e.do("POST", lock, viewer, "{}"); r.status != 403 {
		t.Fatalf("viewer lock: %d %s", r.status, r.raw)
	}
	mgrID, mgr := e.machineWithToken("manager", "ORG_USER_MANAGER")
	e.must(e.do("POST", lock, mgr, "{}"), 200)
	e.must(e.do("POST", "/management/v1/users/"+target+"/_unlock", mgr, "{}"), 200)

	// Another org: the admin (IAM_OWNER) reaches it with the header; the org
	// manager of the first org does not, and its users are NotFound in the first
	// org's context.
	other := e.must(e.admin("POST", "/management/v1/orgs", `{"name":"Other"}`), 200).str("id")
	stranger := e.importHuman("stranger", "x-zitadel-orgid", other)
	if r := e.admin("POST", "/management/v1/users/"+stranger+"/_lock", "{}"); r.status != 404 || r.errID() != "COMMAND-5M9fs" {
		t.Fatalf("other org user in own context: %d %s", r.status, r.raw)
	}
	e.must(e.admin("POST", "/management/v1/users/"+stranger+"/_lock", "{}", "x-zitadel-orgid", other), 200)
	if r := e.do("POST", "/management/v1/users/"+stranger+"/_unlock", mgr, "{}", "x-zitadel-orgid", other); r.status != 403 {
		t.Fatalf("org manager in foreign org: %d %s", r.status, r.raw)
	}
	if r := e.do("POST", "/v2/users/"+stranger+"/unlock", mgr, "{}"); r.status != 403 {
		t.Fatalf("v2 org manager on foreign user: %d %s", r.status, r.raw)
	}
	e.must(e.admin("POST", "/v2/users/"+stranger+"/unlock", "{}"), 200) // v2 ignores the header; IAM_OWNER may
	if r := e.admin("GET", "/management/v1/orgs/me", "", "x-zitadel-orgid", "999"); r.status != 404 {
		t.Fatalf("unknown org context: %d %s", r.status, r.raw)
	}
	if org := e.must(e.admin("GET", "/management/v1/orgs/me", "", "x-zitadel-orgid", other), 200); org.str("org", "name") != "Other" {
		t.Fatalf("GetMyOrg with header: %s", org.raw)
	}

	// A lock refuses the user's PATs at once; an administrator issued them, so
	// they work again after the unlock (the spec's "What a lock does").
	e.must(e.admin("POST", "/management/v1/users/"+mgrID+"/_lock", "{}"), 200)
	if r := e.do("GET", "/management/v1/users/"+target, mgr, ""); r.status != 401 {
		t.Fatalf("locked user's PAT: %d", r.status)
	}
	e.must(e.admin("POST", "/management/v1/users/"+mgrID+"/_unlock", "{}"), 200)
	e.must(e.do("GET", "/management/v1/users/"+target, mgr, ""), 200)
	tok := e.must(e.admin("POST", "/management/v1/users/"+mgrID+"/pats", "{}"), 200).str("token")
	e.must(e.do("GET", "/management/v1/users/"+target, tok, ""), 200)
	e.must(e.admin("POST", "/management/v1/users/"+mgrID+"/_deactivate", "{}"), 200)
	if r := e.do("GET", "/management/v1/users/"+target, tok, ""); r.status != 401 {
		t.Fatalf("deactivated user's PAT: %d", r.status)
	}
}

// TestConcurrentLocks: 32 locks of one user at once, exactly one wins.
func TestConcurrentLocks(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			id := e.importHuman("contended")
			var wg sync.WaitGroup
			var mu sync.Mutex
			codes := map[int]int{}
			ids := map[string]int{}
			for i := 0; i < 32; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := e.admin("POST", "/management/v1/users/"+id+"/_lock", "{}")
					mu.Lock()
					codes[r.status]++
					ids[r.errID()]++
					mu.Unlock()
				}()
			}
			wg.Wait()
			if codes[200] != 1 || codes[400] != 31 || ids["COMMAND-3NN8v"] != 31 {
				t.Fatalf("statuses %v ids %v", codes, ids)
			}
			ch := e.must(e.admin("POST", "/management/v1/users/"+id+"/changes/_search", `{"query":{"asc":true}}`), 200)
			if n := strings.Count(ch.raw, `"user.locked"`); n != 1 {
				t.Fatalf("%d lock events: %s", n, ch.raw)
			}
		})
	}
}

// TestBadInput: malformed and oversized input gets a clear 4xx with a
// google.rpc.Status body, nothing is half-written, and the server stays up.
func TestBadInput(t *testing.T) {
	e := startEnv(t, engines(t)["sqlite"](t))
	id := e.importHuman("bob")
	count := func() string {
		return e.must(e.admin("POST", "/management/v1/users/_search", `{}`), 200).str("details", "totalResult")
	}
	before := count()
	long := strings.Repeat("1", 201)
	cases := []struct {
		name, method, path, body string
		status                   int
	}{
		{"malformed json", "POST", "/management/v1/users/human/_import", `{"userName":`, 400},
		{"wrong type", "POST", "/management/v1/users/human/_import", `{"userName":5}`, 400},
		{"wrong enum", "POST", "/management/v1/users/_search", `{"queries":[{"stateQuery":{"state":"NOPE"}}]}`, 400},
		{"missing fields", "POST", "/management/v1/users/human/_import", `{"userName":"x"}`, 400},
		{"bad email", "POST", "/management/v1/users/human/_import", `{"userName":"x","profile":{"firstName":"a","lastName":"b"},"email":{"email":"nope"}}`, 400},
		{"bad hash", "POST", "/management/v1/users/human/_import", `{"userName":"x","profile":{"firstName":"a","lastName":"b"},"email":{"email":"x@y.z"},"hashedPassword":{"value":"md5:abc"}}`, 400},
		{"short password", "POST", "/management/v1/users/human/_import", `{"userName":"x","profile":{"firstName":"a","lastName":"b"},"email":{"email":"x@y.z"},"password":"short"}`, 400},
		{"long id", "POST", "/management/v1/users/" + long + "/_lock", `{}`, 400},
		{"long id v2", "POST", "/v2/users/" + long + "/lock", `{}`, 400},
		{"long user name", "POST", "/management/v1/users/machine", `{"userName":"` + strings.Repeat("a", 300) + `","name":"n"}`, 400},
		{"duplicate name", "POST", "/management/v1/users/human/_import", `{"userName":"bob","profile":{"firstName":"a","lastName":"b"},"email":{"email":"x@y.z"}}`, 409},
		{"unknown user", "POST", "/management/v1/users/42/_lock", `{}`, 404},
		{"unknown route", "GET", "/management/v1/nothing/here", ``, 404},
		{"unknown org", "GET", "/management/v1/users/" + id, ``, 404},
		{"oversized", "POST", "/management/v1/users/human/_import", `{"userName":"` + strings.Repeat("x", 5<<20) + `"}`, 413},
		{"unimplemented", "GET", "/management/v1/policies/login", ``, 501},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var hdr []string
			if c.name == "unknown org" {
				hdr = []string{"x-zitadel-orgid", "4242"}
			}
			r := e.admin(c.method, c.path, c.body, hdr...)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %.300s", r.status, c.status, r.raw)
			}
			if _, ok := r.body["code"].(float64); !ok {
				t.Fatalf("no google.rpc.Status body: %.300s", r.raw)
			}
			if _, ok := r.body["message"].(string); !ok {
				t.Fatalf("no message: %.300s", r.raw)
			}
		})
	}
	// A chunked body over the limit (no Content-Length to refuse up front).
	req, _ := http.NewRequest("POST", e.base+"/management/v1/users/human/_import", &endless{n: 6 << 20})
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("chunked oversized body: %d", resp.StatusCode)
		}
	}
	// curl -d sends a form content type; ZITADEL reads the body as JSON anyway.
	req, _ = http.NewRequest("POST", e.base+"/management/v1/users/_search", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("form content type: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	// An empty body is an empty message, as ZITADEL's gateway reads it.
	if r := e.admin("POST", "/management/v1/users/"+id+"/_lock", ""); r.status != 200 {
		t.Fatalf("lock with an empty body: %d %s", r.status, r.raw)
	}
	if r := e.admin("POST", "/management/v1/users/machine", ""); r.status != 400 {
		t.Fatalf("add machine with an empty body: %d %s", r.status, r.raw)
	}
	if r := e.admin("POST", "/zitadel.management.v1.ManagementService/GetMyOrg", `{}`); r.status != 400 || r.errID() != "WARDEN-CONNECT" {
		t.Fatalf("connect without header: %d %s", r.status, r.raw)
	}
	if after := count(); after != before {
		t.Fatalf("bad input changed the user count: %s → %s", before, after)
	}
	e.waitReady()
}

// endless is a reader of n bytes of a JSON string that never ends properly.
type endless struct{ n, off int }

func (r *endless) Read(p []byte) (int, error) {
	if r.off >= r.n {
		return 0, fmt.Errorf("eof")
	}
	i := 0
	for ; i < len(p) && r.off < r.n; i++ {
		if r.off == 0 {
			p[i] = '"'
		} else {
			p[i] = 'a'
		}
		r.off++
	}
	return i, nil
}

// TestListUsers covers filters, paging, sorting and totals.
func TestListUsers(t *testing.T) {
	e := startEnv(t, engines(t)["sqlite"](t))
	for _, n := range []string{"carol", "alice", "bob", "dave"} {
		e.importHuman(n)
	}
	e.must(e.admin("POST", "/management/v1/users/"+e.importHuman("eve")+"/_lock", "{}"), 200)
	search := func(body string) (total string, names []string) {
		t.Helper()
		r := e.must(e.admin("POST", "/management/v1/users/_search", body), 200)
		var out struct {
			Details struct {
				TotalResult string `json:"totalResult"`
			} `json:"details"`
			Result []struct {
				UserName string `json:"userName"`
			} `json:"result"`
		}
		if err := json.Unmarshal([]byte(r.raw), &out); err != nil {
			t.Fatal(err)
		}
		for _, u := range out.Result {
			names = append(names, u.UserName)
		}
		return out.Details.TotalResult, names
	}
	check := func(body, wantTotal, wantNames string) {
		t.Helper()
		total, names := search(body)
		if total != wantTotal || strings.Join(names, ",") != wantNames {
			t.Fatalf("%s: total %s names %v, want %s %s", body, total, names, wantTotal, wantNames)
		}
	}
	humans := `{"queries":[{"typeQuery":{"type":"TYPE_HUMAN"}}],"sortingColumn":"USER_FIELD_NAME_USER_NAME","query":{"asc":true}}`
	// The first start made the human "administrator" too.
	check(humans, "6", "administrator,alice,bob,carol,dave,eve")
	check(`{"queries":[{"typeQuery":{"type":"TYPE_HUMAN"}}],"sortingColumn":"USER_FIELD_NAME_USER_NAME","query":{"asc":true,"offset":"2","limit":2}}`, "6", "bob,carol")
	check(`{"queries":[{"stateQuery":{"state":"USER_STATE_LOCKED"}}]}`, "1", "eve")
	check(`{"queries":[{"userNameQuery":{"userName":"A","method":"TEXT_QUERY_METHOD_CONTAINS_IGNORE_CASE"}},{"typeQuery":{"type":"TYPE_HUMAN"}}],"sortingColumn":"USER_FIELD_NAME_USER_NAME","query":{"asc":false}}`, "4", "dave,carol,alice,administrator")
	check(`{"queries":[{"typeQuery":{"type":"TYPE_MACHINE"}}]}`, "1", "admin")
	// v2 numbers INITIAL as 5 and lists by the same rules.
	v2 := e.must(e.admin("POST", "/v2/users", `{"queries":[{"stateQuery":{"state":"USER_STATE_LOCKED"}}]}`), 200)
	if !strings.Contains(v2.raw, `"username":"eve"`) || !strings.Contains(v2.raw, `"totalResult":"1"`) {
		t.Fatalf("v2 list: %s", v2.raw)
	}
	if r := e.admin("POST", "/management/v1/users/_search", `{"queries":[{"orQuery":{}}]}`); r.status != 400 {
		t.Fatalf("unsupported query: %d %s", r.status, r.raw)
	}
}
