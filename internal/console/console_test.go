package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/console"
	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
)

// TestLockAndUnlockOverForms: the bootstrap administrator signs in through the
// login page (changing the one-time password), finds a user, locks it through
// the confirmation page, sees the LOCKED badge, who locked it and the history
// entry, and unlocks it — with plain form posts, as with JavaScript off.
func TestLockAndUnlockOverForms(t *testing.T) {
	e := startEnv(t)
	mia := e.importHuman("mia")
	e.importHuman("noah")
	b := e.newBrowser()
	b.signIn(e.adminLogin, e.adminPassword, newAdminPassword).must(t, 200, "Signed in as", e.adminLogin)

	list := b.get("/ui/console/users?q=MI").must(t, 200, ">mia</a>", `class="badge badge-active"`)
	if strings.Contains(list.body, ">noah</a>") {
		t.Fatal("the search for MI lists noah")
	}
	b.get("/ui/console/users?email=noah%40example").must(t, 200, ">noah</a>")
	b.get("/ui/console/users?state=locked").must(t, 200, "No users match.")

	b.get("/ui/console/users/"+mia).must(t, 200, `href="/ui/console/users/`+mia+`/confirm?action=lock"`)
	b.get("/ui/console/users/"+mia+"/confirm?action=lock").must(t, 200, "Lock mia@warden.localhost?", `id="confirm"`)
	b.post("/ui/console/users/"+mia+"/lock", url.Values{"csrf": {b.csrf()}}).
		must(t, 200, "The user is locked.", `<span class="badge badge-locked" id="state">LOCKED</span>`,
			`id="lockinfo"`, "by <strong>"+e.adminLogin+"</strong>", `<span class="what">Locked</span>`)
	if b.last.url != e.base+"/ui/console/users/"+mia+"?done=lock" {
		t.Fatalf("after the lock at %s, want the user page (POST-redirect-GET)", b.last.url)
	}
	if got := e.userState(mia); got != "USER_STATE_LOCKED" {
		t.Fatalf("state via the API: %s", got)
	}
	b.get("/ui/console/users?state=locked").must(t, 200, ">mia</a>", "LOCKED")

	// Locking again is refused by the domain; the console says so beside the button.
	b.get("/ui/console/users/" + mia + "/confirm?action=lock")
	b.post("/ui/console/users/"+mia+"/lock", url.Values{"csrf": {b.csrf()}}).
		must(t, http.StatusConflict, `role="alert"`, "Could not lock users: user is not active or initial.", `id="confirm"`)

	b.get("/ui/console/users/" + mia + "/confirm?action=unlock")
	b.post("/ui/console/users/"+mia+"/unlock", url.Values{"csrf": {b.csrf()}}).
		must(t, 200, "The user is unlocked", `id="state">ACTIVE</span>`, `<span class="what">Unlocked</span>`)
	if strings.Contains(b.last.body, `id="lockinfo"`) {
		t.Fatal("an unlocked user still shows lock details")
	}
}

// TestLockoutPolicyCauseShown: a lock by the lockout policy says so on the
// user page, with the time, the (system) creator and the cause.
func TestLockoutPolicyCauseShown(t *testing.T) {
	e := startEnv(t)
	e.api("POST", "/management/v1/policies/lockout", `{"maxPasswordAttempts":1}`)
	mia := e.importHuman("mia")
	if _, err := e.app.CheckPassword(context.Background(), mia, "wrong-password"); err == nil {
		t.Fatal("a wrong password was accepted")
	}
	b := e.newBrowser()
	b.signIn(e.adminLogin, e.adminPassword, newAdminPassword)
	b.get("/ui/console/users/"+mia).must(t, 200, "LOCKED", `id="lockinfo"`,
		"by <strong>the lockout policy</strong>, after too many wrong passwords at sign-in as mia@warden.localhost",
		"Locked by the lockout policy")
}

// TestCSRFRefused: a form post without the session's token, or with another
// one, changes nothing.
func TestCSRFRefused(t *testing.T) {
	e := startEnv(t)
	mia := e.importHuman("mia")
	b := e.newBrowser()
	b.signIn(e.adminLogin, e.adminPassword, newAdminPassword)
	for _, token := range []string{"", "x", strings.Repeat("A", 43)} {
		b.post("/ui/console/users/"+mia+"/lock", url.Values{"csrf": {token}}).must(t, http.StatusForbidden, console.TextCSRF)
	}
	if got := e.userState(mia); got != "USER_STATE_ACTIVE" {
		t.Fatalf("state after refused posts: %s", got)
	}
	// Another session's token does not count either.
	other := e.newBrowser()
	other.signIn(e.adminLogin, newAdminPassword, "")
	b.post("/ui/console/users/"+mia+"/lock", url.Values{"csrf": {other.csrf()}}).must(t, http.StatusForbidden)
	if got := e.userState(mia); got != "USER_STATE_ACTIVE" {
		t.Fatalf("state after a cross-session token: %s", got)
	}
}

// TestViewerHasNoWorkingRemove: a member who may read users but not delete
// them sees no remove action, and a forged post is refused by the app layer's
// permission check with 403 and plain words.
func TestViewerHasNoWorkingRemove(t *testing.T) {
	e := startEnv(t)
	mia := e.importHuman("mia")
	e.importHuman("vera", "ORG_OWNER_VIEWER")
	b := e.newBrowser()
	b.signIn("vera", password, "").must(t, 200, ">mia</a>")
	p := b.get("/ui/console/users/"+mia).must(t, 200, "You cannot change this user.")
	if strings.Contains(p.body, "action=remove") || strings.Contains(p.body, "action=lock") {
		t.Fatal("a viewer is offered actions")
	}
	csrf := b.csrf()
	b.get("/ui/console/users/"+mia+"/confirm?action=remove").must(t, http.StatusForbidden, "You do not have permission to remove users.")
	b.post("/ui/console/users/"+mia+"/remove", url.Values{"csrf": {csrf}}).must(t, http.StatusForbidden, "You do not have permission to remove users.")
	b.post("/ui/console/users/"+mia+"/lock", url.Values{"csrf": {csrf}}).must(t, http.StatusForbidden, "You do not have permission to lock users.")
	if got := e.userState(mia); got != "USER_STATE_ACTIVE" {
		t.Fatalf("state after forged posts: %s", got)
	}
	// Nor can the viewer write members or the policy.
	b.post("/ui/console/members", url.Values{"csrf": {csrf}, "user": {mia}, "role": {"ORG_OWNER"}}).
		must(t, http.StatusForbidden, "You do not have permission to grant roles.")
	b.post("/ui/console/policy", url.Values{"csrf": {csrf}, "maxPasswordAttempts": {"3"}}).
		must(t, http.StatusForbidden, "You do not have permission to change the lockout policy.")
}

// TestLockedAdminSessionRefused: once the administrator is locked (here by
// another administrator through the API), the console session is refused on
// the very next request and deleted.
func TestLockedAdminSessionRefused(t *testing.T) {
	e := startEnv(t)
	b := e.newBrowser()
	b.signIn(e.adminLogin, e.adminPassword, newAdminPassword)
	csrf := b.csrf()
	admin, err := e.app.FindLoginUser(context.Background(), e.adminLogin)
	if err != nil {
		t.Fatal(err)
	}
	e.api("POST", "/management/v1/users/"+admin.ID+"/_lock", "{}")
	b.noRedirect(func() {
		p := b.get("/ui/console/users")
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/ui/console/signin") {
			t.Fatalf("a locked admin's console answered %d (Location %q)", p.status, p.header.Get("Location"))
		}
	})
	b.post("/ui/console/users/"+admin.ID+"/unlock", url.Values{"csrf": {csrf}}).must(t, http.StatusUnauthorized, "Your console session has ended.")
	arts, _, err := e.store.ListArtifacts(context.Background(), store.ArtifactQuery{Kind: app.KindConsoleSession})
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != 0 {
		t.Fatalf("%d console sessions left after the lock", len(arts))
	}
	// And signing in again stops at the login page's locked message.
	p := b.get("/ui/console/users")
	if !strings.Contains(p.body, login.TextLocked) {
		t.Fatalf("sign-in of a locked admin: %d %s", p.status, p.body)
	}
}

// TestSignedOutRequests: without a session a page load goes to sign-in and a
// form post is refused; sign-out ends the session at the provider too.
func TestSignedOutRequests(t *testing.T) {
	e := startEnv(t)
	b := e.newBrowser()
	b.noRedirect(func() {
		p := b.get("/ui/console/users?state=locked")
		if p.status != http.StatusSeeOther || p.header.Get("Location") != "/ui/console/signin?next=%2Fui%2Fconsole%2Fusers%3Fstate%3Dlocked" {
			t.Fatalf("no session: %d %q", p.status, p.header.Get("Location"))
		}
		p = b.get("/ui/console/signin?next=https://evil.example/")
		loc, _ := url.Parse(p.header.Get("Location"))
		if p.status != http.StatusSeeOther || loc.Path != "/oauth/v2/authorize" || loc.Query().Get("code_challenge_method") != "S256" ||
			loc.Query().Get("client_id") != console.ClientID {
			t.Fatalf("sign-in start: %d %q", p.status, p.header.Get("Location"))
		}
	})
	b.post("/ui/console/users/1/lock", url.Values{}).must(t, http.StatusUnauthorized)

	b.signIn(e.adminLogin, e.adminPassword, newAdminPassword)
	p := b.post("/ui/console/signout", url.Values{"csrf": {b.csrf()}}).must(t, 200, "You are signed out")
	if !strings.HasPrefix(p.url, e.base+"/ui/console/signed-out") {
		t.Fatalf("sign-out ended at %s", p.url)
	}
	// The login session went too: the next sign-in asks for the user name again.
	if p := b.get("/ui/console/users"); !strings.Contains(p.url, "/ui/login?authRequestID=") || !strings.Contains(p.body, `id="loginName"`) {
		t.Fatalf("after sign-out: %s", p.url)
	}
}

// TestSecurityHeaders: every console answer carries the CSP and friends.
func TestSecurityHeaders(t *testing.T) {
	e := startEnv(t)
	b := e.newBrowser()
	p := b.signIn(e.adminLogin, e.adminPassword, newAdminPassword)
	csp := p.header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "style-src 'self'", "form-action 'self' " + e.base, "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if p.header.Get("X-Frame-Options") != "DENY" || p.header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers: %v", p.header)
	}
	for _, want := range []string{`<html lang="en">`, `href="#main"`, `<main id="main"`, `<label for="q">`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(p.body, "<script") || strings.Contains(p.body, `src="http`) || strings.Contains(p.body, `href="http`) {
		t.Error("the page loads scripts or external resources")
	}
	css := b.get("/ui/console/static/console.css")
	if css.status != 200 || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") {
		t.Fatalf("stylesheet: %d %s", css.status, css.header.Get("Content-Type"))
	}
}

// TestCreateUsersAndMachineCredentials: create a human and a machine user;
// a PAT and a client secret appear once, on their result page only.
func TestCreateUsersAndMachineCredentials(t *testing.T) {
	e := startEnv(t)
	b := e.newBrowser()
	b.signIn(e.adminLogin, e.adminPassword, newAdminPassword)
	b.get("/ui/console/users/new").must(t, 200, `<label for="firstName">`)
	b.post("/ui/console/users/new", url.Values{"csrf": {b.csrf()}, "type": {"human"}, "userName": {"ann"}, "firstName": {"Ann"},
		"lastName": {"Lee"}, "email": {"not-an-email"}}).must(t, http.StatusBadRequest, `role="alert"`, "Email is invalid.")
	b.post("/ui/console/users/new", url.Values{"csrf": {b.csrf()}, "type": {"human"}, "userName": {"ann"}, "firstName": {"Ann"},
		"lastName": {"Lee"}, "email": {"ann@example.com"}}).must(t, 200, "The user is created.", "INITIAL")
	b.get("/ui/console/users/new?type=machine")
	b.post("/ui/console/users/new", url.Values{"csrf": {b.csrf()}, "type": {"machine"}, "userName": {"ci"}, "name": {"CI robot"}}).
		must(t, 200, "The user is created.", "Personal access tokens", "No tokens.")
	userPage := b.last.url
	id := strings.TrimSuffix(strings.TrimPrefix(userPage, e.base+"/ui/console/users/"), "?done=created")

	p := b.post("/ui/console/users/"+id+"/pats", url.Values{"csrf": {b.csrf()}}).must(t, 200, "shown only this once", `id="token"`)
	token := between(p.body, `<code class="secret" id="token">`, "</code>")
	if len(token) < 40 {
		t.Fatalf("token %q", token)
	}
	if c, err := e.app.Authenticate(context.Background(), token); err != nil || c.UserID != id {
		t.Fatalf("the new token does not authenticate its user: %v", err)
	}
	if strings.Contains(b.get("/ui/console/users/"+id).body, token) {
		t.Fatal("the user page shows the token again")
	}
	b.post("/ui/console/users/"+id+"/pats", url.Values{"csrf": {b.csrf()}, "expiration": {"2001-01-01"}}).
		must(t, http.StatusBadRequest, `id="pat-error"`, "Expiration date must be in the future.")
	b.post("/ui/console/users/"+id+"/secret", url.Values{"csrf": {b.csrf()}}).must(t, 200, `id="client-id">ci</code>`, `id="secret"`)
}

// TestMembersAndPolicy: grant, change and revoke roles; edit and reset the
// org's lockout policy.
func TestMembersAndPolicy(t *testing.T) {
	e := startEnv(t)
	mia := e.importHuman("mia")
	b := e.newBrowser()
	b.signIn(e.adminLogin, e.adminPassword, newAdminPassword)
	b.get("/ui/console/members").must(t, 200, "Grant roles")
	b.post("/ui/console/members", url.Values{"csrf": {b.csrf()}, "user": {"mia"}}).must(t, http.StatusBadRequest, "Roles are missing.")
	b.post("/ui/console/members", url.Values{"csrf": {b.csrf()}, "user": {"mia"}, "role": {"ORG_USER_READ"}}).
		must(t, 200, "The roles are saved.", "mia@warden.localhost")
	roles := func() []string {
		m, err := e.store.Member(context.Background(), e.orgID, mia)
		if err != nil {
			return nil
		}
		return m.Roles
	}
	if r := roles(); len(r) != 1 || r[0] != "ORG_USER_READ" {
		t.Fatalf("roles %v", r)
	}
	b.post("/ui/console/members/"+mia, url.Values{"csrf": {b.csrf()}, "role": {"ORG_USER_MANAGER", "ORG_OWNER_VIEWER"}}).must(t, 200, "The roles are saved.")
	if r := roles(); len(r) != 2 {
		t.Fatalf("roles after update %v", r)
	}
	b.get("/ui/console/members/"+mia+"/confirm").must(t, 200, "Revoke the membership of mia@warden.localhost?")
	b.post("/ui/console/members/"+mia+"/remove", url.Values{"csrf": {b.csrf()}}).must(t, 200, "The membership is revoked.")
	if r := roles(); r != nil {
		t.Fatalf("roles after revoke %v", r)
	}

	b.get("/ui/console/policy").must(t, 200, "uses the instance's default policy", `id="max-password">10<`)
	b.post("/ui/console/policy", url.Values{"csrf": {b.csrf()}, "maxPasswordAttempts": {"-1"}}).must(t, http.StatusBadRequest, "Enter whole numbers")
	b.post("/ui/console/policy", url.Values{"csrf": {b.csrf()}, "maxPasswordAttempts": {"3"}, "maxOtpAttempts": {"0"}}).
		must(t, 200, "The lockout policy is saved.", "has a lockout policy of its own", `id="max-password">3<`)
	b.post("/ui/console/policy", url.Values{"csrf": {b.csrf()}, "maxPasswordAttempts": {"5"}, "maxOtpAttempts": {"0"}}).
		must(t, 200, `id="max-password">5<`)
	b.get("/ui/console/policy/confirm-reset")
	b.post("/ui/console/policy/reset", url.Values{"csrf": {b.csrf()}}).must(t, 200, "uses the default lockout policy again", `id="max-password">10<`)
}

// TestOrgSwitch: the org switcher sets the org context; a second org's users
// appear, the first org's do not, and an org the caller cannot read is refused.
func TestOrgSwitch(t *testing.T) {
	e := startEnv(t)
	e.importHuman("mia")
	other := e.api("POST", "/management/v1/orgs", `{"name":"Acme"}`).str("id")
	req := `{"userName":"zoe","profile":{"firstName":"Zoe","lastName":"Z"},"email":{"email":"zoe@example.com","isEmailVerified":true},"password":"` + password + `"}`
	r, err := http.NewRequest("POST", e.base+"/management/v1/users/human/_import", strings.NewReader(req))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Authorization", "Bearer "+e.token)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("x-zitadel-orgid", other)
	resp, err := http.DefaultClient.Do(r)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("import into Acme: %v %v", resp, err)
	}
	resp.Body.Close()

	b := e.newBrowser()
	b.signIn(e.adminLogin, e.adminPassword, newAdminPassword).must(t, 200, `<option value="`+other+`">Acme</option>`, ">mia</a>")
	b.post("/ui/console/org", url.Values{"csrf": {b.csrf()}, "org": {other}, "back": {"/ui/console/users/123"}}).
		must(t, 200, "Switched organisation.", ">zoe</a>", `<option value="`+other+`" selected>Acme</option>`)
	if strings.Contains(b.last.body, ">mia</a>") || !strings.HasPrefix(b.last.url, e.base+"/ui/console/users?") {
		t.Fatalf("after the switch: %s", b.last.url)
	}
	b.post("/ui/console/org", url.Values{"csrf": {b.csrf()}, "orgId": {"999"}}).must(t, http.StatusNotFound, "Organisation not found.")

	// A member of the default org only cannot switch to Acme.
	e.importHuman("vera", "ORG_OWNER_VIEWER")
	v := e.newBrowser()
	v.signIn("vera", password, "")
	if strings.Contains(v.last.body, "Acme") {
		t.Fatal("a default-org viewer is offered Acme")
	}
	v.post("/ui/console/org", url.Values{"csrf": {v.csrf()}, "org": {other}}).must(t, http.StatusForbidden, "You do not have permission to open this organisation.")
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i+len(from):]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return ""
}

// TestPagingAndSorting: 20 users a page, links keep the filters, and the
// column headers sort both ways.
func TestPagingAndSorting(t *testing.T) {
	e := startEnv(t)
	for i := range 23 {
		e.importHuman(fmt.Sprintf("user%02d", i))
	}
	b := e.newBrowser()
	b.signIn(e.adminLogin, e.adminPassword, newAdminPassword)
	p := b.get("/ui/console/users?q=user").must(t, 200, "Showing 1–20 of 23 users.", ">user00</a>", ">user19</a>",
		`href="/ui/console/users?dir=asc&amp;page=2&amp;q=user&amp;sort=username" rel="next"`)
	if strings.Contains(p.body, ">user20</a>") || strings.Contains(p.body, `rel="prev"`) {
		t.Fatal("page 1 shows page 2's users or a previous link")
	}
	b.get("/ui/console/users?dir=asc&page=2&q=user&sort=username").must(t, 200, "Showing 21–23 of 23 users.", ">user22</a>", `rel="prev"`)
	p = b.get("/ui/console/users?q=user&sort=username&dir=desc").must(t, 200, `aria-sort="descending"`)
	if strings.Index(p.body, ">user22</a>") > strings.Index(p.body, ">user03</a>") {
		t.Fatal("descending sort lists user03 before user22")
	}
}

// TestClientRegisteredOnce: New registers the built-in client idempotently,
// so restarts and several nodes share one client.
func TestClientRegisteredOnce(t *testing.T) {
	e := startEnv(t)
	for range 2 {
		if _, err := console.New(e.app, e.prov, console.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	arts, _, err := e.store.ListArtifacts(context.Background(), store.ArtifactQuery{Kind: project.KindApp})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range arts {
		if a.Key == console.ClientID {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d console clients", n)
	}
}
