package console_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/warden-id/warden/internal/console"
	"github.com/warden-id/warden/internal/store/testdb"
)

// apiIn calls the REST API as the bootstrap machine admin in the org context
// orgID (x-zitadel-orgid); it fails the test unless the answer is 200.
func (e *env) apiIn(orgID, method, path, body string) reply {
	e.t.Helper()
	req, err := http.NewRequest(method, e.base+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("x-zitadel-orgid", orgID)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, raw: string(raw)}
	if len(bytes.TrimSpace(raw)) > 0 {
		_ = json.Unmarshal(raw, &r.body)
	}
	if r.status != 200 {
		e.t.Fatalf("%s %s in org %s: %d %s", method, path, orgID, r.status, r.raw)
	}
	return r
}

// importHumanIn is importHuman in another org; roles make it a member there.
func (e *env) importHumanIn(orgID, name string, roles ...string) string {
	e.t.Helper()
	body := fmt.Sprintf(`{"userName":%q,"profile":{"firstName":%q,"lastName":"Example"},"email":{"email":%q,"isEmailVerified":true},"password":%q}`,
		name, strings.ToUpper(name[:1])+name[1:], name+"@example.com", password)
	id := e.apiIn(orgID, "POST", "/management/v1/users/human/_import", body).str("userId")
	if len(roles) > 0 {
		rs, _ := json.Marshal(roles)
		e.apiIn(orgID, "POST", "/management/v1/orgs/me/members", `{"userId":"`+id+`","roles":`+string(rs)+`}`)
	}
	return id
}

// projectAccess is what the API says of a project's members, grants and the
// grants' members: a test compares it before and after refused posts.
func (e *env) projectAccess(pid string) string {
	e.t.Helper()
	out := fmt.Sprint(e.api("POST", "/management/v1/projects/"+pid+"/members/_search", `{}`).body["result"])
	grants := e.api("POST", "/management/v1/projects/"+pid+"/grants/_search", `{}`)
	out += "\n" + fmt.Sprint(grants.body["result"])
	list, _ := grants.body["result"].([]any)
	for _, g := range list {
		id, _ := g.(map[string]any)["grantId"].(string)
		out += "\n" + fmt.Sprint(e.api("POST", "/management/v1/projects/"+pid+"/grants/"+id+"/members/_search", `{}`).body["result"])
	}
	return out
}

// TestProjectMembersGrantsAndGrantMembers: with plain form posts (JavaScript
// off), on both engines, the administrator adds a project member by user
// name, changes its roles and removes it; grants the project to another org
// by the org's name, changes the grant's roles, deactivates and reactivates
// it; adds a user of the granted org to the grant by name, changes and removes
// it, and removes the grant — each checked through the API, bad input
// answered beside its form.
func TestProjectMembersGrantsAndGrantMembers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		e := startEnvOn(t, open(t))
		mia := e.importHuman("mia")
		acme := e.api("POST", "/management/v1/orgs", `{"name":"Acme"}`).str("id")
		bob := e.importHumanIn(acme, "bob")
		pid := e.api("POST", "/management/v1/projects", `{"name":"Shop"}`).str("id")
		e.api("POST", "/management/v1/projects/"+pid+"/roles/_bulk", `{"roles":[{"key":"admin","displayName":"Administrator"},{"key":"viewer"}]}`)
		b := e.newBrowser()
		b.signIn(e.adminLogin, e.adminPassword, newAdminPassword)

		b.get("/ui/console/projects/"+pid).must(t, 200, `id="members-link"`, `id="grants-link"`)
		members := "/ui/console/projects/" + pid + "/members"
		b.get(members).must(t, 200, "Members of Shop", "No members.", `id="add-member"`, `value="PROJECT_OWNER"`, `value="PROJECT_OWNER_VIEWER"`)
		b.post(members, url.Values{"csrf": {b.csrf()}, "user": {"nobody"}, "role": {"PROJECT_OWNER"}}).
			must(t, http.StatusNotFound, `id="add-error"`, "User could not be found.", `value="nobody"`)
		b.post(members, url.Values{"csrf": {b.csrf()}, "user": {"mia"}, "role": {"ORG_OWNER"}}).
			must(t, http.StatusBadRequest, `id="add-error"`, "Enter a user and choose at least one role.")
		b.post(members, url.Values{"csrf": {b.csrf()}, "user": {"mia"}, "role": {"PROJECT_OWNER_VIEWER"}}).
			must(t, 200, "The member is added.", "mia@", `id="role-`+mia+`-PROJECT_OWNER_VIEWER" name="role" value="PROJECT_OWNER_VIEWER" checked`)
		pm := func() string { return e.api("POST", "/management/v1/projects/"+pid+"/members/_search", `{}`).raw }
		if got := pm(); !strings.Contains(got, `"userId":"`+mia+`"`) || !strings.Contains(got, `"roles":["PROJECT_OWNER_VIEWER"]`) {
			t.Fatalf("the API's project members after the add: %s", got)
		}
		b.post(members, url.Values{"csrf": {b.csrf()}, "user": {mia}, "role": {"PROJECT_OWNER"}}).
			must(t, http.StatusConflict, "the user is a member already")
		b.post(members+"/"+mia, url.Values{"csrf": {b.csrf()}, "role": {"PROJECT_OWNER_VIEWER"}}).
			must(t, http.StatusConflict, `id="error"`, "the member has these roles already")
		b.post(members+"/"+mia, url.Values{"csrf": {b.csrf()}, "role": {"PROJECT_OWNER"}}).must(t, 200, "The roles of the member are saved.")
		if got := pm(); !strings.Contains(got, `"roles":["PROJECT_OWNER"]`) {
			t.Fatalf("the API's project members after the change: %s", got)
		}
		b.get(members+"/"+mia+"/confirm").must(t, 200, "Remove mia@", "from Shop?")
		b.post(members+"/"+mia+"/remove", b.last.hidden()).must(t, 200, "The member is removed.", "No members.")
		if got := pm(); strings.Contains(got, mia) {
			t.Fatalf("the API's project members after the removal: %s", got)
		}

		// Grants: by the org's name, the roles chosen.
		grants := "/ui/console/projects/" + pid + "/grants"
		b.get(grants).must(t, 200, "Grants of Shop", "Not granted to any organisation.", `id="add-pgrant"`, `value="admin"`)
		b.post(grants, url.Values{"csrf": {b.csrf()}, "org": {"No such org"}, "role": {"admin"}}).
			must(t, http.StatusConflict, `id="add-error"`, "organisation not found", `value="No such org"`)
		b.post(grants, url.Values{"csrf": {b.csrf()}, "org": {"Warden"}, "role": {"admin"}}).
			must(t, http.StatusBadRequest, "A project cannot be granted to its own organisation.")
		b.post(grants, url.Values{"csrf": {b.csrf()}, "org": {"Acme"}, "role": {"nope"}}).
			must(t, http.StatusConflict, "the project has no such role")
		p := b.post(grants, url.Values{"csrf": {b.csrf()}, "org": {"Acme"}, "role": {"admin"}}).
			must(t, 200, "The project is granted.", "Shop for Acme", `value="admin" checked`, "ACTIVE")
		gid := idIn(t, p.url, "/grants/")
		grant := "/ui/console/projects/" + pid + "/grants/" + gid
		api := func() reply { return e.api("GET", "/management/v1/projects/"+pid+"/grants/"+gid, "") }
		if g := api(); g.str("projectGrant", "grantedOrgId") != acme || !strings.Contains(g.raw, `"grantedRoleKeys":["admin"]`) {
			t.Fatalf("the API's grant after the add: %s", g.raw)
		}
		b.post(grants, url.Values{"csrf": {b.csrf()}, "org": {acme}, "role": {"viewer"}}).
			must(t, http.StatusConflict, "the project is granted to this organisation already")
		b.get(grants).must(t, 200, `href="`+grant+`">Acme</a>`, `<span class="role">admin</span>`)
		b.post(grant, url.Values{"csrf": {b.csrf()}, "role": {"admin", "viewer"}}).must(t, 200, "The roles of the grant are saved.", `value="viewer" checked`)
		// protojson spaces its output at random: compare the parsed list.
		if g := api(); fmt.Sprint(g.body["projectGrant"].(map[string]any)["grantedRoleKeys"]) != "[admin viewer]" {
			t.Fatalf("the API's grant after the change: %s", g.raw)
		}
		b.post(grant, url.Values{"csrf": {b.csrf()}, "role": {"admin", "viewer"}}).must(t, http.StatusConflict, `id="error"`, "nothing was changed")
		b.get(grant+"/confirm?action=deactivate").must(t, 200, "Deactivate the grant of Shop to Acme?")
		b.post(grant+"/deactivate", b.last.hidden()).must(t, 200, "The grant is deactivated", "INACTIVE", "action=reactivate")
		if st := api().str("projectGrant", "state"); st != "PROJECT_GRANT_STATE_INACTIVE" {
			t.Fatalf("the API's grant state after the deactivation: %s", st)
		}
		b.post(grant+"/deactivate", url.Values{"csrf": {b.csrf()}}).must(t, http.StatusConflict, `id="error"`, "the grant is not active")
		b.post(grant+"/reactivate", url.Values{"csrf": {b.csrf()}}).must(t, 200, "The grant is reactivated.", "ACTIVE")
		if st := api().str("projectGrant", "state"); st != "PROJECT_GRANT_STATE_ACTIVE" {
			t.Fatalf("the API's grant state after the reactivation: %s", st)
		}

		// The grant's members: users of Acme only.
		b.get(grant).must(t, 200, "Members are users of Acme", `value="PROJECT_GRANT_OWNER"`, `value="PROJECT_GRANT_OWNER_VIEWER"`)
		b.post(grant+"/members", url.Values{"csrf": {b.csrf()}, "user": {mia}, "role": {"PROJECT_GRANT_OWNER"}}).
			must(t, http.StatusNotFound, `id="add-error"`, "User could not be found.")
		b.post(grant+"/members", url.Values{"csrf": {b.csrf()}, "user": {"bob"}, "role": {"PROJECT_GRANT_OWNER"}}).
			must(t, 200, "The member is added to the grant.", "bob@")
		gm := func() string {
			return e.api("POST", "/management/v1/projects/"+pid+"/grants/"+gid+"/members/_search", `{}`).raw
		}
		if got := gm(); !strings.Contains(got, `"userId":"`+bob+`"`) || !strings.Contains(got, `"roles":["PROJECT_GRANT_OWNER"]`) {
			t.Fatalf("the API's grant members after the add: %s", got)
		}
		b.post(grant+"/members/"+bob, url.Values{"csrf": {b.csrf()}, "role": {"PROJECT_GRANT_OWNER_VIEWER"}}).must(t, 200, "The roles of the member are saved.")
		if got := gm(); !strings.Contains(got, `"roles":["PROJECT_GRANT_OWNER_VIEWER"]`) {
			t.Fatalf("the API's grant members after the change: %s", got)
		}
		b.get(grant+"/members/"+bob+"/confirm").must(t, 200, "Remove bob@", "from the grant of Shop?")
		b.post(grant+"/members/"+bob+"/remove", b.last.hidden()).must(t, 200, "The member is removed from the grant.", "No members.")
		if got := gm(); strings.Contains(got, bob) {
			t.Fatalf("the API's grant members after the removal: %s", got)
		}

		b.get(grant+"/confirm?action=remove").must(t, 200, "Remove the grant of Shop to Acme?", "cannot be undone")
		b.post(grant+"/remove", b.last.hidden()).must(t, 200, "The grant is removed.", "Not granted to any organisation.")
		if got := e.api("POST", "/management/v1/projects/"+pid+"/grants/_search", `{}`).raw; strings.Contains(got, gid) {
			t.Fatalf("the API's grants after the removal: %s", got)
		}
		b.get(grant).must(t, http.StatusNotFound)
		b.get("/ui/console/projects/"+pid+"/grants/"+gid+"/confirm?action=nope").must(t, http.StatusNotFound)
	})
}

// TestProjectAccessAttackers: on both engines, a PROJECT_OWNER_VIEWER of the
// project sees its members, grants and grant members without a single form
// or action that writes, and its forged posts with the session's valid CSRF
// token (adding itself as PROJECT_OWNER, granting the project to its
// accomplice's org, ...) are refused by the use cases with 403; the owner of
// another org, whose org context does not hold the project, is refused too;
// and the administrator's own posts without the CSRF token are refused —
// nothing changes, as the API sees it.
func TestProjectAccessAttackers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		e := startEnvOn(t, open(t))
		mia := e.importHuman("mia")
		vera := e.importHuman("vera")
		acme := e.api("POST", "/management/v1/orgs", `{"name":"Acme"}`).str("id")
		bob := e.importHumanIn(acme, "bob")
		e.importHumanIn(acme, "eve", "ORG_OWNER")
		evil := e.api("POST", "/management/v1/orgs", `{"name":"Evil"}`).str("id")
		pid := e.api("POST", "/management/v1/projects", `{"name":"Shop"}`).str("id")
		e.api("POST", "/management/v1/projects/"+pid+"/roles", `{"roleKey":"admin"}`)
		e.api("POST", "/management/v1/projects/"+pid+"/members", `{"userId":"`+vera+`","roles":["PROJECT_OWNER_VIEWER"]}`)
		e.api("POST", "/management/v1/projects/"+pid+"/members", `{"userId":"`+mia+`","roles":["PROJECT_OWNER_VIEWER"]}`)
		gid := e.api("POST", "/management/v1/projects/"+pid+"/grants", `{"grantedOrgId":"`+acme+`","roleKeys":["admin"]}`).str("grantId")
		e.api("POST", "/management/v1/projects/"+pid+"/grants/"+gid+"/members", `{"userId":"`+bob+`","roles":["PROJECT_GRANT_OWNER_VIEWER"]}`)
		before := e.projectAccess(pid)
		members := "/ui/console/projects/" + pid + "/members"
		grants := "/ui/console/projects/" + pid + "/grants"
		grant := grants + "/" + gid

		v := e.newBrowser()
		v.signInAt("/ui/console/", "vera", password, "")
		noWrite := func(p page) {
			t.Helper()
			for _, s := range []string{`name="role"`, "/confirm", `id="add-member"`, `id="add-pgrant"`, `id="actions"`} {
				if strings.Contains(p.body, s) {
					t.Fatalf("%s offers %q to a PROJECT_OWNER_VIEWER", p.url, s)
				}
			}
		}
		noWrite(v.get(members).must(t, 200, "mia@", "vera@", `<span class="role">PROJECT_OWNER_VIEWER</span>`))
		noWrite(v.get(grants).must(t, 200, ">Acme</a>"))
		noWrite(v.get(grant).must(t, 200, "bob@", `<span class="role">admin</span>`))
		csrf := v.csrf()
		forged := []struct {
			path  string
			form  url.Values
			refus string
		}{
			{members, url.Values{"user": {vera}, "role": {"PROJECT_OWNER"}}, "add members to this project"},
			{members, url.Values{"user": {"eve"}, "role": {"PROJECT_OWNER"}}, "add members to this project"},
			{members + "/" + vera, url.Values{"role": {"PROJECT_OWNER"}}, "change the roles of members of this project"},
			{members + "/" + mia + "/remove", nil, "remove members of this project"},
			{grants, url.Values{"org": {"Evil"}, "role": {"admin"}}, "grant this project to other organisations"},
			{grants, url.Values{"org": {evil}, "role": {"admin"}}, "grant this project to other organisations"},
			{grant, url.Values{"role": {}}, "change project grants"},
			{grant + "/deactivate", nil, "deactivate project grants"},
			{grant + "/remove", nil, "remove project grants"},
			{grant + "/members", url.Values{"user": {bob}, "role": {"PROJECT_GRANT_OWNER"}}, "add members to this project grant"},
			{grant + "/members/" + bob, url.Values{"role": {"PROJECT_GRANT_OWNER"}}, "change the roles of members of this project grant"},
			{grant + "/members/" + bob + "/remove", nil, "remove members of this project grant"},
		}
		for _, f := range forged {
			form := url.Values{"csrf": {csrf}}
			for k, vs := range f.form {
				form[k] = vs
			}
			v.post(f.path, form).must(t, http.StatusForbidden, "You do not have permission to "+f.refus+".")
		}
		for _, path := range []string{members + "/" + mia + "/confirm", grant + "/confirm?action=remove", grant + "/confirm?action=deactivate",
			grant + "/members/" + bob + "/confirm"} {
			v.get(path).must(t, http.StatusForbidden)
		}
		if after := e.projectAccess(pid); after != before {
			t.Fatalf("the viewer's forged posts changed the project's access:\nbefore %s\nafter  %s", before, after)
		}

		// The owner of another org: the project is not in its org context.
		eve := e.newBrowser()
		eve.signIn("eve", password, "")
		eve.get(members).must(t, http.StatusNotFound)
		eveCSRF := eve.csrf()
		for _, f := range []struct {
			path string
			form url.Values
		}{
			{members, url.Values{"user": {"bob"}, "role": {"PROJECT_OWNER"}}},
			{grants, url.Values{"org": {"Evil"}, "role": {"admin"}}},
			{grant, url.Values{"role": {}}},
			{grant + "/remove", nil},
			{grant + "/members", url.Values{"user": {"eve"}, "role": {"PROJECT_GRANT_OWNER"}}},
			{grant + "/members/" + bob, url.Values{"role": {"PROJECT_GRANT_OWNER"}}},
		} {
			form := url.Values{"csrf": {eveCSRF}}
			for k, vs := range f.form {
				form[k] = vs
			}
			if p := eve.post(f.path, form); p.status != http.StatusNotFound && p.status != http.StatusForbidden {
				t.Fatalf("another org's owner posting to %s: %d %s", f.path, p.status, p.body)
			}
		}
		// Nor may it switch into the project's org.
		eve.post("/ui/console/org", url.Values{"csrf": {eveCSRF}, "orgId": {e.orgID}, "back": {members}}).must(t, http.StatusForbidden)
		if after := e.projectAccess(pid); after != before {
			t.Fatalf("another org's posts changed the project's access:\nbefore %s\nafter  %s", before, after)
		}

		// The administrator's own posts without the CSRF token.
		a := e.newBrowser()
		a.signIn(e.adminLogin, e.adminPassword, newAdminPassword)
		for _, f := range []struct {
			path string
			form url.Values
		}{
			{members, url.Values{"user": {"eve"}, "role": {"PROJECT_OWNER"}}},
			{members + "/" + mia + "/remove", url.Values{}},
			{grants, url.Values{"org": {"Evil"}, "role": {"admin"}}},
			{grant + "/remove", url.Values{}},
			{grant + "/members", url.Values{"user": {"bob"}, "role": {"PROJECT_GRANT_OWNER"}}},
		} {
			a.post(f.path, f.form).must(t, http.StatusForbidden, console.TextCSRF)
			f.form.Set("csrf", "x"+a.csrfOf(members))
			a.post(f.path, f.form).must(t, http.StatusForbidden, console.TextCSRF)
		}
		if after := e.projectAccess(pid); after != before {
			t.Fatalf("posts without the CSRF token changed the project's access:\nbefore %s\nafter  %s", before, after)
		}
	})
}

// csrfOf loads a console page and returns its CSRF token.
func (b *browser) csrfOf(path string) string {
	b.t.Helper()
	b.get(path)
	return b.csrf()
}

// TestHomeIsFirstReadablePage: the console's home (where a sign-in without a
// page to return to lands) is the users for an administrator, the projects
// for a project owner and a project creator — who may not read users — and
// a page that says so, with no way "back", for a user without any role; a
// project owner then adds a member to its project by the user's id.
func TestHomeIsFirstReadablePage(t *testing.T) {
	e := startEnv(t)
	mia := e.importHuman("mia")
	pete := e.importHuman("pete")
	e.importHuman("pia", "ORG_PROJECT_CREATOR")
	e.importHuman("nina")
	pid := e.api("POST", "/management/v1/projects", `{"name":"Shop"}`).str("id")
	e.api("POST", "/management/v1/projects/"+pid+"/members", `{"userId":"`+pete+`","roles":["PROJECT_OWNER"]}`)

	a := e.newBrowser()
	if p := a.signInAt("/ui/console/", e.adminLogin, e.adminPassword, newAdminPassword); !strings.HasPrefix(p.url, e.base+"/ui/console/users") {
		t.Fatalf("the administrator landed on %s", p.url)
	}
	a.get("/ui/console").must(t, 200, `id="users"`)

	po := e.newBrowser()
	p := po.signInAt("/ui/console/", "pete", password, "")
	if !strings.HasPrefix(p.url, e.base+"/ui/console/projects") {
		t.Fatalf("the project owner landed on %s", p.url)
	}
	p.must(t, 200, ">Shop</a>")
	if strings.Contains(p.body, `href="/ui/console/users"`) {
		t.Fatal("the project owner is offered the users")
	}
	po.get("/ui/console/users").must(t, http.StatusForbidden)
	po.get("/ui/console/projects/"+pid).must(t, 200, `id="members-link"`, `id="grants-link"`)
	po.post("/ui/console/projects/"+pid+"/members", url.Values{"csrf": {po.csrf()}, "user": {mia}, "role": {"PROJECT_OWNER_VIEWER"}}).
		must(t, 200, "The member is added.")
	if got := e.api("POST", "/management/v1/projects/"+pid+"/members/_search", `{}`).raw; !strings.Contains(got, mia) {
		t.Fatalf("the project's members after the owner's add: %s", got)
	}

	pe := e.newBrowser()
	if p := pe.signInAt("/ui/console/", "pia", password, ""); !strings.HasPrefix(p.url, e.base+"/ui/console/projects") {
		t.Fatalf("the project creator landed on %s", p.url)
	}

	n := e.newBrowser()
	p = n.signInAt("/ui/console/", "nina", password, "")
	p.must(t, 200, "Nothing to show", "Your roles give you no page of the console")
	if p.url != e.base+"/ui/console/" || strings.Contains(p.body, `id="home"`) {
		t.Fatalf("a user without roles: %s %s", p.url, p.body)
	}
}

// TestBrowserProjectMembersAndGrants drives headless Chromium, on both
// engines, through the project access pages: the administrator opens a
// project's members from its page, adds a member by user name with a role,
// grants the project to another org by its name with a role, adds a user of
// that org to the grant and deactivates the grant through its confirmation
// page — the API agrees with each step. Then a PROJECT_OWNER_VIEWER of the
// project lands on the projects (it may not read users), is offered no form
// on the members page, and its forged add-member and add-grant forms, sent
// with the session's CSRF token, are refused; nothing changes.
func TestBrowserProjectMembersAndGrants(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		e := startEnvOn(t, open(t))
		mia := e.importHuman("mia")
		vera := e.importHuman("vera")
		acme := e.api("POST", "/management/v1/orgs", `{"name":"Acme"}`).str("id")
		bob := e.importHumanIn(acme, "bob")
		e.api("POST", "/management/v1/orgs", `{"name":"Evil"}`)
		pid := e.api("POST", "/management/v1/projects", `{"name":"Shop"}`).str("id")
		e.api("POST", "/management/v1/projects/"+pid+"/roles", `{"roleKey":"admin"}`)
		e.api("POST", "/management/v1/projects/"+pid+"/members", `{"userId":"`+vera+`","roles":["PROJECT_OWNER_VIEWER"]}`)
		c := newChrome(t)

		c.do("open the console", chromedp.Navigate(e.base+"/ui/console"))
		c.signIn(e.adminLogin, e.adminPassword, newAdminPassword)
		c.do("the project", chromedp.Navigate(e.base+"/ui/console/projects/"+pid), chromedp.WaitVisible(chromedp.CSS("#members-link")))
		c.do("its members",
			chromedp.Click(chromedp.CSS("#members-link")),
			chromedp.WaitVisible(chromedp.CSS("#member-user")))
		c.do("add mia",
			chromedp.SendKeys(chromedp.CSS("#member-user"), "mia"),
			chromedp.Click(chromedp.CSS("#add-role-PROJECT_OWNER")),
			chromedp.Click(chromedp.CSS("#add-member-button")),
			chromedp.WaitVisible(chromedp.CSS("#notice")))
		if rows := c.text("members", "#members tbody"); !strings.Contains(rows, "mia@") {
			t.Fatalf("members %q", rows)
		}
		if got := e.api("POST", "/management/v1/projects/"+pid+"/members/_search", `{}`).raw; !strings.Contains(got, mia) || !strings.Contains(got, `"PROJECT_OWNER"`) {
			t.Fatalf("the API's members: %s", got)
		}

		c.do("back to the project", chromedp.Click(chromedp.CSS("#back-project")), chromedp.WaitVisible(chromedp.CSS("#grants-link")))
		c.do("its grants", chromedp.Click(chromedp.CSS("#grants-link")), chromedp.WaitVisible(chromedp.CSS("#grant-org")))
		c.do("grant to Acme",
			chromedp.SendKeys(chromedp.CSS("#grant-org"), "Acme"),
			chromedp.Click(chromedp.CSS(`#add-pgrant input[value="admin"]`)),
			chromedp.Click(chromedp.CSS("#add-pgrant-button")),
			chromedp.WaitVisible(chromedp.CSS("#pgrant")))
		if n := c.text("notice", "#notice"); n != "The project is granted." {
			t.Fatalf("notice %q", n)
		}
		gid := strings.TrimPrefix(c.eval("location", `location.pathname`), "/ui/console/projects/"+pid+"/grants/")
		g := e.api("GET", "/management/v1/projects/"+pid+"/grants/"+gid, "")
		if g.str("projectGrant", "grantedOrgId") != acme || !strings.Contains(g.raw, `"grantedRoleKeys":["admin"]`) {
			t.Fatalf("the API's grant: %s", g.raw)
		}
		c.do("add bob to the grant",
			chromedp.SendKeys(chromedp.CSS("#member-user"), "bob"),
			chromedp.Click(chromedp.CSS("#add-role-PROJECT_GRANT_OWNER")),
			chromedp.Evaluate[chromedp.Void](`document.body.dataset.before = "1"`),
			chromedp.Click(chromedp.CSS("#add-member-button")),
			chromedp.WaitVisible(chromedp.CSS("body:not([data-before]) #notice")))
		if rows := c.text("grant members", "#members tbody"); !strings.Contains(rows, "bob@") {
			t.Fatalf("grant members %q", rows)
		}
		if got := e.api("POST", "/management/v1/projects/"+pid+"/grants/"+gid+"/members/_search", `{}`).raw; !strings.Contains(got, bob) {
			t.Fatalf("the API's grant members: %s", got)
		}
		c.do("deactivate the grant",
			chromedp.Click(chromedp.CSS(`#actions a[href$="action=deactivate"]`)),
			chromedp.WaitVisible(chromedp.CSS("#confirm")),
			chromedp.Click(chromedp.CSS("#confirm")),
			chromedp.WaitVisible(chromedp.CSS(`#actions a[href$="action=reactivate"]`)))
		if st := c.text("state", "#state"); st != "INACTIVE" {
			t.Fatalf("grant badge %q", st)
		}
		if st := e.api("GET", "/management/v1/projects/"+pid+"/grants/"+gid, "").str("projectGrant", "state"); st != "PROJECT_GRANT_STATE_INACTIVE" {
			t.Fatalf("the API's grant state %s", st)
		}
		before := e.projectAccess(pid)

		c.do("sign out", chromedp.Click(chromedp.CSS("#signout")), chromedp.WaitVisible(chromedp.CSS("#message")))
		c.do("console again", chromedp.Navigate(e.base+"/ui/console"))
		c.signInTo("vera", password, "", "#projects")
		c.do("the members as viewer", chromedp.Navigate(e.base+"/ui/console/projects/"+pid+"/members"), chromedp.WaitVisible(chromedp.CSS("#members")))
		if n := c.eval("forms", `String(document.querySelectorAll('main form').length)`); n != "0" {
			t.Fatalf("the viewer is offered %s forms on the members page", n)
		}
		forge := func(path string, fields [][2]string) {
			t.Helper()
			js, _ := json.Marshal(fields)
			c.eval("forge a form", `(() => {
				const f = document.createElement("form");
				f.method = "post";
				f.action = `+"`"+path+"`"+`;
				for (const [k, v] of [["csrf", document.querySelector("input[name=csrf]").value], ...`+string(js)+`]) {
					const i = document.createElement("input");
					i.type = "hidden"; i.name = k; i.value = v; f.append(i);
				}
				document.body.append(f); f.submit();
				return "sent";
			})()`)
		}
		forge("/ui/console/projects/"+pid+"/members", [][2]string{{"user", vera}, {"role", "PROJECT_OWNER"}})
		c.do("forged add member", chromedp.WaitVisible(chromedp.CSS("#error")))
		if msg := c.text("refusal", "#error"); msg != "You do not have permission to add members to this project." {
			t.Fatalf("forged add member answered %q", msg)
		}
		c.do("the grants as viewer", chromedp.Navigate(e.base+"/ui/console/projects/"+pid+"/grants"), chromedp.WaitVisible(chromedp.CSS("#project-grants")))
		forge("/ui/console/projects/"+pid+"/grants", [][2]string{{"org", "Evil"}, {"role", "admin"}})
		c.do("forged add grant", chromedp.WaitVisible(chromedp.CSS("#error")))
		if msg := c.text("refusal", "#error"); msg != "You do not have permission to grant this project to other organisations." {
			t.Fatalf("forged add grant answered %q", msg)
		}
		if after := e.projectAccess(pid); after != before {
			t.Fatalf("the viewer's forged forms changed the project's access:\nbefore %s\nafter  %s", before, after)
		}
	})
}
