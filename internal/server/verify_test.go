package server_test

import (
	"context"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/wardentest"
)

// verifyEnv is a Warden whose outbox delivers through a real loopback SMTP
// server, for the verification codes' mails.
type verifyEnv struct {
	*env
	smtp *wardentest.SMTPServer
	sent int // mails read so far
}

func startVerify(t *testing.T, open func(testing.TB) store.Store) *verifyEnv {
	t.Helper()
	srv := wardentest.NewSMTPServer(t)
	e := startWith(t, open(t), slog.New(slog.NewTextHandler(io.Discard, nil)),
		[]app.Option{app.WithSMTPTLS(srv.TLSConfig()), app.WithDelivery(app.DeliveryConfig{Backoff: time.Millisecond})})
	id := e.must(e.admin("POST", adm+"/smtp", `{"senderAddress":"noreply@example.com","host":"`+srv.Addr+`","description":"mail"}`), 200).str("id")
	e.must(e.admin("POST", adm+"/smtp/"+id+"/_activate", `{}`), 200)
	return &verifyEnv{env: e, smtp: srv}
}

var linkCode = regexp.MustCompile(`https?://[^\s"<>]+`)

// mail delivers the outbox and returns the next mail, which must go to to.
func (v *verifyEnv) mail(t *testing.T, to string) wardentest.Received {
	t.Helper()
	if _, err := v.app.DeliverMail(context.Background()); err != nil {
		t.Fatal(err)
	}
	ms := v.smtp.WaitMails(t, v.sent+1, 5*time.Second)
	if len(ms) != v.sent+1 {
		t.Fatalf("%d mails, want %d", len(ms), v.sent+1)
	}
	m := ms[v.sent]
	v.sent++
	if m.To != to {
		t.Fatalf("mail to %q, want %q: %s", m.To, to, m.Body)
	}
	return m
}

// link is the first link of a mail whose URL starts with prefix, parsed.
func link(t *testing.T, m wardentest.Received, prefix string) *url.URL {
	t.Helper()
	body, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(m.Body)))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range linkCode.FindAllString(strings.ReplaceAll(string(body), "&amp;", "&"), -1) {
		if strings.HasPrefix(s, prefix) {
			u, err := url.Parse(s)
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
	}
	t.Fatalf("no link %s… in the mail: %s", prefix, m.Body)
	return nil
}

// pending counts the outbox's pending messages.
func (v *verifyEnv) pending(t *testing.T) int64 {
	t.Helper()
	n, err := v.store.CountMessages(context.Background(), store.MessagePending)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (v *verifyEnv) emailOf(t *testing.T, id string) (string, bool) {
	t.Helper()
	r := v.must(v.admin("GET", "/v2/users/"+id, ""), 200)
	h, _ := r.body["user"].(map[string]any)["human"].(map[string]any)
	em, _ := h["email"].(map[string]any)
	s, _ := em["email"].(string)
	ok, _ := em["isVerified"].(bool)
	return s, ok
}

func (v *verifyEnv) phoneOf(t *testing.T, id string) (string, bool) {
	t.Helper()
	r := v.must(v.admin("GET", "/v2/users/"+id, ""), 200)
	h, _ := r.body["user"].(map[string]any)["human"].(map[string]any)
	ph, _ := h["phone"].(map[string]any)
	s, _ := ph["phone"].(string)
	ok, _ := ph["isVerified"].(bool)
	return s, ok
}

// TestVerifyEmailV2: User v2 on both engines — SetEmail mails a code in a
// link to the login page (read from the loopback SMTP server), the code
// verifies once; a caller's url_template is the mail's link; return_code
// answers the code and sends nothing; SendEmailCode replaces the code,
// ResendEmailCode needs a pending one; a wrong code and another user's code
// verify nothing; the history has the code, the failure and the verification.
func TestVerifyEmailV2(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			v := startVerify(t, open)
			ann, bob := v.importHuman("ann"), v.importHuman("bob")

			r := v.must(v.admin("POST", "/v2/users/"+ann+"/email", `{"email":"ann2@example.com"}`), 200)
			if r.str("verificationCode") != "" {
				t.Fatalf("code answered without return_code: %s", r.raw)
			}
			if em, ok := v.emailOf(t, ann); em != "ann2@example.com" || ok {
				t.Fatalf("after SetEmail: %s %v", em, ok)
			}
			m := v.mail(t, "ann2@example.com")
			l := link(t, m, v.base+app.VerificationPath)
			code := l.Query().Get("code")
			if l.Query().Get("userID") != ann || code == "" || !strings.Contains(m.Body, code) {
				t.Fatalf("link %s in %s", l, m.Body)
			}
			// bob has a code of his own; ann's does not verify him.
			bobCode := v.must(v.admin("POST", "/v2/users/"+bob+"/email", `{"email":"bob2@example.com","returnCode":{}}`), 200).str("verificationCode")
			v.wantErr(v.admin("POST", "/v2/users/"+bob+"/email/verify", `{"verificationCode":"`+code+`"}`), 400, "CODE-woT0xc")
			v.wantErr(v.admin("POST", "/v2/users/"+ann+"/email/verify", `{"verificationCode":"`+bobCode+`"}`), 400, "CODE-woT0xc")
			v.wantErr(v.admin("POST", "/v2/users/"+ann+"/email/verify", `{"verificationCode":""}`), 400, "COMMAND-Fia4a")
			v.must(v.admin("POST", "/v2/users/"+ann+"/email/verify", `{"verificationCode":"`+code+`"}`), 200)
			if em, ok := v.emailOf(t, ann); em != "ann2@example.com" || !ok {
				t.Fatalf("after VerifyEmail: %s %v", em, ok)
			}
			v.wantErr(v.admin("POST", "/v2/users/"+ann+"/email/verify", `{"verificationCode":"`+code+`"}`), 404, "COMMAND-3n8ud") // spent
			if _, ok := v.emailOf(t, bob); ok {
				t.Fatal("bob verified by ann's code")
			}

			// The caller's link.
			tmpl := `https://app.example.com/verify?user={{.UserID}}&org={{.OrgID}}&c={{.Code}}`
			v.must(v.admin("POST", "/v2/users/"+ann+"/email", `{"email":"ann3@example.com","sendCode":{"urlTemplate":"`+tmpl+`"}}`), 200)
			l = link(t, v.mail(t, "ann3@example.com"), "https://app.example.com/verify")
			if l.Query().Get("user") != ann || l.Query().Get("org") != v.orgID || l.Query().Get("c") == "" {
				t.Fatalf("templated link %s", l)
			}
			v.wantErr(v.admin("POST", "/v2/users/"+ann+"/email", `{"email":"ann4@example.com","sendCode":{"urlTemplate":"{{.Password}}"}}`), 400, "DOMAIN-ieYa7")
			v.must(v.admin("POST", "/v2/users/"+ann+"/email/verify", `{"verificationCode":"`+l.Query().Get("c")+`"}`), 200)

			// return_code: answered, nothing queued.
			before := v.pending(t)
			v.wantErr(v.admin("POST", "/v2/users/"+ann+"/email/resend", `{"returnCode":{}}`), 400, "EMAIL-5w5ilin4yt") // none pending
			c1 := v.must(v.admin("POST", "/v2/users/"+ann+"/email/send", `{"returnCode":{}}`), 200).str("verificationCode")
			c2 := v.must(v.admin("POST", "/v2/users/"+ann+"/email/resend", `{"returnCode":{}}`), 200).str("verificationCode")
			if c1 == "" || c2 == "" || c1 == c2 || v.pending(t) != before {
				t.Fatalf("return codes %q %q, pending %d → %d", c1, c2, before, v.pending(t))
			}
			v.wantErr(v.admin("POST", "/v2/users/"+ann+"/email/verify", `{"verificationCode":"`+c1+`"}`), 400, "CODE-woT0xc") // replaced
			v.must(v.admin("POST", "/v2/users/"+ann+"/email/verify", `{"verificationCode":"`+c2+`"}`), 200)
			// ResendEmailCode without return_code mails again.
			v.must(v.admin("POST", "/v2/users/"+ann+"/email/send", `{}`), 200)
			v.mail(t, "ann3@example.com")
			v.must(v.admin("POST", "/v2/users/"+ann+"/email/resend", `{}`), 200)
			c3 := link(t, v.mail(t, "ann3@example.com"), v.base).Query().Get("code")
			v.must(v.admin("POST", "/v2/users/"+ann+"/email/verify", `{"verificationCode":"`+c3+`"}`), 200)

			hist := v.userEvents(t, ann)
			for _, want := range []string{event.HumanEmailCodeAdded, event.HumanEmailVerified, event.HumanEmailVerificationFailed} {
				if !slices.Contains(hist, want) {
					t.Fatalf("history lacks %s: %v", want, hist)
				}
			}
			// No code in the history or the stored user.
			raw := v.must(v.admin("POST", "/management/v1/users/"+ann+"/changes/_search", `{"query":{"limit":100}}`), 200).raw
			u, err := v.store.User(context.Background(), ann)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []string{code, c1, c2, c3} {
				if strings.Contains(raw, c) || (u.Human.Codes != nil && strings.Contains(string(u.Human.Codes["email"].MAC), c)) {
					t.Fatalf("code %s stored or in the history", c)
				}
			}
		})
	}
}

// TestVerifyCodeExpiryAndLockout: a code past its secret generator's expiry
// is refused; max_otp_attempts wrong codes lock the user, whose right code
// is then refused, as is any new code; a deactivated user gets none.
func TestVerifyCodeExpiryAndLockout(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			v := startVerify(t, open)
			ann := v.importHuman("ann")
			v.must(v.admin("PUT", "/admin/v1/secretgenerators/SECRET_GENERATOR_TYPE_VERIFY_EMAIL_CODE", `{"length":8,"expiry":"1s","includeDigits":true}`), 200)
			c := v.must(v.admin("POST", "/v2/users/"+ann+"/email", `{"email":"ann2@example.com","returnCode":{}}`), 200).str("verificationCode")
			if len(c) != 8 {
				t.Fatalf("code %q not of the generator's length", c)
			}
			time.Sleep(1100 * time.Millisecond)
			v.wantErr(v.admin("POST", "/v2/users/"+ann+"/email/verify", `{"verificationCode":"`+c+`"}`), 400, "CODE-QvUQ4P")
			v.must(v.admin("PUT", "/admin/v1/secretgenerators/SECRET_GENERATOR_TYPE_VERIFY_EMAIL_CODE", `{"length":8,"expiry":"3600s","includeDigits":true}`), 200)

			v.must(v.admin("POST", "/management/v1/policies/lockout", `{"maxOtpAttempts":3}`), 200)
			c = v.must(v.admin("POST", "/v2/users/"+ann+"/email/send", `{"returnCode":{}}`), 200).str("verificationCode")
			for i := 0; i < 3; i++ {
				v.wantErr(v.admin("POST", "/v2/users/"+ann+"/email/verify", `{"verificationCode":"wrong`+c+`"}`), 400, "CODE-woT0xc")
			}
			if st := v.must(v.admin("GET", "/v2/users/"+ann, ""), 200).str("user", "state"); st != "USER_STATE_LOCKED" {
				t.Fatalf("after 3 wrong codes: %s", st)
			}
			v.wantErr(v.admin("POST", "/v2/users/"+ann+"/email/verify", `{"verificationCode":"`+c+`"}`), 404, "COMMAND-3n8ud") // the lock ended it
			v.wantErr(v.admin("POST", "/v2/users/"+ann+"/email/send", `{"returnCode":{}}`), 400, "COMMAND-JLK35")
			v.wantErr(v.admin("POST", "/v2/users/"+ann+"/phone", `{"phone":"+41 79 555 12 12","returnCode":{}}`), 400, "COMMAND-JLK35")

			bob := v.importHuman("bob")
			v.must(v.admin("POST", "/v2/users/"+bob+"/deactivate", `{}`), 200)
			v.wantErr(v.admin("POST", "/v2/users/"+bob+"/email", `{"email":"bob2@example.com"}`), 400, "WARDEN-NOTACTIVE")
			v.wantErr(v.admin("POST", "/v2/users/"+bob+"/email/send", `{}`), 400, "WARDEN-NOTACTIVE")
		})
	}
}

// TestVerifyPhone: v2 SetPhone queues a text message with the code (no SMS
// provider yet: the outbox row is counted) or answers it (return_code, nothing
// queued); VerifyPhone, ResendPhoneCode, RemovePhone; Management v1's
// UpdateHumanPhone and ResendHumanPhoneVerification, and AddHumanUser and
// ImportHumanUser with an unverified number, queue one too.
func TestVerifyPhone(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			v := startVerify(t, open)
			ann := v.importHuman("ann")
			n := v.pending(t)
			v.must(v.admin("POST", "/v2/users/"+ann+"/phone", `{"phone":"+41 79 555 00 01"}`), 200)
			if v.pending(t) != n+1 {
				t.Fatalf("no text message queued")
			}
			v.wantErr(v.admin("POST", "/v2/users/"+ann+"/phone/verify", `{"verificationCode":"nope"}`), 400, "CODE-woT0xc")
			c := v.must(v.admin("POST", "/v2/users/"+ann+"/phone/resend", `{"returnCode":{}}`), 200).str("verificationCode")
			if c == "" || v.pending(t) != n+1 {
				t.Fatalf("resend with return_code: %q, pending %d", c, v.pending(t))
			}
			v.must(v.admin("POST", "/v2/users/"+ann+"/phone/verify", `{"verificationCode":"`+c+`"}`), 200)
			if p, ok := v.phoneOf(t, ann); p != "+41 79 555 00 01" || !ok {
				t.Fatalf("phone %s %v", p, ok)
			}
			v.wantErr(v.admin("POST", "/v2/users/"+ann+"/phone/resend", `{}`), 400, "PHONE-5xrra88eq8")
			v.wantErr(v.admin("POST", "/management/v1/users/"+ann+"/phone/_resend_verification", `{}`), 400, "COMMAND-2M9sf")
			c = v.must(v.admin("POST", "/v2/users/"+ann+"/phone", `{"phone":"+41 79 555 00 02","returnCode":{}}`), 200).str("verificationCode")
			if c == "" || v.pending(t) != n+1 {
				t.Fatalf("set with return_code: %q, pending %d", c, v.pending(t))
			}
			v.must(v.admin("DELETE", "/v2/users/"+ann+"/phone", ""), 200)
			v.wantErr(v.admin("POST", "/v2/users/"+ann+"/phone/verify", `{"verificationCode":"`+c+`"}`), 404, "COMMAND-Rsj8c") // removed with the number

			// Management v1.
			v.must(v.admin("PUT", "/management/v1/users/"+ann+"/phone", `{"phone":"+41 79 555 00 03"}`), 200)
			v.must(v.admin("POST", "/management/v1/users/"+ann+"/phone/_resend_verification", `{}`), 200)
			if v.pending(t) != n+3 {
				t.Fatalf("v1 phone codes: pending %d, want %d", v.pending(t), n+3)
			}
			add := v.must(v.admin("POST", "/management/v1/users/human", `{"userName":"cy","profile":{"firstName":"C","lastName":"Y"},"email":{"email":"cy@example.com","isEmailVerified":true},"phone":{"phone":"+41 79 555 00 04"},"initialPassword":"Secret-Pass-1"}`), 200).str("userId")
			imp := v.must(v.admin("POST", "/management/v1/users/human/_import", `{"userName":"di","profile":{"firstName":"D","lastName":"I"},"email":{"email":"di@example.com","isEmailVerified":true},"phone":{"phone":"+41 79 555 00 05"},"password":"Secret-Pass-1"}`), 200).str("userId")
			for _, id := range []string{add, imp} {
				if !slices.Contains(v.userEvents(t, id), event.HumanPhoneCodeAdded) {
					t.Fatalf("%s: no phone code: %v", id, v.userEvents(t, id))
				}
			}
			if v.pending(t) < n+5 {
				t.Fatalf("v1 add/import: pending %d, want ≥ %d", v.pending(t), n+5)
			}
		})
	}
}

// TestVerifyEmailV1: Management v1's UpdateHumanEmail without is_email_verified
// mails a code, ResendHumanEmailVerification mails a new one (the first is
// dead), refuses a verified address; v2's AddHumanUser mails a code for an
// unverified address or answers it (return_code), and UpdateHumanUser too.
func TestVerifyEmailV1(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			v := startVerify(t, open)
			ann := v.importHuman("ann")
			v.wantErr(v.admin("POST", "/management/v1/users/"+ann+"/email/_resend_verification", `{}`), 400, "WARDEN-EMAILVERIFIED")
			v.must(v.admin("PUT", "/management/v1/users/"+ann+"/email", `{"email":"ann2@example.com"}`), 200)
			first := link(t, v.mail(t, "ann2@example.com"), v.base).Query().Get("code")
			v.must(v.admin("POST", "/management/v1/users/"+ann+"/email/_resend_verification", `{}`), 200)
			second := link(t, v.mail(t, "ann2@example.com"), v.base).Query().Get("code")
			v.wantErr(v.admin("POST", "/v2/users/"+ann+"/email/verify", `{"verificationCode":"`+first+`"}`), 400, "CODE-woT0xc")
			v.must(v.admin("POST", "/v2/users/"+ann+"/email/verify", `{"verificationCode":"`+second+`"}`), 200)

			org := `"organization":{"orgId":"` + v.orgID + `"}`
			r := v.must(v.admin("POST", "/v2/users/human", `{"username":"eve",`+org+`,"profile":{"givenName":"E","familyName":"V"},"email":{"email":"eve@example.com","returnCode":{}},"phone":{"phone":"+41 79 555 00 09","returnCode":{}}}`), 200)
			eve, ec, pc := r.str("userId"), r.str("emailCode"), r.str("phoneCode")
			if ec == "" || pc == "" {
				t.Fatalf("AddHumanUser return codes: %s", r.raw)
			}
			v.must(v.admin("POST", "/v2/users/"+eve+"/email/verify", `{"verificationCode":"`+ec+`"}`), 200)
			v.must(v.admin("POST", "/v2/users/"+eve+"/phone/verify", `{"verificationCode":"`+pc+`"}`), 200)
			fay := v.must(v.admin("POST", "/v2/users/human", `{"username":"fay",`+org+`,"profile":{"givenName":"F","familyName":"A"},"email":{"email":"fay@example.com"}}`), 200).str("userId")
			fc := link(t, v.mail(t, "fay@example.com"), v.base+app.VerificationPath).Query().Get("code")
			v.must(v.admin("POST", "/v2/users/"+fay+"/email/verify", `{"verificationCode":"`+fc+`"}`), 200)

			r = v.must(v.admin("PUT", "/v2/users/human/"+fay, `{"email":{"email":"fay2@example.com","returnCode":{}}}`), 200)
			if r.str("emailCode") == "" {
				t.Fatalf("UpdateHumanUser return code: %s", r.raw)
			}
			v.must(v.admin("POST", "/v2/users/"+fay+"/email/verify", `{"verificationCode":"`+r.str("emailCode")+`"}`), 200)
			v.must(v.admin("PUT", "/v2/users/human/"+fay, `{"email":{"email":"fay3@example.com"}}`), 200)
			link(t, v.mail(t, "fay3@example.com"), v.base+app.VerificationPath)
		})
	}
}

// TestVerifyAttackers: org B's owner can neither send a code to org A's user
// nor verify it (v2: PermissionDenied; v1 with A's org context: denied; in its
// own context: NotFound); a member without user.write cannot either.
func TestVerifyAttackers(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			v := startVerify(t, open)
			ann := v.importHuman("ann")
			code := v.must(v.admin("POST", "/v2/users/"+ann+"/email", `{"email":"ann2@example.com","returnCode":{}}`), 200).str("verificationCode")
			_, _, bTok := v.orgWithOwner("orgb", "ORG_OWNER")
			_, viewer := v.machineWithToken("viewer", "ORG_OWNER_VIEWER")
			for _, tok := range []string{bTok, viewer} {
				for _, c := range []struct{ method, path, body string }{
					{"POST", "/v2/users/" + ann + "/email", `{"email":"evil@example.com","returnCode":{}}`},
					{"POST", "/v2/users/" + ann + "/email/send", `{"returnCode":{}}`},
					{"POST", "/v2/users/" + ann + "/email/resend", `{"returnCode":{}}`},
					{"POST", "/v2/users/" + ann + "/email/verify", `{"verificationCode":"` + code + `"}`},
					{"POST", "/v2/users/" + ann + "/phone", `{"phone":"+41 79 555 00 06","returnCode":{}}`},
					{"POST", "/v2/users/" + ann + "/phone/verify", `{"verificationCode":"123"}`},
					{"DELETE", "/v2/users/" + ann + "/phone", ""},
					{"POST", "/v2beta/users/" + ann + "/email", `{"email":"evil@example.com","returnCode":{}}`},
					{"POST", "/management/v1/users/" + ann + "/email/_resend_verification", `{}`},
					{"PUT", "/management/v1/users/" + ann + "/email", `{"email":"evil@example.com"}`},
				} {
					r := v.do(c.method, c.path, tok, c.body)
					if r.status != 403 && r.status != 404 {
						t.Fatalf("%s %s by an outsider: %d %s", c.method, c.path, r.status, r.raw)
					}
				}
				r := v.do("POST", "/management/v1/users/"+ann+"/email/_resend_verification", tok, `{}`, "x-zitadel-orgid", v.orgID)
				if r.status != 403 {
					t.Fatalf("v1 in A's org context: %d %s", r.status, r.raw)
				}
			}
			if em, ok := v.emailOf(t, ann); em != "ann2@example.com" || ok {
				t.Fatalf("ann after the attempts: %s %v", em, ok)
			}
			// The code still works for whoever may.
			v.must(v.admin("POST", "/v2/users/"+ann+"/email/verify", `{"verificationCode":"`+code+`"}`), 200)
		})
	}
}
