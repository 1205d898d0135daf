package compat

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/auth"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/authn"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
	"github.com/zitadel/zitadel-go/v3/pkg/zitadel"
	"google.golang.org/grpc/codes"
)

// authClient is zitadel-go's own API client (pkg/client), as an operator or
// SDK example builds it, speaking for the caller whose credential init gives.
func (s *server) authClient(t testing.TB, init client.TokenSourceInitializer) auth.AuthServiceClient {
	t.Helper()
	port := s.addr[strings.LastIndexByte(s.addr, ':')+1:]
	c, err := client.New(ctx(t), zitadel.New("127.0.0.1", zitadel.WithInsecure(port)), client.WithAuth(init))
	mustOK(t, "client.New", err)
	return c.AuthService()
}

// TestAuthMe: zitadel-go v3.29.0's AuthService client — with a PAT, and with
// a JWT-profile key file as a Kubernetes operator signs in — reads the caller's
// own user, memberships and permissions; a locked caller is refused.
func TestAuthMe(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		admin := s.mgmt(t, s.adminPAT)
		org := myOrg(t, admin)
		bot := addMachine(t, admin, unique("operator"))
		_, err := admin.AddOrgMember(ctx(t), &management.AddOrgMemberRequest{UserId: bot, Roles: []string{"ORG_OWNER"}})
		mustOK(t, "AddOrgMember", err)
		pat := addPAT(t, admin, bot).GetToken()
		key, err := admin.AddMachineKey(ctx(t), &management.AddMachineKeyRequest{UserId: bot, Type: authn.KeyType_KEY_TYPE_JSON})
		mustOK(t, "AddMachineKey", err)
		keyFile := filepath.Join(t.TempDir(), "key.json")
		if err := os.WriteFile(keyFile, key.GetKeyDetails(), 0o600); err != nil {
			t.Fatal(err)
		}

		for name, init := range map[string]client.TokenSourceInitializer{
			"PAT":        client.PAT(pat),
			"JWTProfile": client.DefaultServiceUserAuthentication(keyFile, "openid", client.ScopeZitadelAPI()),
		} {
			t.Run(name, func(t *testing.T) {
				a := s.authClient(t, init)
				me, err := a.GetMyUser(ctx(t), &auth.GetMyUserRequest{})
				mustOK(t, "GetMyUser", err)
				if u := me.GetUser(); u.GetId() != bot || u.GetState() != user.UserState_USER_STATE_ACTIVE ||
					u.GetMachine().GetName() == "" || u.GetDetails().GetResourceOwner() != org {
					t.Fatalf("GetMyUser: %v", me)
				}

				ms, err := a.ListMyMemberships(ctx(t), &auth.ListMyMembershipsRequest{})
				mustOK(t, "ListMyMemberships", err)
				if len(ms.GetResult()) != 1 || ms.GetDetails().GetTotalResult() != 1 {
					t.Fatalf("ListMyMemberships: %v", ms)
				}
				m := ms.GetResult()[0]
				if m.GetOrgId() != org || m.GetUserId() != bot || !slices.Equal(m.GetRoles(), []string{"ORG_OWNER"}) ||
					m.GetDetails().GetResourceOwner() != org || m.GetDisplayName() == "" {
					t.Fatalf("membership: %v", m)
				}
				none, err := a.ListMyMemberships(ctx(t), &auth.ListMyMembershipsRequest{Queries: []*user.MembershipQuery{
					{Query: &user.MembershipQuery_IamQuery{IamQuery: &user.MembershipIAMQuery{Iam: true}}}}})
				mustOK(t, "ListMyMemberships iam", err)
				if len(none.GetResult()) != 0 {
					t.Fatalf("instance memberships of an org owner: %v", none)
				}

				ps, err := a.ListMyZitadelPermissions(ctx(t), &auth.ListMyZitadelPermissionsRequest{})
				mustOK(t, "ListMyZitadelPermissions", err)
				for _, p := range []string{"org.read", "org.member.write", "user.write", "project.write"} {
					if !slices.Contains(ps.GetResult(), p) {
						t.Errorf("ListMyZitadelPermissions %v lacks %s", ps.GetResult(), p)
					}
				}
				if slices.Contains(ps.GetResult(), "iam.owner") {
					t.Errorf("an org owner holds iam.owner: %v", ps.GetResult())
				}

				// The caller's own grants (none yet); ListMyProjectPermissions
				// answers for the project of the token's app, and a PAT has none.
				gs, err := a.ListMyUserGrants(ctx(t), &auth.ListMyUserGrantsRequest{})
				if err != nil || len(gs.GetResult()) != 0 {
					t.Errorf("ListMyUserGrants: %v %v", gs, err)
				}
				_, err = a.ListMyProjectPermissions(ctx(t), &auth.ListMyProjectPermissionsRequest{})
				wantErr(t, "ListMyProjectPermissions", err, codes.NotFound, "QUERY-wIPkA")
			})
		}

		// The administrator (IAM_OWNER) sees its instance membership.
		adminMs, err := s.authClient(t, client.PAT(s.adminPAT)).ListMyMemberships(ctx(t), &auth.ListMyMembershipsRequest{})
		mustOK(t, "admin ListMyMemberships", err)
		if !slices.ContainsFunc(adminMs.GetResult(), func(m *user.Membership) bool {
			return m.GetIam() && slices.Contains(m.GetRoles(), "IAM_OWNER")
		}) {
			t.Fatalf("admin memberships: %v", adminMs)
		}

		_, err = admin.LockUser(ctx(t), &management.LockUserRequest{Id: bot})
		mustOK(t, "LockUser", err)
		_, err = s.authClient(t, client.PAT(pat)).GetMyUser(ctx(t), &auth.GetMyUserRequest{})
		wantErr(t, "GetMyUser as a locked caller", err, codes.Unauthenticated, "AUTH-7fs1e")
	})
}
