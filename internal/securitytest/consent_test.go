package securitytest

import (
	"net/url"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
)

// TestUntrustedAppNeedsConsentForAPI (issue 8, item 5): an app made by an
// ORG_PROJECT_CREATOR asks for Warden's API audience for whoever signs in. The
// user is asked first, on a page naming the app and its organisation; a denial
// gives the app nothing, an allowance is remembered for that user and app. An
// administrator's app needs no consent — until someone else rewrites its
// configuration.
func TestUntrustedAppNeedsConsentForAPI(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{})
		creator := e.AddMachine(t, "", "creator")
		e.Grant(t, "", creator, "ORG_PROJECT_CREATOR")
		creatorTok := e.AddPAT(t, creator)
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{Token: creatorTok})
		victim := e.human("", "victim")
		e.Grant(t, "", victim, "ORG_USER_MANAGER")

		b := wardentest.NewBrowser(t)
		toConsent := func() *wardentest.View {
			t.Helper()
			v := b.Get(rp.StartURL())
			if i := formIndex(v, "loginName"); i >= 0 {
				v = b.Submit(v, i, map[string]string{"loginName": "victim"})
				v = b.Submit(v, v.FormWith(t, "password"), map[string]string{"password": Password})
			}
			if v.Status != 200 || !strings.Contains(v.Text(), "asks to use Warden's API") {
				t.Fatalf("want the consent page, at %s (%d): %s", v.URL, v.Status, v.Text())
			}
			if !strings.Contains(v.Text(), "web") || !strings.Contains(v.Text(), "Warden") {
				t.Fatalf("the consent page does not name the app and its organisation: %s", v.Text())
			}
			return v
		}
		// Deny: the app gets an error, no code.
		v := toConsent()
		v = b.Submit(v, v.FormWith(t, "decision"), map[string]string{"decision": "deny"})
		if !strings.Contains(v.Body, "access_denied") || rp.Last() != nil {
			t.Fatalf("after a denial at %s: %s", v.URL, v.Text())
		}
		// Allow: the token carries the API and works there.
		v = toConsent()
		v = b.Submit(v, v.FormWith(t, "decision"), map[string]string{"decision": "allow"})
		s := rp.AtCallback(t, v)
		wardentest.Must(t, e.Do(t, "GET", "/management/v1/users/"+victim, s.Token.AccessToken, ""), 200)
		// Remembered: the next sign-in asks nothing.
		if s := rp.AtCallback(t, b.Get(rp.StartURL())); s.Subject != victim {
			t.Fatalf("signed in %s", s.Subject)
		}

		// An administrator's app needs no consent...
		trusted := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		b2 := wardentest.NewBrowser(t)
		s2 := trusted.SignIn(t, b2, "victim", Password)
		wardentest.Must(t, e.Do(t, "GET", "/management/v1/users/"+victim, s2.Token.AccessToken, ""), 200)
		// ...which the project creator cannot touch (another's project), and
		// which must ask like any other once someone other than an IAM owner
		// (here an org owner) rewrites its configuration, say its redirect URIs.
		appID := strings.SplitN(trusted.ClientID, "@", 2)[0]
		cfgPath := "/management/v1/projects/" + trusted.ProjectID + "/apps/" + appID + "/oidc_config"
		if r := e.Do(t, "PUT", cfgPath, creatorTok, `{"redirectUris":["https://attacker.example/cb"],"grantTypes":["OIDC_GRANT_TYPE_AUTHORIZATION_CODE"]}`); r.Status != 403 {
			t.Fatalf("a project creator rewrote another's app: %d %s", r.Status, r.Raw)
		}
		owner := e.AddMachine(t, "", "orgowner")
		e.Grant(t, "", owner, "ORG_OWNER")
		wardentest.Must(t, e.Do(t, "PUT", cfgPath, e.AddPAT(t, owner), `{
			"redirectUris":["`+trusted.Srv.URL+`/callback","https://attacker.example/cb"],
			"responseTypes":["OIDC_RESPONSE_TYPE_CODE"],
			"grantTypes":["OIDC_GRANT_TYPE_AUTHORIZATION_CODE","OIDC_GRANT_TYPE_REFRESH_TOKEN"],
			"appType":"OIDC_APP_TYPE_WEB","authMethodType":"OIDC_AUTH_METHOD_TYPE_BASIC","devMode":true}`), 200)
		v = b2.Get(trusted.StartURL())
		if !strings.Contains(v.Text(), "asks to use Warden's API") {
			t.Fatalf("a rewritten app got the API without consent: at %s: %s", v.URL, v.Text())
		}
	})
}

// formIndex is the index of the first form with field, or -1.
func formIndex(v *wardentest.View, field string) int {
	for i, f := range v.Forms {
		if _, ok := f.Fields[field]; ok {
			return i
		}
	}
	return -1
}

// TestOnlyIAMOwnerTrustsApps (issue 8, item 5): an org owner cannot make its
// own app trusted with Warden's API from the console; an IAM owner can, and
// then the app's users are no longer asked.
func TestOnlyIAMOwnerTrustsApps(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{})
		owner := e.human("", "owner")
		e.Grant(t, "", owner, "ORG_OWNER")
		iam := e.human("", "iam")
		e.instanceRole(t, iam, "IAM_OWNER")
		ownerTok := e.AddMachine(t, "", "ownerbot")
		e.Grant(t, "", ownerTok, "ORG_OWNER")
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{Token: e.AddPAT(t, ownerTok)})
		appID := strings.SplitN(rp.ClientID, "@", 2)[0]
		trustForm := "/ui/console/apps/" + rp.ProjectID + "/" + appID + "/trust"

		consoleAs := func(name string) (*wardentest.Browser, *wardentest.View) {
			b := wardentest.NewBrowser(t)
			v := b.Get(e.Base + "/ui/console/apps")
			v = b.Submit(v, v.FormWith(t, "loginName"), map[string]string{"loginName": name})
			v = b.Submit(v, v.FormWith(t, "password"), map[string]string{"password": Password})
			if v.URL.Path != "/ui/console/apps" || v.Status != 200 {
				t.Fatalf("console apps page as %s: %d at %s: %s", name, v.Status, v.URL, v.Text())
			}
			return b, v
		}
		// The org owner sees the app, no trust button, and a forged post is refused.
		ob, ov := consoleAs("owner")
		if !strings.Contains(ov.Text(), "Asks each user") || strings.Contains(ov.Body, trustForm) {
			t.Fatalf("org owner's apps page: %s", ov.Text())
		}
		csrf := ov.Forms[0].Fields.Get("csrf")
		if got := ob.Post(e.Base+trustForm, url.Values{"csrf": {csrf}, "trusted": {"true"}}); got.Status != 403 {
			t.Fatalf("org owner trusting its app: %d %s", got.Status, got.Text())
		}
		// The IAM owner trusts it.
		ib, iv := consoleAs("iam")
		for i, f := range iv.Forms {
			if strings.HasSuffix(f.Action, trustForm) {
				iv = ib.Submit(iv, i, nil)
				break
			}
		}
		if !strings.Contains(iv.Text(), "is trusted") {
			t.Fatalf("after trusting: %s", iv.Text())
		}
		// Its users are not asked any more.
		e.Grant(t, "", e.human("", "user2"), "ORG_USER_READ")
		s := rp.SignIn(t, wardentest.NewBrowser(t), "user2", Password)
		wardentest.Must(t, e.Do(t, "GET", "/management/v1/orgs/me", s.Token.AccessToken, ""), 200)
	})
}
