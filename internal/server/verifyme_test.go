package server_test

import (
	"context"
	"io"
	"mime/quotedprintable"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/wardentest"
)

// meEnv is a Warden with its login page and a loopback SMTP server, for
// humans who sign in and for the verification link.
type meEnv struct {
	*wardentest.Instance
	smtp *wardentest.SMTPServer
	rp   *wardentest.RP
	sent int
}

func startMe(t *testing.T, open func(testing.TB) store.Store) *meEnv {
	t.Helper()
	srv := wardentest.NewSMTPServer(t)
	in := wardentest.Start(t, open(t), wardentest.Options{Login: &login.Options{AttemptsPerMinute: -1},
		AppOptions: []app.Option{app.WithSMTPTLS(srv.TLSConfig()), app.WithDelivery(app.DeliveryConfig{Backoff: time.Millisecond})}})
	id := wardentest.Must(t, in.Admin(t, "POST", adm+"/smtp", `{"senderAddress":"noreply@example.com","host":"`+srv.Addr+`","description":"mail"}`), 200).Str("id")
	wardentest.Must(t, in.Admin(t, "POST", adm+"/smtp/"+id+"/_activate", `{}`), 200)
	return &meEnv{Instance: in, smtp: srv, rp: wardentest.NewRP(t, in, wardentest.RPOptions{})}
}

// link delivers the outbox and returns the verification link of the next
// mail, which must go to to.
func (e *meEnv) link(t *testing.T, to string) *url.URL {
	t.Helper()
	if _, err := e.App.DeliverMail(context.Background()); err != nil {
		t.Fatal(err)
	}
	ms := e.smtp.WaitMails(t, e.sent+1, 5*time.Second)
	m := ms[e.sent]
	e.sent++
	if m.To != to {
		t.Fatalf("mail to %q, want %q", m.To, to)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(m.Body)))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range linkCode.FindAllString(strings.ReplaceAll(string(body), "&amp;", "&"), -1) {
		if strings.HasPrefix(s, e.Base+app.VerificationPath) {
			u, err := url.Parse(s)
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
	}
	t.Fatalf("no verification link in %s", body)
	return nil
}

func (e *meEnv) verified(t *testing.T, id string) (string, bool) {
	t.Helper()
	u, err := e.Store.User(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u.Human.Email, u.Human.EmailVerified
}

// TestVerifyMyEmail: Auth v1 on both engines — the signed-in user sets its
// address (a code is mailed), verifies it with the code, and asks for a new
// one; its phone likewise (a text message is queued). User A's token cannot
// verify user B's address: a code of B's is no code of A's, and B stays
// unverified. On v2 a user may set and verify its own address, but not set it
// verified outright, nor touch another user's.
func TestVerifyMyEmail(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startMe(t, open)
			ann, bob := e.ImportHuman(t, "", "ann", authPassword), e.ImportHuman(t, "", "bob", authPassword)
			annTok := e.rp.SignIn(t, wardentest.NewBrowser(t), "ann", authPassword).Token.AccessToken
			bobTok := e.rp.SignIn(t, wardentest.NewBrowser(t), "bob", authPassword).Token.AccessToken
			me := func(tok, method, path, body string) wardentest.Reply {
				return e.Do(t, method, "/auth/v1/users/me"+path, tok, body)
			}
			wantID := func(r wardentest.Reply, status int, id string) {
				t.Helper()
				if r.Status != status || replyErrID(r) != id {
					t.Fatalf("got %d %s, want %d %s", r.Status, r.Raw, status, id)
				}
			}
			wantID(me(annTok, "POST", "/email/_resend_verification", `{}`), 400, "WARDEN-EMAILVERIFIED")
			wardentest.Must(t, me(annTok, "PUT", "/email", `{"email":"ann2@example.com"}`), 200)
			annCode := e.link(t, "ann2@example.com").Query().Get("code")
			wardentest.Must(t, me(bobTok, "PUT", "/email", `{"email":"bob2@example.com"}`), 200)
			bobCode := e.link(t, "bob2@example.com").Query().Get("code")

			// A's token with B's code: A's own code check fails, B is untouched.
			wantID(me(annTok, "POST", "/email/_verify", `{"code":"`+bobCode+`"}`), 400, "CODE-woT0xc")
			wantID(me(annTok, "POST", "/email/_verify", `{"code":""}`), 400, "COMMAND-wMe9f")
			if _, ok := e.verified(t, bob); ok {
				t.Fatal("bob verified by ann's token")
			}
			wardentest.Must(t, me(annTok, "POST", "/email/_verify", `{"code":"`+annCode+`"}`), 200)
			if em, ok := e.verified(t, ann); em != "ann2@example.com" || !ok {
				t.Fatalf("ann: %s %v", em, ok)
			}
			// B asks again: the first code is dead, the new one verifies.
			wardentest.Must(t, me(bobTok, "POST", "/email/_resend_verification", `{}`), 200)
			bobCode2 := e.link(t, "bob2@example.com").Query().Get("code")
			wantID(me(bobTok, "POST", "/email/_verify", `{"code":"`+bobCode+`"}`), 400, "CODE-woT0xc")
			wardentest.Must(t, me(bobTok, "POST", "/email/_verify", `{"code":"`+bobCode2+`"}`), 200)

			// The phone: a text message is queued; the code is the outbox's, so
			// only the refusals are checked here (v2's return_code is tested in
			// TestVerifyPhone).
			n, _ := e.Store.CountMessages(context.Background(), store.MessagePending)
			wardentest.Must(t, me(annTok, "PUT", "/phone", `{"phone":"+41 79 555 01 01"}`), 200)
			wardentest.Must(t, me(annTok, "POST", "/phone/_resend_verification", `{}`), 200)
			if m, _ := e.Store.CountMessages(context.Background(), store.MessagePending); m != n+2 {
				t.Fatalf("text messages queued: %d, want %d", m-n, 2)
			}
			wantID(me(annTok, "POST", "/phone/_verify", `{"code":"nope"}`), 400, "CODE-woT0xc")
			wantID(me(bobTok, "POST", "/phone/_verify", `{"code":"nope"}`), 404, "COMMAND-Rsj8c")

			// v2 on oneself: set with a returned code and verify it; not
			// verified outright; never another user.
			r := wardentest.Must(t, e.Do(t, "POST", "/v2/users/"+ann+"/email", annTok, `{"email":"ann3@example.com","returnCode":{}}`), 200)
			wardentest.Must(t, e.Do(t, "POST", "/v2/users/"+ann+"/email/verify", annTok, `{"verificationCode":"`+r.Str("verificationCode")+`"}`), 200)
			if r := e.Do(t, "POST", "/v2/users/"+ann+"/email", annTok, `{"email":"ann4@example.com","isVerified":true}`); r.Status != 403 {
				t.Fatalf("self set verified: %d %s", r.Status, r.Raw)
			}
			for _, c := range []struct{ path, body string }{
				{"/v2/users/" + bob + "/email", `{"email":"evil@example.com","returnCode":{}}`},
				{"/v2/users/" + bob + "/email/send", `{"returnCode":{}}`},
				{"/v2/users/" + bob + "/email/verify", `{"verificationCode":"` + bobCode2 + `"}`},
			} {
				if r := e.Do(t, "POST", c.path, annTok, c.body); r.Status != 403 {
					t.Fatalf("ann on bob %s: %d %s", c.path, r.Status, r.Raw)
				}
			}
			// A locked user's token is dead, and its code refused through the API.
			wardentest.Must(t, e.Admin(t, "POST", "/v2/users/"+bob+"/email", `{"email":"bob3@example.com"}`), 200)
			e.link(t, "bob3@example.com")
			wardentest.Must(t, e.Admin(t, "POST", "/v2/users/"+bob+"/lock", `{}`), 200)
			if r := me(bobTok, "POST", "/email/_resend_verification", `{}`); r.Status != 401 {
				t.Fatalf("locked user's token: %d %s", r.Status, r.Raw)
			}
		})
	}
}

// TestVerificationPage: the mail's link opens the login page's form with the
// code prefilled; its post (CSRF-checked) verifies the address, signed out;
// a second post, a wrong code, an unknown user and another user's code all
// get the same refusal; a post without the form's CSRF token is refused.
func TestVerificationPage(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startMe(t, open)
			ann, bob := e.ImportHuman(t, "", "ann", authPassword), e.ImportHuman(t, "", "bob", authPassword)
			wardentest.Must(t, e.Admin(t, "POST", "/v2/users/"+ann+"/email", `{"email":"ann2@example.com"}`), 200)
			l := e.link(t, "ann2@example.com")
			wardentest.Must(t, e.Admin(t, "POST", "/v2/users/"+bob+"/email", `{"email":"bob2@example.com"}`), 200)
			bl := e.link(t, "bob2@example.com")

			b := wardentest.NewBrowser(t)
			// No CSRF token: refused before anything is checked.
			if v := b.Post(e.Base+app.VerificationPath, url.Values{"userID": {ann}, "code": {l.Query().Get("code")}}); v.Status != 403 {
				t.Fatalf("post without CSRF: %d", v.Status)
			}
			refusal := ""
			for _, c := range []struct{ user, code string }{
				{ann, "WRONG1"}, {"123456789", l.Query().Get("code")}, {ann, bl.Query().Get("code")}, {bob, l.Query().Get("code")},
			} {
				q := url.Values{"userID": {c.user}, "code": {c.code}}
				v := b.Get(e.Base + app.VerificationPath + "?" + q.Encode())
				i := v.FormWith(t, "code")
				if v.Forms[i].Fields.Get("code") != c.code {
					t.Fatalf("code not prefilled: %v", v.Forms[i].Fields)
				}
				v = b.Submit(v, i, nil)
				if v.Status != 400 || !strings.Contains(v.Text(), login.TextVerifyFailed) {
					t.Fatalf("%v: %d %s", c, v.Status, v.Text())
				}
				if refusal == "" {
					refusal = v.Text()
				} else if v.Text() != refusal {
					t.Fatalf("refusals differ:\n%s\n%s", refusal, v.Text())
				}
			}
			v := b.Get(l.String())
			v = b.Submit(v, v.FormWith(t, "code"), nil)
			if v.Status != 200 || !strings.Contains(v.Text(), login.TextEmailVerified) {
				t.Fatalf("verify: %d %s", v.Status, v.Text())
			}
			if em, ok := e.verified(t, ann); em != "ann2@example.com" || !ok {
				t.Fatalf("ann: %s %v", em, ok)
			}
			v = b.Get(l.String())
			if v = b.Submit(v, v.FormWith(t, "code"), nil); v.Status != 400 || v.Text() != refusal {
				t.Fatalf("second use: %d %s", v.Status, v.Text())
			}
			if _, ok := e.verified(t, bob); ok {
				t.Fatal("bob verified")
			}
			// Bob's own link still works.
			v = b.Get(bl.String())
			if v = b.Submit(v, v.FormWith(t, "code"), nil); v.Status != 200 {
				t.Fatalf("bob's link: %d %s", v.Status, v.Text())
			}
		})
	}
}
