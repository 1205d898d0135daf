package oidc_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
)

// roleClaimOf returns a role claim as JSON ("" if absent), for comparison.
func roleClaimOf(t testing.TB, claims map[string]any, name string) string {
	t.Helper()
	v, ok := claims[name]
	if !ok {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rolesOf is the JSON of {role: {orgID: domain}} for the given roles.
func rolesOf(orgID, domain string, roles ...string) string {
	m := map[string]map[string]string{}
	for _, r := range roles {
		m[r] = map[string]string{orgID: domain}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// assertingApp sets the RP's app to JWT access tokens carrying roles in the
// ID token and the access token, and turns on its project's role assertion
// and role check as asked.
func assertingApp(t testing.TB, in *wardentest.Instance, rp *wardentest.RP, roleCheck, hasProjectCheck bool) {
	t.Helper()
	appID, _, _ := strings.Cut(rp.ClientID, "@")
	wardentest.Must(t, in.Admin(t, "PUT", "/management/v1/projects/"+rp.ProjectID+"/apps/"+appID+"/oidc_config", `{
		"redirectUris":["`+rp.Config.RedirectURL+`"],
		"responseTypes":["OIDC_RESPONSE_TYPE_CODE"],
		"grantTypes":["OIDC_GRANT_TYPE_AUTHORIZATION_CODE","OIDC_GRANT_TYPE_REFRESH_TOKEN"],
		"appType":"OIDC_APP_TYPE_WEB","authMethodType":"OIDC_AUTH_METHOD_TYPE_BASIC","devMode":true,
		"accessTokenType":"OIDC_TOKEN_TYPE_JWT","idTokenRoleAssertion":true,"accessTokenRoleAssertion":true}`), 200)
	b, _ := json.Marshal(map[string]any{"name": "RP " + appID, "projectRoleAssertion": true, "projectRoleCheck": roleCheck, "hasProjectCheck": hasProjectCheck})
	wardentest.Must(t, in.Admin(t, "PUT", "/management/v1/projects/"+rp.ProjectID, string(b)), 200)
	wardentest.Must(t, in.Admin(t, "POST", "/management/v1/projects/"+rp.ProjectID+"/roles/_bulk",
		`{"roles":[{"key":"admin","displayName":"Admin"},{"key":"reader","displayName":"Reader"}]}`), 200)
}

func addGrant(t testing.TB, in *wardentest.Instance, userID, projectID string, roles ...string) string {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"projectId": projectID, "roleKeys": roles})
	return wardentest.Must(t, in.Admin(t, "POST", "/management/v1/users/"+userID+"/grants", string(b)), 200).Str("userGrantId")
}

// TestRoleClaims: with the project's role assertion and the app's ID-token
// and access-token role assertion, the user's roles come in ZITADEL's shape
// ({role: {orgId: orgDomain}}, under urn:zitadel:iam:org:project:roles and
// urn:zitadel:iam:org:project:{id}:roles) in the ID token, the JWT access
// token, userinfo and the introspection of an API app of the project. A grant
// changed, deactivated or removed is seen by the very next userinfo and
// introspection; a deactivated project gives no roles. Without role
// assertion, the role scopes ask for them (urn:zitadel:iam:org:projects:roles
// with an audience scope, urn:zitadel:iam:org:project:role:{key}).
func TestRoleClaims(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		in := start(t, open(t))
		orgID, _, domain := defaultOrg(t, in)
		rp := wardentest.NewRP(t, in, wardentest.RPOptions{Scopes: []string{"openid", "profile", "offline_access"}})
		assertingApp(t, in, rp, false, false)
		apiID, apiSecret := apiApp(t, in, rp.ProjectID)
		name := unique("ann")
		ann := in.ImportHuman(t, "", name, password)
		gid := addGrant(t, in, ann, rp.ProjectID, "admin")

		si := rp.SignIn(t, wardentest.NewBrowser(t), name, password)
		own, per := oauth.ClaimProjectRoles, oauth.ProjectRolesClaim(rp.ProjectID)
		want := rolesOf(orgID, domain, "admin")
		idt := verifiedClaims(t, in, si.IDToken)
		if !isJWT(si.Token.AccessToken) {
			t.Fatal("the access token is not a JWT")
		}
		at := verifiedClaims(t, in, si.Token.AccessToken)
		for what, c := range map[string]map[string]any{"ID token": idt, "JWT access token": at} {
			if g1, g2 := roleClaimOf(t, c, own), roleClaimOf(t, c, per); g1 != want || g2 != want {
				t.Errorf("%s: %s = %s, %s = %s, want %s", what, own, g1, per, g2, want)
			}
		}
		check := func(what, want string) {
			t.Helper()
			ui := get(t, in, "/oidc/v1/userinfo", si.Token.AccessToken)
			if ui.status != 200 {
				t.Fatalf("%s: userinfo %d %s", what, ui.status, ui.raw)
			}
			ir := post(t, in, "/oauth/v2/introspect", url.Values{"token": {si.Token.AccessToken}}, apiID, apiSecret)
			if ir.status != 200 || ir.body["active"] != true {
				t.Fatalf("%s: introspection %d %s", what, ir.status, ir.raw)
			}
			for where, c := range map[string]map[string]any{"userinfo": ui.body, "introspection": ir.body} {
				if g1, g2 := roleClaimOf(t, c, own), roleClaimOf(t, c, per); g1 != want || g2 != want {
					t.Errorf("%s: %s: %s = %s, %s = %s, want %s", what, where, own, g1, per, g2, want)
				}
			}
		}
		check("sign-in", want)
		wardentest.Must(t, in.Admin(t, "PUT", "/management/v1/users/"+ann+"/grants/"+gid, `{"roleKeys":["admin","reader"]}`), 200)
		check("grant changed", rolesOf(orgID, domain, "admin", "reader"))
		wardentest.Must(t, in.Admin(t, "POST", "/management/v1/users/"+ann+"/grants/"+gid+"/_deactivate", `{}`), 200)
		check("grant deactivated", "")
		wardentest.Must(t, in.Admin(t, "POST", "/management/v1/users/"+ann+"/grants/"+gid+"/_reactivate", `{}`), 200)
		check("grant reactivated", rolesOf(orgID, domain, "admin", "reader"))
		wardentest.Must(t, in.Admin(t, "POST", "/management/v1/projects/"+rp.ProjectID+"/_deactivate", `{}`), 200)
		ir := post(t, in, "/oauth/v2/introspect", url.Values{"token": {si.Token.AccessToken}}, apiID, apiSecret)
		if ir.body["active"] != false {
			t.Errorf("a token of a deactivated project's app is active: %s", ir.raw)
		}
		wardentest.Must(t, in.Admin(t, "POST", "/management/v1/projects/"+rp.ProjectID+"/_reactivate", `{}`), 200)
		check("project reactivated", rolesOf(orgID, domain, "admin", "reader"))
		wardentest.Must(t, in.Admin(t, "DELETE", "/management/v1/users/"+ann+"/grants/"+gid, ""), 200)
		check("grant removed", "")

		// No assertion anywhere: the scopes ask. Another project's roles come
		// with its audience scope and the all-projects scope.
		other := project(t, in)
		wardentest.Must(t, in.Admin(t, "POST", "/management/v1/projects/"+other+"/roles", `{"roleKey":"viewer"}`), 200)
		addGrant(t, in, ann, other, "viewer")
		plain := wardentest.NewRP(t, in, wardentest.RPOptions{Scopes: []string{"openid",
			"urn:zitadel:iam:org:project:id:" + other + ":aud", oauth.ScopeProjectsRoles}})
		wardentest.Must(t, in.Admin(t, "POST", "/management/v1/projects/"+plain.ProjectID+"/roles", `{"roleKey":"editor"}`), 200)
		addGrant(t, in, ann, plain.ProjectID, "editor")
		ps := plain.SignIn(t, wardentest.NewBrowser(t), name, password)
		ui := get(t, in, "/oidc/v1/userinfo", ps.Token.AccessToken)
		if g := roleClaimOf(t, ui.body, oauth.ProjectRolesClaim(other)); g != rolesOf(orgID, domain, "viewer") {
			t.Errorf("all-projects scope: %s = %s (%s)", oauth.ProjectRolesClaim(other), g, ui.raw)
		}
		if g := roleClaimOf(t, ui.body, own); g != rolesOf(orgID, domain, "editor") {
			t.Errorf("all-projects scope: %s = %s", own, g)
		}
		if g := roleClaimOf(t, verifiedClaims(t, in, ps.IDToken), own); g != "" {
			t.Errorf("an app without ID-token role assertion put roles in the ID token: %s", g)
		}
		one := wardentest.NewRP(t, in, wardentest.RPOptions{Scopes: []string{"openid", oauth.ScopeProjectRolePrefix + "editor"}})
		wardentest.Must(t, in.Admin(t, "POST", "/management/v1/projects/"+one.ProjectID+"/roles/_bulk", `{"roles":[{"key":"editor"},{"key":"boss"}]}`), 200)
		addGrant(t, in, ann, one.ProjectID, "editor", "boss")
		oneSI := one.SignIn(t, wardentest.NewBrowser(t), name, password)
		ui = get(t, in, "/oidc/v1/userinfo", oneSI.Token.AccessToken)
		if g := roleClaimOf(t, ui.body, own); g != rolesOf(orgID, domain, "editor") {
			t.Errorf("a role scope: %s = %s, want only the role asked for", own, g)
		}
		none := wardentest.NewRP(t, in, wardentest.RPOptions{Scopes: []string{"openid"}})
		wardentest.Must(t, in.Admin(t, "POST", "/management/v1/projects/"+none.ProjectID+"/roles", `{"roleKey":"x"}`), 200)
		addGrant(t, in, ann, none.ProjectID, "x")
		ns := none.SignIn(t, wardentest.NewBrowser(t), name, password)
		if ui := get(t, in, "/oidc/v1/userinfo", ns.Token.AccessToken); roleClaimOf(t, ui.body, own) != "" {
			t.Errorf("roles without assertion or a role scope: %s", ui.raw)
		}
	})
}

// signInRefused runs a sign-in at rp and wants the login page's refusal with text.
func signInRefused(t testing.TB, rp *wardentest.RP, loginName, text string) {
	t.Helper()
	b := wardentest.NewBrowser(t)
	v := b.Get(rp.StartURL())
	v = b.Submit(v, v.FormWith(t, "loginName"), map[string]string{"loginName": loginName})
	v = b.Submit(v, v.FormWith(t, "password"), map[string]string{"password": password})
	if v.Status != 403 || !strings.Contains(v.Body, text) || strings.HasPrefix(v.URL.String(), rp.Srv.URL) {
		t.Fatalf("sign-in of %s: %d at %s, want 403 with %q:\n%s", loginName, v.Status, v.URL, text, v.Text())
	}
}

// TestProjectChecks: with projectRoleCheck a user without a grant on the
// project cannot sign in to its app (ZITADEL's grant-required refusal), one
// with a grant can; when the grant is removed or deactivated, or the project
// deactivated, that user's access token is refused at once (introspection
// inactive, userinfo 401) and its refresh token gets nothing. With
// hasProjectCheck a user of another organisation cannot sign in.
func TestProjectChecks(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		in := start(t, open(t))
		rp := wardentest.NewRP(t, in, wardentest.RPOptions{Scopes: []string{"openid", "offline_access"}})
		assertingApp(t, in, rp, true, true)
		apiID, apiSecret := apiApp(t, in, rp.ProjectID)
		annName, bobName := unique("ann"), unique("bob")
		ann := in.ImportHuman(t, "", annName, password)
		in.ImportHuman(t, "", bobName, password)
		gid := addGrant(t, in, ann, rp.ProjectID, "reader")

		signInRefused(t, rp, bobName, login.TextGrantRequired)
		si := rp.SignIn(t, wardentest.NewBrowser(t), annName, password)
		active := func() bool {
			t.Helper()
			ir := post(t, in, "/oauth/v2/introspect", url.Values{"token": {si.Token.AccessToken}}, apiID, apiSecret)
			return ir.body["active"] == true
		}
		if !active() {
			t.Fatal("a granted user's token is not active")
		}
		wardentest.Must(t, in.Admin(t, "POST", "/management/v1/users/"+ann+"/grants/"+gid+"/_deactivate", `{}`), 200)
		if active() {
			t.Error("the token is active after its user's grant was deactivated")
		}
		if ui := get(t, in, "/oidc/v1/userinfo", si.Token.AccessToken); ui.status != 401 {
			t.Errorf("userinfo after the grant's deactivation: %d %s", ui.status, ui.raw)
		}
		wardentest.Must(t, in.Admin(t, "POST", "/management/v1/users/"+ann+"/grants/"+gid+"/_reactivate", `{}`), 200)
		if !active() {
			t.Fatal("the token is not active after the grant's reactivation")
		}
		wardentest.Must(t, in.Admin(t, "POST", "/management/v1/projects/"+rp.ProjectID+"/_deactivate", `{}`), 200)
		if active() {
			t.Error("the token is active while its project is deactivated")
		}
		signInRefused(t, rp, annName, login.TextProjectInactive)
		wardentest.Must(t, in.Admin(t, "POST", "/management/v1/projects/"+rp.ProjectID+"/_reactivate", `{}`), 200)
		wardentest.Must(t, in.Admin(t, "DELETE", "/management/v1/users/"+ann+"/grants/"+gid, ""), 200)
		if active() {
			t.Error("the token is active after its user's last grant was removed")
		}
		if _, err := rp.Refresh(si.Token.RefreshToken); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
			t.Errorf("refresh after the grant's removal: %v, want invalid_grant", err)
		}
		signInRefused(t, rp, annName, login.TextGrantRequired)

		// hasProjectCheck: a user of another org, even with a grant.
		other := in.AddOrg(t, unique("other"))
		dom := wardentest.Must(t, in.DoHeaders(t, "GET", "/management/v1/orgs/me", in.Boot.Token, "", map[string]string{"x-zitadel-orgid": other}), 200).Str("org", "primaryDomain")
		carlName := unique("carl")
		carl := in.ImportHuman(t, other, carlName, password)
		addGrant(t, in, carl, rp.ProjectID, "reader")
		signInRefused(t, rp, carlName+"@"+dom, login.TextProjectRequired)
	})
}
