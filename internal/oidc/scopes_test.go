package oidc_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
)

// TestReservedScopes: a sign-in asking for ZITADEL's resource-owner and org
// scopes gets their claims — urn:zitadel:iam:user:resourceowner:id, :name and
// :primary_domain, urn:zitadel:iam:org:id and urn:zitadel:iam:org:domain:primary
// — in the ID token, at userinfo and at introspection, and the scopes are
// granted, so a refresh asking for the sign-in's own scopes succeeds and keeps
// the claims. A reserved scope Warden does not serve is left out of the grant
// and ignored when the refresh repeats it; a refresh still cannot widen the grant.
func TestReservedScopes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		in := start(t, open(t))
		orgID, orgName, domain := defaultOrg(t, in)
		name := unique("ann")
		userID := in.ImportHuman(t, "", name, password)
		const unserved = "urn:zitadel:iam:org:idp:id:1"
		scopes := []string{"openid", "profile", "offline_access", oauth.ScopeResourceOwner,
			oauth.ScopeOrgIDPrefix + orgID, oauth.ScopeOrgDomainPrefix + domain, unserved}
		rp := wardentest.NewRP(t, in, wardentest.RPOptions{Scopes: scopes})
		apiID, apiSecret := apiApp(t, in, rp.ProjectID)
		want := map[string]string{
			oauth.ClaimResourceOwnerID: orgID, oauth.ClaimResourceOwnerName: orgName, oauth.ClaimResourceOwnerPrimaryDomain: domain,
			oauth.ClaimOrgID: orgID, oauth.ClaimOrgDomain: domain, "sub": userID,
		}

		si := rp.SignIn(t, wardentest.NewBrowser(t), name, password)
		wantClaims(t, "ID token", verifiedClaims(t, in, si.IDToken), want)
		granted := strings.Fields(si.Token.Extra("scope").(string))
		for _, sc := range scopes {
			if got := slices.Contains(granted, sc); got != (sc != unserved) {
				t.Errorf("granted scope %q: %v (granted %v)", sc, got, granted)
			}
		}
		check := func(what, access string) {
			t.Helper()
			ui := get(t, in, "/oidc/v1/userinfo", access)
			if ui.status != 200 {
				t.Fatalf("%s: userinfo %d %s", what, ui.status, ui.raw)
			}
			wantClaims(t, what+": userinfo", ui.body, want)
			ir := post(t, in, "/oauth/v2/introspect", url.Values{"token": {access}}, apiID, apiSecret)
			if ir.status != 200 || ir.body["active"] != true {
				t.Fatalf("%s: introspection %d %s", what, ir.status, ir.raw)
			}
			wantClaims(t, what+": introspection", ir.body, want)
		}
		check("sign-in", si.Token.AccessToken)

		// zitadel/oidc's rp.RefreshTokens sends the sign-in's own scopes.
		ref := post(t, in, "/oauth/v2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {si.Token.RefreshToken},
			"scope": {strings.Join(scopes, " ")}}, rp.ClientID, rp.Config.ClientSecret)
		if ref.status != 200 {
			t.Fatalf("refresh with the sign-in's own scopes: %d %s", ref.status, ref.raw)
		}
		check("refreshed", ref.str("access_token"))
		if strings.Contains(ref.str("scope"), unserved) {
			t.Errorf("the refresh granted the unserved scope: %q", ref.str("scope"))
		}
		wantClaims(t, "refreshed ID token", verifiedClaims(t, in, ref.str("id_token")), want)

		// Only what the sign-in granted: a scope it did not get is invalid_scope.
		wider := post(t, in, "/oauth/v2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {ref.str("refresh_token")},
			"scope": {"openid urn:zitadel:iam:org:project:id:" + rp.ProjectID + ":aud"}}, rp.ClientID, rp.Config.ClientSecret)
		if wider.status != 400 || wider.str("error") != "invalid_scope" {
			t.Fatalf("refresh widening the grant: %d %s, want 400 invalid_scope", wider.status, wider.raw)
		}
	})
}

// TestResourceOwnerOnly: the resource-owner scope alone names the user's org
// (not the org scopes' claims), and a sign-in without it names none.
func TestResourceOwnerOnly(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		in := start(t, open(t))
		orgID, _, _ := defaultOrg(t, in)
		name := unique("bo")
		in.ImportHuman(t, "", name, password)
		for _, tc := range []struct {
			scopes []string
			owner  bool
		}{
			{[]string{"openid", oauth.ScopeResourceOwner}, true},
			{[]string{"openid", "profile"}, false},
		} {
			rp := wardentest.NewRP(t, in, wardentest.RPOptions{Scopes: tc.scopes})
			si := rp.SignIn(t, wardentest.NewBrowser(t), name, password)
			for what, claims := range map[string]map[string]any{
				"ID token": verifiedClaims(t, in, si.IDToken),
				"userinfo": get(t, in, "/oidc/v1/userinfo", si.Token.AccessToken).body,
			} {
				if got, _ := claims[oauth.ClaimResourceOwnerID].(string); (got == orgID) != tc.owner || (!tc.owner && got != "") {
					t.Errorf("scopes %v, %s: resource owner %q", tc.scopes, what, got)
				}
				if _, ok := claims[oauth.ClaimOrgID]; ok {
					t.Errorf("scopes %v, %s: org id claim without an org scope", tc.scopes, what)
				}
			}
		}
	})
}

// TestMetadataClaim: the scope urn:zitadel:iam:user:metadata puts the user's
// metadata (key → unpadded base64url of the value, as ZITADEL encodes the
// claim) into the ID token, userinfo, introspection and a JWT access token,
// read at each call: a change is seen by the next userinfo and introspection.
// An introspected PAT carries it as ZITADEL's do; without the scope, or
// without metadata, there is no claim.
func TestMetadataClaim(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		in := start(t, open(t))
		name := unique("meta")
		userID := in.ImportHuman(t, "", name, password)
		wardentest.Must(t, in.Admin(t, "POST", "/management/v1/users/"+userID+"/metadata/color", `{"value":"Ymx1ZQ=="}`), 200)
		claim := func(claims map[string]any) map[string]any {
			m, _ := claims[oauth.ClaimUserMetadata].(map[string]any)
			return m
		}
		rp := wardentest.NewRP(t, in, wardentest.RPOptions{Scopes: []string{"openid", oauth.ScopeUserMetadata}})
		apiID, apiSecret := apiApp(t, in, rp.ProjectID)
		si := rp.SignIn(t, wardentest.NewBrowser(t), name, password)
		if m := claim(verifiedClaims(t, in, si.IDToken)); m["color"] != "Ymx1ZQ" || len(m) != 1 {
			t.Fatalf("ID token: %v", m)
		}
		if m := claim(get(t, in, "/oidc/v1/userinfo", si.Token.AccessToken).body); m["color"] != "Ymx1ZQ" {
			t.Fatalf("userinfo: %v", m)
		}
		// A change is seen by the next call.
		wardentest.Must(t, in.Admin(t, "POST", "/management/v1/users/"+userID+"/metadata/size", `{"value":"TA=="}`), 200)
		wardentest.Must(t, in.Admin(t, "DELETE", "/management/v1/users/"+userID+"/metadata/color", ""), 200)
		if m := claim(get(t, in, "/oidc/v1/userinfo", si.Token.AccessToken).body); m["size"] != "TA" || len(m) != 1 {
			t.Fatalf("userinfo after the change: %v", m)
		}
		ir := post(t, in, "/oauth/v2/introspect", url.Values{"token": {si.Token.AccessToken}}, apiID, apiSecret)
		if m := claim(ir.body); ir.body["active"] != true || m["size"] != "TA" || len(m) != 1 {
			t.Fatalf("introspection: %s", ir.raw)
		}

		// A JWT access token carries the claim as of its issuance, as ZITADEL's
		// (its userinfo's claims) does.
		jrp := wardentest.NewRP(t, in, wardentest.RPOptions{Scopes: []string{"openid", oauth.ScopeUserMetadata}})
		assertingApp(t, in, jrp, false, false)
		js := jrp.SignIn(t, wardentest.NewBrowser(t), name, password)
		if !isJWT(js.Token.AccessToken) {
			t.Fatal("the access token is not a JWT")
		}
		if m := claim(verifiedClaims(t, in, js.Token.AccessToken)); m["size"] != "TA" || len(m) != 1 {
			t.Fatalf("JWT access token: %v", m)
		}

		// Without the scope: no claim.
		plain := wardentest.NewRP(t, in, wardentest.RPOptions{Scopes: []string{"openid"}})
		ps := plain.SignIn(t, wardentest.NewBrowser(t), name, password)
		if _, ok := get(t, in, "/oidc/v1/userinfo", ps.Token.AccessToken).body[oauth.ClaimUserMetadata]; ok {
			t.Error("userinfo has the claim without the scope")
		}

		// A PAT: the scope is its own; its user's metadata comes with it.
		svc := in.AddMachine(t, "", unique("svc"))
		pat := in.AddPAT(t, svc)
		if r := post(t, in, "/oauth/v2/introspect", url.Values{"token": {pat}}, apiID, apiSecret); r.body[oauth.ClaimUserMetadata] != nil {
			t.Fatalf("a PAT of a user without metadata: %s", r.raw)
		}
		wardentest.Must(t, in.Admin(t, "POST", "/management/v1/users/"+svc+"/metadata/tier", `{"value":"+/8="}`), 200) // 0xfb 0xff
		r := post(t, in, "/oauth/v2/introspect", url.Values{"token": {pat}}, apiID, apiSecret)
		if m := claim(r.body); m["tier"] != "-_8" { // base64url, unpadded
			t.Fatalf("PAT introspection: %s", r.raw)
		}
	})
}
