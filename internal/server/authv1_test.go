package server_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/auth"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/change"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	orgpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org"
	userpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

const authPassword = "Correct-Horse-1"

// authEnv is a whole Warden with its login page, for callers that sign in.
type authEnv struct {
	*wardentest.Instance
	t    *testing.T
	rp   *wardentest.RP
	conn *grpc.ClientConn
	cli  auth.AuthServiceClient
}

func startAuthEnv(t *testing.T, open testdb.Opener) *authEnv {
	t.Helper()
	in := wardentest.Start(t, open(t), wardentest.Options{Login: &login.Options{AttemptsPerMinute: -1}})
	conn, err := grpc.NewClient(in.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &authEnv{Instance: in, t: t, rp: wardentest.NewRP(t, in, wardentest.RPOptions{}), conn: conn, cli: auth.NewAuthServiceClient(conn)}
}

// signIn signs a human in through the login page in a new browser; its
// tokens carry Warden's API audience and a refresh token.
func (e *authEnv) signIn(name string) *wardentest.SignIn {
	e.t.Helper()
	return e.rp.SignIn(e.t, wardentest.NewBrowser(e.t), name, authPassword)
}

func (e *authEnv) ctx(token string, kv ...string) context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), append([]string{"authorization", "Bearer " + token}, kv...)...)
}

func (e *authEnv) rest(method, path, token, body string, h ...string) wardentest.Reply {
	e.t.Helper()
	hs := map[string]string{}
	for i := 0; i+1 < len(h); i += 2 {
		hs[h[i]] = h[i+1]
	}
	return e.DoHeaders(e.t, method, "/auth/v1"+path, token, body, hs)
}

func replyErrID(r wardentest.Reply) string {
	ds, _ := r.Body["details"].([]any)
	for _, d := range ds {
		if m, _ := d.(map[string]any); m["@type"] == "type.googleapis.com/zitadel.v1.ErrorDetail" {
			s, _ := m["id"].(string)
			return s
		}
	}
	return ""
}

func results(r wardentest.Reply) []map[string]any {
	var out []map[string]any
	res, _ := r.Body["result"].([]any)
	for _, x := range res {
		m, _ := x.(map[string]any)
		out = append(out, m)
	}
	return out
}

func wantGRPC(t *testing.T, what string, err error, code codes.Code, id string) {
	t.Helper()
	if status.Code(err) != code || detailID(err) != id {
		t.Fatalf("%s: %v (id %q), want %s %s", what, err, detailID(err), code, id)
	}
}

// TestAuthV1 drives every served Auth v1 method over REST and gRPC, as humans
// signed in through the login page (OAuth access tokens) and as a machine user
// with a PAT: each answer is the caller's own data and nobody else's.
func TestAuthV1(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		e := startAuthEnv(t, open)
		home := e.Boot.Instance.DefaultOrgID
		second := e.AddOrg(t, "Second")
		third := e.AddOrg(t, "Third")
		alice := e.ImportHuman(t, "", "alice", authPassword)
		bob := e.ImportHuman(t, "", "bob", authPassword)
		e.Grant(t, second, alice, "ORG_USER_MANAGER")
		robot := e.AddMachine(t, "", "robot")
		robotPAT := e.AddPAT(t, robot)
		a1, a2 := e.signIn("alice"), e.signIn("alice")
		b1 := e.signIn("bob")
		aliceTok := a2.Token.AccessToken

		t.Run("Healthz", func(t *testing.T) {
			wardentest.Must(t, e.rest("GET", "/healthz", "", ""), 200)
			if _, err := e.cli.Healthz(context.Background(), &auth.HealthzRequest{}); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("GetSupportedLanguages", func(t *testing.T) {
			if r := wardentest.Must(t, e.rest("GET", "/languages", robotPAT, ""), 200); r.Raw != `{"languages":["en"]}` {
				t.Fatalf("languages: %s", r.Raw)
			}
			g, err := e.cli.GetSupportedLanguages(e.ctx(aliceTok), &auth.GetSupportedLanguagesRequest{})
			if err != nil || !slices.Equal(g.GetLanguages(), []string{"en"}) {
				t.Fatalf("over gRPC: %v %v", g, err)
			}
			if r := e.rest("GET", "/languages", "", ""); r.Status != 401 {
				t.Fatalf("without a token: %d", r.Status)
			}
		})

		t.Run("GetMyUser", func(t *testing.T) {
			r := wardentest.Must(t, e.rest("GET", "/users/me", aliceTok, ""), 200)
			if r.Str("user", "id") != alice || r.Str("user", "userName") != "alice" || r.Str("user", "details", "resourceOwner") != home ||
				r.Str("user", "state") != "USER_STATE_ACTIVE" || r.Str("user", "human", "email", "email") != "alice@example.com" {
				t.Fatalf("alice: %s", r.Raw)
			}
			if r := wardentest.Must(t, e.rest("GET", "/users/me", robotPAT, ""), 200); r.Str("user", "id") != robot || r.Str("user", "machine", "name") != "robot" {
				t.Fatalf("robot: %s", r.Raw)
			}
			g, err := e.cli.GetMyUser(e.ctx(b1.Token.AccessToken), &auth.GetMyUserRequest{})
			if err != nil || g.GetUser().GetId() != bob || g.GetUser().GetPreferredLoginName() != "bob@warden.localhost" {
				t.Fatalf("bob over gRPC: %v %v", g, err)
			}
			if r := e.rest("GET", "/users/me", "", ""); r.Status != 401 {
				t.Fatalf("no token: %d %s", r.Status, r.Raw)
			}
			_, err = e.cli.GetMyUser(context.Background(), &auth.GetMyUserRequest{})
			wantGRPC(t, "no token", err, codes.Unauthenticated, "AUTH-7fs1e")
		})

		t.Run("ListMyMemberships", func(t *testing.T) {
			r := wardentest.Must(t, e.rest("POST", "/memberships/me/_search", aliceTok, `{}`), 200)
			ms := results(r)
			if len(ms) != 1 || ms[0]["orgId"] != second || ms[0]["userId"] != alice || ms[0]["displayName"] != "Second" ||
				r.Str("details", "totalResult") != "1" || !strings.Contains(r.Raw, `"roles":["ORG_USER_MANAGER"]`) {
				t.Fatalf("alice's memberships: %s", r.Raw)
			}
			if d, _ := ms[0]["details"].(map[string]any); d["resourceOwner"] != second || d["creationDate"] == nil {
				t.Fatalf("membership details: %s", r.Raw)
			}
			for body, n := range map[string]int{
				`{"queries":[{"orgQuery":{"orgId":"` + second + `"}}]}`:      1,
				`{"queries":[{"orgQuery":{"orgId":"` + home + `"}}]}`:        0,
				`{"queries":[{"iamQuery":{"iam":true}}]}`:                    0,
				`{"queries":[{"projectQuery":{"projectId":"1"}}]}`:           0,
				`{"query":{"offset":"1"}}`:                                   0,
				`{"queries":[{"projectGrantQuery":{"projectGrantId":"1"}}]}`: 0,
			} {
				if got := results(wardentest.Must(t, e.rest("POST", "/memberships/me/_search", aliceTok, body), 200)); len(got) != n {
					t.Errorf("%s: %d results, want %d", body, len(got), n)
				}
			}
			if r := e.rest("POST", "/memberships/me/_search", aliceTok, `{"queries":[{}]}`); r.Status != 400 || replyErrID(r) != "USER-dsg3z" {
				t.Fatalf("empty query: %d %s", r.Status, r.Raw)
			}
			// The administrator's instance membership: resource owner is the instance.
			g, err := e.cli.ListMyMemberships(e.ctx(e.Boot.Token), &auth.ListMyMembershipsRequest{
				Queries: []*userpb.MembershipQuery{{Query: &userpb.MembershipQuery_IamQuery{IamQuery: &userpb.MembershipIAMQuery{Iam: true}}}}})
			if err != nil || len(g.GetResult()) != 1 || !g.GetResult()[0].GetIam() || g.GetResult()[0].GetDetails().GetResourceOwner() != e.Boot.Instance.ID ||
				!slices.Contains(g.GetResult()[0].GetRoles(), "IAM_OWNER") || g.GetDetails().GetTotalResult() != 1 {
				t.Fatalf("admin over gRPC: %v %v", g, err)
			}
			if g, err := e.cli.ListMyMemberships(e.ctx(robotPAT), &auth.ListMyMembershipsRequest{}); err != nil || len(g.GetResult()) != 0 {
				t.Fatalf("robot: %v %v", g, err)
			}
			_, err = e.cli.ListMyMemberships(e.ctx(aliceTok), &auth.ListMyMembershipsRequest{Queries: []*userpb.MembershipQuery{{}}})
			wantGRPC(t, "empty query over gRPC", err, codes.InvalidArgument, "USER-dsg3z")
		})

		t.Run("ListMyZitadelPermissions", func(t *testing.T) {
			// In her own org alice holds no role; in Second she manages users.
			if r := wardentest.Must(t, e.rest("POST", "/permissions/zitadel/me/_search", aliceTok, ""), 200); len(results(r)) != 0 || strings.Contains(r.Raw, "user.") {
				t.Fatalf("alice at home: %s", r.Raw)
			}
			r := wardentest.Must(t, e.rest("POST", "/permissions/zitadel/me/_search", aliceTok, "", "x-zitadel-orgid", second), 200)
			var got struct{ Result []string }
			_ = json.Unmarshal([]byte(r.Raw), &got)
			if !slices.Equal(got.Result, []string{"org.read", "policy.read", "project.role.read", "user.delete", "user.global.read", "user.grant.delete", "user.grant.read", "user.grant.write", "user.membership.read", "user.read", "user.write"}) {
				t.Fatalf("alice in Second: %s", r.Raw)
			}
			g, err := e.cli.ListMyZitadelPermissions(e.ctx(e.Boot.Token, "x-zitadel-orgid", third), &auth.ListMyZitadelPermissionsRequest{})
			if err != nil || !slices.Contains(g.GetResult(), "iam.owner") || !slices.Contains(g.GetResult(), "org.member.write") {
				t.Fatalf("admin over gRPC: %v %v", g, err)
			}
			if r := e.rest("POST", "/permissions/zitadel/me/_search", aliceTok, "", "x-zitadel-orgid", "4242"); r.Status != 404 || replyErrID(r) != "WARDEN-ORGNOTFOUND" {
				t.Fatalf("unknown org context: %d %s", r.Status, r.Raw)
			}
		})

		t.Run("ListMyUserChanges", func(t *testing.T) {
			r := wardentest.Must(t, e.rest("POST", "/users/me/changes/_search", aliceTok, `{"query":{"asc":true}}`), 200)
			res := results(r)
			if len(res) == 0 || !strings.Contains(r.Raw, "user.human.added") || strings.Contains(r.Raw, "user.machine.added") {
				t.Fatalf("alice's changes: %s", r.Raw)
			}
			for _, c := range res {
				if c["resourceOwnerId"] != home {
					t.Fatalf("a change of another org: %s", r.Raw)
				}
			}
			g, err := e.cli.ListMyUserChanges(e.ctx(robotPAT), &auth.ListMyUserChangesRequest{Query: &change.ChangeQuery{Asc: true, Limit: 1}})
			if err != nil || len(g.GetResult()) != 1 || g.GetResult()[0].GetEventType().GetLocalizedMessage() != "user.machine.added" {
				t.Fatalf("robot over gRPC: %v %v", g, err)
			}
		})

		t.Run("ListMyUserSessions", func(t *testing.T) {
			r := wardentest.Must(t, e.rest("POST", "/users/me/sessions/_search", aliceTok, `{}`), 200)
			ss := results(r)
			if len(ss) != 2 || strings.Contains(r.Raw, bob) {
				t.Fatalf("alice's sessions: %s", r.Raw)
			}
			for _, s := range ss {
				if s["userId"] != alice || s["authState"] != "SESSION_STATE_ACTIVE" || s["loginName"] != "alice@warden.localhost" || s["sessionId"] == "" {
					t.Fatalf("session %v", s)
				}
			}
			g, err := e.cli.ListMyUserSessions(e.ctx(b1.Token.AccessToken), &auth.ListMyUserSessionsRequest{})
			if err != nil || len(g.GetResult()) != 1 || g.GetResult()[0].GetUserId() != bob {
				t.Fatalf("bob over gRPC: %v %v", g, err)
			}
			if g, err := e.cli.ListMyUserSessions(e.ctx(robotPAT), &auth.ListMyUserSessionsRequest{}); err != nil || len(g.GetResult()) != 0 {
				t.Fatalf("robot: %v %v", g, err)
			}
		})

		var bobTokenID string
		t.Run("ListMyRefreshTokens", func(t *testing.T) {
			r := wardentest.Must(t, e.rest("POST", "/users/me/tokens/refresh/_search", aliceTok, `{}`), 200)
			rts := results(r)
			if len(rts) != 2 || r.Str("details", "totalResult") != "2" {
				t.Fatalf("alice's refresh tokens: %s", r.Raw)
			}
			for _, rt := range rts {
				if rt["clientId"] != e.rp.ClientID || rt["expiration"] == nil || rt["authTime"] == nil || !strings.Contains(r.Raw, `"offline_access"`) {
					t.Fatalf("refresh token %v", rt)
				}
			}
			g, err := e.cli.ListMyRefreshTokens(e.ctx(b1.Token.AccessToken), &auth.ListMyRefreshTokensRequest{})
			if err != nil || len(g.GetResult()) != 1 {
				t.Fatalf("bob over gRPC: %v %v", g, err)
			}
			bobTokenID = g.GetResult()[0].GetId()
			if strings.Contains(r.Raw, bobTokenID) {
				t.Fatalf("alice's list names bob's token %s: %s", bobTokenID, r.Raw)
			}
			// A rotation keeps the id: the listed id stays revocable.
			before := g.GetResult()[0].GetId()
			next, err := e.rp.Refresh(b1.Token.RefreshToken)
			if err != nil {
				t.Fatal(err)
			}
			b1.Token = next
			g, err = e.cli.ListMyRefreshTokens(e.ctx(next.AccessToken), &auth.ListMyRefreshTokensRequest{})
			if err != nil || len(g.GetResult()) != 1 || g.GetResult()[0].GetId() != before {
				t.Fatalf("after rotation: %v %v (id was %s)", g, err, before)
			}
		})

		t.Run("RevokeMyRefreshToken", func(t *testing.T) {
			// Attacker: alice names bob's token id.
			if r := e.rest("DELETE", "/users/me/tokens/refresh/"+bobTokenID, aliceTok, ""); r.Status != 404 || replyErrID(r) != "COMMAND-BHt2w" {
				t.Fatalf("alice revoking bob's token: %d %s", r.Status, r.Raw)
			}
			_, err := e.cli.RevokeMyRefreshToken(e.ctx(aliceTok), &auth.RevokeMyRefreshTokenRequest{Id: bobTokenID})
			wantGRPC(t, "alice revoking bob's token over gRPC", err, codes.NotFound, "COMMAND-BHt2w")
			if r := e.rest("DELETE", "/users/me/tokens/refresh/4711", aliceTok, ""); r.Status != 404 || replyErrID(r) != "COMMAND-BHt2w" {
				t.Fatalf("unknown id: %d %s", r.Status, r.Raw)
			}
			_, err = e.cli.RevokeMyRefreshToken(e.ctx(aliceTok), &auth.RevokeMyRefreshTokenRequest{})
			wantGRPC(t, "empty id", err, codes.InvalidArgument, "COMMAND-GVDgf")
			if next, err := e.rp.Refresh(b1.Token.RefreshToken); err != nil {
				t.Fatalf("bob's token after alice's attempts: %v", err)
			} else {
				b1.Token = next
			}
			// Alice revokes her first sign-in's token: it and its access token
			// die; the second sign-in's live on.
			art, err := e.Store.ArtifactByKey(context.Background(), oauth.KindRefreshToken, hex.EncodeToString(credential.HashToken(a1.Token.RefreshToken)))
			if err != nil {
				t.Fatal(err)
			}
			var rt oauth.RefreshToken
			if err := json.Unmarshal(art.Data, &rt); err != nil {
				t.Fatal(err)
			}
			first := rt.FamilyID()
			r := e.rest("DELETE", "/users/me/tokens/refresh/"+first, aliceTok, "")
			if r.Status != 200 || r.Str("details", "resourceOwner") != home || r.Str("details", "changeDate") == "" {
				t.Fatalf("revoke own: %d %s", r.Status, r.Raw)
			}
			left := results(wardentest.Must(t, e.rest("POST", "/users/me/tokens/refresh/_search", aliceTok, "{}"), 200))
			if len(left) != 1 || left[0]["id"] == first {
				t.Fatalf("after revoking %s: %v", first, left)
			}
			if _, err := e.rp.Refresh(a1.Token.RefreshToken); err == nil {
				t.Fatal("the revoked refresh token still refreshes")
			}
			if r := e.rest("GET", "/users/me", a1.Token.AccessToken, ""); r.Status != 401 {
				t.Fatalf("the revoked token's access token: %d", r.Status)
			}
			_, err = e.cli.RevokeMyRefreshToken(e.ctx(a2.Token.AccessToken), &auth.RevokeMyRefreshTokenRequest{Id: first})
			wantGRPC(t, "revoked twice", err, codes.NotFound, "COMMAND-BHt2w")
		})

		t.Run("RevokeAllMyRefreshTokens", func(t *testing.T) {
			if _, err := e.cli.RevokeAllMyRefreshTokens(e.ctx(b1.Token.AccessToken), &auth.RevokeAllMyRefreshTokensRequest{}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.rp.Refresh(b1.Token.RefreshToken); err == nil {
				t.Fatal("bob's refresh token survived RevokeAllMyRefreshTokens")
			}
			if r := e.rest("GET", "/users/me", b1.Token.AccessToken, ""); r.Status != 401 {
				t.Fatalf("bob's access token that came with the refresh token: %d", r.Status)
			}
			if n := len(results(wardentest.Must(t, e.rest("POST", "/users/me/tokens/refresh/_search", aliceTok, "{}"), 200))); n != 1 {
				t.Fatalf("alice's tokens after bob revoked all of his: %d", n)
			}
			// Nothing to revoke is no error; a PAT stays.
			wardentest.Must(t, e.rest("POST", "/users/me/tokens/refresh/_revoke_all", robotPAT, `{}`), 200)
			wardentest.Must(t, e.rest("GET", "/users/me", robotPAT, ""), 200)
		})

		t.Run("ListMyProjectOrgs", func(t *testing.T) {
			names := func(r wardentest.Reply) []string {
				var out []string
				for _, o := range results(r) {
					n, _ := o["name"].(string)
					out = append(out, n)
				}
				return out
			}
			r := wardentest.Must(t, e.rest("POST", "/global/projectorgs/_search", aliceTok, `{}`), 200)
			if got := names(r); !slices.Equal(got, []string{"Second", "Warden"}) || r.Str("details", "totalResult") != "2" {
				t.Fatalf("alice's orgs: %s", r.Raw)
			}
			if got := names(wardentest.Must(t, e.rest("POST", "/global/projectorgs/_search", robotPAT, `{}`), 200)); !slices.Equal(got, []string{"Warden"}) {
				t.Fatalf("robot's orgs: %v", got)
			}
			g, err := e.cli.ListMyProjectOrgs(e.ctx(e.Boot.Token), &auth.ListMyProjectOrgsRequest{})
			if err != nil || len(g.GetResult()) != 3 || g.GetResult()[2].GetName() != "Warden" || g.GetResult()[1].GetId() != third {
				t.Fatalf("admin over gRPC: %v %v", g, err)
			}
			g, err = e.cli.ListMyProjectOrgs(e.ctx(e.Boot.Token), &auth.ListMyProjectOrgsRequest{Queries: []*orgpb.OrgQuery{
				{Query: &orgpb.OrgQuery_NameQuery{NameQuery: &orgpb.OrgNameQuery{Name: "th", Method: object.TextQueryMethod_TEXT_QUERY_METHOD_STARTS_WITH_IGNORE_CASE}}},
				{Query: &orgpb.OrgQuery_StateQuery{StateQuery: &orgpb.OrgStateQuery{State: orgpb.OrgState_ORG_STATE_ACTIVE}}}}})
			if err != nil || len(g.GetResult()) != 1 || g.GetResult()[0].GetId() != third || g.GetResult()[0].GetPrimaryDomain() != "third.localhost" {
				t.Fatalf("admin's orgs named th*: %v %v", g, err)
			}
			for body, want := range map[string][]string{
				`{"queries":[{"domainQuery":{"domain":"second.localhost"}}]}`: {"Second"},
				`{"queries":[{"idQuery":{"id":"` + third + `"}}]}`:            nil,
				`{"query":{"limit":1}}`:                                       {"Second"},
				`{"sortingColumn":"ORG_FIELD_NAME_NAME"}`:                     {"Warden", "Second"},
			} {
				if got := names(wardentest.Must(t, e.rest("POST", "/global/projectorgs/_search", aliceTok, body), 200)); !slices.Equal(got, want) {
					t.Errorf("alice %s: %v, want %v", body, got, want)
				}
			}
			if r := e.rest("POST", "/global/projectorgs/_search", aliceTok, `{"queries":[{}]}`); r.Status != 400 || replyErrID(r) != "ORG-vR9nC" {
				t.Fatalf("empty query: %d %s", r.Status, r.Raw)
			}
		})

		// A locked or deactivated caller gets nothing, whatever its credential.
		t.Run("LockedCallerRefused", func(t *testing.T) {
			wardentest.Must(t, e.Admin(t, "POST", "/management/v1/users/"+alice+"/_lock", `{}`), 200)
			wardentest.Must(t, e.Admin(t, "POST", "/management/v1/users/"+robot+"/_deactivate", `{}`), 200)
			for _, tok := range []string{aliceTok, robotPAT} {
				for _, c := range [][3]string{
					{"GET", "/users/me", ""}, {"POST", "/memberships/me/_search", "{}"}, {"POST", "/permissions/zitadel/me/_search", ""},
					{"POST", "/users/me/changes/_search", "{}"}, {"POST", "/users/me/sessions/_search", "{}"},
					{"POST", "/users/me/tokens/refresh/_search", "{}"}, {"POST", "/users/me/tokens/refresh/_revoke_all", "{}"},
					{"DELETE", "/users/me/tokens/refresh/1", ""}, {"POST", "/global/projectorgs/_search", "{}"},
				} {
					if r := e.rest(c[0], c[1], tok, c[2]); r.Status != 401 {
						t.Errorf("%s %s as a locked or inactive caller: %d %s", c[0], c[1], r.Status, r.Raw)
					}
				}
				_, err := e.cli.GetMyUser(e.ctx(tok), &auth.GetMyUserRequest{})
				wantGRPC(t, "locked caller over gRPC", err, codes.Unauthenticated, "AUTH-7fs1e")
			}
		})
	})
}
