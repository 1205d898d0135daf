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
	"google.golang.org/grpc/codes"
)

// TestAppKeyFileGuardsResourceServer: a resource server guarded by
// zitadel-go's HTTP middleware with oauth.DefaultAuthorization, reading the
// key file AddAppKey handed out (private_key_jwt at the introspection
// endpoint), admits a user's PAT and access token, refuses both right after
// the user is locked, and admits nobody once the key is removed.
func TestAppKeyFileGuardsResourceServer(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		admin := s.mgmt(t, s.adminPAT)
		org := myOrg(t, admin)
		p, err := admin.AddProject(ctx(t), &management.AddProjectRequest{Name: unique("rs")})
		mustOK(t, "AddProject", err)
		a, err := admin.AddAPIApp(ctx(t), &management.AddAPIAppRequest{ProjectId: p.GetId(), Name: "api",
			AuthMethodType: app.APIAuthMethodType_API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT})
		mustOK(t, "AddAPIApp", err)
		if a.GetClientSecret() != "" {
			t.Fatal("an API app on private_key_jwt got a client secret")
		}
		k, err := admin.AddAppKey(ctx(t), &management.AddAppKeyRequest{ProjectId: p.GetId(), AppId: a.GetAppId(), Type: authn.KeyType_KEY_TYPE_JSON})
		mustOK(t, "AddAppKey", err)
		keyFile := filepath.Join(t.TempDir(), "key.json")
		if err := os.WriteFile(keyFile, k.GetKeyDetails(), 0o600); err != nil {
			t.Fatal(err)
		}

		port := s.addr[strings.LastIndexByte(s.addr, ':')+1:]
		authZ, err := authorization.New(ctx(t), zitadel.New("127.0.0.1", zitadel.WithInsecure(port)), oauth.DefaultAuthorization(keyFile))
		mustOK(t, "authorization.New", err)
		mw := middleware.New(authZ)
		api := httptest.NewServer(mw.RequireAuthorization()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "%s %s", authorization.UserID(r.Context()), authorization.OrganizationID(r.Context()))
		})))
		t.Cleanup(api.Close)
		call := func(token string) (int, string) {
			t.Helper()
			req, _ := http.NewRequest("GET", api.URL, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, strings.TrimSpace(string(body))
		}

		bot := addMachine(t, admin, unique("bot"))
		pat := addPAT(t, admin, bot).GetToken()
		sec, err := admin.GenerateMachineSecret(ctx(t), &management.GenerateMachineSecretRequest{UserId: bot})
		mustOK(t, "GenerateMachineSecret", err)
		cc := clientcredentials.Config{ClientID: sec.GetClientId(), ClientSecret: sec.GetClientSecret(), TokenURL: s.issuer() + "/oauth/v2/token",
			Scopes: []string{oidc.ScopeOpenID, scopeResourceOwner, projectAud(p.GetId())}}
		tok, err := cc.Token(ctx(t))
		mustOK(t, "client credentials", err)
		for what, token := range map[string]string{"PAT": pat, "access token": tok.AccessToken} {
			if st, got := call(token); st != 200 || got != bot+" "+org {
				t.Fatalf("a %s through the middleware: %d %q, want 200 %q", what, st, got, bot+" "+org)
			}
		}
		if st, _ := call("not-a-token"); st == 200 {
			t.Fatal("the middleware accepted a garbage token")
		}

		_, err = admin.LockUser(ctx(t), &management.LockUserRequest{Id: bot})
		mustOK(t, "LockUser", err)
		for what, token := range map[string]string{"PAT": pat, "access token": tok.AccessToken} {
			if st, got := call(token); st == 200 {
				t.Fatalf("the middleware accepted a locked user's %s: %q", what, got)
			}
		}
		_, err = admin.UnlockUser(ctx(t), &management.UnlockUserRequest{Id: bot})
		mustOK(t, "UnlockUser", err)
		if st, _ := call(pat); st != 200 {
			t.Fatalf("the middleware refused the PAT after the unlock: %d", st)
		}

		// Without its key the resource server authenticates no more, so it admits nobody.
		_, err = admin.RemoveAppKey(ctx(t), &management.RemoveAppKeyRequest{ProjectId: p.GetId(), AppId: a.GetAppId(), KeyId: k.GetId()})
		mustOK(t, "RemoveAppKey", err)
		if st, got := call(pat); st == 200 {
			t.Fatalf("a resource server whose key was removed still admits a PAT: %q", got)
		}
		_, err = admin.GetAppKey(ctx(t), &management.GetAppKeyRequest{ProjectId: p.GetId(), AppId: a.GetAppId(), KeyId: k.GetId()})
		wantErr(t, "GetAppKey of a removed key", err, codes.NotFound, "QUERY-Dgr3g")
	})
}
