package securitytest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/user"
	"github.com/warden-id/warden/internal/wardentest"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// overLimit is more than a list may return.
const overLimit = 1005

// TestBodyAndListLimits: an authenticated client cannot make a node read a
// huge body or build a huge answer. A REST body over 4 MiB is 413 (declared or
// chunked), a gRPC message over it is ResourceExhausted, a login form over
// 16 KiB and a console form over 64 KiB are 413, and the node goes on
// answering; no list returns more than 1000 entries, whatever limit is asked
// (the limit is capped, the total is still told); and an id over 200
// characters is refused with 400 before anything is looked up.
func TestBodyAndListLimits(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{AttemptsPerMinute: -1})
		f := newFixtures(e)
		stillServes := func(what string) {
			t.Helper()
			if r := e.Admin(t, "GET", v1+"/orgs/me", ""); r.Status != 200 {
				t.Fatalf("after %s the node does not serve: %d %s", what, r.Status, r.Raw)
			}
		}

		t.Run("bodies", func(t *testing.T) {
			huge := `{"userName":"` + strings.Repeat("a", 4<<20) + `"}`
			for _, chunked := range []bool{false, true} {
				var body io.Reader = strings.NewReader(huge)
				if chunked {
					body = io.MultiReader(strings.NewReader(huge)) // no length known: chunked
				}
				req, _ := http.NewRequest("POST", e.Base+v1+"/users/machine", body)
				req.Header.Set("Authorization", "Bearer "+e.Boot.Token)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 413 || !bytes.Contains(raw, []byte(`"code":8`)) {
					t.Errorf("REST body over 4 MiB (chunked %v): %d %.200s, want 413 ResourceExhausted", chunked, resp.StatusCode, raw)
				}
				stillServes("a huge REST body")
			}
			// Just under the limit is read (and refused for what it says).
			under := `{"userName":"` + strings.Repeat("a", 4<<20-64) + `","name":"x"}`
			if r := e.Admin(t, "POST", v1+"/users/machine", under); r.Status != 400 {
				t.Errorf("REST body just under 4 MiB: %d %.200s, want 400 (user name too long)", r.Status, r.Raw)
			}

			conn, err := grpc.NewClient(e.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+e.Boot.Token)
			_, err = management.NewManagementServiceClient(conn).AddMachineUser(ctx,
				&management.AddMachineUserRequest{UserName: strings.Repeat("b", 5<<20), Name: "x"})
			if status.Code(err) != codes.ResourceExhausted {
				t.Errorf("gRPC message over 4 MiB: %v, want ResourceExhausted", err)
			}
			stillServes("a huge gRPC message")

			lb := wardentest.NewBrowser(t)
			if v := lb.Post(e.Base+"/ui/login/username", url.Values{"loginName": {strings.Repeat("c", 20<<10)}}); v.Status != 413 {
				t.Errorf("login form over 16 KiB: %d", v.Status)
			}
			root := e.human("", "root")
			f.instanceRole(t, root, "IAM_OWNER")
			cb := wardentest.NewBrowser(t)
			v := consoleSignIn(t, e, cb, "root", Password)
			csrf := v.Forms[v.FormWith(t, "csrf")].Fields.Get("csrf")
			if v := cb.Post(e.Base+"/ui/console/users/new", url.Values{"csrf": {csrf}, "type": {"machine"}, "userName": {strings.Repeat("d", 70<<10)}}); v.Status != 413 {
				t.Errorf("console form over 64 KiB: %d", v.Status)
			}
			stillServes("huge forms")
		})

		t.Run("lists", func(t *testing.T) {
			// An org with more users and members than a list may return, one
			// machine user with more PATs and more history. Written straight to
			// the store: the API would need thousands of calls.
			orgID := f.org(t, "big")
			crowd := f.machine(t, orgID)
			at := store.Now()
			var ids []string
			err := e.Store.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
				ids = ids[:0]
				for i := range overLimit {
					id := fmt.Sprintf("8%017d", i)
					u, ev := user.NewMachine(id, orgID, fmt.Sprintf("crowd-%d", i), user.Machine{Name: "crowd"}, user.Actor{UserID: "test", At: at})
					if err := tx.InsertUser(ctx, u); err != nil {
						return err
					}
					if err := tx.Append(ctx, ev); err != nil {
						return err
					}
					if err := tx.PutMember(ctx, &org.Member{OrgID: orgID, UserID: id, Roles: []string{"ORG_USER_READ"}, CreatedAt: at, ChangedAt: at}); err != nil {
						return err
					}
					_, hash := credential.NewToken()
					if err := tx.InsertPAT(ctx, &credential.PAT{ID: fmt.Sprintf("7%017d", i), UserID: crowd, OrgID: orgID, Hash: hash,
						CreatedAt: at, Epoch: 1, Sequence: 1}); err != nil {
						return err
					}
					if err := tx.Append(ctx, event.Event{AggregateType: event.AggregateUser, AggregateID: crowd, Sequence: uint64(i + 2),
						Type: "user.machine.changed", CreatedAt: at.Add(time.Duration(i) * time.Microsecond), CreatorID: "test", ResourceOwner: orgID}); err != nil {
						return err
					}
					ids = append(ids, id)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			h := map[string]string{"x-zitadel-orgid": orgID}
			for _, l := range []struct {
				name, method, path, body string
			}{
				{"v1 ListUsers", "POST", v1 + "/users/_search", `{"query":{"limit":%d}}`},
				{"v2 ListUsers", "POST", "/v2/users", `{"query":{"limit":%d},"queries":[{"organizationIdQuery":{"organizationId":"` + orgID + `"}}]}`},
				{"ListOrgMembers", "POST", v1 + "/orgs/me/members/_search", `{"query":{"limit":%d}}`},
				{"ListPersonalAccessTokens", "POST", v1 + "/users/" + crowd + "/pats/_search", `{"query":{"limit":%d}}`},
				{"ListUserChanges", "POST", v1 + "/users/" + crowd + "/changes/_search", `{"query":{"limit":%d,"asc":true}}`},
			} {
				for _, limit := range []int{0, 1000, 1001, 5000, 4294967295} {
					r := e.DoHeaders(t, l.method, l.path, e.Boot.Token, fmt.Sprintf(l.body, limit), h)
					if r.Status == 400 && limit > 1000 {
						continue // refusing a limit over the maximum is as good as capping it
					}
					if r.Status != 200 {
						t.Errorf("%s limit %d: %d %.200s", l.name, limit, r.Status, r.Raw)
						continue
					}
					res, _ := r.Body["result"].([]any)
					want := min(limit, 1000)
					if limit == 0 {
						want = 100 // the default page
					}
					if len(res) > 1000 || len(res) != want {
						t.Errorf("%s limit %d: %d entries, want %d (never more than 1000)", l.name, limit, len(res), want)
					}
					if l.name != "ListUserChanges" {
						if total, _ := strconv.Atoi(r.Str("details", "totalResult")); total < overLimit {
							t.Errorf("%s limit %d: total %d, want at least %d", l.name, limit, total, overLimit)
						}
					}
				}
			}
		})

		t.Run("ids", func(t *testing.T) {
			long := strings.Repeat("9", 201)
			machine, patID := f.withPAT(t, "")
			p, a := f.oidcApp(t, "")
			for _, c := range []struct{ method, path, body string }{
				{"GET", v1 + "/users/" + long, ""},
				{"POST", v1 + "/users/" + long + "/_lock", `{}`},
				{"DELETE", v1 + "/users/" + long, ""},
				{"POST", v1 + "/users/" + long + "/changes/_search", `{}`},
				{"POST", v1 + "/users/" + long + "/pats", `{}`},
				{"DELETE", v1 + "/users/" + machine + "/pats/" + long, ""},
				{"DELETE", v1 + "/users/" + long + "/pats/" + patID, ""},
				{"PUT", v1 + "/users/" + long + "/secret", `{}`},
				{"GET", v1 + "/users/" + machine + "/keys/" + long, ""},
				{"POST", v1 + "/users/" + long + "/password", `{"password":"Another-Horse-2"}`},
				{"POST", v1 + "/orgs/me/members", `{"userId":"` + long + `","roles":["ORG_OWNER"]}`},
				{"DELETE", v1 + "/orgs/me/members/" + long, ""},
				{"GET", v1 + "/projects/" + long, ""},
				{"GET", v1 + "/projects/" + p + "/apps/" + long, ""},
				{"GET", v1 + "/projects/" + long + "/apps/" + a, ""},
				{"POST", "/v2/users/" + long + "/lock", `{}`},
				{"GET", "/v2/users/" + long, ""},
				{"POST", "/v2/users/human", `{"userId":"` + long + `","username":"longid","profile":{"givenName":"G","familyName":"F"},"email":{"email":"l@example.com"}}`},
				{"POST", v1 + "/users/machine", `{"userId":"` + long + `","userName":"longid","name":"x"}`},
			} {
				if r := e.Admin(t, c.method, c.path, c.body); r.Status != 400 {
					t.Errorf("%s %s with a 201-character id: %d %.200s, want 400", c.method, c.path[:min(len(c.path), 60)], r.Status, r.Raw)
				}
			}
			if r := e.DoHeaders(t, "GET", v1+"/orgs/me", e.Boot.Token, "", map[string]string{"x-zitadel-orgid": long}); r.Status != 400 {
				t.Errorf("x-zitadel-orgid of 201 characters: %d %.200s, want 400", r.Status, r.Raw)
			}
			stillServes("long ids")
		})
	})
}
