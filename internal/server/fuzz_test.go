package server_test

import (
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"google.golang.org/protobuf/proto"
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

// FuzzRPC throws arbitrary bytes at the protobuf decoders, as the body of a
// Connect call (application/proto) and as a gRPC-Web frame. Whatever comes in,
// the answer is a client error or a success — never a 5xx, never grpc-status
// Unknown or Internal — and the server keeps answering.
func FuzzRPC(f *testing.F) {
	e := startEnv(f, testdb.SQLite(f))
	id := e.importHuman("fuzz")
	methods := []string{
		"/zitadel.management.v1.ManagementService/LockUser", "/zitadel.management.v1.ManagementService/ImportHumanUser",
		"/zitadel.management.v1.ManagementService/ListUsers", "/zitadel.management.v1.ManagementService/AddOrgMember",
		"/zitadel.management.v1.ManagementService/ListUserChanges", "/zitadel.user.v2.UserService/AddHumanUser",
		"/zitadel.user.v2.UserService/ListUsers", "/zitadel.user.v2.UserService/UnlockUser",
	}
	lock, _ := proto.Marshal(&management.LockUserRequest{Id: id})
	for _, s := range [][]byte{nil, garbageProto, lock, {0x0a}, {0x0a, 0x05, 'a'}, {0xfa, 0xff, 0xff, 0xff, 0x0f, 0x00}, []byte("{}")} {
		for i := range methods {
			f.Add(uint8(i), false, s)
			f.Add(uint8(i), true, s)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, web bool, body []byte) {
		m := methods[int(which)%len(methods)]
		local := *e
		local.t = t
		if !web {
			resp, b := local.post(m, "application/proto", body, "Connect-Protocol-Version", "1", "Authorization", "Bearer "+e.token)
			if resp.StatusCode >= 500 {
				t.Fatalf("connect %s %x: %d %s", m, body, resp.StatusCode, b)
			}
			return
		}
		resp, b := local.post(m, "application/grpc-web+proto", grpcWebFrame(0, body), "X-Grpc-Web", "1", "Authorization", "Bearer "+e.token)
		st := grpcWebStatus(resp, b)
		if resp.StatusCode != 200 || st == "" || st == "2" || st == "13" {
			t.Fatalf("grpc-web %s %x: HTTP %d grpc-status %q %q", m, body, resp.StatusCode, st, b)
		}
	})
}
