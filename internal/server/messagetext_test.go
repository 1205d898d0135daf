package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/msgtext"
	"github.com/warden-id/warden/internal/store"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/admin"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"google.golang.org/grpc/codes"
)

// textOf is the customText of a message-text answer.
func textOf(r reply) map[string]any {
	m, _ := r.body["customText"].(map[string]any)
	return m
}

// eventsOf are the events of an org (or the instance, aggregate "instance").
func (e *env) eventsOf(t *testing.T, aggregate, id string) []event.Event {
	t.Helper()
	evs, err := e.store.Events(context.Background(), store.EventQuery{AggregateType: aggregate, AggregateID: id, Asc: true, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// TestMessageTextsREST: an org's own texts and the instance's over REST on
// both engines: the default until a text is set, the fields as set (no
// drift), ZITADEL's events and ids, template actions, unsupported languages
// and oversized fields refused with nothing written, the reset; the owner of
// another org can neither read nor set nor reset this org's texts, an org
// owner cannot touch the instance's, and the texts are what the flows render.
func TestMessageTextsREST(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			a, _, ownerA := e.orgWithOwner("Alpha", "ORG_OWNER")
			_, _, ownerB := e.orgWithOwner("Beta", "ORG_OWNER")
			const init = "/management/v1/text/message/init/de"

			g := e.must(e.do("GET", init, ownerA, ""), 200)
			if textOf(g)["isDefault"] != true || textOf(g)["subject"] != msgtext.Default(msgtext.InitCode, "de").Subject {
				t.Fatalf("default: %s", g.raw)
			}

			s := e.must(e.do("PUT", init, ownerA, `{"subject":"Willkommen {{.DisplayName}}","text":"Code {{.Code}}","buttonText":"Los"}`), 200)
			if s.str("details", "resourceOwner") != a {
				t.Fatalf("set: %s", s.raw)
			}
			evs := e.eventsOf(t, event.AggregateOrg, a)
			last := evs[len(evs)-1]
			if last.Type != event.OrgCustomTextSet || fmt.Sprint(last.Sequence) != s.str("details", "sequence") || evs[len(evs)-3].Type != event.OrgCustomTextSet {
				t.Fatalf("events: %+v", evs[len(evs)-3:])
			}
			g = e.must(e.do("GET", init, ownerA, ""), 200)
			if ct := textOf(g); ct["isDefault"] != nil || ct["subject"] != "Willkommen {{.DisplayName}}" || ct["greeting"] != nil ||
				ct["buttonText"] != "Los" || g.str("customText", "details", "sequence") != s.str("details", "sequence") ||
				g.str("customText", "details", "resourceOwner") != a || g.str("customText", "details", "creationDate") == "" {
				t.Fatalf("custom: %s", g.raw)
			}

			// Refused, with nothing written.
			n := len(e.eventsOf(t, event.AggregateOrg, a))
			e.wantErr(e.do("PUT", init, ownerA, `{"text":"{{range .LoginNames}}{{.}}{{end}}"}`), 400, "WARDEN-MSGTEXT")
			e.wantErr(e.do("PUT", init, ownerA, `{"text":"{{printf \"%s\" .Code}}"}`), 400, "WARDEN-MSGTEXT")
			e.wantErr(e.do("PUT", init, ownerA, `{"text":"{{.Secret}}"}`), 400, "WARDEN-MSGTEXT")
			e.wantErr(e.do("PUT", init, ownerA, `{"text":"`+strings.Repeat("x", msgtext.MaxFieldLen+1)+`"}`), 400, "WARDEN-MSGTEXT")
			e.wantErr(e.do("PUT", "/management/v1/text/message/init/xx", ownerA, `{"text":"x"}`), 400, "LANG-lg4DP")
			e.wantErr(e.do("PUT", "/management/v1/text/message/init/%20", ownerA, `{"text":"x"}`), 400, "LANG-3M9f2")
			if len(e.eventsOf(t, event.AggregateOrg, a)) != n {
				t.Fatal("a refused text was recorded")
			}
			// The same text again records nothing.
			again := e.must(e.do("PUT", init, ownerA, `{"subject":"Willkommen {{.DisplayName}}","text":"Code {{.Code}}","buttonText":"Los"}`), 200)
			if again.str("details", "sequence") != s.str("details", "sequence") || len(e.eventsOf(t, event.AggregateOrg, a)) != n {
				t.Fatalf("unchanged set: %s", again.raw)
			}
			// ZITADEL's …MessageCustomText setter.
			e.must(e.do("PUT", "/management/v1/text/message/invite_user/en", ownerA, `{"subject":"Join {{.OrgName}}"}`), 200)
			if g := e.must(e.do("GET", "/management/v1/text/message/invite_user/en", ownerA, ""), 200); textOf(g)["subject"] != "Join {{.OrgName}}" {
				t.Fatalf("invite: %s", g.raw)
			}

			// Org B's owner naming org A.
			h := []string{"x-zitadel-orgid", a}
			e.wantErr(e.do("GET", init, ownerB, "", h...), 403, "")
			e.wantErr(e.do("PUT", init, ownerB, `{"subject":"B was here"}`, h...), 403, "")
			e.wantErr(e.do("DELETE", init, ownerB, "", h...), 403, "")
			e.wantErr(e.do("GET", "/management/v1/text/default/message/init/de", ownerB, "", h...), 403, "")
			if g := e.must(e.do("GET", init, ownerB, ""), 200); textOf(g)["isDefault"] != true || textOf(g)["subject"] == "Willkommen {{.DisplayName}}" {
				t.Fatalf("org B sees org A's text: %s", g.raw)
			}
			if len(e.eventsOf(t, event.AggregateOrg, a)) != n+1 {
				t.Fatal("org B's owner changed org A")
			}

			// The instance's text: admin only; the orgs' default.
			const pr = "/admin/v1/text/message/passwordreset/en"
			e.wantErr(e.do("PUT", pr, ownerA, `{"subject":"x"}`), 403, "AUTH-5mWD2")
			e.wantErr(e.do("GET", pr, ownerA, ""), 403, "AUTH-5mWD2")
			if g := e.must(e.admin("GET", pr, ""), 200); textOf(g)["isDefault"] != true || g.str("customText", "details", "resourceOwner") == "" {
				t.Fatalf("instance default: %s", g.raw)
			}
			is := e.must(e.admin("PUT", pr, `{"subject":"Reset for {{.PreferredLoginName}}","greeting":"Hi"}`), 200)
			if is.str("details", "resourceOwner") == "" || is.str("details", "resourceOwner") == a {
				t.Fatalf("instance set: %s", is.raw)
			}
			ievs := e.eventsOf(t, event.AggregateInstance, is.str("details", "resourceOwner"))
			if l := ievs[len(ievs)-1]; l.Type != event.InstanceCustomTextSet || fmt.Sprint(l.Sequence) != is.str("details", "sequence") {
				t.Fatalf("instance event %+v", l)
			}
			e.wantErr(e.admin("PUT", pr, `{"subject":"{{if .Code}}x{{end}}"}`), 400, "WARDEN-MSGTEXT")
			if g := e.must(e.admin("GET", pr, ""), 200); textOf(g)["isDefault"] != nil || textOf(g)["greeting"] != "Hi" || textOf(g)["text"] != nil {
				t.Fatalf("instance custom: %s", g.raw)
			}
			if g := e.must(e.admin("GET", "/admin/v1/text/deafult/message/passwordreset/en", ""), 200); textOf(g)["subject"] != msgtext.Default(msgtext.PasswordReset, "en").Subject ||
				g.str("customText", "details", "resourceOwner") != "" {
				t.Fatalf("built-in: %s", g.raw)
			}
			d := e.must(e.do("GET", "/management/v1/text/default/message/passwordreset/en", ownerA, ""), 200)
			if textOf(d)["isDefault"] != true || textOf(d)["subject"] != "Reset for {{.PreferredLoginName}}" || textOf(d)["text"] != msgtext.Default(msgtext.PasswordReset, "en").Text {
				t.Fatalf("org's default: %s", d.raw)
			}
			r, err := e.app.RenderMessage(context.Background(), a, msgtext.PasswordReset, "en", msgtext.Args{"PreferredLoginName": "ann@alpha"})
			if err != nil || r.Subject != "Reset for ann@alpha" || r.Greeting != "Hi" {
				t.Fatalf("rendered: %+v %v", r, err)
			}
			if r, _ := e.app.RenderMessage(context.Background(), a, msgtext.InitCode, "de", msgtext.Args{"Code": "C<1>"}); r.Text != "Code C&lt;1&gt;" {
				t.Fatalf("rendered org text: %+v", r)
			}

			// Reset.
			del := e.must(e.do("DELETE", init, ownerA, ""), 200)
			evs = e.eventsOf(t, event.AggregateOrg, a)
			if l := evs[len(evs)-1]; l.Type != event.OrgCustomTextTemplateRemoved || fmt.Sprint(l.Sequence) != del.str("details", "sequence") {
				t.Fatalf("reset event %+v", l)
			}
			e.wantErr(e.do("DELETE", init, ownerA, ""), 404, "Org-3b8Jf")
			if g := e.must(e.do("GET", init, ownerA, ""), 200); textOf(g)["isDefault"] != true {
				t.Fatalf("after reset: %s", g.raw)
			}
			e.wantErr(e.do("DELETE", pr, ownerA, ""), 403, "AUTH-5mWD2")
			e.must(e.admin("DELETE", pr, ""), 200)
			e.wantErr(e.admin("DELETE", pr, ""), 404, "INSTANCE-fju90")
		})
	}
}

// TestMessageTextsRPC: a set, read and reset over gRPC and Connect, with the
// setters ZITADEL names …MessageCustomText and the SMS text's single field.
func TestMessageTextsRPC(t *testing.T) {
	const svc = "/zitadel.management.v1.ManagementService/"
	for name, open := range engines(t) {
		for _, p := range []string{"gRPC", "Connect"} {
			t.Run(name+"/"+p, func(t *testing.T) {
				e := startEnv(t, open(t))
				_, _, owner := e.orgWithOwner("Alpha", "ORG_OWNER")
				must2beta[mgmt.SetCustomPasswordChangeMessageTextRequest, mgmt.SetCustomPasswordChangeMessageTextResponse](t, e, p, svc+"SetCustomPasswordChangeMessageCustomText", owner,
					&mgmt.SetCustomPasswordChangeMessageTextRequest{Language: "en", Title: "Changed", FooterText: "Bye"})
				g := must2beta[mgmt.GetCustomPasswordChangeMessageTextRequest, mgmt.GetCustomPasswordChangeMessageTextResponse](t, e, p, svc+"GetCustomPasswordChangeMessageText", owner,
					&mgmt.GetCustomPasswordChangeMessageTextRequest{Language: "en"})
				if ct := g.GetCustomText(); ct.GetIsDefault() || ct.GetTitle() != "Changed" || ct.GetFooterText() != "Bye" || ct.GetSubject() != "" {
					t.Fatalf("got %v", g)
				}
				if _, err := call2beta[mgmt.SetCustomPasswordChangeMessageTextRequest, mgmt.SetCustomPasswordChangeMessageTextResponse](t, e, p, svc+"SetCustomPasswordChangeMessageCustomText", owner,
					&mgmt.SetCustomPasswordChangeMessageTextRequest{Language: "en", Text: "{{define \"x\"}}{{end}}"}); err == nil || err.code != codes.InvalidArgument {
					t.Fatalf("template set: %v", err)
				}
				must2beta[mgmt.ResetCustomPasswordChangeMessageTextToDefaultRequest, mgmt.ResetCustomPasswordChangeMessageTextToDefaultResponse](t, e, p, svc+"ResetCustomPasswordChangeMessageTextToDefault", owner,
					&mgmt.ResetCustomPasswordChangeMessageTextToDefaultRequest{Language: "en"})
				if _, err := call2beta[mgmt.ResetCustomPasswordChangeMessageTextToDefaultRequest, mgmt.ResetCustomPasswordChangeMessageTextToDefaultResponse](t, e, p, svc+"ResetCustomPasswordChangeMessageTextToDefault", owner,
					&mgmt.ResetCustomPasswordChangeMessageTextToDefaultRequest{Language: "en"}); err == nil || err.code != codes.NotFound {
					t.Fatalf("second reset: %v", err)
				}

				must2beta[admin.SetDefaultVerifySMSOTPMessageTextRequest, admin.SetDefaultVerifySMSOTPMessageTextResponse](t, e, p, adminSvc+"SetDefaultVerifySMSOTPMessageText", e.token,
					&admin.SetDefaultVerifySMSOTPMessageTextRequest{Language: "de", Text: "Code {{.OTP}}"})
				ig := must2beta[admin.GetCustomVerifySMSOTPMessageTextRequest, admin.GetCustomVerifySMSOTPMessageTextResponse](t, e, p, adminSvc+"GetCustomVerifySMSOTPMessageText", e.token,
					&admin.GetCustomVerifySMSOTPMessageTextRequest{Language: "de"})
				if ig.GetCustomText().GetText() != "Code {{.OTP}}" || ig.GetCustomText().GetIsDefault() {
					t.Fatalf("sms: %v", ig)
				}
				if _, err := call2beta[admin.SetDefaultVerifySMSOTPMessageTextRequest, admin.SetDefaultVerifySMSOTPMessageTextResponse](t, e, p, adminSvc+"SetDefaultVerifySMSOTPMessageText", owner,
					&admin.SetDefaultVerifySMSOTPMessageTextRequest{Language: "de", Text: "x"}); err == nil || err.code != codes.PermissionDenied {
					t.Fatalf("org owner on the instance: %v", err)
				}
			})
		}
	}
}
