package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/store/testdb"
)

// TestUserEditForms: an administrator edits a user's profile, user name,
// e-mail and phone on the user page (both engines); the API sees each change;
// a taken name is refused beside its form; a viewer is offered no form and its
// forged posts (with the session's valid CSRF token) change nothing.
func TestUserEditForms(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		e := startEnvOn(t, open(t))
		ada := e.importHuman("ada")
		e.importHuman("taken")
		e.importHuman("vera", "ORG_OWNER_VIEWER")
		page := "/ui/console/users/" + ada
		b := e.newBrowser()
		b.signIn(e.adminLogin, e.adminPassword, newAdminPassword)
		b.get(page).must(t, 200, `id="edit-profile"`, `id="edit-username"`, `id="edit-email"`, `id="edit-phone"`)
		b.post(page+"/edit/profile", url.Values{"csrf": {b.csrf()}, "firstName": {"Augusta"}, "lastName": {"King"},
			"nickName": {"Ada"}, "displayName": {"Ada King"}, "language": {"en"}, "gender": {"1"}}).
			must(t, 200, "The profile is saved.", `value="Augusta"`, `value="Ada King"`)
		b.post(page+"/edit/username", url.Values{"csrf": {b.csrf()}, "userName": {"taken"}}).
			must(t, http.StatusConflict, `id="edit-error"`, "already exists")
		b.post(page+"/edit/username", url.Values{"csrf": {b.csrf()}, "userName": {"augusta"}}).
			must(t, 200, "The user name is saved", "augusta@")
		b.post(page+"/edit/email", url.Values{"csrf": {b.csrf()}, "email": {"augusta@example.org"}, "verified": {"1"}}).
			must(t, 200, "The e-mail address is saved.", "augusta@example.org (verified)")
		b.post(page+"/edit/phone", url.Values{"csrf": {b.csrf()}, "phone": {"+41 79 123 45 67"}}).
			must(t, 200, "The phone number is saved.", "41 79 123 45 67", "Renamed")
		r := e.api("GET", "/management/v1/users/"+ada, "")
		if r.str("user", "userName") != "augusta" || r.str("user", "human", "profile", "displayName") != "Ada King" ||
			r.str("user", "human", "email", "email") != "augusta@example.org" || r.str("user", "human", "phone", "phone") != "+41 79 123 45 67" {
			t.Fatalf("the API after the edits: %s", r.raw)
		}
		b.post(page+"/edit/phone", url.Values{"csrf": {b.csrf()}, "phone": {""}}).must(t, 200, "The phone number is saved.")
		if r := e.api("GET", "/management/v1/users/"+ada, ""); r.str("user", "human", "phone", "phone") != "" {
			t.Fatalf("phone after removal: %s", r.raw)
		}

		v := e.newBrowser()
		v.signIn("vera", password, "")
		p := v.get(page).must(t, 200, "augusta")
		if strings.Contains(p.body, "/edit/") {
			t.Fatal("a viewer is offered an edit form")
		}
		for form, vals := range map[string]url.Values{
			"profile":  {"firstName": {"Evil"}, "lastName": {"E"}},
			"username": {"userName": {"evil"}},
			"email":    {"email": {"evil@example.com"}, "verified": {"1"}},
			"phone":    {"phone": {"+1 555 0100"}, "verified": {"1"}},
		} {
			vals.Set("csrf", v.csrf())
			v.post(page+"/edit/"+form, vals).must(t, http.StatusForbidden, "You do not have permission to")
		}
		// Without the CSRF token even the administrator's post is refused.
		b.post(page+"/edit/profile", url.Values{"firstName": {"No"}, "lastName": {"Token"}}).must(t, http.StatusForbidden)
		if r := e.api("GET", "/management/v1/users/"+ada, ""); r.str("user", "userName") != "augusta" || r.str("user", "human", "profile", "firstName") != "Augusta" ||
			r.str("user", "human", "email", "email") != "augusta@example.org" {
			t.Fatalf("the user after the forged posts: %s", r.raw)
		}
	})
}

// TestUserMetadataForms: an administrator sets and removes a user's metadata
// on the user page (both engines) and the API sees it, a binary value shows as
// base64, a viewer sees the entries but is offered no form and its forged
// posts change nothing.
func TestUserMetadataForms(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		e := startEnvOn(t, open(t))
		ada := e.importHuman("ada")
		e.importHuman("vera", "ORG_OWNER_VIEWER")
		page := "/ui/console/users/" + ada
		b := e.newBrowser()
		b.signIn(e.adminLogin, e.adminPassword, newAdminPassword)
		b.get(page).must(t, 200, `id="edit-metadata"`, "No metadata.")
		b.post(page+"/edit/metadata", url.Values{"csrf": {b.csrf()}, "key": {"team"}, "value": {"<b>ops</b>"}}).
			must(t, 200, "The metadata entry is saved.", "<code>team</code>", "&lt;b&gt;ops&lt;/b&gt;", "Metadata set")
		// A value set through the API that is not text: shown as base64 ("AAE=" is 0x00 0x01).
		e.api("POST", "/management/v1/users/"+ada+"/metadata/raw", `{"value":"AAE="}`)
		b.get(page).must(t, 200, "<code>AAE=</code> (base64)")
		r := e.api("GET", "/management/v1/users/"+ada+"/metadata/team", "")
		if r.str("metadata", "value") != "PGI+b3BzPC9iPg==" { // base64 of <b>ops</b>
			t.Fatalf("the API after the set: %s", r.raw)
		}
		b.post(page+"/edit/metadata", url.Values{"csrf": {b.csrf()}, "key": {""}, "value": {"x"}}).
			must(t, http.StatusBadRequest, `id="edit-error"`)

		v := e.newBrowser()
		v.signIn("vera", password, "")
		p := v.get(page).must(t, 200, "<code>team</code>")
		if strings.Contains(p.body, "/edit/metadata") {
			t.Fatal("a viewer is offered a metadata form")
		}
		for form, vals := range map[string]url.Values{
			"metadata":        {"key": {"team"}, "value": {"evil"}},
			"metadata-remove": {"key": {"team"}},
		} {
			vals.Set("csrf", v.csrf())
			v.post(page+"/edit/"+form, vals).must(t, http.StatusForbidden, "You do not have permission to")
		}
		if r := e.api("GET", "/management/v1/users/"+ada+"/metadata/team", ""); r.str("metadata", "value") != "PGI+b3BzPC9iPg==" {
			t.Fatalf("the entry after the viewer's forged posts: %s", r.raw)
		}

		b.post(page+"/edit/metadata-remove", url.Values{"csrf": {b.csrf()}, "key": {"team"}}).
			must(t, 200, "The metadata entry is removed.", "Metadata removed")
		if r := e.api("POST", "/management/v1/users/"+ada+"/metadata/_search", "{}"); strings.Contains(r.raw, `"team"`) || !strings.Contains(r.raw, `"raw"`) {
			t.Fatalf("the entries after the removal of team: %s", r.raw)
		}
	})
}
