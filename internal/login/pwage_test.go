package login_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/wardentest"
)

// TestExpiredPasswordAtSignIn: under an age policy, a password older than its
// maximum age signs in only through the change form (as ZITADEL's login asks
// for a new password); the new one must meet the complexity policy, and after
// the change the user signs in directly. A fresh password is not asked for.
func TestExpiredPasswordAtSignIn(t *testing.T) {
	eachEngine(t, func(t *testing.T, open func(testing.TB) store.Store) {
		e := startEnv(t, open(t), login.Options{})
		r := newRP(e)
		id := e.importHuman("olga", false)
		fresh := e.importHuman("fred", false)
		e.must(e.admin("POST", "/management/v1/policies/password/age", `{"maxAgeDays":30,"expireWarnDays":5}`), 200)
		// Olga's password was set 31 days ago.
		ctx := context.Background()
		if err := e.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			u, err := tx.User(ctx, id)
			if err != nil {
				return err
			}
			u.Human.PasswordChangedAt = time.Now().Add(-31 * 24 * time.Hour)
			return tx.UpdateUser(ctx, u, u.Sequence)
		}); err != nil {
			t.Fatal(err)
		}
		if s := signIn(wardentest.NewBrowser(t), e, r, "fred", password); s.Subject != fresh {
			t.Fatal("a fresh password was not let through")
		}
		b := wardentest.NewBrowser(t)
		v := b.Submit(toPassword(b, e, r, "olga"), 0, map[string]string{"password": password})
		if v.Status != 200 || !strings.Contains(v.Body, `name="newPassword"`) {
			t.Fatalf("want the change form for an expired password: %d %q", v.Status, v.Text())
		}
		change := v
		v = b.Submit(change, 0, map[string]string{"newPassword": "nouppercase-1", "confirmPassword": "nouppercase-1"})
		if !strings.Contains(v.Text(), "upper case") {
			t.Fatalf("a new password the complexity policy refuses: %q", v.Text())
		}
		v = b.Submit(change, 0, map[string]string{"newPassword": "Renewed-Pass-1", "confirmPassword": "Renewed-Pass-1"})
		if s := r.AtCallback(b.T, v); s.Subject != id {
			t.Fatalf("signed in as %s", s.Subject)
		}
		if s := signIn(wardentest.NewBrowser(t), e, r, "olga", "Renewed-Pass-1"); s.Subject != id {
			t.Fatal("sign-in with the renewed password failed")
		}
	})
}
