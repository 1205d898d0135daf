package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
)

// val walks a decoded JSON body.
func (r reply) val(path ...string) any {
	var v any = r.body
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	return v
}

// ids lists the ids of a list answer's results.
func ids(r reply) []string {
	var out []string
	res, _ := r.body["result"].([]any)
	for _, x := range res {
		m, _ := x.(map[string]any)
		s, _ := m["id"].(string)
		out = append(out, s)
	}
	return out
}

func (r reply) seq(t *testing.T) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(r.str("details", "sequence"), 10, 64)
	if err != nil {
		t.Fatalf("no sequence in %s", r.raw)
	}
	return n
}

// wantErr checks an error answer's status and ZITADEL error id.
func (e *env) wantErr(r reply, status int, errID string) {
	e.t.Helper()
	if r.status != status || (errID != "" && r.errID() != errID) {
		e.t.Fatalf("got %d %s, want %d %s", r.status, r.raw, status, errID)
	}
}

func (e *env) storedApp(t *testing.T, clientID string) *project.App {
	t.Helper()
	art, err := e.store.ArtifactByKey(context.Background(), project.KindApp, clientID)
	if err != nil {
		t.Fatalf("app %s: %v", clientID, err)
	}
	var ap project.App
	if err := json.Unmarshal(art.Data, &ap); err != nil {
		t.Fatal(err)
	}
	return &ap
}

func (e *env) orgEvents(t *testing.T) []event.Event {
	t.Helper()
	evs, err := e.store.Events(context.Background(), store.EventQuery{AggregateType: event.AggregateOrg, AggregateID: e.orgID, Asc: true, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// TestProjectsREST: projects' CRUD, details on the org aggregate, scope and permissions.
func TestProjectsREST(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			_, none := e.machineWithToken("nobody")
			_, viewer := e.machineWithToken("viewer", "ORG_OWNER_VIEWER")
			_, creator := e.machineWithToken("creator", "ORG_PROJECT_CREATOR")

			add := e.must(e.admin("POST", "/management/v1/projects", `{"name":"My App","projectRoleAssertion":true}`), 200)
			pid := add.str("id")
			s1 := add.seq(t)
			if pid == "" || add.str("details", "creationDate") == "" || add.str("details", "resourceOwner") != e.orgID {
				t.Fatalf("add: %s", add.raw)
			}
			evs := e.orgEvents(t)
			if last := evs[len(evs)-1]; last.Type != "project.added" || last.Sequence != s1 {
				t.Fatalf("last org event %+v, want project.added at %d", last, s1)
			}
			get := e.must(e.admin("GET", "/management/v1/projects/"+pid, ""), 200)
			if get.str("project", "name") != "My App" || get.str("project", "state") != "PROJECT_STATE_ACTIVE" ||
				get.val("project", "projectRoleAssertion") != true || get.str("project", "details", "sequence") != fmt.Sprint(s1) {
				t.Fatalf("get: %s", get.raw)
			}
			e.must(e.do("GET", "/management/v1/projects/"+pid, viewer, ""), 200)
			e.wantErr(e.do("GET", "/management/v1/projects/"+pid, none, ""), 403, "AUTH-5mWD2")
			e.wantErr(e.do("POST", "/management/v1/projects", viewer, `{"name":"x"}`), 403, "AUTH-5mWD2")
			p2 := e.must(e.do("POST", "/management/v1/projects", creator, `{"name":"Second"}`), 200).str("id")
			e.wantErr(e.admin("POST", "/management/v1/projects", `{"name":""}`), 400, "")
			e.wantErr(e.admin("GET", "/management/v1/projects/424242", ""), 404, "QUERY-fk2fs")

			// Another org's context does not see the project.
			other := e.must(e.admin("POST", "/management/v1/orgs", `{"name":"Other"}`), 200).str("id")
			e.wantErr(e.admin("GET", "/management/v1/projects/"+pid, "", "x-zitadel-orgid", other), 404, "QUERY-fk2fs")
			e.wantErr(e.admin("DELETE", "/management/v1/projects/"+pid, "", "x-zitadel-orgid", other), 404, "QUERY-fk2fs")
			e.wantErr(e.do("POST", "/management/v1/projects", creator, `{"name":"x"}`, "x-zitadel-orgid", other), 403, "")
			if l := e.must(e.admin("POST", "/management/v1/projects/_search", `{}`, "x-zitadel-orgid", other), 200); l.str("details", "totalResult") != "" {
				t.Fatalf("other org list: %s", l.raw)
			}

			list := e.must(e.admin("POST", "/management/v1/projects/_search", `{"query":{"asc":true}}`), 200)
			if list.str("details", "totalResult") != "2" || fmt.Sprint(ids(list)) != fmt.Sprint([]string{pid, p2}) {
				t.Fatalf("list: %s", list.raw)
			}
			list = e.must(e.admin("POST", "/management/v1/projects/_search",
				`{"queries":[{"nameQuery":{"name":"my","method":"TEXT_QUERY_METHOD_STARTS_WITH_IGNORE_CASE"}}]}`), 200)
			if list.str("details", "totalResult") != "1" || fmt.Sprint(ids(list)) != "["+pid+"]" {
				t.Fatalf("list by name: %s", list.raw)
			}
			list = e.must(e.admin("POST", "/management/v1/projects/_search", `{"query":{"limit":1,"offset":1,"asc":true}}`), 200)
			if list.str("details", "totalResult") != "2" || fmt.Sprint(ids(list)) != "["+p2+"]" {
				t.Fatalf("list page 2: %s", list.raw)
			}

			up := e.must(e.admin("PUT", "/management/v1/projects/"+pid, `{"name":"Renamed"}`), 200)
			if up.seq(t) <= s1 || up.str("details", "creationDate") != "" {
				t.Fatalf("update: %s", up.raw)
			}
			e.wantErr(e.admin("PUT", "/management/v1/projects/"+pid, `{"name":"Renamed"}`), 400, "COMMAND-1m88i")
			if g := e.must(e.admin("GET", "/management/v1/projects/"+pid, ""), 200); g.str("project", "name") != "Renamed" || g.val("project", "projectRoleAssertion") != nil {
				t.Fatalf("after update: %s", g.raw)
			}
			e.wantErr(e.do("PUT", "/management/v1/projects/"+pid, viewer, `{"name":"v"}`), 403, "")
			e.wantErr(e.do("DELETE", "/management/v1/projects/"+pid, viewer, ""), 403, "")

			rm := e.must(e.admin("DELETE", "/management/v1/projects/"+p2, ""), 200)
			if rm.seq(t) != up.seq(t)+1 {
				t.Fatalf("remove details %s after %s", rm.raw, up.raw)
			}
			e.wantErr(e.admin("GET", "/management/v1/projects/"+p2, ""), 404, "QUERY-fk2fs")
			e.wantErr(e.admin("DELETE", "/management/v1/projects/"+p2, ""), 404, "QUERY-fk2fs")
			var types []string
			for _, ev := range e.orgEvents(t) {
				if strings.HasPrefix(ev.Type, "project.") {
					types = append(types, ev.Type)
				}
			}
			if want := "project.added project.added project.changed project.removed"; strings.Join(types, " ") != want {
				t.Fatalf("org events %v, want %s", types, want)
			}
		})
	}
}

// TestAppsREST: OIDC and API apps, redirect URI rules, secrets shown once and
// stored hashed, regeneration, removal with the project.
func TestAppsREST(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			pid := e.must(e.admin("POST", "/management/v1/projects", `{"name":"Shop Front"}`), 200).str("id")
			base := "/management/v1/projects/" + pid + "/apps"

			web := e.must(e.admin("POST", base+"/oidc", `{"name":"web","redirectUris":["https://shop.example.com/cb"],`+
				`"postLogoutRedirectUris":["https://shop.example.com/"],"clockSkew":"1s","idTokenUserinfoAssertion":true}`), 200)
			webID, webClient, webSecret := web.str("appId"), web.str("clientId"), web.str("clientSecret")
			if webClient != webID+"@shop-front" || len(webSecret) != 43 || web.str("details", "creationDate") == "" {
				t.Fatalf("add oidc: %s", web.raw)
			}
			ap := e.storedApp(t, webClient)
			if !credential.SecretMatches(ap.SecretHash, webSecret) || strings.Contains(ap.SecretHash, webSecret) ||
				ap.Kind != project.AppOIDC || ap.ProjectID != pid || ap.OrgID != e.orgID ||
				fmt.Sprint(ap.ResponseTypes, ap.GrantTypes) != "[0] [0]" || !ap.IDTokenUserinfo || ap.ClockSkew.String() != "1s" ||
				ap.PostLogoutRedirectURIs[0] != "https://shop.example.com/" {
				t.Fatalf("stored app %+v", ap)
			}
			got := e.must(e.admin("GET", base+"/"+webID, ""), 200)
			if got.str("app", "name") != "web" || got.str("app", "state") != "APP_STATE_ACTIVE" ||
				got.str("app", "oidcConfig", "clientId") != webClient || got.str("app", "oidcConfig", "clockSkew") != "1s" ||
				fmt.Sprint(got.val("app", "oidcConfig", "responseTypes")) != "[OIDC_RESPONSE_TYPE_CODE]" ||
				fmt.Sprint(got.val("app", "oidcConfig", "grantTypes")) != "[OIDC_GRANT_TYPE_AUTHORIZATION_CODE]" ||
				fmt.Sprint(got.val("app", "oidcConfig", "allowedOrigins")) != "[https://shop.example.com]" || strings.Contains(got.raw, "null") ||
				strings.Contains(got.raw, webSecret) {
				t.Fatalf("get app: %s", got.raw)
			}

			// Redirect URI rules.
			bad := []string{
				`{"name":"a","redirectUris":["http://shop.example.com/cb"]}`,
				`{"name":"a","redirectUris":["/cb"]}`,
				`{"name":"a","redirectUris":["https://shop.example.com/cb#frag"]}`,
				`{"name":"a","redirectUris":["javascript:alert(1)"]}`,
				`{"name":"a","redirectUris":["https://ok.example.com/"],"postLogoutRedirectUris":["http://evil.example.com/"]}`,
				`{"name":"a"}`, // the code flow needs a redirect URI
				`{"name":"a","redirectUris":["https://a.example.com/"],"clockSkew":"6s"}`,
				`{"name":"a","redirectUris":["https://a.example.com/"],"responseTypes":["OIDC_RESPONSE_TYPE_ID_TOKEN"]}`,
				`{"name":"a","redirectUris":["https://a.example.com/"],"backChannelLogoutUri":"https://a.example.com/bc"}`,
			}
			for _, b := range bad {
				if r := e.admin("POST", base+"/oidc", b); r.status != 400 {
					t.Fatalf("%s: %d %s", b, r.status, r.raw)
				}
			}
			e.must(e.admin("POST", base+"/oidc", `{"name":"dev","redirectUris":["http://dev.example.com/cb"],"devMode":true}`), 200)
			e.must(e.admin("POST", base+"/oidc", `{"name":"loop","redirectUris":["http://127.0.0.1:8080/cb","http://localhost/cb","http://[::1]:9/cb"]}`), 200)

			// A public (PKCE) client has no secret, and none can be generated for it.
			spa := e.must(e.admin("POST", base+"/oidc", `{"name":"spa","redirectUris":["com.example.app:/cb"],`+
				`"appType":"OIDC_APP_TYPE_NATIVE","authMethodType":"OIDC_AUTH_METHOD_TYPE_NONE",`+
				`"grantTypes":["OIDC_GRANT_TYPE_AUTHORIZATION_CODE","OIDC_GRANT_TYPE_REFRESH_TOKEN"]}`), 200)
			if spa.str("clientSecret") != "" || e.storedApp(t, spa.str("clientId")).SecretHash != "" {
				t.Fatalf("public client got a secret: %s", spa.raw)
			}
			e.wantErr(e.admin("POST", base+"/"+spa.str("appId")+"/oidc_config/_generate_client_secret", `{}`), 400, "WARDEN-APPNOSECRET")
			pkj := e.must(e.admin("POST", base+"/oidc", `{"name":"pkj","redirectUris":["https://pkj.example.com/"],"authMethodType":"OIDC_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"}`), 200)
			if pkj.str("clientSecret") != "" {
				t.Fatalf("private_key_jwt client got a secret: %s", pkj.raw)
			}

			// Regenerating invalidates the old secret.
			reg := e.must(e.admin("POST", base+"/"+webID+"/oidc_config/_generate_client_secret", `{}`), 200)
			newSecret := reg.str("clientSecret")
			ap = e.storedApp(t, webClient)
			if newSecret == "" || newSecret == webSecret || credential.SecretMatches(ap.SecretHash, webSecret) ||
				!credential.SecretMatches(ap.SecretHash, newSecret) || reg.str("details", "sequence") == "" {
				t.Fatalf("regenerate: %s", reg.raw)
			}

			// Update the OIDC configuration: every field follows the request.
			upd := e.must(e.admin("PUT", base+"/"+webID+"/oidc_config", `{"redirectUris":["https://shop.example.com/cb2","http://localhost:3000/cb"],`+
				`"grantTypes":["OIDC_GRANT_TYPE_AUTHORIZATION_CODE","OIDC_GRANT_TYPE_REFRESH_TOKEN"],"accessTokenType":"OIDC_TOKEN_TYPE_JWT",`+
				`"appType":"OIDC_APP_TYPE_USER_AGENT","authMethodType":"OIDC_AUTH_METHOD_TYPE_POST","clockSkew":"2s","devMode":true}`), 200)
			ap = e.storedApp(t, webClient)
			if fmt.Sprint(ap.RedirectURIs) != "[https://shop.example.com/cb2 http://localhost:3000/cb]" || fmt.Sprint(ap.GrantTypes) != "[0 2]" ||
				ap.AccessTokenType != project.TokenJWT || ap.AppType != project.TypeUserAgent || ap.AuthMethod != project.AuthPost ||
				ap.ClockSkew.String() != "2s" || !ap.DevMode || ap.IDTokenUserinfo || len(ap.PostLogoutRedirectURIs) != 0 ||
				!credential.SecretMatches(ap.SecretHash, newSecret) || ap.Sequence != upd.seq(t) {
				t.Fatalf("after update %+v", ap)
			}
			e.wantErr(e.admin("PUT", base+"/"+webID+"/oidc_config", `{"redirectUris":["https://shop.example.com/cb2","http://localhost:3000/cb"],`+
				`"grantTypes":["OIDC_GRANT_TYPE_AUTHORIZATION_CODE","OIDC_GRANT_TYPE_REFRESH_TOKEN"],"accessTokenType":"OIDC_TOKEN_TYPE_JWT",`+
				`"appType":"OIDC_APP_TYPE_USER_AGENT","authMethodType":"OIDC_AUTH_METHOD_TYPE_POST","clockSkew":"2s","devMode":true}`), 400, "COMMAND-1m88i")
			e.wantErr(e.admin("PUT", base+"/"+webID+"/oidc_config", `{"redirectUris":["http://shop.example.com/cb"]}`), 400, "WARDEN-REDIRECTURI")
			// Switching to a method without a secret drops it.
			e.must(e.admin("PUT", base+"/"+webID+"/oidc_config", `{"redirectUris":["https://shop.example.com/cb"],"authMethodType":"OIDC_AUTH_METHOD_TYPE_NONE"}`), 200)
			if ap = e.storedApp(t, webClient); ap.SecretHash != "" || ap.AuthMethod != project.AuthNone {
				t.Fatalf("secret kept after switch to NONE: %+v", ap)
			}
			e.must(e.admin("PUT", base+"/"+webID, `{"name":"web shop"}`), 200)
			e.wantErr(e.admin("PUT", base+"/"+webID, `{"name":"web shop"}`), 400, "COMMAND-1m88i")
			e.wantErr(e.admin("PUT", base+"/"+webID, `{"name":""}`), 400, "")

			// API apps.
			api := e.must(e.admin("POST", base+"/api", `{"name":"backend"}`), 200)
			apiID, apiClient, apiSecret := api.str("appId"), api.str("clientId"), api.str("clientSecret")
			if apiSecret == "" || !credential.SecretMatches(e.storedApp(t, apiClient).SecretHash, apiSecret) {
				t.Fatalf("add api: %s", api.raw)
			}
			if g := e.must(e.admin("GET", base+"/"+apiID, ""), 200); g.str("app", "apiConfig", "clientId") != apiClient {
				t.Fatalf("get api: %s", g.raw)
			}
			e.wantErr(e.admin("POST", base+"/"+apiID+"/oidc_config/_generate_client_secret", `{}`), 400, "COMMAND-GBr34")
			e.wantErr(e.admin("PUT", base+"/"+apiID+"/oidc_config", `{"redirectUris":["https://a.example.com/"]}`), 400, "COMMAND-GBr34")
			e.wantErr(e.admin("POST", base+"/"+webID+"/api_config/_generate_client_secret", `{}`), 400, "COMMAND-Gnwt3")
			reg = e.must(e.admin("POST", base+"/"+apiID+"/api_config/_generate_client_secret", `{}`), 200)
			if h := e.storedApp(t, apiClient).SecretHash; credential.SecretMatches(h, apiSecret) || !credential.SecretMatches(h, reg.str("clientSecret")) {
				t.Fatal("api secret not replaced")
			}
			e.must(e.admin("PUT", base+"/"+apiID+"/api_config", `{"authMethodType":"API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"}`), 200)
			if ap := e.storedApp(t, apiClient); ap.SecretHash != "" || ap.AuthMethod != 1 {
				t.Fatalf("api app after switch to private_key_jwt: %+v", ap)
			}
			e.wantErr(e.admin("POST", base+"/"+apiID+"/api_config/_generate_client_secret", `{}`), 400, "WARDEN-APPNOSECRET")

			list := e.must(e.admin("POST", base+"/_search", `{}`), 200)
			if list.str("details", "totalResult") != "6" {
				t.Fatalf("list apps: %s", list.raw)
			}
			list = e.must(e.admin("POST", base+"/_search", `{"queries":[{"nameQuery":{"name":"back","method":"TEXT_QUERY_METHOD_STARTS_WITH"}}]}`), 200)
			if list.str("details", "totalResult") != "1" || fmt.Sprint(ids(list)) != "["+apiID+"]" {
				t.Fatalf("list apps by name: %s", list.raw)
			}

			// Unknown ids, wrong project, wrong org context, missing permission.
			e.wantErr(e.admin("GET", base+"/123", ""), 404, "COMMAND-2n8uU")
			e.wantErr(e.admin("POST", "/management/v1/projects/999/apps/oidc", `{"name":"x","redirectUris":["https://a.example.com/"]}`), 404, "QUERY-fk2fs")
			e.wantErr(e.admin("POST", "/management/v1/projects/999/apps/_search", `{}`), 404, "QUERY-fk2fs")
			p2 := e.must(e.admin("POST", "/management/v1/projects", `{"name":"p2"}`), 200).str("id")
			e.wantErr(e.admin("GET", "/management/v1/projects/"+p2+"/apps/"+webID, ""), 404, "COMMAND-2n8uU")
			other := e.must(e.admin("POST", "/management/v1/orgs", `{"name":"Other"}`), 200).str("id")
			e.wantErr(e.admin("GET", base+"/"+webID, "", "x-zitadel-orgid", other), 404, "")
			e.wantErr(e.admin("POST", base+"/"+webID+"/oidc_config/_generate_client_secret", `{}`, "x-zitadel-orgid", other), 404, "")
			_, viewer := e.machineWithToken("viewer", "ORG_OWNER_VIEWER")
			e.must(e.do("GET", base+"/"+webID, viewer, ""), 200)
			e.wantErr(e.do("POST", base+"/"+apiID+"/api_config/_generate_client_secret", viewer, `{}`), 403, "AUTH-5mWD2")
			e.wantErr(e.do("POST", base+"/api", viewer, `{"name":"x"}`), 403, "AUTH-5mWD2")
			e.wantErr(e.do("DELETE", base+"/"+webID, viewer, ""), 403, "AUTH-5mWD2")

			// Removal: the app, then the project with the rest.
			e.must(e.admin("DELETE", base+"/"+apiID, ""), 200)
			e.wantErr(e.admin("GET", base+"/"+apiID, ""), 404, "COMMAND-2n8uU")
			e.wantErr(e.admin("DELETE", base+"/"+apiID, ""), 404, "COMMAND-2n8uU")
			if _, err := e.store.ArtifactByKey(context.Background(), project.KindApp, apiClient); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("removed app still found by client id: %v", err)
			}
			e.must(e.admin("DELETE", "/management/v1/projects/"+pid, ""), 200)
			for _, c := range []string{webClient, spa.str("clientId"), pkj.str("clientId")} {
				if _, err := e.store.ArtifactByKey(context.Background(), project.KindApp, c); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("app %s survived its project: %v", c, err)
				}
			}
			e.wantErr(e.admin("GET", base+"/"+webID, ""), 404, "")
			e.wantErr(e.admin("POST", base+"/_search", `{}`), 404, "QUERY-fk2fs")
			e.must(e.admin("GET", "/management/v1/projects/"+p2, ""), 200)

			// Every change left an org event, sequences without gaps.
			evs := e.orgEvents(t)
			count := map[string]int{}
			for i, ev := range evs {
				if ev.Sequence != uint64(i+1) {
					t.Fatalf("org event %d has sequence %d", i, ev.Sequence)
				}
				count[ev.Type]++
			}
			if count["project.application.added"] != 6 || count["project.application.removed"] != 1 || count["project.removed"] != 1 ||
				count["project.application.config.oidc.secret.changed"] != 1 || count["project.application.config.api.secret.changed"] != 1 ||
				count["project.application.config.oidc.changed"] != 2 || count["project.application.config.api.changed"] != 1 ||
				count["project.application.changed"] != 1 {
				t.Fatalf("org events %v", count)
			}
		})
	}
}
