package console_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestOrgSettings: the administrator renames an organisation (its users'
// login names follow), deactivates it through the confirmation page and
// reactivates it, each seen by the API at once; the default org
// cannot be deactivated, in plain words. A viewer sees the settings without a
// form or action, and its forged posts are refused with 403, nothing changed.
func TestOrgSettings(t *testing.T) {
	e := startEnv(t)
	acme := e.api("POST", "/management/v1/orgs", `{"name":"Acme"}`).str("id")
	e.importHuman("vera", "ORG_OWNER_VIEWER")
	myOrg := func(orgID string) reply {
		req, _ := http.NewRequest("GET", e.base+"/management/v1/orgs/me", nil)
		req.Header.Set("Authorization", "Bearer "+e.token)
		req.Header.Set("x-zitadel-orgid", orgID)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r reply
		r.status = resp.StatusCode
		b := new(strings.Builder)
		_, _ = io.Copy(b, resp.Body)
		r.raw = b.String()
		_ = json.Unmarshal([]byte(r.raw), &r.body)
		return r
	}

	b := e.newBrowser()
	b.signIn(e.adminLogin, e.adminPassword, newAdminPassword)
	b.get("/ui/console/organisation").must(t, 200, `id="rename"`)
	b.get("/ui/console/organisation/confirm?action=deactivate").must(t, 200, "Deactivate Warden?")
	b.post("/ui/console/organisation/deactivate", url.Values{"csrf": {b.csrf()}}).
		must(t, http.StatusConflict, "the default organisation cannot be deactivated")

	b.post("/ui/console/org", url.Values{"csrf": {b.csrf()}, "org": {acme}, "back": {"/ui/console/organisation"}}).
		must(t, 200, "Switched organisation.", "Organisation Acme", `value="Acme"`)
	b.post("/ui/console/organisation", url.Values{"csrf": {b.csrf()}, "name": {"Acme"}}).must(t, http.StatusConflict, `id="org-error"`)
	b.post("/ui/console/organisation", url.Values{"csrf": {b.csrf()}, "name": {"Warden"}}).
		must(t, http.StatusConflict, `id="org-error"`, "another organisation already has this name")
	b.post("/ui/console/organisation", url.Values{"csrf": {b.csrf()}, "name": {"Acme Labs"}}).
		must(t, 200, "The organisation is renamed", "Organisation Acme Labs", "acme-labs.")
	if got := myOrg(acme).str("org", "name"); got != "Acme Labs" {
		t.Fatalf("the API's name after the rename: %q", got)
	}
	b.get("/ui/console/organisation/confirm?action=deactivate").must(t, 200, "Deactivate Acme Labs?")
	b.post("/ui/console/organisation/deactivate", url.Values{"csrf": {b.csrf()}}).must(t, 200, "The organisation is deactivated", "INACTIVE", "action=reactivate")
	if got := myOrg(acme).str("org", "state"); got != "ORG_STATE_INACTIVE" {
		t.Fatalf("the API's state after the deactivation: %q", got)
	}
	b.post("/ui/console/organisation/reactivate", url.Values{"csrf": {b.csrf()}}).must(t, 200, "The organisation is reactivated.", "ACTIVE")
	if got := myOrg(acme).str("org", "state"); got != "ORG_STATE_ACTIVE" {
		t.Fatalf("the API's state after the reactivation: %q", got)
	}

	v := e.newBrowser()
	v.signIn("vera", password, "")
	p := v.get("/ui/console/organisation").must(t, 200, "Organisation Warden")
	if strings.Contains(p.body, `action="/ui/console/organisation"`) || strings.Contains(p.body, "confirm?action=") {
		t.Fatal("a viewer is offered the org's settings")
	}
	v.get("/ui/console/organisation/confirm?action=deactivate").must(t, http.StatusForbidden, "You do not have permission to deactivate this organisation.")
	v.post("/ui/console/organisation", url.Values{"csrf": {v.csrf()}, "name": {"Taken"}}).
		must(t, http.StatusForbidden, "You do not have permission to rename this organisation.")
	v.post("/ui/console/organisation/deactivate", url.Values{"csrf": {v.csrf()}}).
		must(t, http.StatusForbidden, "You do not have permission to deactivate this organisation.")
	if got := myOrg(e.orgID).str("org", "name"); got != "Warden" {
		t.Fatalf("the default org after the viewer's posts: %q", got)
	}
}
