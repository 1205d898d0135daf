package server_test

import (
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/store/testdb"
)

// FuzzREST throws arbitrary bodies at the JSON decoders of the write endpoints.
// Whatever comes in, the answer is a google.rpc.Status-shaped 4xx or a success,
// never a 5xx, and the server keeps answering.
func FuzzREST(f *testing.F) {
	e := startEnv(f, testdb.SQLite(f))
	id := e.importHuman("fuzz")
	paths := []string{
		"/management/v1/users/human/_import", "/management/v1/users/machine", "/management/v1/users/_search",
		"/management/v1/users/" + id + "/_lock", "/v2/users/human", "/v2/users", "/management/v1/orgs/me/members",
		"/management/v1/users/" + id + "/changes/_search", "/management/v1/users/" + id + "/pats",
	}
	for _, s := range []string{`{}`, `{"userName":"a","profile":{"firstName":"a","lastName":"b"},"email":{"email":"a@b.c"}}`,
		`{"queries":[{"userNameQuery":{"userName":"%","method":5}}]}`, `{"query":{"limit":4294967295,"offset":"18446744073709551615"}}`,
		`{"userId":"` + id + `","roles":["ORG_OWNER"]}`, `[`, `{"username":"\u0000"}`} {
		for i := range paths {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		p := paths[int(which)%len(paths)]
		local := *e
		local.t = t // failures belong to this input, not to the fuzz setup
		r := local.admin("POST", p, body)
		if r.status >= 500 {
			t.Fatalf("POST %s %q: %d %s", p, body, r.status, r.raw)
		}
		if r.status >= 400 {
			if _, ok := r.body["code"]; !ok && !strings.Contains(r.raw, `"code"`) {
				t.Fatalf("POST %s %q: %d without status body: %s", p, body, r.status, r.raw)
			}
		}
	})
}
