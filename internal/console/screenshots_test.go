package console_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestScreenshots regenerates docs/screenshots (make screenshots): a server
// with sample data, the administrator signed in through the login page, and a
// PNG of each main page. It runs only when WARDEN_SCREENSHOTS names the
// output directory, so the ordinary test run writes nothing.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("WARDEN_SCREENSHOTS")
	if dir == "" {
		t.Skip("set WARDEN_SCREENSHOTS=dir to write the console's screenshots there (make screenshots)")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	e := startEnv(t)
	// Sample data: a small team, one of each state, two machine users.
	e.api("POST", "/management/v1/policies/lockout", `{"maxPasswordAttempts":3}`)
	people := []struct{ name, first, last string }{
		{"ann.lee", "Ann", "Lee"}, {"ben.okafor", "Ben", "Okafor"}, {"chen.wei", "Chen", "Wei"},
		{"dana.kraus", "Dana", "Kraus"}, {"fatima.haddad", "Fatima", "Haddad"}, {"gus.moreau", "Gus", "Moreau"},
	}
	ids := map[string]string{}
	for _, p := range people {
		ids[p.name] = e.api("POST", "/management/v1/users/human/_import", fmt.Sprintf(
			`{"userName":%q,"profile":{"firstName":%q,"lastName":%q},"email":{"email":"%s@example.com","isEmailVerified":true},"password":%q}`,
			p.name, p.first, p.last, p.name, password)).str("userId")
	}
	e.api("POST", "/management/v1/users/human/_import",
		`{"userName":"erik.berg","profile":{"firstName":"Erik","lastName":"Berg"},"email":{"email":"erik.berg@example.com"}}`)
	for _, m := range []struct{ name, desc string }{{"ci-deployer", "Deploys from CI"}, {"backup-bot", "Nightly backups"}} {
		id := e.api("POST", "/management/v1/users/machine", fmt.Sprintf(`{"userName":%q,"name":%q,"description":%q}`, m.name, m.name, m.desc)).str("userId")
		e.api("POST", "/management/v1/users/"+id+"/pats", `{}`)
	}
	for name, role := range map[string]string{"ann.lee": "ORG_OWNER", "ben.okafor": "ORG_USER_MANAGER", "chen.wei": "ORG_OWNER_VIEWER"} {
		e.api("POST", "/management/v1/orgs/me/members", `{"userId":"`+ids[name]+`","roles":["`+role+`"]}`)
	}
	e.api("POST", "/management/v1/users/"+ids["dana.kraus"]+"/_deactivate", "{}")
	// A project with roles, two apps (one with a key) and grants.
	shop := e.api("POST", "/management/v1/projects", `{"name":"Storefront","projectRoleAssertion":true,"projectRoleCheck":true}`).str("id")
	e.api("POST", "/management/v1/projects/"+shop+"/roles/_bulk", `{"roles":[{"key":"admin","displayName":"Administrator","group":"staff"},`+
		`{"key":"editor","displayName":"Catalogue editor","group":"staff"},{"key":"customer","displayName":"Customer"}]}`)
	e.api("POST", "/management/v1/projects/"+shop+"/apps/oidc", `{"name":"Web shop","redirectUris":["https://shop.example.com/callback"],`+
		`"responseTypes":["OIDC_RESPONSE_TYPE_CODE"],"grantTypes":["OIDC_GRANT_TYPE_AUTHORIZATION_CODE","OIDC_GRANT_TYPE_REFRESH_TOKEN"],`+
		`"appType":"OIDC_APP_TYPE_WEB","authMethodType":"OIDC_AUTH_METHOD_TYPE_BASIC"}`)
	ordersAPI := e.api("POST", "/management/v1/projects/"+shop+"/apps/api", `{"name":"Orders API","authMethodType":"API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"}`).str("appId")
	e.api("POST", "/management/v1/projects/"+shop+"/apps/"+ordersAPI+"/keys", `{"type":"KEY_TYPE_JSON"}`)
	e.api("POST", "/management/v1/users/"+ids["ann.lee"]+"/grants", `{"projectId":"`+shop+`","roleKeys":["admin","editor"]}`)
	e.api("POST", "/management/v1/users/"+ids["ben.okafor"]+"/grants", `{"projectId":"`+shop+`","roleKeys":["editor"]}`)
	// Who works on it: a project owner, and a partner org with a grant and its owner.
	e.api("POST", "/management/v1/projects/"+shop+"/members", `{"userId":"`+ids["chen.wei"]+`","roles":["PROJECT_OWNER"]}`)
	e.api("POST", "/management/v1/projects/"+shop+"/members", `{"userId":"`+ids["ben.okafor"]+`","roles":["PROJECT_OWNER_VIEWER"]}`)
	partner := e.api("POST", "/management/v1/orgs", `{"name":"Northwind Traders"}`).str("id")
	e.api("POST", "/management/v1/orgs", `{"name":"Contoso"}`)
	hana := e.importHumanIn(partner, "hana.sato")
	shopGrant := e.api("POST", "/management/v1/projects/"+shop+"/grants", `{"grantedOrgId":"`+partner+`","roleKeys":["customer","editor"]}`).str("grantId")
	e.api("POST", "/management/v1/projects/"+shop+"/grants/"+shopGrant+"/members", `{"userId":"`+hana+`","roles":["PROJECT_GRANT_OWNER"]}`)
	ctx := context.Background()
	for range 3 { // the lockout policy locks gus
		_, _ = e.app.CheckPassword(ctx, ids["gus.moreau"], "not-his-password")
	}
	_, _ = e.app.CheckPassword(ctx, ids["fatima.haddad"], "a-typo")
	if _, err := e.app.CheckPassword(ctx, ids["fatima.haddad"], password); err != nil {
		t.Fatal(err)
	}

	c := newChrome(t)
	c.do("open the console", chromedp.Navigate(e.base+"/ui/console"))
	c.signIn(e.adminLogin, e.adminPassword, newAdminPassword)
	// Fatima is locked by the administrator through the console itself.
	c.do("lock fatima",
		chromedp.Navigate(e.base+"/ui/console/users/"+ids["fatima.haddad"]+"/confirm?action=lock"),
		chromedp.WaitVisible(chromedp.CSS("#confirm")))
	shot(c, dir, "confirm-lock.png")
	c.do("confirm", chromedp.Click(chromedp.CSS("#confirm")), chromedp.WaitVisible(chromedp.CSS("#lockinfo")))
	time.Sleep(50 * time.Millisecond)

	for _, p := range []struct{ path, wait, file string }{
		{"/ui/console/users", "#users", "users.png"},
		{"/ui/console/users/" + ids["fatima.haddad"], "#history", "user.png"},
		{"/ui/console/users/" + ids["gus.moreau"], "#history", "user-policy-lock.png"},
		{"/ui/console/members", "#members", "members.png"},
		{"/ui/console/policy", "#policy", "lockout-policy.png"},
		{"/ui/console/projects/" + shop, "#roles", "project.png"},
		{"/ui/console/users/" + ids["ann.lee"], "#grants", "user-grants.png"},
		{"/ui/console/projects/" + shop + "/members", "#members", "project-members.png"},
		{"/ui/console/projects/" + shop + "/grants/" + shopGrant, "#pgrant", "project-grant.png"},
	} {
		c.do("open "+p.path, chromedp.Navigate(e.base+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait)))
		shot(c, dir, p.file)
	}

	// The org's domains, last (they change no page above): one verified, one
	// with the HTTP validation just generated through the console.
	e.validateByAPI(e.orgID, "shop.example.com")
	e.api("POST", "/management/v1/orgs/me/domains", `{"domain":"partners.example.org"}`)
	c.do("the domains", chromedp.Navigate(e.base+"/ui/console/organisation/domains"),
		chromedp.WaitVisible(chromedp.CSS(`[id="generate-partners.example.org"]`)))
	c.do("generate a validation", chromedp.Click(chromedp.CSS(`[id="generate-partners.example.org"]`)),
		chromedp.WaitVisible(chromedp.CSS("#challenge")))
	shot(c, dir, "org-domains.png")
}

// shot saves a full-page PNG.
func shot(c *chrome, dir, file string) {
	c.t.Helper()
	sctx, cancel := context.WithTimeout(c.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		c.fatal("screenshot "+file, err)
	}
	if err := os.WriteFile(filepath.Join(dir, file), png, 0o644); err != nil {
		c.t.Fatal(err)
	}
}
