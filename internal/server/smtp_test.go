package server_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/mail"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/wardentest"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/admin"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/settings"
)

const adm = "/admin/v1"

// TestSMTPConfigREST: admin v1's SMTP configuration over REST and Connect on
// both engines — added inactive, activated (the one active before goes
// inactive), updated, its password replaced; the test mail and the outbox
// delivery go through the active one (STARTTLS and AUTH to the loopback
// server); ZITADEL's ids for the refusals; the password in no answer, event
// or log line.
func TestSMTPConfigREST(t *testing.T) {
	const secret = "Sup3r-Secret-SMTP-Pw"
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			srv := wardentest.NewSMTPServer(t)
			srv.User, srv.Password = "mailer", secret
			var logs syncBuffer
			e := startWith(t, open(t), slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
				[]app.Option{app.WithSMTPTLS(srv.TLSConfig()), app.WithDelivery(app.DeliveryConfig{Backoff: time.Millisecond})})
			var answers []string
			call := func(method, path, body string, status int) reply {
				t.Helper()
				r := e.must(e.admin(method, path, body), status)
				answers = append(answers, r.raw)
				return r
			}
			e.wantErr(e.admin("GET", adm+"/smtp", ""), 404, "COMMAND-j5IDFtt3T1")
			body := `{"senderAddress":"noreply@example.com","senderName":"Warden","host":"` + srv.Addr + `","user":"mailer","password":"` + secret + `","description":"main"}`
			id := call("POST", adm+"/smtp", body, 200).str("id")
			other := call("POST", adm+"/smtp", `{"senderAddress":"b@example.com","host":"127.0.0.1:1","description":"other"}`, 200).str("id")
			e.wantErr(e.admin("GET", adm+"/smtp", ""), 404, "COMMAND-j5IDFtt3T1") // added inactive
			call("POST", adm+"/smtp/"+other+"/_activate", `{}`, 200)
			call("POST", adm+"/smtp/"+id+"/_activate", `{}`, 200)
			e.wantErr(e.admin("POST", adm+"/smtp/"+id+"/_activate", `{}`), 400, "COMMAND-vUHBSmBzaw")
			e.wantErr(e.admin("POST", adm+"/smtp/"+other+"/_deactivate", `{}`), 400, "COMMAND-km8g3")
			got := call("GET", adm+"/smtp", "", 200)
			if got.str("smtpConfig", "id") != id || got.str("smtpConfig", "state") != "SMTP_CONFIG_ACTIVE" || got.str("smtpConfig", "user") != "mailer" {
				t.Fatalf("active config: %s", got.raw)
			}
			l := call("POST", adm+"/smtp/_search", `{"query":{"asc":true}}`, 200)
			if res, _ := l.val("result").([]any); len(res) != 2 || l.str("details", "totalResult") != "2" {
				t.Fatalf("list: %s", l.raw)
			}
			for _, bad := range []string{`{"senderAddress":"","host":"h:25"}`, `{"senderAddress":"a@example.com","host":"nohost"}`} {
				e.wantErr(e.admin("POST", adm+"/smtp", bad), 400, "")
			}
			e.wantErr(e.admin("GET", adm+"/smtp/123456", ""), 404, "COMMAND-j5IDFtt3T1")

			// Update keeps the stored password when none is given.
			call("PUT", adm+"/smtp/"+id, `{"senderAddress":"noreply@example.com","senderName":"Warden Mail","host":"`+srv.Addr+`","user":"mailer","description":"main"}`, 200)
			call("POST", adm+"/smtp/"+id+"/_test", `{"receiverAddress":"ops@example.com"}`, 200)
			ms := srv.WaitMails(t, 1, 5*time.Second)
			if ms[0].AuthUser != "mailer" || !ms[0].TLS || ms[0].To != "ops@example.com" {
				t.Fatalf("test mail: %+v", ms[0])
			}
			// A wrong password: the test fails, with no password in the answer.
			call("PUT", adm+"/smtp/"+id+"/password", `{"password":"wrong-one"}`, 200)
			r := e.admin("POST", adm+"/smtp/"+id+"/_test", `{"receiverAddress":"ops@example.com"}`)
			e.wantErr(r, 400, "WARDEN-SMTPTEST")
			answers = append(answers, r.raw)
			call("PUT", adm+"/smtp/"+id+"/password", `{"password":"`+secret+`"}`, 200)

			// The outbox job sends through the active configuration.
			err := e.store.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
				return tx.EnqueueMessage(ctx, &store.Message{ID: "outbox-1", Kind: app.KindEmail, Recipient: "ada@example.com",
					Data: []byte(`{"to":"ada@example.com","subject":"Your code","text":"code 4711"}`)})
			})
			if err != nil {
				t.Fatal(err)
			}
			if n, err := e.app.DeliverMail(context.Background()); err != nil || n != 1 {
				t.Fatalf("delivered %d, %v", n, err)
			}
			ms = srv.WaitMails(t, 2, 5*time.Second)
			if ms[1].MessageID != mail.MessageIDHeader("outbox-1") || !strings.Contains(ms[1].Body, "code 4711") || !strings.Contains(string(ms[1].Raw), "Warden Mail") {
				t.Fatalf("outbox mail: %+v", ms[1])
			}

			// Connect: the same service, the same answer.
			c := connect.NewClient[admin.GetSMTPConfigByIdRequest, admin.GetSMTPConfigByIdResponse](http.DefaultClient,
				e.base+"/zitadel.admin.v1.AdminService/GetSMTPConfigById", connect.WithProtoJSON())
			req := connect.NewRequest(&admin.GetSMTPConfigByIdRequest{Id: id})
			req.Header().Set("Authorization", "Bearer "+e.token)
			res, err := c.CallUnary(context.Background(), req)
			if err != nil || res.Msg.GetSmtpConfig().GetSenderName() != "Warden Mail" || res.Msg.GetSmtpConfig().GetState() != settings.SMTPConfigState_SMTP_CONFIG_ACTIVE {
				t.Fatalf("connect: %v, %v", res, err)
			}
			req = connect.NewRequest(&admin.GetSMTPConfigByIdRequest{Id: "nope"})
			req.Header().Set("Authorization", "Bearer "+e.token)
			var ce *connect.Error
			if _, err := c.CallUnary(context.Background(), req); !errors.As(err, &ce) || ce.Code() != connect.CodeNotFound {
				t.Fatalf("connect not found: %v", err)
			}

			call("POST", adm+"/smtp/"+id+"/_deactivate", `{}`, 200)
			call("DELETE", adm+"/smtp/"+other, "", 200)
			e.wantErr(e.admin("DELETE", adm+"/smtp/"+other, ""), 404, "COMMAND-j5IDFtt3T1")

			// The history names the changes as ZITADEL does, without the password.
			var types []string
			instanceID, err := e.app.InstanceID(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			evs, err := e.store.Events(context.Background(), store.EventQuery{AggregateType: "instance", AggregateID: instanceID, Limit: 1000, Asc: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range evs {
				if strings.HasPrefix(ev.Type, "instance.smtp.config.") {
					types = append(types, ev.Type)
				}
				if strings.Contains(string(ev.Payload), secret) {
					t.Errorf("event %s carries the password", ev.Type)
				}
			}
			for _, want := range []string{"instance.smtp.config.added", "instance.smtp.config.activated", "instance.smtp.config.changed",
				"instance.smtp.config.password.changed", "instance.smtp.config.deactivated", "instance.smtp.config.removed"} {
				if !strings.Contains(strings.Join(types, " "), want) {
					t.Errorf("no %s in %v", want, types)
				}
			}
			for _, a := range answers {
				if strings.Contains(a, secret) || strings.Contains(a, "wrong-one") || strings.Contains(strings.ToLower(a), `"password"`) {
					t.Errorf("an answer carries the password: %s", a)
				}
			}
			logs.mu.Lock()
			logged := logs.b.String()
			logs.mu.Unlock()
			if strings.Contains(logged, secret) || strings.Contains(logged, "wrong-one") {
				t.Error("the log carries the password")
			}
		})
	}
}

// TestSMTPConfigOrgOwnerRefused: an org owner (no IAM role) can neither read
// nor set nor test the instance's SMTP configuration, nor learn whether one
// exists.
func TestSMTPConfigOrgOwnerRefused(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			id := e.must(e.admin("POST", adm+"/smtp", `{"senderAddress":"a@example.com","host":"127.0.0.1:25","password":"pw-123"}`), 200).str("id")
			_, owner := e.machineWithToken("owner", "ORG_OWNER")
			for _, c := range []struct{ method, path, body string }{
				{"GET", adm + "/smtp", ""},
				{"GET", adm + "/smtp/" + id, ""},
				{"POST", adm + "/smtp/_search", `{}`},
				{"POST", adm + "/smtp", `{"senderAddress":"x@example.com","host":"127.0.0.1:25"}`},
				{"PUT", adm + "/smtp/" + id, `{"senderAddress":"x@example.com","host":"127.0.0.1:25"}`},
				{"PUT", adm + "/smtp/" + id + "/password", `{"password":"mine"}`},
				{"POST", adm + "/smtp/" + id + "/_activate", `{}`},
				{"POST", adm + "/smtp/" + id + "/_deactivate", `{}`},
				{"DELETE", adm + "/smtp/" + id, ""},
				{"POST", adm + "/smtp/_test", `{"senderAddress":"x@example.com","host":"127.0.0.1:25","receiverAddress":"a@example.com","id":"` + id + `"}`},
				{"POST", adm + "/smtp/" + id + "/_test", `{"receiverAddress":"a@example.com"}`},
			} {
				r := e.do(c.method, c.path, owner, c.body)
				if r.status != 403 {
					t.Errorf("%s %s as an org owner: %d %s", c.method, c.path, r.status, r.raw)
				}
			}
			// Nothing changed.
			r := e.must(e.admin("GET", adm+"/smtp/"+id, ""), 200)
			if r.str("smtpConfig", "state") != "SMTP_CONFIG_INACTIVE" || r.str("smtpConfig", "senderAddress") != "a@example.com" {
				t.Fatalf("changed by the refused calls: %s", r.raw)
			}
		})
	}
}
