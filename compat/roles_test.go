package compat

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/zitadel-go/v3/pkg/authorization"
	"github.com/zitadel/zitadel-go/v3/pkg/authorization/oauth"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/app"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/authn"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/http/middleware"
	"github.com/zitadel/zitadel-go/v3/pkg/zitadel"
	"golang.org/x/oauth2/clientcredentials"
)

// TestAuthorizationWithRole: a resource server guarded by zitadel-go's
// middleware with authorization.WithRole("admin"), introspecting with an API
// app's client id and secret, and one introspecting with an app key file
// (oauth.DefaultAuthorization), each admits a user granted admin on the app's
// project (by PAT and by an access token), refuses a user without the role
// and one with another role, and refuses the granted user at once after the
// grant is removed (and again after it is deactivated); its handler's
// IsGrantedRole agrees. The roles are made and granted with zitadel-go's own
// client: AddProjectRole, BulkAddProjectRoles, AddUserGrant, ListUserGrants,
// DeactivateUserGrant, RemoveUserGrant.
func TestAuthorizationWithRole(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		admin := s.mgmt(t, s.adminPAT)
		projectID, apiID, apiSecret := addAPIApp(t, admin)
		_, err := admin.AddProjectRole(ctx(t), &management.AddProjectRoleRequest{ProjectId: projectID, RoleKey: "admin", DisplayName: "Admin"})
		mustOK(t, "AddProjectRole", err)
		_, err = admin.BulkAddProjectRoles(ctx(t), &management.BulkAddProjectRolesRequest{ProjectId: projectID,
			Roles: []*management.BulkAddProjectRolesRequest_Role{{Key: "reader", DisplayName: "Reader"}}})
		mustOK(t, "BulkAddProjectRoles", err)

		// Two resource servers of the project: one introspects with the API
		// app's client secret, one with an app key file (private_key_jwt).
		keyApp, err := admin.AddAPIApp(ctx(t), &management.AddAPIAppRequest{ProjectId: projectID, Name: "api-key",
			AuthMethodType: app.APIAuthMethodType_API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT})
		mustOK(t, "AddAPIApp", err)
		k, err := admin.AddAppKey(ctx(t), &management.AddAppKeyRequest{ProjectId: projectID, AppId: keyApp.GetAppId(), Type: authn.KeyType_KEY_TYPE_JSON})
		mustOK(t, "AddAppKey", err)
		keyFile := filepath.Join(t.TempDir(), "key.json")
		if err := os.WriteFile(keyFile, k.GetKeyDetails(), 0o600); err != nil {
			t.Fatal(err)
		}
		port := s.addr[strings.LastIndexByte(s.addr, ':')+1:]
		var apis []string
		for _, verifier := range []authorization.VerifierInitializer[*oauth.IntrospectionContext]{
			oauth.WithIntrospection[*oauth.IntrospectionContext](oauth.ClientIDSecretIntrospectionAuthentication(apiID, apiSecret)),
			oauth.DefaultAuthorization(keyFile),
		} {
			authZ, err := authorization.New(ctx(t), zitadel.New("127.0.0.1", zitadel.WithInsecure(port)), verifier)
			mustOK(t, "authorization.New", err)
			mw := middleware.New(authZ)
			api := httptest.NewServer(mw.RequireAuthorization(authorization.WithRole("admin"))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c := mw.Context(r.Context())
				fmt.Fprintf(w, "%s %v", authorization.UserID(r.Context()), c.IsGrantedRole("admin"))
			})))
			t.Cleanup(api.Close)
			apis = append(apis, api.URL)
		}
		// call asks both resource servers, which must agree.
		call := func(token string) (int, string) {
			t.Helper()
			var st [2]int
			var out [2]string
			for i, u := range apis {
				req, _ := http.NewRequest("GET", u, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				st[i], out[i] = resp.StatusCode, strings.TrimSpace(string(body))
			}
			if st[0] != st[1] || out[0] != out[1] {
				t.Errorf("the secret and the key file disagree: %d %q, %d %q", st[0], out[0], st[1], out[1])
			}
			return st[0], out[0]
		}

		boss, clerk, nobody := addMachine(t, admin, unique("boss")), addMachine(t, admin, unique("clerk")), addMachine(t, admin, unique("nobody"))
		g, err := admin.AddUserGrant(ctx(t), &management.AddUserGrantRequest{UserId: boss, ProjectId: projectID, RoleKeys: []string{"admin"}})
		mustOK(t, "AddUserGrant", err)
		_, err = admin.AddUserGrant(ctx(t), &management.AddUserGrantRequest{UserId: clerk, ProjectId: projectID, RoleKeys: []string{"reader"}})
		mustOK(t, "AddUserGrant", err)
		list, err := admin.ListUserGrants(ctx(t), &management.ListUserGrantRequest{})
		mustOK(t, "ListUserGrants", err)
		if len(list.GetResult()) < 2 {
			t.Fatalf("ListUserGrants: %v", list.GetResult())
		}

		bossPAT, clerkPAT, nobodyPAT := addPAT(t, admin, boss).GetToken(), addPAT(t, admin, clerk).GetToken(), addPAT(t, admin, nobody).GetToken()
		if st, got := call(bossPAT); st != 200 || got != boss+" true" {
			t.Fatalf("the admin's PAT: %d %q, want 200 %q", st, got, boss+" true")
		}
		sec, err := admin.GenerateMachineSecret(ctx(t), &management.GenerateMachineSecretRequest{UserId: boss})
		mustOK(t, "GenerateMachineSecret", err)
		cc := clientcredentials.Config{ClientID: sec.GetClientId(), ClientSecret: sec.GetClientSecret(), TokenURL: s.issuer() + "/oauth/v2/token",
			Scopes: []string{oidc.ScopeOpenID, projectAud(projectID)}}
		tok, err := cc.Token(ctx(t))
		mustOK(t, "client credentials", err)
		if st, got := call(tok.AccessToken); st != 200 || got != boss+" true" {
			t.Fatalf("the admin's access token: %d %q, want 200", st, got)
		}
		for who, pat := range map[string]string{"a reader": clerkPAT, "a user without grants": nobodyPAT} {
			if st, got := call(pat); st != http.StatusForbidden {
				t.Errorf("%s through WithRole(admin): %d %q, want 403", who, st, got)
			}
		}

		_, err = admin.DeactivateUserGrant(ctx(t), &management.DeactivateUserGrantRequest{UserId: boss, GrantId: g.GetUserGrantId()})
		mustOK(t, "DeactivateUserGrant", err)
		if st, _ := call(bossPAT); st != http.StatusForbidden {
			t.Errorf("the admin's PAT after the grant's deactivation: %d, want 403", st)
		}
		_, err = admin.ReactivateUserGrant(ctx(t), &management.ReactivateUserGrantRequest{UserId: boss, GrantId: g.GetUserGrantId()})
		mustOK(t, "ReactivateUserGrant", err)
		if st, _ := call(bossPAT); st != 200 {
			t.Fatalf("the admin's PAT after the grant's reactivation: %d, want 200", st)
		}
		_, err = admin.RemoveUserGrant(ctx(t), &management.RemoveUserGrantRequest{UserId: boss, GrantId: g.GetUserGrantId()})
		mustOK(t, "RemoveUserGrant", err)
		if st, _ := call(bossPAT); st != http.StatusForbidden {
			t.Errorf("the admin's PAT right after the grant's removal: %d, want 403", st)
		}
		if st, _ := call(tok.AccessToken); st != http.StatusForbidden {
			t.Errorf("the admin's access token right after the grant's removal: %d, want 403", st)
		}
	})
}
