package login_test

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
)

// pendingEmailCode gives the user a new address with a code and returns the
// verification link the mail would carry.
func (e *env) pendingEmailCode(id, email string) string {
	e.t.Helper()
	c := e.must(e.admin("POST", "/v2/users/"+id+"/email", `{"email":"`+email+`","returnCode":{}}`), 200).Str("verificationCode")
	return e.base + app.VerificationPath + "?" + url.Values{"userID": {id}, "code": {c}}.Encode()
}

// TestVerificationPageThrottled: wrong codes at the verification page drain
// the address's bucket (429 once it is empty, even for the right code) and are
// counted on the user (verification.failed); a right code costs nothing.
func TestVerificationPageThrottled(t *testing.T) {
	eachEngine(t, func(t *testing.T, open func(testing.TB) store.Store) {
		e := startEnv(t, open(t), login.Options{AttemptsPerMinute: 1, AttemptBurst: 3, UserAttemptsPerMinute: 1, UserAttemptBurst: 10})
		id := e.importHuman("vera", false)
		b := wardentest.NewBrowser(t)
		// A right code first: it costs no token.
		v := b.Get(e.pendingEmailCode(id, "vera2@example.com"))
		if w := b.Submit(v, v.FormWith(t, "code"), nil); w.Status != 200 || !strings.Contains(w.Text(), login.TextEmailVerified) {
			t.Fatalf("right code: %d %s", w.Status, w.Text())
		}
		link := e.pendingEmailCode(id, "vera3@example.com")
		v = b.Get(link)
		form := v.FormWith(t, "code")
		for i := 0; i < 3; i++ {
			if w := b.Submit(v, form, map[string]string{"code": "WRONG" + string(rune('A'+i))}); w.Status != 400 || !strings.Contains(w.Text(), login.TextVerifyFailed) {
				t.Fatalf("wrong code %d: %d %s", i, w.Status, w.Text())
			}
		}
		if w := b.Submit(v, form, nil); w.Status != 429 || !strings.Contains(w.Text(), login.TextThrottled) {
			t.Fatalf("after three misses: %d %s", w.Status, w.Text())
		}
		if n := e.eventCounts(id)[event.HumanEmailVerificationFailed]; n != 3 {
			t.Fatalf("%d failures recorded, want 3", n)
		}
	})
}

// TestBrowserVerificationPage: headless Chromium follows a verification link
// signed out: the form shows the code, its post verifies the address under the
// page's CSP, without script.
func TestBrowserVerificationPage(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("no browser at %s: %v", chromiumPath, err)
	}
	e := startEnv(t, testdb.SQLite(t), login.Options{})
	id := e.importHuman("vic", false)
	link := e.pendingEmailCode(id, "vic2@example.com")
	code, _ := url.Parse(link)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("blink-settings", "scriptEnabled=false"), chromedp.UserDataDir(t.TempDir()))
	root, cancelRoot := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancelRoot()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	defer cancelAlloc()
	ctx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	defer cancelBrowser()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start the browser: %v", err)
	}
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#code"))); err != nil {
		t.Fatalf("open the link: %v", err)
	}
	value, err := chromedp.Run(sctx, chromedp.Value(chromedp.CSS("#code")))
	if err != nil || value != code.Query().Get("code") {
		t.Fatalf("code field %q (%v), want %q", value, err, code.Query().Get("code"))
	}
	if err := chromedp.Do(sctx, chromedp.Click(chromedp.CSS("button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#message"))); err != nil {
		t.Fatalf("submit: %v", err)
	}
	msg, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS("#message")))
	if err != nil {
		t.Fatal(err)
	}
	if msg != login.TextEmailVerified {
		t.Fatalf("message %q", msg)
	}
	u, err := e.store.User(context.Background(), id)
	if err != nil || !u.Human.EmailVerified || u.Human.Email != "vic2@example.com" {
		t.Fatalf("stored: %+v %v", u.Human, err)
	}
}
