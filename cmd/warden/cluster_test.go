package main

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/warden-id/warden/internal/store/testdb"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestCluster runs three warden processes on one PostgreSQL schema, started at
// the same moment, and checks the promises of "Scaling out": one bootstrap
// between them, a lock committed on one node enforced on the others by the very
// next request, and concurrent conflicting commands spread over the nodes
// resolving as if serial.
func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs three servers; skipped in -short mode")
	}
	dsn := testdb.PostgresDSN(t)
	bin := crashBuildWarden(t)
	key := newMasterKeyFile(t) // one for all nodes

	const nodes = 3
	dirs := make([]string, nodes)
	procs := make([]*crashProc, nodes)
	errs := make([]error, nodes)
	for i := range dirs {
		dirs[i] = filepath.Join(t.TempDir(), fmt.Sprintf("node%d", i))
	}
	// A barrier so the three race on migration and bootstrap as hard as
	// separate machines booting together would.
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range procs {
		wg.Go(func() {
			<-gate
			p, err := startNode(t, bin, dirs[i], "--database", dsn, "--masterkey-file", key)
			if err != nil {
				errs[i] = err
				return
			}
			procs[i] = p
			errs[i] = waitReady(p.base, http.StatusOK, 60*time.Second)
		})
	}
	close(gate)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			log := ""
			if procs[i] != nil {
				log = procs[i].logs()
			}
			t.Fatalf("node %d: %v; log:\n%s", i, err, log)
		}
	}

	// Exactly one node bootstrapped; the others found its instance.
	bootstrapper := -1
	for i, d := range dirs {
		_, err := os.Stat(filepath.Join(d, "admin.pat"))
		switch {
		case err == nil && bootstrapper >= 0:
			t.Fatalf("nodes %d and %d both wrote admin.pat: two bootstraps", bootstrapper, i)
		case err == nil:
			bootstrapper = i
		case !os.IsNotExist(err):
			t.Fatal(err)
		}
	}
	if bootstrapper < 0 {
		t.Fatal("no node wrote admin.pat")
	}
	for i, p := range procs {
		reused := strings.Contains(p.fullLog(), "reusing it")
		if i == bootstrapper && reused {
			t.Errorf("node %d bootstrapped and also logged reuse:\n%s", i, p.logs())
		}
		if i != bootstrapper && !reused {
			t.Errorf("node %d did not log that it reuses the instance:\n%s", i, p.logs())
		}
	}

	token := crashReadPAT(t, dirs[bootstrapper])
	hc := crashHTTPClient()
	defer hc.CloseIdleConnections()
	admin := make([]*crashClient, nodes)
	for i, p := range procs {
		admin[i] = &crashClient{base: p.base, token: token, http: hc}
	}
	// Node roles for the lock check: A locks, B and C must enforce at once.
	a, b, c := admin[0], admin[1], admin[2]
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// M: a machine user allowed to read users, with its own PAT.
	m := createMachine(t, a, uniqueName("cluster-m", 0))
	if code, body, err := a.do(ctx, http.MethodPost, "/management/v1/orgs/me/members",
		fmt.Sprintf(`{"userId":%q,"roles":["ORG_USER_MANAGER"]}`, m), nil); err != nil || code != http.StatusOK {
		t.Fatalf("add member: HTTP %d %s: %v", code, body, err)
	}
	var pat struct {
		Token string `json:"token"`
	}
	if code, body, err := b.do(ctx, http.MethodPost, "/management/v1/users/"+m+"/pats", "{}", &pat); err != nil || code != http.StatusOK || pat.Token == "" {
		t.Fatalf("add PAT: HTTP %d %s: %v", code, body, err)
	}
	mOn := func(node *crashClient) *crashClient {
		return &crashClient{base: node.base, token: pat.Token, http: hc}
	}
	mB, mC := mOn(b), mOn(c)
	for _, n := range []*crashClient{mB, mC} {
		for range 5 { // several, so any per-node cache would be warm
			if code, body, err := n.do(ctx, http.MethodGet, "/management/v1/users/"+m, "", nil); err != nil || code != http.StatusOK {
				t.Fatalf("M's PAT on %s before the lock: HTTP %d %s: %v", n.base, code, body, err)
			}
		}
	}

	if code, body, err := a.do(ctx, http.MethodPost, "/management/v1/users/"+m+"/_lock", "{}", nil); err != nil || code != http.StatusOK {
		t.Fatalf("lock M on node A: HTTP %d %s: %v", code, body, err)
	}
	// No pause: the very first request after the 200, and every later one,
	// must be refused; then again over two seconds, longer than any cache
	// expiry someone might be tempted to add.
	refused := func(round string) {
		for _, n := range []*crashClient{mB, mC} {
			for range 10 {
				code, body, err := n.do(ctx, http.MethodGet, "/management/v1/users/"+m, "", nil)
				if err != nil || code != http.StatusUnauthorized {
					t.Errorf("%s: M's PAT on %s after the lock: HTTP %d %s: %v, want 401", round, n.base, code, shortBody(body), err)
					return
				}
			}
		}
	}
	refused("immediately")
	for i := range 4 {
		time.Sleep(500 * time.Millisecond)
		refused(fmt.Sprintf("after %dms", 500*(i+1)))
	}

	// 32 concurrent locks of one fresh user, round-robin over the nodes:
	// exactly one wins, the rest see LOCKED and get FailedPrecondition.
	u := createMachine(t, c, uniqueName("cluster-race", 0))
	const racers = 32
	type answer struct {
		code, rpc int
		err       error
		body      string
	}
	answers := make([]answer, racers)
	start := make(chan struct{})
	var rw sync.WaitGroup
	for i := range racers {
		rw.Go(func() {
			<-start
			code, body, err := admin[i%nodes].do(ctx, http.MethodPost, "/management/v1/users/"+u+"/_lock", "{}", nil)
			answers[i] = answer{code: code, rpc: rpcCode(body), err: err, body: shortBody(body)}
		})
	}
	close(start)
	rw.Wait()
	won, refusedN := 0, 0
	for i, ans := range answers {
		switch {
		case ans.err != nil:
			t.Errorf("lock %d via node %d: %v", i, i%nodes, ans.err)
		case ans.code == http.StatusOK:
			won++
		case ans.code == http.StatusBadRequest && ans.rpc == 9:
			refusedN++
		default:
			t.Errorf("lock %d via node %d: HTTP %d %s, want 200 or 400 with code 9", i, i%nodes, ans.code, ans.body)
		}
	}
	if won != 1 || refusedN != racers-1 {
		t.Errorf("%d concurrent locks over %d nodes: %d succeeded, %d refused with code 9; want 1 and %d", racers, nodes, won, refusedN, racers-1)
	}
	var got struct {
		User struct {
			State string `json:"state"`
		} `json:"user"`
	}
	if code, body, err := b.do(ctx, http.MethodGet, "/management/v1/users/"+u, "", &got); err != nil || code != http.StatusOK || got.User.State != "USER_STATE_LOCKED" {
		t.Errorf("raced user after the locks: HTTP %d %s state %q: %v", code, shortBody(body), got.User.State, err)
	}
	crashCheckHistory(t, a, u, 2, "USER_STATE_LOCKED") // added, locked: no second lock slipped in

	clusterGrantSeenEverywhere(ctx, t, hc, a, b, c)
}

// clusterGrantSeenEverywhere: a user grant removed on node A is gone from the
// very next introspection on B and C (roles claim), with each node's view
// warmed first, so no per-node cache of grants may serve the old roles.
func clusterGrantSeenEverywhere(ctx context.Context, t *testing.T, hc *http.Client, a, b, c *crashClient) {
	t.Helper()
	must := func(node *crashClient, method, path, body string, out any) {
		t.Helper()
		if code, raw, err := node.do(ctx, method, path, body, out); err != nil || code != http.StatusOK {
			t.Fatalf("%s %s on %s: HTTP %d %s: %v", method, path, node.base, code, shortBody(raw), err)
		}
	}
	var proj struct {
		ID string `json:"id"`
	}
	must(a, http.MethodPost, "/management/v1/projects", `{"name":"`+uniqueName("cluster-p", 0)+`","projectRoleAssertion":true}`, &proj)
	must(b, http.MethodPost, "/management/v1/projects/"+proj.ID+"/roles", `{"roleKey":"admin","displayName":"Admin"}`, nil)
	var api struct {
		ClientID     string `json:"clientId"`
		ClientSecret string `json:"clientSecret"`
	}
	must(c, http.MethodPost, "/management/v1/projects/"+proj.ID+"/apps/api", `{"name":"rs","authMethodType":"API_AUTH_METHOD_TYPE_BASIC"}`, &api)
	g := createMachine(t, a, uniqueName("cluster-granted", 0))
	var grant struct {
		ID string `json:"userGrantId"`
	}
	must(b, http.MethodPost, "/management/v1/users/"+g+"/grants", `{"projectId":"`+proj.ID+`","roleKeys":["admin"]}`, &grant)
	var pat struct {
		Token string `json:"token"`
	}
	must(c, http.MethodPost, "/management/v1/users/"+g+"/pats", "{}", &pat)

	// roles introspects the PAT on node as the project's API app and tells
	// whether the answer is active and names the admin role.
	roles := func(node *crashClient) (active, admin bool) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, node.base+"/oauth/v2/introspect", strings.NewReader(url.Values{"token": {pat.Token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(api.ClientID, api.ClientSecret)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("introspect on %s: HTTP %d: %v", node.base, resp.StatusCode, err)
		}
		rs, _ := out["urn:zitadel:iam:org:project:roles"].(map[string]any)
		_, admin = rs["admin"]
		active, _ = out["active"].(bool)
		return active, admin
	}
	for _, n := range []*crashClient{b, c} {
		for range 5 {
			if active, admin := roles(n); !active || !admin {
				t.Fatalf("before the removal, on %s: active %v, admin role %v; want both", n.base, active, admin)
			}
		}
	}
	must(a, http.MethodDelete, "/management/v1/users/"+g+"/grants/"+grant.ID, "", nil)
	for _, n := range []*crashClient{b, c} {
		if active, admin := roles(n); !active || admin {
			t.Errorf("right after the removal on node A, on %s: active %v, admin role %v; want active without the role", n.base, active, admin)
		}
	}
}
