package securitytest

import (
	"net/url"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
)

// TestConsoleNextStaysInConsole (issue 8, item 13): the console's sign-in
// returns to its `next` page only inside /ui/console/; dot-segments (plain or
// percent-encoded, which browsers resolve too), double slashes and absolute
// URLs land on the home page (the first page the caller may see) instead.
func TestConsoleNextStaysInConsole(t *testing.T) {
	e := start(t, testdb.SQLite(t), login.Options{})
	owner := e.human("", "owner")
	e.Grant(t, "", owner, "ORG_OWNER")
	b := wardentest.NewBrowser(t)
	for i, next := range []string{
		"/ui/console/../../oauth/v2/keys",
		"/ui/console/%2e%2e/%2e%2e/oauth/v2/keys",
		"/ui/console/%2E%2E/%2E%2E/ui/login",
		"/ui/console/.%2e/.%2e/debug/healthz",
		"/ui/console/..%2f..%2foauth/v2/keys",
		"/ui/console//evil.example/",
		"//evil.example/ui/console/",
		"https://evil.example/ui/console/",
		"/ui/console/users/../../../ui/login",
	} {
		v := b.Get(e.Base + "/ui/console/signin?next=" + url.QueryEscape(next))
		if i == 0 { // the first time through the login forms; then the session signs in
			v = b.Submit(v, v.FormWith(t, "loginName"), map[string]string{"loginName": "owner"})
			v = b.Submit(v, v.FormWith(t, "password"), map[string]string{"password": Password})
		}
		if v.URL.Host != mustURL(t, e.Base).Host || !strings.HasPrefix(v.URL.Path, "/ui/console/") || strings.Contains(v.URL.Path, "..") {
			t.Errorf("next=%q led to %s", next, v.URL)
		}
	}
	// A real console page still works as next.
	if v := b.Get(e.Base + "/ui/console/signin?next=" + url.QueryEscape("/ui/console/members")); v.URL.Path != "/ui/console/members" {
		t.Errorf("next=/ui/console/members led to %s", v.URL)
	}
}
