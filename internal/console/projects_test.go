package console_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// idIn finds the id that follows prefix in a URL or page (the first one).
func idIn(t testing.TB, s, prefix string) string {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(prefix) + `(\d+)`).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no id after %q in %.2000s", prefix, s)
	}
	return m[1]
}

// introspectStatus authenticates clientID:secret at the introspection
// endpoint (HTTP basic): 200 when the secret is the app's, 401 when not.
func (e *env) introspectStatus(clientID, secret string) int {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.base+"/oauth/v2/introspect", strings.NewReader(url.Values{"token": {"x"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestProjectsRolesAppsAndGrants: with plain form posts (JavaScript off) the
// administrator creates a project with its settings, renames it and changes
// them, adds, changes and removes roles, creates an API app (its client secret
// shown once, and it authenticates), an app with private_key_jwt whose key
// file is downloaded once (the page never shows the private key), removes the
// key and the app, grants a user a role and deactivates, reactivates and
// removes the grant, deactivates and reactivates the project and removes it —
// each checked through the API, and bad input answered beside its form.
func TestProjectsRolesAppsAndGrants(t *testing.T) {
	e := startEnv(t)
	mia := e.importHuman("mia")
	b := e.newBrowser()
	b.signIn(e.adminLogin, e.adminPassword, newAdminPassword)

	b.get("/ui/console/projects").must(t, 200, "No projects in this organisation.", `id="create-project"`)
	b.post("/ui/console/projects", url.Values{"csrf": {b.csrf()}, "name": {"  "}}).must(t, http.StatusBadRequest, `id="project-error"`)
	p := b.post("/ui/console/projects", url.Values{"csrf": {b.csrf()}, "name": {"Shop"}, "roleAssertion": {"on"}}).
		must(t, 200, "The project is created.", "ACTIVE")
	pid := idIn(t, p.url, "/ui/console/projects/")
	got := e.api("GET", "/management/v1/projects/"+pid, "")
	if got.str("project", "name") != "Shop" || got.body["project"].(map[string]any)["projectRoleAssertion"] != true {
		t.Fatalf("project after create: %s", got.raw)
	}
	b.post("/ui/console/projects/"+pid, url.Values{"csrf": {b.csrf()}, "name": {"Shop"}, "roleAssertion": {"on"}}).
		must(t, http.StatusConflict, `id="error"`)
	b.post("/ui/console/projects/"+pid, url.Values{"csrf": {b.csrf()}, "name": {"Web shop"}, "roleCheck": {"on"}}).
		must(t, 200, "The project is saved.", `value="Web shop"`)
	pr := e.api("GET", "/management/v1/projects/"+pid, "").body["project"].(map[string]any)
	if pr["name"] != "Web shop" || pr["projectRoleCheck"] != true || pr["projectRoleAssertion"] == true {
		t.Fatalf("project after save: %v", pr)
	}

	// Roles.
	b.post("/ui/console/projects/"+pid+"/roles", url.Values{"csrf": {b.csrf()}, "key": {"admin"}, "displayName": {"Administrator"}, "group": {"staff"}}).
		must(t, 200, "The role is added.", "<code>admin</code>", `value="Administrator"`)
	b.post("/ui/console/projects/"+pid+"/roles", url.Values{"csrf": {b.csrf()}, "key": {"admin"}}).
		must(t, http.StatusConflict, `id="error"`, `value="admin"`, "the project already has a role with this key")
	b.post("/ui/console/projects/"+pid+"/roles", url.Values{"csrf": {b.csrf()}, "key": {"viewer"}}).must(t, 200, "<code>viewer</code>")
	b.post("/ui/console/projects/"+pid+"/roles/update", url.Values{"csrf": {b.csrf()}, "key": {"viewer"}, "displayName": {"Read only"}}).
		must(t, 200, "The role is saved.", `value="Read only"`)
	roles := e.api("POST", "/management/v1/projects/"+pid+"/roles/_search", `{}`).raw
	if !strings.Contains(roles, `"displayName":"Read only"`) || !strings.Contains(roles, `"group":"staff"`) {
		t.Fatalf("roles %s", roles)
	}
	b.get("/ui/console/projects/"+pid+"/confirm?action=role-remove&role=viewer").must(t, 200, "Remove the role viewer of Web shop?")
	b.post("/ui/console/projects/"+pid+"/roles/remove", b.last.hidden()).must(t, 200, "The role is removed.")
	if roles := e.api("POST", "/management/v1/projects/"+pid+"/roles/_search", `{}`).raw; strings.Contains(roles, "viewer") {
		t.Fatalf("roles after remove %s", roles)
	}

	// An API app with a client secret: shown once, and it authenticates.
	b.post("/ui/console/projects/"+pid+"/apps", url.Values{"csrf": {b.csrf()}, "kind": {"api"}, "name": {"backend"}, "authMethod": {"nope"}}).
		must(t, http.StatusBadRequest, "Choose one of the options the form offers.")
	p = b.post("/ui/console/projects/"+pid+"/apps", url.Values{"csrf": {b.csrf()}, "kind": {"api"}, "name": {"backend"}, "authMethod": {"basic"}}).
		must(t, 200, "shown only this once", `id="secret"`)
	clientID := between(p.body, `<code id="client-id">`, "</code>")
	secret := between(p.body, `<code class="secret" id="secret">`, "</code>")
	if e.introspectStatus(clientID, secret) != 200 || e.introspectStatus(clientID, secret+"x") != 401 {
		t.Fatalf("the shown secret of %s does not authenticate (or a wrong one does)", clientID)
	}
	backend := idIn(t, p.body, "/ui/console/projects/"+pid+"/apps/")
	if strings.Contains(b.get("/ui/console/projects/"+pid+"/apps/"+backend).body, secret) {
		t.Fatal("the app page shows the secret again")
	}

	// An OIDC app: bad redirect URI beside the form, then a good one.
	b.post("/ui/console/projects/"+pid+"/apps", url.Values{"csrf": {b.csrf()}, "kind": {"oidc"}, "name": {"web"}, "appType": {"web"},
		"authMethod": {"basic"}, "grantType": {"authorization-code"}, "redirectUris": {"javascript:alert(1)"}}).must(t, http.StatusBadRequest, `id="error"`)
	b.post("/ui/console/projects/"+pid+"/apps", url.Values{"csrf": {b.csrf()}, "kind": {"oidc"}, "name": {"web"}, "appType": {"web"},
		"authMethod": {"basic"}, "grantType": {"authorization-code"}, "redirectUris": {"https://shop.example.com/cb\n\nhttps://shop.example.com/cb2"}}).
		must(t, 200, `id="secret"`)

	// An app with private_key_jwt: a key file, once.
	p = b.post("/ui/console/projects/"+pid+"/apps", url.Values{"csrf": {b.csrf()}, "kind": {"api"}, "name": {"signer"}, "authMethod": {"private-key-jwt"}}).
		must(t, 200, "The app is created.", "No keys.")
	signer := idIn(t, p.url, "/apps/")
	appPage := "/ui/console/projects/" + pid + "/apps/" + signer
	b.post(appPage+"/keys", url.Values{"csrf": {b.csrf()}, "expiration": {"2001-01-01"}}).must(t, http.StatusBadRequest, `id="key-error"`)
	p = b.post(appPage+"/keys", url.Values{"csrf": {b.csrf()}})
	if p.status != 200 || !strings.HasPrefix(p.header.Get("Content-Disposition"), "attachment;") || p.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("key file answer %d %v", p.status, p.header)
	}
	var kf struct{ Type, KeyID, Key, AppID, ClientID string }
	if err := json.Unmarshal([]byte(p.body), &kf); err != nil || kf.Type != "application" || kf.AppID != signer ||
		!strings.Contains(kf.Key, "PRIVATE KEY") {
		t.Fatalf("key file %v: %.300s", err, p.body)
	}
	p = b.get(appPage).must(t, 200, "<code>"+kf.KeyID+"</code>")
	if strings.Contains(p.body, "PRIVATE KEY") {
		t.Fatal("the app page shows a private key")
	}
	b.get("/ui/console/projects/"+pid+"/confirm?action=key-remove&app="+signer+"&key="+kf.KeyID).must(t, 200, "Remove key "+kf.KeyID+" of signer?")
	b.post(appPage+"/keys/"+kf.KeyID+"/remove", url.Values{"csrf": {b.csrf()}}).must(t, 200, "The key is removed.", "No keys.")
	b.get("/ui/console/projects/"+pid+"/confirm?action=app-remove&app="+signer).must(t, 200, "Remove the app signer?")
	b.post(appPage+"/remove", url.Values{"csrf": {b.csrf()}}).must(t, 200, "The app is removed.")
	if apps := e.api("POST", "/management/v1/projects/"+pid+"/apps/_search", `{}`).raw; strings.Contains(apps, "signer") || !strings.Contains(apps, "backend") {
		t.Fatalf("apps after remove %s", apps)
	}

	// A grant: choose the project, then the roles.
	b.get("/ui/console/users/"+mia).must(t, 200, "No grants in this organisation.", `id="add-grant"`)
	b.get("/ui/console/users/"+mia+"/grants/new").must(t, 200, `<option value="`+pid+`">Web shop</option>`)
	b.get("/ui/console/users/"+mia+"/grants/new?project="+pid).must(t, 200, "Roles of Web shop", `value="admin"`)
	b.post("/ui/console/users/"+mia+"/grants", url.Values{"csrf": {b.csrf()}, "project": {pid}, "role": {"nope"}}).
		must(t, http.StatusConflict, `id="error"`, "the project has no such role")
	p = b.post("/ui/console/users/"+mia+"/grants", url.Values{"csrf": {b.csrf()}, "project": {pid}, "role": {"admin"}}).
		must(t, 200, "The roles are granted.", `<span class="role">admin</span>`, "Web shop</a>")
	grant := idIn(t, p.body, "/ui/console/users/"+mia+"/grants/")
	grantState := func() string {
		r := e.api("GET", "/management/v1/users/"+mia+"/grants/"+grant, "")
		return r.str("userGrant", "state")
	}
	if st := grantState(); st != "USER_GRANT_STATE_ACTIVE" {
		t.Fatalf("grant state %s", st)
	}
	base := "/ui/console/users/" + mia + "/grants/" + grant
	b.get(base+"/confirm?action=deactivate").must(t, 200, "Deactivate the grant of Web shop to mia?")
	b.post(base+"/deactivate", url.Values{"csrf": {b.csrf()}}).must(t, 200, "The grant is deactivated.", "INACTIVE", "action=reactivate")
	if st := grantState(); st != "USER_GRANT_STATE_INACTIVE" {
		t.Fatalf("grant state %s", st)
	}
	b.post(base+"/deactivate", url.Values{"csrf": {b.csrf()}}).must(t, http.StatusConflict, `id="error"`)
	b.post(base+"/reactivate", url.Values{"csrf": {b.csrf()}}).must(t, 200, "The grant is reactivated.")
	b.post(base+"/remove", url.Values{"csrf": {b.csrf()}}).must(t, 200, "The grant is removed.", "No grants in this organisation.")
	b.post("/ui/console/users/"+mia+"/grants", url.Values{"csrf": {b.csrf()}, "project": {pid}, "role": {"admin"}}).must(t, 200, "The roles are granted.")

	// The project's life: deactivate, reactivate, remove with its grants.
	b.get("/ui/console/projects/"+pid+"/confirm?action=deactivate").must(t, 200, "Deactivate Web shop?")
	b.post("/ui/console/projects/"+pid+"/deactivate", url.Values{"csrf": {b.csrf()}}).must(t, 200, "The project is deactivated", "INACTIVE")
	if st := e.api("GET", "/management/v1/projects/"+pid, "").str("project", "state"); st != "PROJECT_STATE_INACTIVE" {
		t.Fatalf("project state %s", st)
	}
	b.post("/ui/console/projects/"+pid+"/reactivate", url.Values{"csrf": {b.csrf()}}).must(t, 200, "The project is reactivated.", "ACTIVE")
	b.get("/ui/console/projects/"+pid+"/confirm?action=remove").must(t, 200, "Remove Web shop?", "cannot be undone")
	b.post("/ui/console/projects/"+pid+"/remove", url.Values{"csrf": {b.csrf()}}).must(t, 200, "The project is removed", "No projects in this organisation.")
	b.get("/ui/console/projects/"+pid).must(t, http.StatusNotFound)
	b.get("/ui/console/users/"+mia).must(t, 200, "No grants in this organisation.")
}

// TestProjectViewerHasNoWorkingWrite: a member who may read projects, roles
// and grants (ORG_OWNER_VIEWER) sees no form or action that writes them, and
// forged posts with the session's valid CSRF token are refused by the app
// layer's permission check with 403, nothing changed.
func TestProjectViewerHasNoWorkingWrite(t *testing.T) {
	e := startEnv(t)
	mia := e.importHuman("mia")
	e.importHuman("vera", "ORG_OWNER_VIEWER")
	pid := e.api("POST", "/management/v1/projects", `{"name":"Shop"}`).str("id")
	e.api("POST", "/management/v1/projects/"+pid+"/roles", `{"roleKey":"admin"}`)
	app := e.api("POST", "/management/v1/projects/"+pid+"/apps/api", `{"name":"signer","authMethodType":"API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"}`).str("appId")
	key := e.api("POST", "/management/v1/projects/"+pid+"/apps/"+app+"/keys", `{"type":"KEY_TYPE_JSON"}`).str("id")
	grant := e.api("POST", "/management/v1/users/"+mia+"/grants", `{"projectId":"`+pid+`","roleKeys":["admin"]}`).str("userGrantId")

	b := e.newBrowser()
	b.signIn("vera", password, "")
	csrf := b.csrf()
	noneOf := func(p page, texts ...string) {
		t.Helper()
		for _, s := range texts {
			if strings.Contains(p.body, s) {
				t.Fatalf("%s offers %q to a viewer", p.url, s)
			}
		}
	}
	noneOf(b.get("/ui/console/projects").must(t, 200, ">Shop</a>"), `method="post" action="/ui/console/projects"`)
	noneOf(b.get("/ui/console/projects/"+pid).must(t, 200, "<code>admin</code>", ">signer</a>"),
		`action="/ui/console/projects/`+pid+`"`, `action="/ui/console/projects/`+pid+`/roles`, `action="/ui/console/projects/`+pid+`/apps"`,
		"action=deactivate", "action=remove", "action=role-remove")
	noneOf(b.get("/ui/console/projects/"+pid+"/apps/"+app).must(t, 200, "<code>"+key+"</code>"),
		`/keys"`, "action=key-remove", "action=app-remove")
	noneOf(b.get("/ui/console/users/"+mia).must(t, 200, `<span class="role">admin</span>`), "/grants/new", "/confirm?action=")

	forged := []struct{ path, refusal string }{
		{"/ui/console/projects", "create projects"},
		{"/ui/console/projects/" + pid, "change projects"},
		{"/ui/console/projects/" + pid + "/deactivate", "deactivate projects"},
		{"/ui/console/projects/" + pid + "/remove", "remove projects"},
		{"/ui/console/projects/" + pid + "/roles", "add roles"},
		{"/ui/console/projects/" + pid + "/roles/update", "change roles"},
		{"/ui/console/projects/" + pid + "/roles/remove", "remove roles"},
		{"/ui/console/projects/" + pid + "/apps", "create apps"},
		{"/ui/console/projects/" + pid + "/apps/" + app + "/keys", "create app keys"},
		{"/ui/console/projects/" + pid + "/apps/" + app + "/keys/" + key + "/remove", "remove app keys"},
		{"/ui/console/projects/" + pid + "/apps/" + app + "/remove", "remove apps"},
		{"/ui/console/users/" + mia + "/grants", "grant roles of projects"},
		{"/ui/console/users/" + mia + "/grants/" + grant + "/deactivate", "deactivate grants"},
		{"/ui/console/users/" + mia + "/grants/" + grant + "/remove", "remove grants"},
	}
	form := url.Values{"csrf": {csrf}, "name": {"Taken over"}, "key": {"admin"}, "displayName": {"x"}, "kind": {"api"}, "authMethod": {"basic"},
		"project": {pid}, "role": {"admin"}}
	for _, f := range forged {
		b.post(f.path, form).must(t, http.StatusForbidden, "You do not have permission to "+f.refusal+".")
	}
	for _, f := range []string{"/ui/console/projects/" + pid + "/confirm?action=remove", "/ui/console/users/" + mia + "/grants/new",
		"/ui/console/users/" + mia + "/grants/new?project=" + pid, "/ui/console/users/" + mia + "/grants/" + grant + "/confirm?action=remove"} {
		b.get(f).must(t, http.StatusForbidden)
	}
	pr := e.api("GET", "/management/v1/projects/"+pid, "")
	if pr.str("project", "name") != "Shop" || pr.str("project", "state") != "PROJECT_STATE_ACTIVE" {
		t.Fatalf("project after forged posts: %s", pr.raw)
	}
	if r := e.api("POST", "/management/v1/projects/"+pid+"/roles/_search", `{}`).raw; !strings.Contains(r, `"key":"admin"`) || strings.Contains(r, `"displayName":"x"`) {
		t.Fatalf("roles after forged posts: %s", r)
	}
	if r := e.api("POST", "/management/v1/projects/"+pid+"/apps/_search", `{}`).raw; strings.Count(r, `"id"`) != 1 {
		t.Fatalf("apps after forged posts: %s", r)
	}
	if r := e.api("POST", "/management/v1/projects/"+pid+"/apps/"+app+"/keys/_search", `{}`).raw; strings.Count(r, `"id"`) != 1 {
		t.Fatalf("keys after forged posts: %s", r)
	}
	if st := e.api("GET", "/management/v1/users/"+mia+"/grants/"+grant, "").str("userGrant", "state"); st != "USER_GRANT_STATE_ACTIVE" {
		t.Fatalf("grant after forged posts: %s", st)
	}
}

// TestProjectCreatorAndUserManager: a project creator (ORG_PROJECT_CREATOR)
// creates a project in the console and runs it, but sees no one else's
// project — not in the list, not by its address, and a forged post on it is
// refused; a user manager (ORG_USER_MANAGER), who may grant roles without
// reading projects, grants a role by the project's id and sees the grant on
// the user's page.
func TestProjectCreatorAndUserManager(t *testing.T) {
	e := startEnv(t)
	mia := e.importHuman("mia")
	e.importHuman("dev", "ORG_PROJECT_CREATOR")
	e.importHuman("uma", "ORG_USER_MANAGER")
	other := e.api("POST", "/management/v1/projects", `{"name":"Payroll"}`).str("id")
	e.api("POST", "/management/v1/projects/"+other+"/roles", `{"roleKey":"clerk"}`)

	dev := e.newBrowser()
	dev.signInAt("/ui/console/projects", "dev", password, "")
	p := dev.post("/ui/console/projects", url.Values{"csrf": {dev.csrf()}, "name": {"Dev tools"}}).
		must(t, 200, "The project is created.", `id="save-project"`, `id="add-role-button"`, `id="create-api"`)
	own := idIn(t, p.url, "/ui/console/projects/")
	dev.post("/ui/console/projects/"+own+"/roles", url.Values{"csrf": {dev.csrf()}, "key": {"tester"}}).must(t, 200, "The role is added.")
	if l := dev.get("/ui/console/projects").must(t, 200, ">Dev tools</a>"); strings.Contains(l.body, "Payroll") {
		t.Fatal("the creator sees another's project in the list")
	}
	dev.get("/ui/console/projects/"+other).must(t, http.StatusForbidden)
	dev.post("/ui/console/projects/"+other+"/roles", url.Values{"csrf": {dev.csrf()}, "key": {"taken"}}).
		must(t, http.StatusForbidden, "You do not have permission to add roles.")
	dev.post("/ui/console/projects/"+other+"/remove", url.Values{"csrf": {dev.csrf()}}).
		must(t, http.StatusForbidden, "You do not have permission to remove projects.")
	if r := e.api("GET", "/management/v1/projects/"+other, "").str("project", "name"); r != "Payroll" {
		t.Fatalf("the other project after the creator's posts: %q", r)
	}
	if r := e.api("POST", "/management/v1/projects/"+other+"/roles/_search", `{}`).raw; strings.Contains(r, "taken") {
		t.Fatalf("roles of the other project: %s", r)
	}

	uma := e.newBrowser()
	uma.signIn("uma", password, "")
	uma.get("/ui/console/users/"+mia).must(t, 200, "No grants in this organisation.", `id="add-grant"`)
	uma.get("/ui/console/users/"+mia+"/grants/new").must(t, 200, `<label for="grant-project">Project ID</label>`)
	uma.get("/ui/console/users/"+mia+"/grants/new?project="+other).must(t, 200, `value="clerk"`)
	uma.post("/ui/console/users/"+mia+"/grants", url.Values{"csrf": {uma.csrf()}, "project": {other}, "role": {"clerk"}}).
		must(t, 200, "The roles are granted.", `<span class="role">clerk</span>`, "Payroll</a>", "action=deactivate", "action=remove")
}
