package server_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/store"
)

// hookServer is a loopback webhook receiver that answers the next fail
// requests with status and every other one with 200.
type hookServer struct {
	*httptest.Server
	mu     sync.Mutex
	fail   int
	status int
	got    []hookCall
}

type hookCall struct {
	header http.Header
	body   []byte
	form   url.Values
	user   string
	pass   string
}

func newHookServer(t *testing.T) *hookServer {
	h := &hookServer{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c := hookCall{header: r.Header.Clone(), body: b}
		c.user, c.pass, _ = r.BasicAuth()
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			c.form, _ = url.ParseQuery(string(b))
		}
		h.mu.Lock()
		h.got = append(h.got, c)
		st := 200
		if h.fail > 0 {
			h.fail--
			st = h.status
		}
		h.mu.Unlock()
		w.WriteHeader(st)
		_, _ = w.Write([]byte(`{"answer":"` + strings.Repeat("x", 10000) + `"}`)) // longer than Warden reads
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookServer) failNext(n, status int) {
	h.mu.Lock()
	h.fail, h.status = n, status
	h.mu.Unlock()
}
func (h *hookServer) calls() []hookCall {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookCall(nil), h.got...)
}

// queueSealedSMS writes a text message into the outbox as queueSMS does:
// its body sealed with the master key for its row.
func queueSealedSMS(t *testing.T, e *env, id, to, text string) {
	t.Helper()
	data, _ := json.Marshal(app.SMS{To: to, Text: text, EventType: "user.human.phone.code.added", Args: map[string]any{"Code": "123456"}})
	err := e.store.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
		return tx.EnqueueMessage(ctx, &store.Message{ID: id, Kind: app.KindSMS, Recipient: to, Data: e.app.SealSecret("outbox", id, data)})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func deliverNow(t *testing.T, e *env) int64 {
	t.Helper()
	n, err := e.app.DeliverMail(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSMSProviderHTTP: admin v1's HTTP SMS provider on both engines — added
// inactive with a signing key in the answer only, activated; a text message
// waits (no attempt) while no provider is active, then is POSTed with
// ZITADEL's payload and a ZITADEL-Signature the key verifies; a 5xx is
// retried, a 4xx is the end; a rotated key signs from then on; redirects are
// not followed; the key is in no read, event or log line.
func TestSMSProviderHTTP(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			hook := newHookServer(t)
			var logs syncBuffer
			e := startWith(t, open(t), slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
				[]app.Option{app.WithDelivery(app.DeliveryConfig{Backoff: time.Millisecond})})

			queueSealedSMS(t, e, "sms-1", "+41791234567", "Your code is 123456")
			if n := deliverNow(t, e); n != 0 {
				t.Fatalf("delivered %d without a provider", n)
			}
			if m, err := e.store.Message(context.Background(), "sms-1"); err != nil || m.Attempts != 0 || m.State != store.MessagePending {
				t.Fatalf("waiting message: %+v, %v", m, err)
			}

			e.wantErr(e.admin("POST", adm+"/sms/http", `{"endpoint":"ftp://example.com/x"}`), 400, "WARDEN-ENDPOINT")
			e.wantErr(e.admin("POST", adm+"/sms/http", `{"endpoint":""}`), 400, "")
			add := e.must(e.admin("POST", adm+"/sms/http", `{"endpoint":"`+hook.URL+`/sms","description":"hook"}`), 200)
			id, key := add.str("id"), add.str("signingKey")
			if id == "" || len(key) < 32 {
				t.Fatalf("add: %s", add.raw)
			}
			got := e.must(e.admin("GET", adm+"/sms/"+id, ""), 200)
			if got.str("config", "state") != "SMS_PROVIDER_CONFIG_INACTIVE" || got.str("config", "http", "endpoint") != hook.URL+"/sms" ||
				got.str("config", "description") != "hook" || strings.Contains(got.raw, key) {
				t.Fatalf("get: %s", got.raw)
			}
			if n := deliverNow(t, e); n != 0 { // still inactive
				t.Fatalf("delivered %d through an inactive provider", n)
			}
			e.must(e.admin("POST", adm+"/sms/"+id+"/_activate", `{}`), 200)
			e.wantErr(e.admin("POST", adm+"/sms/"+id+"/_activate", `{}`), 400, "COMMAND-B25GFeIvRi")

			hook.failNext(1, 503)
			if n := deliverNow(t, e); n != 0 {
				t.Fatalf("delivered %d on a 503", n)
			}
			m, err := e.store.Message(context.Background(), "sms-1")
			if err != nil || m.State != store.MessagePending || m.Attempts != 1 || !strings.Contains(m.LastError, "503") || len(m.LastError) > 1000 {
				t.Fatalf("after a 503: %+v, %v", m, err)
			}
			time.Sleep(5 * time.Millisecond)
			if n := deliverNow(t, e); n != 1 {
				t.Fatalf("delivered %d after the backoff", n)
			}
			calls := hook.calls()
			if len(calls) != 2 {
				t.Fatalf("%d webhook calls", len(calls))
			}
			c := calls[1]
			var payload struct {
				ContextInfo  map[string]any `json:"contextInfo"`
				TemplateData map[string]any `json:"templateData"`
				Args         map[string]any `json:"args"`
			}
			if err := json.Unmarshal(c.body, &payload); err != nil {
				t.Fatal(err)
			}
			prov, _ := payload.ContextInfo["provider"].(map[string]any)
			if payload.ContextInfo["recipientPhoneNumber"] != "+41791234567" || payload.ContextInfo["eventType"] != "user.human.phone.code.added" ||
				prov["id"] != id || payload.TemplateData["Text"] != "Your code is 123456" || payload.Args["code"] != "123456" {
				t.Fatalf("payload: %s", c.body)
			}
			if _, ok := payload.TemplateData["Title"]; !ok {
				t.Fatalf("templateData lacks ZITADEL's fields: %s", c.body)
			}
			checkSignature(t, c, key)
			if m, err := e.store.Message(context.Background(), "sms-1"); err != nil || m.State != store.MessageSent || len(m.Data) != 0 {
				t.Fatalf("after delivery: %+v, %v", m, err)
			}

			// A 4xx is permanent: dead at once.
			hook.failNext(1, 400)
			queueSealedSMS(t, e, "sms-2", "+41791234568", "code 2")
			deliverNow(t, e)
			if m, err := e.store.Message(context.Background(), "sms-2"); err != nil || m.State != store.MessageDead || m.Attempts != 1 || len(m.Data) != 0 {
				t.Fatalf("after a 400: %+v, %v", m, err)
			}

			// A rotated key signs from then on; an update without rotation
			// answers no key.
			up := e.must(e.admin("PUT", adm+"/sms/http/"+id, `{"endpoint":"`+hook.URL+`/sms2","description":"hook","expirationSigningKey":"0s"}`), 200)
			key2 := up.str("signingKey")
			if key2 == "" || key2 == key {
				t.Fatalf("rotation: %s", up.raw)
			}
			if up := e.must(e.admin("PUT", adm+"/sms/http/"+id, `{"endpoint":"`+hook.URL+`/sms2","description":"hook 2"}`), 200); up.str("signingKey") != "" {
				t.Fatalf("an update without rotation answered a key: %s", up.raw)
			}
			queueSealedSMS(t, e, "sms-3", "+41791234569", "code 3")
			if n := deliverNow(t, e); n != 1 {
				t.Fatalf("delivered %d", n)
			}
			calls = hook.calls()
			checkSignature(t, calls[len(calls)-1], key2)

			// A redirect is not followed: the message is not sent elsewhere.
			redirect := httptest.NewServer(http.RedirectHandler(hook.URL+"/elsewhere", http.StatusTemporaryRedirect))
			defer redirect.Close()
			e.must(e.admin("PUT", adm+"/sms/http/"+id, `{"endpoint":"`+redirect.URL+`","description":"hook 2"}`), 200)
			before := len(hook.calls())
			queueSealedSMS(t, e, "sms-4", "+41791234560", "code 4")
			deliverNow(t, e)
			if len(hook.calls()) != before {
				t.Fatal("the redirect was followed")
			}
			if m, _ := e.store.Message(context.Background(), "sms-4"); m.State != store.MessagePending || !strings.Contains(m.LastError, "307") {
				t.Fatalf("after a redirect: %+v", m)
			}

			l := e.must(e.admin("POST", adm+"/sms/_search", `{}`), 200)
			if l.str("details", "totalResult") != "1" || strings.Contains(l.raw, key) || strings.Contains(l.raw, key2) {
				t.Fatalf("list: %s", l.raw)
			}
			e.must(e.admin("POST", adm+"/sms/"+id+"/_deactivate", `{}`), 200)
			e.wantErr(e.admin("POST", adm+"/sms/"+id+"/_deactivate", `{}`), 400, "COMMAND-OSZAEkYvk7")
			e.must(e.admin("DELETE", adm+"/sms/"+id, ""), 200)
			e.wantErr(e.admin("GET", adm+"/sms/"+id, ""), 404, "COMMAND-9ULtp9PH5E")

			types := instanceEventTypes(t, e, "instance.sms.", key, key2)
			for _, want := range []string{"instance.sms.confighttp.added", "instance.sms.configactivated", "instance.sms.confighttp.changed",
				"instance.sms.configdeactivated", "instance.sms.configremoved"} {
				if !strings.Contains(strings.Join(types, " "), want) {
					t.Errorf("no %s in %v", want, types)
				}
			}
			logs.mu.Lock()
			logged := logs.b.String()
			logs.mu.Unlock()
			for _, s := range []string{key, key2, "123456", "code 2", "+4179123456"} {
				if strings.Contains(logged, s) {
					t.Errorf("the log carries %q", s)
				}
			}
		})
	}
}

func checkSignature(t *testing.T, c hookCall, key string) {
	t.Helper()
	sig := c.header.Get("ZITADEL-Signature")
	var ts, v1 string
	for _, part := range strings.Split(sig, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			v1 = v
		}
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(ts + "."))
	mac.Write(c.body)
	if ts == "" || v1 != hex.EncodeToString(mac.Sum(nil)) {
		t.Fatalf("signature %q does not verify with the key", sig)
	}
	if c.header.Get("Content-Type") != "application/json" {
		t.Fatalf("content type %q", c.header.Get("Content-Type"))
	}
}

// instanceEventTypes lists the instance's event types with prefix and fails
// if a payload carries one of secrets.
func instanceEventTypes(t *testing.T, e *env, prefix string, secrets ...string) []string {
	t.Helper()
	instanceID, err := e.app.InstanceID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	evs, err := e.store.Events(context.Background(), store.EventQuery{AggregateType: "instance", AggregateID: instanceID, Limit: 1000, Asc: true})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, ev := range evs {
		if strings.HasPrefix(ev.Type, prefix) {
			types = append(types, ev.Type)
		}
		for _, s := range secrets {
			if strings.Contains(string(ev.Payload), s) {
				t.Errorf("event %s carries a secret", ev.Type)
			}
		}
	}
	return types
}

// TestSMSProviderTwilio: a Twilio provider is stored with its token sealed,
// validated, activated (the HTTP one active before goes inactive), and
// delivers through Twilio's Messages API (a loopback server here) with the
// account's basic auth; the token is in no answer or event.
func TestSMSProviderTwilio(t *testing.T) {
	const token = "twilio-auth-token-0123456789abcdef"
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			api := newHookServer(t)
			e := startWith(t, open(t), slog.New(slog.NewTextHandler(io.Discard, nil)), []app.Option{app.WithTwilioAPI(api.URL)})
			var answers []string
			call := func(method, path, body string) reply {
				t.Helper()
				r := e.must(e.admin(method, path, body), 200)
				answers = append(answers, r.raw)
				return r
			}
			e.wantErr(e.admin("POST", adm+"/sms/twilio", `{"sid":"AC1","senderNumber":"+15550000000"}`), 400, "") // no token
			e.wantErr(e.admin("POST", adm+"/sms/twilio", `{"sid":"","token":"t","senderNumber":"+15550000000"}`), 400, "")
			hookID := call("POST", adm+"/sms/http", `{"endpoint":"`+api.URL+`/hook"}`).str("id")
			call("POST", adm+"/sms/"+hookID+"/_activate", `{}`)
			id := call("POST", adm+"/sms/twilio", `{"sid":"AC0123","token":"`+token+`","senderNumber":"+15550000000","description":"tw"}`).str("id")
			call("POST", adm+"/sms/"+id+"/_activate", `{}`)
			if r := call("GET", adm+"/sms/"+hookID, ""); r.str("config", "state") != "SMS_PROVIDER_CONFIG_INACTIVE" {
				t.Fatalf("the provider active before: %s", r.raw)
			}
			got := call("GET", adm+"/sms/"+id, "")
			if got.str("config", "twilio", "sid") != "AC0123" || got.str("config", "twilio", "senderNumber") != "+15550000000" ||
				got.str("config", "state") != "SMS_PROVIDER_CONFIG_ACTIVE" {
				t.Fatalf("get: %s", got.raw)
			}
			call("PUT", adm+"/sms/twilio/"+id, `{"sid":"AC0456","senderNumber":"+15550000001","description":"tw"}`)
			call("PUT", adm+"/sms/twilio/"+id+"/token", `{"token":"`+token+`-2"}`)
			e.wantErr(e.admin("PUT", adm+"/sms/twilio/"+hookID+"/token", `{"token":"x"}`), 404, "COMMAND-9ULtp9PH5E") // not a Twilio provider

			queueSealedSMS(t, e, "tw-1", "+41790000009", "Your code is 654321")
			if n := deliverNow(t, e); n != 1 {
				t.Fatalf("delivered %d", n)
			}
			calls := api.calls()
			if len(calls) != 1 {
				t.Fatalf("%d calls to the API", len(calls))
			}
			c := calls[0]
			if c.user != "AC0456" || c.pass != token+"-2" || c.form.Get("To") != "+41790000009" || c.form.Get("From") != "+15550000001" ||
				c.form.Get("Body") != "Your code is 654321" {
				t.Fatalf("twilio call: %+v", c)
			}
			for _, a := range answers {
				if strings.Contains(a, token) || strings.Contains(a, `"token"`) {
					t.Errorf("an answer carries the token: %s", a)
				}
			}
			types := instanceEventTypes(t, e, "instance.sms.", token)
			for _, want := range []string{"instance.sms.configtwilio.added", "instance.sms.configtwilio.changed", "instance.sms.configtwilio.token.changed"} {
				if !strings.Contains(strings.Join(types, " "), want) {
					t.Errorf("no %s in %v", want, types)
				}
			}
		})
	}
}

// TestSMSProviderRefused: an org owner and an IAM user manager (no iam.read
// or iam.write) can neither read nor add, change, activate or remove the
// instance's SMS providers, and learn no token or key.
func TestSMSProviderRefused(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			id := e.must(e.admin("POST", adm+"/sms/twilio", `{"sid":"AC1","token":"tok-secret","senderNumber":"+15550000000"}`), 200).str("id")
			hook := e.must(e.admin("POST", adm+"/sms/http", `{"endpoint":"http://127.0.0.1:1/x"}`), 200).str("id")
			_, owner := e.machineWithToken("owner", "ORG_OWNER")
			mgr, manager := e.machineWithToken("manager")
			e.must(e.admin("POST", "/admin/v1/members", `{"userId":"`+mgr+`","roles":["IAM_USER_MANAGER"]}`), 200)
			for _, tok := range []string{owner, manager} {
				for _, c := range []struct{ method, path, body string }{
					{"POST", adm + "/sms/_search", `{}`},
					{"GET", adm + "/sms/" + id, ""},
					{"POST", adm + "/sms/twilio", `{"sid":"AC2","token":"mine","senderNumber":"+15550000000"}`},
					{"PUT", adm + "/sms/twilio/" + id, `{"sid":"AC2","senderNumber":"+15550000000"}`},
					{"PUT", adm + "/sms/twilio/" + id + "/token", `{"token":"mine"}`},
					{"POST", adm + "/sms/http", `{"endpoint":"http://127.0.0.1:2/x"}`},
					{"PUT", adm + "/sms/http/" + hook, `{"endpoint":"http://127.0.0.1:2/x","expirationSigningKey":"0s"}`},
					{"POST", adm + "/sms/" + id + "/_activate", `{}`},
					{"POST", adm + "/sms/" + id + "/_deactivate", `{}`},
					{"DELETE", adm + "/sms/" + id, ""},
				} {
					r := e.do(c.method, c.path, tok, c.body)
					if r.status != 403 || strings.Contains(r.raw, "tok-secret") || strings.Contains(r.raw, "signingKey") {
						t.Errorf("%s %s: %d %s", c.method, c.path, r.status, r.raw)
					}
				}
			}
			r := e.must(e.admin("GET", adm+"/sms/"+id, ""), 200)
			if r.str("config", "state") != "SMS_PROVIDER_CONFIG_INACTIVE" || r.str("config", "twilio", "sid") != "AC1" {
				t.Fatalf("changed by the refused calls: %s", r.raw)
			}
		})
	}
}
