package login_test

import (
	"context"
	"github.com/warden-id/warden/internal/store/testdb"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/warden-id/warden/internal/login"
)

const chromiumPath = "/usr/bin/chromium"

// TestHeadlessBrowser drives a real browser (headless Chromium) through the
// real pages: the RP sends it to Warden, it fills the user name and password
// forms and lands on the RP's callback; after the admin locks the user, the
// next visit stops at Warden's locked message instead of going back with a code.
// The pages' CSP, cookies and redirects are thus checked by a browser's rules.
func TestHeadlessBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("no browser at %s (CI installs Debian's chromium; apt-get install -y chromium): %v", chromiumPath, err)
	}
	e := startEnv(t, testdb.SQLite(t), login.Options{})
	r := newRP(e)
	id := e.importHuman("mia", false)

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
		chromedp.UserDataDir(t.TempDir()),
	)
	root, cancelRoot := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancelRoot()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	defer cancelAlloc()
	ctx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	defer cancelBrowser()
	// The first Run starts the browser and must not carry a shorter timeout
	// than the browser's life (root bounds it); every later step has its own.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start the browser: %v", err)
	}
	fatal := func(what string, err error) {
		t.Helper()
		lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		loc, _ := chromedp.Run(lctx, chromedp.Location())
		body, _ := chromedp.Run(lctx, chromedp.Text(chromedp.CSS("body")))
		t.Fatalf("%s: %v (at %s: %q)", what, err, loc, body)
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, steps...); err != nil {
			fatal(what, err)
		}
	}
	get := func(what string, a chromedp.Action[string]) string {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		v, err := chromedp.Run(sctx, a)
		if err != nil {
			fatal(what, err)
		}
		return v
	}

	do("open the RP", chromedp.Navigate(r.Srv.URL+"/start"), chromedp.WaitVisible(chromedp.CSS("#loginName")))
	if loc := get("location", chromedp.Location()); !strings.HasPrefix(loc, e.base+"/ui/login?authRequestID=") {
		t.Fatalf("login page at %s", loc)
	}
	do("user name",
		chromedp.SendKeys(chromedp.CSS("#loginName"), "mia"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#password")))
	do("password",
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#result")))
	result, loc := get("result", chromedp.Text(chromedp.CSS("#result"))), get("location", chromedp.Location())
	if result != "signed in as "+id || !strings.HasPrefix(loc, r.Srv.URL+"/callback?") {
		t.Fatalf("RP page %q at %s, want signed in as %s", result, loc, id)
	}

	// The session signs the next visit in without forms.
	do("second visit", chromedp.Navigate(r.Srv.URL+"/start"), chromedp.WaitVisible(chromedp.CSS("#result")))
	if result := get("result", chromedp.Text(chromedp.CSS("#result"))); result != "signed in as "+id {
		t.Fatalf("second visit: %q", result)
	}
	r.Last()

	e.must(e.admin("POST", "/management/v1/users/"+id+"/_lock", "{}"), 200)
	codes := r.Codes()
	do("visit after the lock", chromedp.Navigate(r.Srv.URL+"/start"), chromedp.WaitVisible(chromedp.CSS("#error")))
	msg, loc := get("message", chromedp.Text(chromedp.CSS("#error"))), get("location", chromedp.Location())
	if msg != login.TextLocked || !strings.HasPrefix(loc, e.base+"/ui/login") {
		t.Fatalf("after the lock: %q at %s, want %q on the login page", msg, loc, login.TextLocked)
	}
	if r.Codes() != codes || r.Last() != nil {
		t.Fatal("the RP got a code for a locked user")
	}
}
