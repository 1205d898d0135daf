package app_test

import (
	"context"
	"errors"
	"html"
	"io"
	"mime/quotedprintable"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/mail"
	"github.com/warden-id/warden/internal/secretgen"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/user"
	"github.com/warden-id/warden/internal/wardentest"
	"google.golang.org/grpc/codes"
)

const newPassword = "Battery-Staple-2"

func resetApp(t *testing.T, open testdb.Opener) (*app.App, app.Scope, *wardentest.SMTPServer) {
	t.Helper()
	srv := wardentest.NewSMTPServer(t)
	a, admin := app.NewTestApp(t, open, app.WithMailer(&mail.SMTP{Host: srv.Addr, From: "noreply@example.com", TLSConfig: srv.TLSConfig(), Timeout: 5 * time.Second}))
	a.SetPublicURL("https://id.example.com/")
	return a, admin, srv
}

var hrefRE = regexp.MustCompile(`href="([^"]+)"`)

// mailLink delivers the outbox and returns the link of the last mail to to.
func mailLink(t *testing.T, a *app.App, srv *wardentest.SMTPServer, to string) *url.URL {
	t.Helper()
	if _, err := a.DeliverMail(context.Background()); err != nil {
		t.Fatal(err)
	}
	ms := srv.Mails()
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].To != to {
			continue
		}
		body, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(ms[i].Body)))
		if err != nil {
			t.Fatal(err)
		}
		m := hrefRE.FindStringSubmatch(string(body))
		if m == nil {
			t.Fatalf("mail to %s has no link: %s", to, ms[i].Body)
		}
		u, err := url.Parse(html.UnescapeString(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	t.Fatalf("no mail to %s among %d", to, len(ms))
	return nil
}

func pendingMessages(t *testing.T, a *app.App) int64 {
	t.Helper()
	n, err := a.Store().CountMessages(context.Background(), store.MessagePending)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPasswordResetByMailedLink: a reset sent by e-mail carries the login
// page's link with the code; the code sets a new password once (the old one
// stops working), the change is noticed by mail, and a second use fails.
func TestPasswordResetByMailedLink(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin, srv := resetApp(t, open)
		ctx := context.Background()
		u := app.AddTestHuman(t, a, admin, "ada")
		if _, _, err := a.RequestPasswordReset(ctx, admin, u.ID, app.ResetRequest{}); err != nil {
			t.Fatal(err)
		}
		link := mailLink(t, a, srv, "ada@example.com")
		q := link.Query()
		if link.Host != "id.example.com" || link.Path != app.PasswordInitPath || q.Get("userID") != u.ID || q.Get("orgID") != u.OrgID || q.Get("code") == "" {
			t.Fatalf("link %s", link)
		}
		if _, err := a.ResetPasswordByCode(ctx, u.ID, q.Get("code"), newPassword); err != nil {
			t.Fatal(err)
		}
		if _, err := a.CheckPassword(ctx, u.ID, newPassword); err != nil {
			t.Fatalf("new password: %v", err)
		}
		if _, err := a.CheckPassword(ctx, u.ID, "Correct-Horse-1"); !errors.Is(err, user.ErrWrongPassword) {
			t.Fatalf("old password: %v", err)
		}
		if _, err := a.ResetPasswordByCode(ctx, u.ID, q.Get("code"), "Another-Pass-3"); !errors.Is(err, user.CodeNotFound(user.CodePassword)) {
			t.Fatalf("second use: %v", err)
		}
		if _, err := a.DeliverMail(ctx); err != nil {
			t.Fatal(err)
		}
		last := srv.Mails()[len(srv.Mails())-1]
		if last.Subject != "Your password was changed" || last.To != "ada@example.com" {
			t.Fatalf("notice: %q to %s", last.Subject, last.To)
		}
	})
}

// TestPasswordResetReturnCodeAndTemplate: return_code answers the code and
// sends nothing; a caller's template shapes the link; the complexity policy
// applies to the new password; the notice follows the notification policy.
func TestPasswordResetReturnCodeAndTemplate(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin, srv := resetApp(t, open)
		ctx := context.Background()
		u := app.AddTestHuman(t, a, admin, "bea")
		before := pendingMessages(t, a)
		_, code, err := a.RequestPasswordReset(ctx, admin, u.ID, app.ResetRequest{Return: true})
		if err != nil || code == "" {
			t.Fatalf("return code: %q %v", code, err)
		}
		if n := pendingMessages(t, a); n != before {
			t.Fatalf("return_code queued %d messages", n-before)
		}
		if _, err := a.ResetPasswordByCode(ctx, u.ID, code, "short"); err == nil {
			t.Fatal("a password against the complexity policy was set")
		}
		if _, err := a.ChangeNotificationPolicy(ctx, admin, false, app.PolicyAdd); err != nil {
			t.Fatal(err)
		}
		if _, err := a.SetPasswordWithCode(ctx, admin, u.ID, code, newPassword); err != nil {
			t.Fatalf("the code after a refused password: %v", err)
		}
		if n := pendingMessages(t, a); n != before {
			t.Fatalf("notice sent with password_change off: %d", n-before)
		}
		if _, _, err := a.RequestPasswordReset(ctx, admin, u.ID, app.ResetRequest{URLTemplate: "https://app.example.com/reset/{{.UserID}}?c={{.Code}}"}); err != nil {
			t.Fatal(err)
		}
		link := mailLink(t, a, srv, "bea@example.com")
		if link.Host != "app.example.com" || link.Path != "/reset/"+u.ID || link.Query().Get("c") == "" {
			t.Fatalf("templated link %s", link)
		}
		if _, _, err := a.RequestPasswordReset(ctx, admin, u.ID, app.ResetRequest{URLTemplate: "{{.Secret}}"}); !errors.Is(err, app.ErrURLTemplateField) {
			t.Fatalf("bad template: %v", err)
		}
		if _, _, err := a.RequestPasswordReset(ctx, admin, u.ID, app.ResetRequest{SMS: true}); !errors.Is(err, user.ErrPhoneNotFound) {
			t.Fatalf("sms without a phone: %v", err)
		}
		if _, err := a.UpdatePhone(ctx, admin, u.ID, "+41 79 123 45 67", true); err != nil {
			t.Fatal(err)
		}
		sms := pendingMessages(t, a)
		if _, _, err := a.RequestPasswordReset(ctx, admin, u.ID, app.ResetRequest{SMS: true}); err != nil {
			t.Fatal(err)
		}
		if n := pendingMessages(t, a); n != sms+1 {
			t.Fatalf("sms reset queued %d", n-sms)
		}
	})
}

// TestResetCodeRules: a lock between the request and the use refuses the
// code and drops it (an unlock does not revive it); wrong codes lock at
// max_otp_attempts; an expired code is refused; an INITIAL user gets no
// reset; user A's code does not set B's password.
func TestResetCodeRules(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin, _ := resetApp(t, open)
		ctx := context.Background()
		u := app.AddTestHuman(t, a, admin, "cid")
		_, code, err := a.RequestPasswordReset(ctx, admin, u.ID, app.ResetRequest{Return: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.ChangeState(ctx, admin, u.ID, user.OpLock); err != nil {
			t.Fatal(err)
		}
		if _, err := a.ResetPasswordByCode(ctx, u.ID, code, newPassword); err == nil {
			t.Fatal("a locked user's code set a password")
		}
		if _, _, err := a.RequestPasswordReset(ctx, admin, u.ID, app.ResetRequest{Return: true}); !errors.Is(err, user.ErrLocked) {
			t.Fatalf("reset for a locked user: %v", err)
		}
		if _, err := a.ChangeState(ctx, admin, u.ID, user.OpUnlock); err != nil {
			t.Fatal(err)
		}
		if _, err := a.ResetPasswordByCode(ctx, u.ID, code, newPassword); !errors.Is(err, user.CodeNotFound(user.CodePassword)) {
			t.Fatalf("the code after an unlock: %v", err)
		}

		// A's code is not B's.
		b := app.AddTestHuman(t, a, admin, "dot")
		_, codeB, err := a.RequestPasswordReset(ctx, admin, b.ID, app.ResetRequest{Return: true})
		if err != nil {
			t.Fatal(err)
		}
		_, codeA, err := a.RequestPasswordReset(ctx, admin, u.ID, app.ResetRequest{Return: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.ResetPasswordByCode(ctx, b.ID, codeA, newPassword); !errors.Is(err, user.ErrCodeInvalid) {
			t.Fatalf("A's code for B: %v", err)
		}

		// Wrong codes: the default lockout policy's max_otp_attempts locks.
		pol, err := app.LockoutPolicyOf(ctx, a.Store(), u.OrgID)
		if err != nil {
			t.Fatal(err)
		}
		if pol.MaxOTPAttempts == 0 {
			if _, err := a.ChangeLockoutPolicy(ctx, admin, 0, 3, app.PolicyAdd); err != nil {
				t.Fatal(err)
			}
			pol.MaxOTPAttempts = 3
		}
		for i := uint64(1); i < pol.MaxOTPAttempts; i++ { // B already has one failure
			if _, err := a.ResetPasswordByCode(ctx, b.ID, "WRONG"+codeB, newPassword); !errors.Is(err, user.ErrCodeInvalid) {
				t.Fatalf("wrong code %d: %v", i, err)
			}
		}
		got, _, err := a.GetUser(ctx, admin, b.ID)
		if err != nil || got.State != user.StateLocked {
			t.Fatalf("after %d wrong codes: %v %v", pol.MaxOTPAttempts, got.State, err)
		}
		if _, err := a.ResetPasswordByCode(ctx, b.ID, codeB, newPassword); err == nil {
			t.Fatal("the right code after the lock")
		}

		// Expiry.
		cfg := secretgen.Default(secretgen.TypePasswordResetCode)
		cfg.Expiry = time.Millisecond
		if _, err := a.UpdateSecretGenerator(ctx, admin.Caller, secretgen.TypePasswordResetCode, cfg); err != nil {
			t.Fatal(err)
		}
		_, code, err = a.RequestPasswordReset(ctx, admin, u.ID, app.ResetRequest{Return: true})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
		if _, err := a.ResetPasswordByCode(ctx, u.ID, code, newPassword); !errors.Is(err, user.ErrCodeExpired) {
			t.Fatalf("expired code: %v", err)
		}

		// INITIAL: no reset (its first password comes with the init code).
		in, err := a.AddHuman(ctx, admin, app.NewHuman{UserName: "eve", Profile: user.Human{FirstName: "E", LastName: "V", Email: "eve@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := a.RequestPasswordReset(ctx, admin, in.ID, app.ResetRequest{Return: true}); !errors.Is(err, user.ErrNotInitialised) {
			t.Fatalf("reset of an INITIAL user: %v", err)
		}
	})
}

// TestResetAttackers: another org's administrator, a viewer and a caller
// without roles can neither send a reset nor invite; a user may ask a reset
// for itself only.
func TestResetAttackers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin, _ := resetApp(t, open)
		ctx := context.Background()
		other, err := a.AddOrg(ctx, admin.Caller, "Other")
		if err != nil {
			t.Fatal(err)
		}
		victim := app.AddTestHuman(t, a, admin, "victim")
		self := app.AddTestHuman(t, a, admin, "self")
		invitee, err := a.AddHuman(ctx, admin, app.NewHuman{UserName: "inv", Profile: user.Human{FirstName: "I", LastName: "N", Email: "inv@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		foreignAdmin := app.RoleCaller("mgr", other.ID, other.ID, "ORG_OWNER")
		viewer := app.RoleCaller(self.ID, admin.OrgID, admin.OrgID, "ORG_OWNER_VIEWER")
		for name, s := range map[string]app.Scope{
			"other org's admin, own context": {Caller: foreignAdmin, OrgID: other.ID},
			"other org's admin, my context":  {Caller: foreignAdmin, OrgID: admin.OrgID},
			"other org's admin, v2":          {Caller: foreignAdmin},
			"viewer":                         {Caller: viewer, OrgID: admin.OrgID},
		} {
			for op, try := range map[string]func() error{
				"reset": func() error {
					_, _, err := a.RequestPasswordReset(ctx, s, victim.ID, app.ResetRequest{Return: true})
					return err
				},
				"invite": func() error {
					_, _, err := a.CreateInviteCode(ctx, s, invitee.ID, app.InviteRequest{Return: true})
					return err
				},
				"init": func() error { _, err := a.ResendInitialization(ctx, s, invitee.ID, "evil@example.com"); return err },
			} {
				fe, ok := fail.As(try())
				if !ok || (fe.Code != codes.NotFound && fe.Code != codes.PermissionDenied) {
					t.Fatalf("%s %s: %v", name, op, fe)
				}
			}
		}
		// The user itself (v2, no org context) may ask for its own reset.
		if _, _, err := a.RequestPasswordReset(ctx, app.Scope{Caller: viewer}, self.ID, app.ResetRequest{}); err != nil {
			t.Fatalf("own reset: %v", err)
		}
		v, _, _ := a.GetUser(ctx, admin, victim.ID)
		if user.PendingCode(v, user.CodePassword) != nil {
			t.Fatal("the victim got a code")
		}
	})
}

// TestInviteAndInit: v2 invitations (returned or sent, resent with their
// link, verified) and v1 initialization codes (sent at creation without a
// password, resent to a new address) lead to a first password and ACTIVE.
func TestInviteAndInit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin, srv := resetApp(t, open)
		ctx := context.Background()
		inv, err := a.AddHuman(ctx, admin, app.NewHuman{UserName: "fay", Profile: user.Human{FirstName: "F", LastName: "A", Email: "fay@example.com"}})
		if err != nil || inv.State != user.StateInitial {
			t.Fatalf("%v %v", inv, err)
		}
		if _, err := a.ResendInviteCode(ctx, admin, inv.ID); !errors.Is(err, user.CodeNotFound(user.CodeInvite)) {
			t.Fatalf("resend without a code: %v", err)
		}
		_, code, err := a.CreateInviteCode(ctx, admin, inv.ID, app.InviteRequest{Return: true})
		if err != nil || code == "" {
			t.Fatal(err)
		}
		if _, err := a.ResendInviteCode(ctx, admin, inv.ID); !errors.Is(err, user.CodeNotFound(user.CodeInvite)) {
			t.Fatalf("resend of a returned code: %v", err)
		}
		got, err := a.VerifyInviteCode(ctx, admin, inv.ID, code)
		if err != nil || !got.Human.EmailVerified || got.State != user.StateInitial {
			t.Fatalf("verify: %v %+v", err, got)
		}
		if _, _, err := a.CreateInviteCode(ctx, admin, inv.ID, app.InviteRequest{URLTemplate: "https://app.example.com/invite?u={{.UserID}}&c={{.Code}}&n={{.ApplicationName}}", ApplicationName: "Shop"}); err != nil {
			t.Fatal(err)
		}
		first := mailLink(t, a, srv, "fay@example.com")
		if _, err := a.ResendInviteCode(ctx, admin, inv.ID); err != nil {
			t.Fatal(err)
		}
		again := mailLink(t, a, srv, "fay@example.com")
		if again.Host != "app.example.com" || again.Query().Get("n") != "Shop" || again.Query().Get("c") == first.Query().Get("c") {
			t.Fatalf("resent %s after %s", again, first)
		}
		if _, err := a.InitPasswordByCode(ctx, inv.ID, first.Query().Get("c"), newPassword, true); !errors.Is(err, user.ErrCodeInvalid) {
			t.Fatalf("the replaced invitation: %v", err)
		}
		done, err := a.InitPasswordByCode(ctx, inv.ID, again.Query().Get("c"), newPassword, true)
		if err != nil || done.State != user.StateActive {
			t.Fatalf("accept: %v %v", err, done)
		}
		if _, _, err := a.CreateInviteCode(ctx, admin, inv.ID, app.InviteRequest{Return: true}); !errors.Is(err, user.ErrInviteAccepted) {
			t.Fatalf("invite with a password: %v", err)
		}

		// v1: an initialization code at creation, to the login page.
		ini, err := a.AddHuman(ctx, admin, app.NewHuman{UserName: "gil", SendInitCode: true, Profile: user.Human{FirstName: "G", LastName: "I", Email: "gil@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		link := mailLink(t, a, srv, "gil@example.com")
		if link.Path != app.UserInitPath || link.Query().Get("userID") != ini.ID || link.Query().Get("invite") != "" {
			t.Fatalf("init link %s", link)
		}
		if _, err := a.ResendInitialization(ctx, admin, ini.ID, "gil@example.org"); err != nil {
			t.Fatal(err)
		}
		link2 := mailLink(t, a, srv, "gil@example.org")
		if _, err := a.InitPasswordByCode(ctx, ini.ID, link.Query().Get("code"), newPassword, false); !errors.Is(err, user.ErrCodeInvalid) {
			t.Fatalf("the replaced init code: %v", err)
		}
		done, err = a.InitPasswordByCode(ctx, ini.ID, link2.Query().Get("code"), newPassword, false)
		if err != nil || done.State != user.StateActive || !done.Human.EmailVerified || done.Human.Email != "gil@example.org" {
			t.Fatalf("init: %v %+v", err, done)
		}
		if _, err := a.ResendInitialization(ctx, admin, ini.ID, ""); !errors.Is(err, user.ErrAlreadyInitialised) {
			t.Fatalf("resend after init: %v", err)
		}
		evs, err := a.Store().Events(ctx, store.EventQuery{AggregateID: ini.ID, Asc: true})
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, e := range evs {
			types = append(types, e.Type)
		}
		want := "user.human.added user.human.initialization.code.added user.human.email.changed user.human.initialization.code.added user.human.initialization.check.failed user.human.initialization.check.succeeded user.human.email.verified user.human.password.changed"
		if strings.Join(types, " ") != want {
			t.Fatalf("events:\n%s\nwant\n%s", strings.Join(types, " "), want)
		}
	})
}
