package console_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/warden-id/warden/internal/store/testdb"
)

const chromiumPath = "/usr/bin/chromium"

// chrome is one headless Chromium with step helpers that fail the test with
// the page's location and text, so a failure says where the browser was.
type chrome struct {
	t   testing.TB
	ctx context.Context
}

func newChrome(t testing.TB) *chrome {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("no browser at %s (CI installs Debian's chromium; apt-get install -y chromium): %v", chromiumPath, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()),
	)
	root, cancelRoot := context.WithTimeout(context.Background(), 4*time.Minute)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() { cancelBrowser(); cancelAlloc(); cancelRoot() })
	// The first Run starts the browser and must not carry a shorter timeout
	// than the browser's life (root bounds it); every later step has its own.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start the browser: %v", err)
	}
	return &chrome{t: t, ctx: ctx}
}

func (c *chrome) fatal(what string, err error) {
	c.t.Helper()
	lctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(lctx, chromedp.Location())
	body, _ := chromedp.Run(lctx, chromedp.Text(chromedp.CSS("body")))
	c.t.Fatalf("%s: %v (at %s: %q)", what, err, loc, body)
}

func (c *chrome) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	sctx, cancel := context.WithTimeout(c.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		c.fatal(what, err)
	}
}

func (c *chrome) text(what, css string) string {
	c.t.Helper()
	sctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		c.fatal(what, err)
	}
	return strings.TrimSpace(v)
}

func (c *chrome) eval(what, js string) string {
	c.t.Helper()
	sctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		c.fatal(what, err)
	}
	return v
}

// signIn fills the real login page's forms; newPassword answers a forced change.
func (c *chrome) signIn(loginName, pw, newPassword string) {
	c.t.Helper()
	c.signInTo(loginName, pw, newPassword, "#users")
}

// signInTo signs in and waits for the element landed (the page the console
// returns to shows it).
func (c *chrome) signInTo(loginName, pw, newPassword, landed string) {
	c.t.Helper()
	c.do("user name",
		chromedp.WaitVisible(chromedp.CSS("#loginName")),
		chromedp.SendKeys(chromedp.CSS("#loginName"), loginName),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#password")))
	if newPassword == "" {
		c.do("password",
			chromedp.SendKeys(chromedp.CSS("#password"), pw),
			chromedp.Click(chromedp.CSS("button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS(landed)))
		return
	}
	c.do("password",
		chromedp.SendKeys(chromedp.CSS("#password"), pw),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#newPassword")))
	c.do("password change",
		chromedp.SendKeys(chromedp.CSS("#newPassword"), newPassword),
		chromedp.SendKeys(chromedp.CSS("#confirmPassword"), newPassword),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(landed)))
}

// TestBrowserLockUnlockAndViewer drives headless Chromium through the real
// pages: the bootstrap administrator signs in through Warden's login page
// (with the forced password change), searches for a user, locks it through
// the confirmation page, sees the LOCKED badge and the history entry, and
// unlocks it; then a viewer (read, no delete) signs in, gets no remove action,
// and a forged remove post from the page is refused with 403.
func TestBrowserLockUnlockAndViewer(t *testing.T) {
	e := startEnv(t)
	mia := e.importHuman("mia")
	e.importHuman("noah")
	e.importHuman("vera", "ORG_OWNER_VIEWER")
	c := newChrome(t)

	c.do("open the console", chromedp.Navigate(e.base+"/ui/console"))
	c.signIn(e.adminLogin, e.adminPassword, newAdminPassword)
	if me := c.text("signed in as", "#me"); me != e.adminLogin {
		t.Fatalf("signed in as %q", me)
	}
	// Keyboard: the first Tab reaches the skip link.
	c.do("tab", chromedp.KeyEvent("\t"))
	if got := c.eval("focus", `document.activeElement.className`); got != "skip" {
		t.Fatalf("first Tab focuses %q, want the skip link", got)
	}

	c.do("search",
		chromedp.SendKeys(chromedp.CSS("#q"), "mi"),
		chromedp.Click(chromedp.CSS("#search")),
		// The value attribute is the server's echo of the query: the new page.
		chromedp.WaitVisible(chromedp.CSS(`#q[value="mi"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#users a[href="/ui/console/users/`+mia+`"]`)))
	if rows := c.text("results", "#users tbody"); strings.Contains(rows, "noah") || !strings.Contains(rows, "ACTIVE") {
		t.Fatalf("search results %q", rows)
	}
	c.do("open mia",
		chromedp.Click(chromedp.CSS(`#users a[href="/ui/console/users/`+mia+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#state")))
	c.do("lock",
		chromedp.Click(chromedp.CSS(`#actions a[href$="action=lock"]`)),
		chromedp.WaitVisible(chromedp.CSS("#confirm")),
		chromedp.Click(chromedp.CSS("#confirm")),
		chromedp.WaitVisible(chromedp.CSS("#lockinfo")))
	if st := c.text("state", "#state"); st != "LOCKED" {
		t.Fatalf("badge %q after the lock", st)
	}
	first := c.text("history", "#history li:first-child")
	if !strings.Contains(first, "Locked") || !strings.Contains(first, "by "+e.adminLogin) {
		t.Fatalf("newest history entry %q", first)
	}
	if info := c.text("lock info", "#lockinfo"); !strings.Contains(info, e.adminLogin) {
		t.Fatalf("lock info %q", info)
	}
	if got := e.userState(mia); got != "USER_STATE_LOCKED" {
		t.Fatalf("API state %s", got)
	}
	c.do("unlock",
		chromedp.Click(chromedp.CSS(`#actions a[href$="action=unlock"]`)),
		chromedp.WaitVisible(chromedp.CSS("#confirm")),
		chromedp.Click(chromedp.CSS("#confirm")),
		chromedp.WaitVisible(chromedp.CSS("#notice")))
	if st := c.text("state", "#state"); st != "ACTIVE" {
		t.Fatalf("badge %q after the unlock", st)
	}
	if first := c.text("history", "#history li:first-child"); !strings.Contains(first, "Unlocked") {
		t.Fatalf("newest history entry %q", first)
	}

	c.do("sign out", chromedp.Click(chromedp.CSS("#signout")), chromedp.WaitVisible(chromedp.CSS("#message")))

	// The viewer: reads users, may not delete them.
	c.do("console again", chromedp.Navigate(e.base+"/ui/console/users"))
	c.signIn("vera", password, "")
	c.do("open mia as viewer", chromedp.Navigate(e.base+"/ui/console/users/"+mia), chromedp.WaitVisible(chromedp.CSS("#state")))
	if n := c.eval("actions", `String(document.querySelectorAll('a[href*="action="]').length)`); n != "0" {
		t.Fatalf("the viewer is offered %s actions", n)
	}
	// A forged form (the page's CSP forbids fetch, so a form it is) with the
	// session's valid CSRF token: the app layer refuses it.
	c.eval("forge a form", `(() => {
		const f = document.createElement("form");
		f.method = "post";
		f.action = "/ui/console/users/`+mia+`/remove";
		const i = document.createElement("input");
		i.type = "hidden"; i.name = "csrf"; i.value = document.querySelector("input[name=csrf]").value;
		f.append(i); document.body.append(f); f.submit();
		return "sent";
	})()`)
	c.do("forged remove", chromedp.WaitVisible(chromedp.CSS("#error")))
	if msg := c.text("refusal", "#error"); msg != "You do not have permission to remove users." {
		t.Fatalf("forged remove answered %q", msg)
	}
	if got := e.userState(mia); got != "USER_STATE_ACTIVE" {
		t.Fatalf("mia after the forged remove: %s", got)
	}
}

// TestBrowserProjectRoleAppGrant drives headless Chromium through the access
// model's pages: the administrator opens Projects from the navigation,
// creates a project with its roles in tokens, adds a role, creates an OIDC app
// (its client secret shown once), grants a user the role in two steps (project,
// then roles) and sees the grant on the user's page — and the API agrees. Then
// a viewer sees the project without a single form that writes, and a forged
// add-role post from the page, with the session's CSRF token, is refused.
func TestBrowserProjectRoleAppGrant(t *testing.T) {
	e := startEnv(t)
	mia := e.importHuman("mia")
	e.importHuman("vera", "ORG_OWNER_VIEWER")
	c := newChrome(t)

	c.do("open the console", chromedp.Navigate(e.base+"/ui/console"))
	c.signIn(e.adminLogin, e.adminPassword, newAdminPassword)
	c.do("projects",
		chromedp.Click(chromedp.CSS(`nav a[href="/ui/console/projects"]`)),
		chromedp.WaitVisible(chromedp.CSS("#project-name")))
	c.do("create the project",
		chromedp.SendKeys(chromedp.CSS("#project-name"), "Shop"),
		chromedp.Click(chromedp.CSS("#roleAssertion")),
		chromedp.Click(chromedp.CSS("#create-project")),
		chromedp.WaitVisible(chromedp.CSS("#roles")))
	if n := c.text("notice", "#notice"); n != "The project is created." {
		t.Fatalf("notice %q", n)
	}
	loc := c.eval("location", `location.pathname`)
	pid := strings.TrimPrefix(loc, "/ui/console/projects/")
	c.do("add a role",
		chromedp.SendKeys(chromedp.CSS("#role-key"), "admin"),
		chromedp.SendKeys(chromedp.CSS("#role-display"), "Administrator"),
		// The project page already shows a notice: mark this page, so the
		// wait below finds the next page's notice and not this one.
		chromedp.Evaluate[chromedp.Void](`document.body.dataset.before = "1"`),
		chromedp.Click(chromedp.CSS("#add-role-button")),
		chromedp.WaitVisible(chromedp.CSS("body:not([data-before]) #notice")))
	if roles := c.text("roles", "#roles tbody"); !strings.Contains(roles, "admin") {
		t.Fatalf("roles %q", roles)
	}
	c.do("create an OIDC app",
		chromedp.Click(chromedp.CSS("#new-oidc summary")),
		chromedp.WaitVisible(chromedp.CSS("#oidc-name")),
		chromedp.SendKeys(chromedp.CSS("#oidc-name"), "web"),
		chromedp.SendKeys(chromedp.CSS("#oidc-redirects"), "https://shop.example.com/cb"),
		chromedp.Click(chromedp.CSS("#create-oidc")),
		chromedp.WaitVisible(chromedp.CSS("#secret")))
	if s := c.text("secret", "#secret"); len(s) < 40 {
		t.Fatalf("client secret %q", s)
	}
	clientID := c.text("client id", "#client-id")
	c.do("to the app", chromedp.Click(chromedp.CSS("#back")), chromedp.WaitVisible(chromedp.CSS("#app")))
	if got := c.text("app client id", "#client-id"); got != clientID {
		t.Fatalf("app page client id %q, the secret page said %q", got, clientID)
	}

	c.do("open mia", chromedp.Navigate(e.base+"/ui/console/users/"+mia), chromedp.WaitVisible(chromedp.CSS("#grants")))
	c.do("grant: the project",
		chromedp.Click(chromedp.CSS("#add-grant")),
		chromedp.WaitVisible(chromedp.CSS("#grant-project")),
		chromedp.Click(chromedp.CSS("#choose")),
		chromedp.WaitVisible(chromedp.CSS(`#grant-roles input[value="admin"]`)))
	c.do("grant: the role",
		chromedp.Click(chromedp.CSS(`#grant-roles input[value="admin"]`)),
		chromedp.Click(chromedp.CSS("#grant")),
		chromedp.WaitVisible(chromedp.CSS("#notice")))
	row := c.text("grants", "#grants tbody")
	if !strings.Contains(row, "Shop") || !strings.Contains(row, "admin") || !strings.Contains(row, "ACTIVE") {
		t.Fatalf("grant row %q", row)
	}
	grants := e.api("POST", "/management/v1/users/grants/_search", `{"queries":[{"userIdQuery":{"userId":"`+mia+`"}}]}`).raw
	if !strings.Contains(grants, `"projectId":"`+pid+`"`) || !strings.Contains(grants, `"roleKeys":["admin"]`) {
		t.Fatalf("the API's grants of mia: %s", grants)
	}

	c.do("sign out", chromedp.Click(chromedp.CSS("#signout")), chromedp.WaitVisible(chromedp.CSS("#message")))
	c.do("console again", chromedp.Navigate(e.base+"/ui/console/users"))
	c.signIn("vera", password, "")
	c.do("the project as viewer", chromedp.Navigate(e.base+"/ui/console/projects/"+pid), chromedp.WaitVisible(chromedp.CSS("#roles")))
	if n := c.eval("forms", `String(document.querySelectorAll('main form').length)`); n != "0" {
		t.Fatalf("the viewer is offered %s forms on the project page", n)
	}
	c.eval("forge a form", `(() => {
		const f = document.createElement("form");
		f.method = "post";
		f.action = "/ui/console/projects/`+pid+`/roles";
		for (const [k, v] of [["csrf", document.querySelector("input[name=csrf]").value], ["key", "owner"]]) {
			const i = document.createElement("input");
			i.type = "hidden"; i.name = k; i.value = v; f.append(i);
		}
		document.body.append(f); f.submit();
		return "sent";
	})()`)
	c.do("forged add role", chromedp.WaitVisible(chromedp.CSS("#error")))
	if msg := c.text("refusal", "#error"); msg != "You do not have permission to add roles." {
		t.Fatalf("forged add role answered %q", msg)
	}
	if roles := e.api("POST", "/management/v1/projects/"+pid+"/roles/_search", `{}`).raw; strings.Contains(roles, "owner") {
		t.Fatalf("roles after the forged post: %s", roles)
	}
}

// TestBrowserEditProfile: in headless Chromium (both engines) the administrator edits a
// user's profile on its page and the API sees it; a viewer's page has no edit
// form, and a forged profile post with the session's CSRF token is refused.
func TestBrowserEditProfile(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) { browserEditProfile(t, startEnvOn(t, open(t))) })
}

func browserEditProfile(t *testing.T, e *env) {
	lea := e.importHuman("lea")
	e.importHuman("vera", "ORG_OWNER_VIEWER")
	c := newChrome(t)
	c.do("open the console", chromedp.Navigate(e.base+"/ui/console"))
	c.signIn(e.adminLogin, e.adminPassword, newAdminPassword)
	c.do("open lea", chromedp.Navigate(e.base+"/ui/console/users/"+lea), chromedp.WaitVisible(chromedp.CSS("#edit-profile")))
	c.eval("clear the given name", `(() => { document.querySelector("#firstName").value = ""; return "ok"; })()`)
	c.do("edit the profile",
		chromedp.SendKeys(chromedp.CSS("#firstName"), "Léa"),
		chromedp.SendKeys(chromedp.CSS("#displayName"), "Léa E."),
		chromedp.SendKeys(chromedp.CSS("#gender"), "Female"),
		chromedp.Click(chromedp.CSS("#save-profile")),
		chromedp.WaitVisible(chromedp.CSS("#notice")))
	if n := c.text("notice", "#notice"); !strings.Contains(n, "The profile is saved.") {
		t.Fatalf("notice %q", n)
	}
	if first := c.text("history", "#history li:first-child"); !strings.Contains(first, "Profile changed") {
		t.Fatalf("newest history entry %q", first)
	}
	r := e.api("GET", "/management/v1/users/"+lea+"/profile", "")
	if r.str("profile", "firstName") != "Léa" || r.str("profile", "displayName") != "Léa E." || r.str("profile", "gender") != "GENDER_FEMALE" {
		t.Fatalf("the API's profile: %s", r.raw)
	}
	c.do("sign out", chromedp.Click(chromedp.CSS("#signout")), chromedp.WaitVisible(chromedp.CSS("#message")))

	c.do("console again", chromedp.Navigate(e.base+"/ui/console/users"))
	c.signIn("vera", password, "")
	c.do("open lea as viewer", chromedp.Navigate(e.base+"/ui/console/users/"+lea), chromedp.WaitVisible(chromedp.CSS("#state")))
	if n := c.eval("edit forms", `String(document.querySelectorAll('form[action*="/edit/"]').length)`); n != "0" {
		t.Fatalf("the viewer is offered %s edit forms", n)
	}
	c.eval("forge a form", `(() => {
		const f = document.createElement("form");
		f.method = "post";
		f.action = "/ui/console/users/`+lea+`/edit/profile";
		for (const [k, v] of [["csrf", document.querySelector("input[name=csrf]").value], ["firstName", "Evil"], ["lastName", "E"]]) {
			const i = document.createElement("input");
			i.type = "hidden"; i.name = k; i.value = v; f.append(i);
		}
		document.body.append(f); f.submit();
		return "sent";
	})()`)
	c.do("forged edit", chromedp.WaitVisible(chromedp.CSS("#error")))
	if msg := c.text("refusal", "#error"); !strings.Contains(msg, "You do not have permission to change this user's profile") {
		t.Fatalf("forged edit answered %q", msg)
	}
	if got := e.api("GET", "/management/v1/users/"+lea+"/profile", "").str("profile", "firstName"); got != "Léa" {
		t.Fatalf("lea after the forged post: %q", got)
	}
}
