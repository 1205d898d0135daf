package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/wardentest"
)

// TestEmailProviders: admin v1's e-mail provider methods on both engines —
// the SMTP variants are the SMTP configurations (one store: what one names
// the other lists), an HTTP provider sits in the same list, is the only
// active one once activated, and receives the outbox's mails as ZITADEL's
// signed JSON; the SMTP methods do not show or change it; no answer carries
// the password or (after its creation) the signing key.
func TestEmailProviders(t *testing.T) {
	const secret = "Sm7p-Pass-For-Providers"
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			srv := wardentest.NewSMTPServer(t)
			srv.User, srv.Password = "mailer", secret
			hook := newHookServer(t)
			e := startWith(t, open(t), slog.New(slog.NewTextHandler(io.Discard, nil)),
				[]app.Option{app.WithSMTPTLS(srv.TLSConfig()), app.WithDelivery(app.DeliveryConfig{Backoff: time.Millisecond})})
			var answers []string
			call := func(method, path, body string, status int) reply {
				t.Helper()
				r := e.must(e.admin(method, path, body), status)
				answers = append(answers, r.raw)
				return r
			}
			e.wantErr(e.admin("GET", adm+"/email", ""), 404, "COMMAND-j5IDFtt3T1")
			smtpID := call("POST", adm+"/email/smtp", `{"senderAddress":"noreply@example.com","host":"`+srv.Addr+`","user":"mailer","plain":{"password":"`+secret+`"},"description":"relay"}`, 200).str("id")
			e.wantErr(e.admin("POST", adm+"/email/smtp", `{"senderAddress":"a@example.com","host":"h:25","xoauth2":{"tokenEndpoint":"https://x"}}`), 400, "WARDEN-XOAUTH2")
			// The SMTP variant is the SMTP configuration.
			if r := call("GET", adm+"/smtp/"+smtpID, "", 200); r.str("smtpConfig", "host") != srv.Addr {
				t.Fatalf("smtp view: %s", r.raw)
			}
			add := call("POST", adm+"/email/http", `{"endpoint":"`+hook.URL+`/mail","description":"hook"}`, 200)
			hookID, key := add.str("id"), add.str("signingKey")
			if hookID == "" || key == "" {
				t.Fatalf("add http: %s", add.raw)
			}
			l := call("POST", adm+"/email/_search", `{"query":{"asc":true}}`, 200)
			if l.str("details", "totalResult") != "2" || !strings.Contains(l.raw, `"smtp":`) || !strings.Contains(l.raw, `"http":`) {
				t.Fatalf("list: %s", l.raw)
			}
			if l := call("POST", adm+"/smtp/_search", `{}`, 200); l.str("details", "totalResult") != "1" {
				t.Fatalf("the SMTP list shows the HTTP provider: %s", l.raw)
			}
			e.wantErr(e.admin("GET", adm+"/smtp/"+hookID, ""), 404, "COMMAND-j5IDFtt3T1")
			e.wantErr(e.admin("PUT", adm+"/email/smtp/"+hookID+"/password", `{"password":"x"}`), 404, "COMMAND-j5IDFtt3T1")
			e.wantErr(e.admin("PUT", adm+"/email/http/"+smtpID, `{"endpoint":"`+hook.URL+`"}`), 404, "COMMAND-j5IDFtt3T1")

			// SMTP active: the outbox goes through the relay.
			call("POST", adm+"/email/"+smtpID+"/_activate", `{}`, 200)
			call("PUT", adm+"/email/smtp/"+smtpID, `{"senderAddress":"noreply@example.com","senderName":"Warden","host":"`+srv.Addr+`","user":"mailer","description":"relay"}`, 200)
			call("POST", adm+"/email/smtp/"+smtpID+"/_test", `{"receiverAddress":"ops@example.com"}`, 200)
			srv.WaitMails(t, 1, 5*time.Second)
			if r := call("GET", adm+"/email", "", 200); r.str("config", "id") != smtpID || r.str("config", "smtp", "senderName") != "Warden" {
				t.Fatalf("active: %s", r.raw)
			}

			// HTTP active: the SMTP one goes inactive, mails go to the webhook.
			call("POST", adm+"/email/"+hookID+"/_activate", `{}`, 200)
			if r := call("GET", adm+"/email/"+smtpID, "", 200); r.str("config", "state") != "EMAIL_PROVIDER_INACTIVE" {
				t.Fatalf("the SMTP provider after the HTTP one's activation: %s", r.raw)
			}
			e.wantErr(e.admin("GET", adm+"/smtp", ""), 404, "COMMAND-j5IDFtt3T1") // no active SMTP configuration
			var id string
			data, _ := json.Marshal(app.Mail{To: "ada@example.com", Subject: "Your code", Text: "code 4711", EventType: "user.human.email.code.added"})
			id = "mail-http-1"
			if err := e.store.Write(t.Context(), func(ctx context.Context, tx store.Tx) error {
				return tx.EnqueueMessage(ctx, &store.Message{ID: id, Kind: app.KindEmail, Recipient: "ada@example.com", Data: e.app.SealSecret("outbox", id, data)})
			}); err != nil {
				t.Fatal(err)
			}
			if n := deliverNow(t, e); n != 1 {
				t.Fatalf("delivered %d", n)
			}
			calls := hook.calls()
			if len(calls) != 1 {
				t.Fatalf("%d webhook calls", len(calls))
			}
			var payload struct {
				ContextInfo  map[string]any `json:"contextInfo"`
				TemplateData map[string]any `json:"templateData"`
			}
			if err := json.Unmarshal(calls[0].body, &payload); err != nil {
				t.Fatal(err)
			}
			if payload.ContextInfo["recipientEmailAddress"] != "ada@example.com" || payload.TemplateData["Subject"] != "Your code" ||
				payload.TemplateData["Text"] != "code 4711" || payload.ContextInfo["eventType"] != "user.human.email.code.added" {
				t.Fatalf("payload: %s", calls[0].body)
			}
			checkSignature(t, calls[0], key)
			if len(srv.Mails()) != 1 {
				t.Fatal("the relay got the mail too")
			}
			if m, err := e.store.Message(t.Context(), id); err != nil || m.State != store.MessageSent || len(m.Data) != 0 {
				t.Fatalf("after delivery: %+v, %v", m, err)
			}

			up := call("PUT", adm+"/email/http/"+hookID, `{"endpoint":"`+hook.URL+`/mail2","description":"hook","expirationSigningKey":"0s"}`, 200)
			if k := up.str("signingKey"); k == "" || k == key {
				t.Fatalf("rotation: %s", up.raw)
			}
			if r := call("GET", adm+"/email/"+hookID, "", 200); r.str("config", "http", "endpoint") != hook.URL+"/mail2" || strings.Contains(r.raw, key) {
				t.Fatalf("get http: %s", r.raw)
			}
			call("POST", adm+"/email/"+hookID+"/_deactivate", `{}`, 200)
			call("DELETE", adm+"/email/"+hookID, "", 200)
			e.wantErr(e.admin("GET", adm+"/email/"+hookID, ""), 404, "COMMAND-j5IDFtt3T1")

			types := instanceEventTypes(t, e, "instance.smtp.config.", secret, key)
			for _, want := range []string{"instance.smtp.config.http.added", "instance.smtp.config.http.changed", "instance.smtp.config.added"} {
				if !strings.Contains(strings.Join(types, " "), want) {
					t.Errorf("no %s in %v", want, types)
				}
			}
			for _, a := range answers {
				if a == add.raw {
					continue // the add answer carries the key by design
				}
				if strings.Contains(a, secret) || strings.Contains(a, key) {
					t.Errorf("an answer carries a secret: %s", a)
				}
			}
		})
	}
}

// TestEmailProvidersRefused: an org owner and an IAM user manager can neither
// read nor add, change, activate, test or remove the instance's e-mail
// providers.
func TestEmailProvidersRefused(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			id := e.must(e.admin("POST", adm+"/email/smtp", `{"senderAddress":"a@example.com","host":"127.0.0.1:25","password":"pw-123"}`), 200).str("id")
			hook := e.must(e.admin("POST", adm+"/email/http", `{"endpoint":"http://127.0.0.1:1/x"}`), 200).str("id")
			_, owner := e.machineWithToken("owner", "ORG_OWNER")
			mgr, manager := e.machineWithToken("manager")
			e.must(e.admin("POST", "/admin/v1/members", `{"userId":"`+mgr+`","roles":["IAM_USER_MANAGER"]}`), 200)
			for _, tok := range []string{owner, manager} {
				for _, c := range []struct{ method, path, body string }{
					{"POST", adm + "/email/_search", `{}`},
					{"GET", adm + "/email", ""},
					{"GET", adm + "/email/" + hook, ""},
					{"POST", adm + "/email/smtp", `{"senderAddress":"x@example.com","host":"127.0.0.1:25"}`},
					{"PUT", adm + "/email/smtp/" + id, `{"senderAddress":"x@example.com","host":"127.0.0.1:25"}`},
					{"PUT", adm + "/email/smtp/" + id + "/password", `{"password":"mine"}`},
					{"POST", adm + "/email/http", `{"endpoint":"http://127.0.0.1:2/x"}`},
					{"PUT", adm + "/email/http/" + hook, `{"endpoint":"http://127.0.0.1:2/x","expirationSigningKey":"0s"}`},
					{"POST", adm + "/email/" + hook + "/_activate", `{}`},
					{"POST", adm + "/email/" + hook + "/_deactivate", `{}`},
					{"DELETE", adm + "/email/" + hook, ""},
					{"POST", adm + "/email/smtp/" + id + "/_test", `{"receiverAddress":"a@example.com"}`},
					{"POST", adm + "/email/smtp/_test", `{"senderAddress":"x@example.com","host":"127.0.0.1:25","receiverAddress":"a@example.com","id":"` + id + `"}`},
				} {
					r := e.do(c.method, c.path, tok, c.body)
					if r.status != 403 || strings.Contains(r.raw, "signingKey") || strings.Contains(r.raw, "pw-123") {
						t.Errorf("%s %s: %d %s", c.method, c.path, r.status, r.raw)
					}
				}
			}
			if r := e.must(e.admin("GET", adm+"/email/"+hook, ""), 200); r.str("config", "state") != "EMAIL_PROVIDER_INACTIVE" || r.str("config", "http", "endpoint") != "http://127.0.0.1:1/x" {
				t.Fatalf("changed by the refused calls: %s", r.raw)
			}
		})
	}
}
