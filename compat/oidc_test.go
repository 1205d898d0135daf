package compat

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/pkg/client/profile"
	"github.com/zitadel/oidc/v3/pkg/client/rp"
	"github.com/zitadel/oidc/v3/pkg/client/rs"
	httphelper "github.com/zitadel/oidc/v3/pkg/http"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"github.com/zitadel/zitadel-go/v3/pkg/authorization"
	"github.com/zitadel/zitadel-go/v3/pkg/authorization/oauth"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/app"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/authn"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
	"github.com/zitadel/zitadel-go/v3/pkg/http/middleware"
	"github.com/zitadel/zitadel-go/v3/pkg/zitadel"
	"golang.org/x/oauth2/clientcredentials"
)

// The reserved scopes and claims, as ZITADEL's clients spell them.
const (
	scopeResourceOwner = "urn:zitadel:iam:user:resourceowner"
	claimOwnerID       = "urn:zitadel:iam:user:resourceowner:id"
	claimOwnerName     = "urn:zitadel:iam:user:resourceowner:name"
	claimOwnerDomain   = "urn:zitadel:iam:user:resourceowner:primary_domain"
	scopeAPI           = "urn:zitadel:iam:org:project:id:zitadel:aud"
	humanPassword      = "Secr3t-Passw0rd!" // importHuman's
)

func (s *server) issuer() string { return "http://" + s.addr }

func projectAud(id string) string { return "urn:zitadel:iam:org:project:id:" + id + ":aud" }

// addAPIApp makes a project with an API app (client secret, basic auth), the
// resource server that introspects; it returns the project id and credentials.
func addAPIApp(t testing.TB, m management.ManagementServiceClient) (projectID, clientID, secret string) {
	t.Helper()
	p, err := m.AddProject(ctx(t), &management.AddProjectRequest{Name: unique("rs")})
	mustOK(t, "AddProject", err)
	a, err := m.AddAPIApp(ctx(t), &management.AddAPIAppRequest{ProjectId: p.GetId(), Name: "api",
		AuthMethodType: app.APIAuthMethodType_API_AUTH_METHOD_TYPE_BASIC})
	mustOK(t, "AddAPIApp", err)
	return p.GetId(), a.GetClientId(), a.GetClientSecret()
}

// relyingParty is zitadel/oidc's relying party (code flow with PKCE) on its own
// loopback server, registered as an OIDC web app.
type relyingParty struct {
	rp        rp.RelyingParty
	srv       *httptest.Server
	projectID string

	mu     sync.Mutex
	tokens *oidc.Tokens[*oidc.IDTokenClaims]
}

func newRelyingParty(t testing.TB, s *server, scopes []string) *relyingParty {
	t.Helper()
	m := s.mgmt(t, s.adminPAT)
	r := &relyingParty{}
	mux := http.NewServeMux()
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	p, err := m.AddProject(ctx(t), &management.AddProjectRequest{Name: unique("rp")})
	mustOK(t, "AddProject", err)
	r.projectID = p.GetId()
	a, err := m.AddOIDCApp(ctx(t), &management.AddOIDCAppRequest{ProjectId: p.GetId(), Name: "web",
		RedirectUris:   []string{r.srv.URL + "/callback"},
		ResponseTypes:  []app.OIDCResponseType{app.OIDCResponseType_OIDC_RESPONSE_TYPE_CODE},
		GrantTypes:     []app.OIDCGrantType{app.OIDCGrantType_OIDC_GRANT_TYPE_AUTHORIZATION_CODE, app.OIDCGrantType_OIDC_GRANT_TYPE_REFRESH_TOKEN},
		AppType:        app.OIDCAppType_OIDC_APP_TYPE_WEB,
		AuthMethodType: app.OIDCAuthMethodType_OIDC_AUTH_METHOD_TYPE_BASIC,
		DevMode:        true, // http loopback redirect
	})
	mustOK(t, "AddOIDCApp", err)
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	cookies := httphelper.NewCookieHandler(key, key, httphelper.WithUnsecure())
	r.rp, err = rp.NewRelyingPartyOIDC(ctx(t), s.issuer(), a.GetClientId(), a.GetClientSecret(), r.srv.URL+"/callback", scopes,
		rp.WithPKCE(cookies))
	if err != nil {
		t.Fatalf("relying party: %v", err)
	}
	mux.Handle("/login", rp.AuthURLHandler(func() string { return randHex(8) }, r.rp))
	mux.Handle("/callback", rp.CodeExchangeHandler(func(w http.ResponseWriter, _ *http.Request, tokens *oidc.Tokens[*oidc.IDTokenClaims], _ string, _ rp.RelyingParty) {
		r.mu.Lock()
		r.tokens = tokens
		r.mu.Unlock()
		fmt.Fprint(w, "signed in")
	}, r.rp))
	return r
}

// signIn runs the code flow in a new browser through Warden's login page.
func (r *relyingParty) signIn(t testing.TB, loginName, password string) *oidc.Tokens[*oidc.IDTokenClaims] {
	t.Helper()
	b := newBrowser(t)
	if st := b.signIn(r.srv.URL+"/login", loginName, password); st != 200 || !strings.HasPrefix(b.at.String(), r.srv.URL+"/callback") {
		t.Fatalf("sign-in ended at %s with %d: %.300s", b.at, st, b.page)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tokens == nil {
		t.Fatal("the relying party got no tokens")
	}
	tok := r.tokens
	r.tokens = nil
	return tok
}

// claim reads a string claim of a claims map.
func claim(m map[string]any, k string) string { s, _ := m[k].(string); return s }

// TestRelyingPartyReservedScopes: zitadel/oidc's relying party signs a human
// in with the resource-owner, org and metadata scopes (and one Warden does not
// serve, the IDP hint).
// The ID token and userinfo name the user's organisation, and rp.RefreshTokens
// — which repeats the sign-in's own scopes — succeeds, twice.
func TestRelyingPartyReservedScopes(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		admin := s.mgmt(t, s.adminPAT)
		org, err := admin.GetMyOrg(ctx(t), &management.GetMyOrgRequest{})
		mustOK(t, "GetMyOrg", err)
		name := unique("ada")
		id := importHuman(t, admin, name).GetUserId()
		scopes := []string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeOfflineAccess, scopeResourceOwner,
			"urn:zitadel:iam:org:id:" + org.GetOrg().GetId(), "urn:zitadel:iam:org:domain:primary:" + org.GetOrg().GetPrimaryDomain(),
			"urn:zitadel:iam:user:metadata", "urn:zitadel:iam:org:idp:id:1"}
		r := newRelyingParty(t, s, scopes)
		tokens := r.signIn(t, name, humanPassword)
		want := map[string]string{claimOwnerID: org.GetOrg().GetId(), claimOwnerName: org.GetOrg().GetName(),
			claimOwnerDomain: org.GetOrg().GetPrimaryDomain(), "urn:zitadel:iam:org:id": org.GetOrg().GetId()}
		check := func(what string, claims map[string]any) {
			t.Helper()
			for k, v := range want {
				if got := claim(claims, k); got != v {
					t.Errorf("%s: %s = %q, want %q", what, k, got, v)
				}
			}
		}
		if tokens.IDTokenClaims.Subject != id {
			t.Fatalf("ID token subject %s, want %s", tokens.IDTokenClaims.Subject, id)
		}
		check("ID token", tokens.IDTokenClaims.Claims)
		info, err := rp.Userinfo[*oidc.UserInfo](ctx(t), tokens.AccessToken, oidc.BearerToken, id, r.rp)
		mustOK(t, "userinfo", err)
		check("userinfo", info.Claims)

		refresh := tokens.RefreshToken
		for i := range 2 {
			next, err := rp.RefreshTokens[*oidc.IDTokenClaims](ctx(t), r.rp, refresh, "", "")
			if err != nil {
				t.Fatalf("refresh %d with the sign-in's own scopes: %v", i+1, err)
			}
			check(fmt.Sprintf("refresh %d ID token", i+1), next.IDTokenClaims.Claims)
			if next.RefreshToken == "" || next.RefreshToken == refresh {
				t.Fatalf("refresh %d: the refresh token did not rotate", i+1)
			}
			refresh = next.RefreshToken
		}
	})
}

// TestAuthorizationMiddlewareIntrospection: zitadel-go's HTTP middleware with
// introspection (pkg/authorization/oauth) accepts a PAT and an access token
// with the resource-owner scope, and authorization.OrganizationID and UserID
// tell whose they are; a locked user's PAT and a garbage token are refused.
func TestAuthorizationMiddlewareIntrospection(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		admin := s.mgmt(t, s.adminPAT)
		org := myOrg(t, admin)
		_, apiID, apiSecret := addAPIApp(t, admin)
		port := s.addr[strings.LastIndexByte(s.addr, ':')+1:]
		authZ, err := authorization.New(ctx(t), zitadel.New("127.0.0.1", zitadel.WithInsecure(port)),
			oauth.WithIntrospection[*oauth.IntrospectionContext](oauth.ClientIDSecretIntrospectionAuthentication(apiID, apiSecret)))
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
		if st, got := call(pat); st != 200 || got != bot+" "+org {
			t.Fatalf("a PAT through the middleware: %d %q, want 200 %q", st, got, bot+" "+org)
		}

		sec, err := admin.GenerateMachineSecret(ctx(t), &management.GenerateMachineSecretRequest{UserId: bot})
		mustOK(t, "GenerateMachineSecret", err)
		cc := clientcredentials.Config{ClientID: sec.GetClientId(), ClientSecret: sec.GetClientSecret(), TokenURL: s.issuer() + "/oauth/v2/token",
			Scopes: []string{oidc.ScopeOpenID, scopeResourceOwner, projectAud(apiProject(t, admin, apiID))}}
		tok, err := cc.Token(ctx(t))
		mustOK(t, "client credentials", err)
		if st, got := call(tok.AccessToken); st != 200 || got != bot+" "+org {
			t.Fatalf("an access token through the middleware: %d %q, want 200 %q", st, got, bot+" "+org)
		}

		if st, _ := call("not-a-token"); st == 200 {
			t.Fatal("the middleware accepted a garbage token")
		}
		_, err = admin.LockUser(ctx(t), &management.LockUserRequest{Id: bot})
		mustOK(t, "LockUser", err)
		if st, _ := call(pat); st == 200 {
			t.Fatal("the middleware accepted a locked user's PAT")
		}
		_, err = admin.UnlockUser(ctx(t), &management.UnlockUserRequest{Id: bot})
		mustOK(t, "UnlockUser", err)
		if st, _ := call(pat); st != 200 {
			t.Fatalf("the middleware refused the PAT after the unlock: %d", st)
		}
	})
}

// apiProject finds the project of an API app by its client id.
func apiProject(t testing.TB, m management.ManagementServiceClient, clientID string) string {
	t.Helper()
	ps, err := m.ListProjects(ctx(t), &management.ListProjectsRequest{})
	mustOK(t, "ListProjects", err)
	for _, p := range ps.GetResult() {
		apps, err := m.ListApps(ctx(t), &management.ListAppsRequest{ProjectId: p.GetId()})
		mustOK(t, "ListApps", err)
		for _, a := range apps.GetResult() {
			if a.GetApiConfig().GetClientId() == clientID {
				return p.GetId()
			}
		}
	}
	t.Fatalf("no project holds the API app %s", clientID)
	return ""
}

// TestResourceServerIntrospection: zitadel/oidc's resource server (pkg/client/rs)
// introspects a PAT and an access token and reads what ZITADEL answers: iss,
// iat, nbf, exp, jti, the subject and the resource-owner claims, and a
// client_id that is the client id the machine user presented. Wrong client
// credentials fail the call.
func TestResourceServerIntrospection(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		admin := s.mgmt(t, s.adminPAT)
		org := myOrg(t, admin)
		proj, apiID, apiSecret := addAPIApp(t, admin)
		res, err := rs.NewResourceServerClientCredentials(ctx(t), s.issuer(), apiID, apiSecret)
		mustOK(t, "rs.NewResourceServerClientCredentials", err)
		bot := addMachine(t, admin, unique("bot"))
		pat := addPAT(t, admin, bot)

		in, err := rs.Introspect[*oidc.IntrospectionResponse](ctx(t), res, pat.GetToken())
		mustOK(t, "introspect a PAT", err)
		if !in.Active || in.Subject != bot || in.Issuer != s.issuer() || in.JWTID != pat.GetTokenId() || in.IssuedAt.AsTime().IsZero() ||
			in.NotBefore != in.IssuedAt || claim(in.Claims, claimOwnerID) != org || !slices.Contains([]string(in.Audience), apiID) {
			t.Fatalf("PAT introspection: %+v", in)
		}
		if d := time.Until(in.Expiration.AsTime()); d < 23*time.Hour || d > 25*time.Hour {
			t.Errorf("PAT exp %s, want its expiration date in 24h", in.Expiration.AsTime())
		}

		sec, err := admin.GenerateMachineSecret(ctx(t), &management.GenerateMachineSecretRequest{UserId: bot})
		mustOK(t, "GenerateMachineSecret", err)
		cc := clientcredentials.Config{ClientID: sec.GetClientId(), ClientSecret: sec.GetClientSecret(), TokenURL: s.issuer() + "/oauth/v2/token",
			Scopes: []string{oidc.ScopeOpenID, scopeResourceOwner, projectAud(proj)}}
		tok, err := cc.Token(ctx(t))
		mustOK(t, "client credentials", err)
		in, err = rs.Introspect[*oidc.IntrospectionResponse](ctx(t), res, tok.AccessToken)
		mustOK(t, "introspect an access token", err)
		if !in.Active || in.Subject != bot || in.ClientID != sec.GetClientId() || in.JWTID == "" || in.Issuer != s.issuer() ||
			in.IssuedAt.AsTime().IsZero() || claim(in.Claims, claimOwnerID) != org {
			t.Fatalf("access token introspection: %+v", in)
		}

		wrong, err := rs.NewResourceServerClientCredentials(ctx(t), s.issuer(), apiID, apiSecret+"x")
		mustOK(t, "rs.NewResourceServerClientCredentials", err)
		if _, err := rs.Introspect[*oidc.IntrospectionResponse](ctx(t), wrong, pat.GetToken()); err == nil {
			t.Fatal("introspection with a wrong client secret succeeded")
		}
	})
}

// TestJWTProfileTokenType: zitadel/oidc's JWT profile token source
// (pkg/client/profile) with a machine key file gets the token type the
// machine user is set to — a JWT for ACCESS_TOKEN_TYPE_JWT, an opaque token for
// ACCESS_TOKEN_TYPE_BEARER — as client credentials does for the same user, and
// either token calls Warden's API.
func TestJWTProfileTokenType(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		admin := s.mgmt(t, s.adminPAT)
		org := myOrg(t, admin)
		for _, typ := range []user.AccessTokenType{user.AccessTokenType_ACCESS_TOKEN_TYPE_BEARER, user.AccessTokenType_ACCESS_TOKEN_TYPE_JWT} {
			t.Run(typ.String(), func(t *testing.T) {
				r, err := admin.AddMachineUser(ctx(t), &management.AddMachineUserRequest{UserName: unique("bot"), Name: "Bot", AccessTokenType: typ})
				mustOK(t, "AddMachineUser", err)
				id := r.GetUserId()
				_, err = admin.AddOrgMember(ctx(t), &management.AddOrgMemberRequest{UserId: id, Roles: []string{"ORG_OWNER"}})
				mustOK(t, "AddOrgMember", err)
				key, err := admin.AddMachineKey(ctx(t), &management.AddMachineKeyRequest{UserId: id, Type: authn.KeyType_KEY_TYPE_JSON})
				mustOK(t, "AddMachineKey", err)
				ts, err := profile.NewJWTProfileTokenSourceFromKeyFileData(ctx(t), s.issuer(), key.GetKeyDetails(),
					[]string{oidc.ScopeOpenID, scopeAPI, scopeResourceOwner})
				mustOK(t, "profile token source", err)
				jp, err := ts.Token()
				mustOK(t, "JWT profile grant", err)

				sec, err := admin.GenerateMachineSecret(ctx(t), &management.GenerateMachineSecretRequest{UserId: id})
				mustOK(t, "GenerateMachineSecret", err)
				cc, err := (&clientcredentials.Config{ClientID: sec.GetClientId(), ClientSecret: sec.GetClientSecret(),
					TokenURL: s.issuer() + "/oauth/v2/token", Scopes: []string{oidc.ScopeOpenID, scopeAPI}}).Token(ctx(t))
				mustOK(t, "client credentials", err)

				wantJWT := typ == user.AccessTokenType_ACCESS_TOKEN_TYPE_JWT
				for grant, tok := range map[string]string{"JWT profile": jp.AccessToken, "client credentials": cc.AccessToken} {
					if isJWT := strings.Count(tok, ".") == 2; isJWT != wantJWT {
						t.Errorf("%s for a %s user: JWT %v, want %v", grant, typ, isJWT, wantJWT)
					}
					if got := myOrg(t, s.mgmt(t, tok)); got != org {
						t.Errorf("%s token: GetMyOrg %s, want %s", grant, got, org)
					}
				}
				if wantJWT {
					claims, err := verifyJWT(ctx(t), s, jp.AccessToken)
					if err != nil {
						t.Fatalf("JWT profile token does not verify: %v", err)
					}
					if claims.Subject != id || claims.ClientID != id || claim(claims.Claims, claimOwnerID) != org {
						t.Errorf("JWT profile token claims: sub %s client_id %s owner %v", claims.Subject, claims.ClientID, claims.Claims[claimOwnerID])
					}
				}
			})
		}
	})
}

// verifyJWT checks a JWT access token's signature, issuer and expiry against
// the provider's published keys, as a resource server verifying locally does.
func verifyJWT(ctx context.Context, s *server, tok string) (*oidc.AccessTokenClaims, error) {
	v := op.NewAccessTokenVerifier(s.issuer(), rp.NewRemoteKeySet(http.DefaultClient, s.issuer()+"/oauth/v2/keys"))
	return op.VerifyAccessToken[*oidc.AccessTokenClaims](ctx, tok, v)
}
