package oidc_test

import (
	"testing"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
)

// TestSignInWithOrgDomain, end to end on both engines: an org adds a domain,
// proves it over HTTP against a loopback challenge server and makes it
// primary; a user of the org then signs in as user@thatdomain on the login
// page, and the tokens speak of the new domain — the role claim
// ({role: {orgId: domain}}), the preferred username, the resource owner's
// primary domain, and the org scope urn:zitadel:iam:org:domain:primary:{d}.
// The generated domain, verified still, signs the user in too; a domain the
// org only added (unverified) does not.
func TestSignInWithOrgDomain(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		ch := wardentest.NewChallenges(t)
		in := wardentest.Start(t, open(t), wardentest.Options{Login: &login.Options{}, AppOptions: []app.Option{ch.Option()}})
		orgID, _, generated := defaultOrg(t, in)
		const d = "sso.example.com"
		wardentest.Must(t, in.Admin(t, "POST", "/management/v1/orgs/me/domains", `{"domain":"`+d+`"}`), 200)
		g := wardentest.Must(t, in.Admin(t, "POST", "/management/v1/orgs/me/domains/"+d+"/validation/_generate", `{"type":"DOMAIN_VALIDATION_TYPE_HTTP"}`), 200)
		ch.Publish(d, g.Str("token"))
		wardentest.Must(t, in.Admin(t, "POST", "/management/v1/orgs/me/domains/"+d+"/validation/_validate", `{}`), 200)
		wardentest.Must(t, in.Admin(t, "POST", "/management/v1/orgs/me/domains/"+d+"/_set_primary", ``), 200)
		wardentest.Must(t, in.Admin(t, "POST", "/management/v1/orgs/me/domains", `{"domain":"unproven.example.com"}`), 200)

		rp := wardentest.NewRP(t, in, wardentest.RPOptions{Scopes: []string{"openid", "profile", oauth.ScopeResourceOwner, oauth.ScopeOrgDomainPrefix + d}})
		assertingApp(t, in, rp, false, false)
		name := unique("ann")
		ann := in.ImportHuman(t, "", name, password)
		addGrant(t, in, ann, rp.ProjectID, "admin")

		si := rp.SignIn(t, wardentest.NewBrowser(t), name+"@"+d, password)
		idt := verifiedClaims(t, in, si.IDToken)
		if got, want := roleClaimOf(t, idt, oauth.ClaimProjectRoles), rolesOf(orgID, d, "admin"); got != want {
			t.Errorf("role claim %s, want %s", got, want)
		}
		wantClaims(t, "ID token", idt, map[string]string{"sub": ann, oauth.ClaimResourceOwnerPrimaryDomain: d,
			oauth.ClaimResourceOwnerID: orgID, oauth.ClaimOrgDomain: d})
		ui := get(t, in, "/oidc/v1/userinfo", si.Token.AccessToken)
		wantClaims(t, "userinfo", ui.body, map[string]string{"preferred_username": name + "@" + d, oauth.ClaimResourceOwnerPrimaryDomain: d})

		// Any verified domain of the org is a login name's domain.
		plain := wardentest.NewRP(t, in, wardentest.RPOptions{Scopes: []string{"openid"}})
		if si := plain.SignIn(t, wardentest.NewBrowser(t), name+"@"+generated, password); verifiedClaims(t, in, si.IDToken)["sub"] != ann {
			t.Fatal("the generated domain no longer signs the user in")
		}
		// An unproven one is not.
		if _, err := in.App.FindLoginUser(t.Context(), name+"@unproven.example.com"); err == nil {
			t.Fatal("a login name with an unverified domain found the user")
		}
	})
}
