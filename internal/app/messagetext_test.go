package app

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/msgtext"
	"github.com/warden-id/warden/internal/policy"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"google.golang.org/grpc/codes"
)

func wantID(t *testing.T, err error, id string) {
	t.Helper()
	fe, ok := fail.As(err)
	if !ok || fe.ID != id {
		t.Fatalf("error %v, want %s", err, id)
	}
}

// TestRenderMessageResolves: org custom → instance custom → default, in the
// user's language then English, empty custom fields from the default, values
// escaped.
func TestRenderMessageResolves(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		o, err := a.AddOrg(ctx, admin.Caller, "Org A")
		if err != nil {
			t.Fatal(err)
		}
		put := func(owner string, typ msgtext.Type, lang string, txt msgtext.Text) {
			data, _ := json.Marshal(txt)
			if err := a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
				return tx.PutArtifact(ctx, &store.Artifact{Kind: kindMessageText, ID: messageTextID(owner, typ, lang), CreatedAt: time.Now(), Data: data})
			}); err != nil {
				t.Fatal(err)
			}
		}
		args := msgtext.Args{"DisplayName": "Ann <A>", "Code": "XYZ", "PreferredLoginName": "ann@a"}
		r, err := a.RenderMessage(ctx, o.ID, msgtext.PasswordReset, "de", args)
		if err != nil || r.Subject != msgtext.Default(msgtext.PasswordReset, "de").Subject || r.Greeting != "Hallo Ann &lt;A&gt;," {
			t.Fatalf("default: %+v, %v", r, err)
		}
		put(policy.InstanceID, msgtext.PasswordReset, "en", msgtext.Text{Subject: "Instance reset for {{.PreferredLoginName}}"})
		if r, _ := a.RenderMessage(ctx, o.ID, msgtext.PasswordReset, "fr", args); r.Subject != "Instance reset for ann@a" || r.Text == "" {
			t.Fatalf("instance custom, English fallback: %+v", r)
		}
		put(o.ID, msgtext.PasswordReset, "en", msgtext.Text{Subject: "Org reset"})
		if r, _ := a.RenderMessage(ctx, o.ID, msgtext.PasswordReset, "en", args); r.Subject != "Org reset" {
			t.Fatalf("org custom: %+v", r)
		}
		if r, _ := a.RenderMessage(ctx, o.ID, msgtext.PasswordReset, "de", args); r.Subject != msgtext.Default(msgtext.PasswordReset, "de").Subject {
			t.Fatalf("German user got another language's custom text: %+v", r)
		}
		if r, _ := a.RenderMessage(ctx, "", msgtext.PasswordReset, "en", args); r.Subject != "Instance reset for ann@a" {
			t.Fatalf("other org sees org A's text: %+v", r)
		}
		if _, err := a.RenderMessage(ctx, o.ID, msgtext.Type("Nope"), "en", args); err == nil {
			t.Fatal("unknown type rendered")
		}
	})
}

// TestMessageTexts: an org's and the instance's custom texts through the use
// cases: ZITADEL's events (a set or removed per changed field, a template
// removal on reset) at the owner's sequences, nothing recorded for an
// unchanged text, the raw custom fields on read and the merged default
// otherwise, field-wise resolution for the flows, languages and template
// actions refused, another org's owner refused, an org's removal taking its
// texts.
func TestMessageTexts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		orgA, err := a.AddOrg(ctx, admin.Caller, "Org A")
		if err != nil {
			t.Fatal(err)
		}
		orgB, err := a.AddOrg(ctx, admin.Caller, "Org B")
		if err != nil {
			t.Fatal(err)
		}
		sa := Scope{Caller: &Caller{UserID: "owner-a", OrgID: orgA.ID, roles: map[string][]string{orgA.ID: {"ORG_OWNER"}}}, OrgID: orgA.ID}
		sb := Scope{Caller: &Caller{UserID: "owner-b", OrgID: orgB.ID, roles: map[string][]string{orgB.ID: {"ORG_OWNER"}}}, OrgID: orgB.ID}
		orgEvents := func(id string) []event.Event {
			t.Helper()
			evs, err := a.store.Events(ctx, store.EventQuery{AggregateType: event.AggregateOrg, AggregateID: id, Asc: true})
			if err != nil {
				t.Fatal(err)
			}
			return evs
		}

		// Nothing custom: the built-in text, as default.
		m, err := a.CustomMessageText(ctx, sa, msgtext.InitCode, "de")
		if err != nil || !m.IsDefault || m.Msg.Subject != msgtext.Default(msgtext.InitCode, "de").Subject {
			t.Fatalf("default: %+v %v", m, err)
		}

		before := len(orgEvents(orgA.ID))
		d, err := a.SetCustomMessageText(ctx, sa, msgtext.InitCode, "DE", msgtext.Text{Subject: "Willkommen {{.DisplayName}}", Greeting: "Hallo"})
		if err != nil {
			t.Fatal(err)
		}
		evs := orgEvents(orgA.ID)[before:]
		if len(evs) != 2 || evs[0].Type != event.OrgCustomTextSet || evs[1].Type != event.OrgCustomTextSet || d.Sequence != evs[1].Sequence || d.Owner != orgA.ID {
			t.Fatalf("set: %+v, events %+v", d, evs)
		}
		var p map[string]any
		_ = json.Unmarshal(evs[0].Payload, &p)
		if p["template"] != "InitCode" || p["key"] != "Greeting" || p["language"] != "de" || p["text"] != "Hallo" {
			t.Fatalf("payload %v", p)
		}
		m, err = a.CustomMessageText(ctx, sa, msgtext.InitCode, "de")
		if err != nil || m.IsDefault || m.Msg.Subject != "Willkommen {{.DisplayName}}" || m.Msg.Text != "" || m.Sequence != d.Sequence || m.CreatedAt.IsZero() {
			t.Fatalf("custom read: %+v %v", m, err)
		}
		// The same again records nothing and answers the org's details.
		same, err := a.SetCustomMessageText(ctx, sa, msgtext.InitCode, "de", msgtext.Text{Subject: "Willkommen {{.DisplayName}}", Greeting: "Hallo"})
		if err != nil || same.Sequence != d.Sequence || len(orgEvents(orgA.ID)) != before+2 {
			t.Fatalf("unchanged set: %+v %v", same, err)
		}
		// Emptying a field removes it; changing one sets it.
		if _, err := a.SetCustomMessageText(ctx, sa, msgtext.InitCode, "de", msgtext.Text{Subject: "Neu"}); err != nil {
			t.Fatal(err)
		}
		evs = orgEvents(orgA.ID)[before+2:]
		if len(evs) != 2 || evs[0].Type != event.OrgCustomTextRemoved || evs[1].Type != event.OrgCustomTextSet {
			t.Fatalf("change events %+v", evs)
		}

		// The instance's text: the flows merge field by field, org over
		// instance over built-in.
		if _, err := a.SetInstanceMessageText(ctx, admin.Caller, msgtext.InitCode, "de", msgtext.Text{Text: "Instanz {{.Code}}", Subject: "Instanz"}); err != nil {
			t.Fatal(err)
		}
		r, err := a.RenderMessage(ctx, orgA.ID, msgtext.InitCode, "de-CH", msgtext.Args{"Code": "C0DE", "DisplayName": "Ann"})
		if err != nil || r.Subject != "Neu" || r.Text != "Instanz C0DE" || r.Greeting != "Hallo Ann," {
			t.Fatalf("resolution: %+v %v", r, err)
		}
		if r, _ := a.RenderMessage(ctx, orgB.ID, msgtext.InitCode, "de", nil); r.Subject != "Instanz" {
			t.Fatalf("org B: %+v", r)
		}
		if m, _ := a.DefaultMessageText(ctx, sb, msgtext.InitCode, "de"); !m.IsDefault || m.Msg.Subject != "Instanz" || m.Msg.Greeting != msgtext.Default(msgtext.InitCode, "de").Greeting {
			t.Fatalf("org's default: %+v", m)
		}
		if m, _ := a.BuiltinMessageText(ctx, admin.Caller, msgtext.InitCode, "de"); m.Msg.Subject != msgtext.Default(msgtext.InitCode, "de").Subject {
			t.Fatalf("built-in: %+v", m)
		}
		if m, _ := a.InstanceMessageText(ctx, admin.Caller, msgtext.InitCode, "de"); m.IsDefault || m.Msg.Subject != "Instanz" || m.Msg.Greeting != "" {
			t.Fatalf("instance custom: %+v", m)
		}

		// Refusals.
		_, err = a.SetCustomMessageText(ctx, sa, msgtext.InitCode, "xx", msgtext.Text{Subject: "x"})
		wantID(t, err, "LANG-lg4DP")
		_, err = a.SetCustomMessageText(ctx, sa, msgtext.InitCode, "", msgtext.Text{Subject: "x"})
		wantID(t, err, "LANG-3M9f2")
		_, err = a.SetCustomMessageText(ctx, sa, msgtext.InitCode, "en", msgtext.Text{Text: `{{range .LoginNames}}{{.}}{{end}}`})
		wantID(t, err, "WARDEN-MSGTEXT")
		_, err = a.SetInstanceMessageText(ctx, admin.Caller, msgtext.InitCode, "en", msgtext.Text{Text: `{{template "x"}}`})
		wantID(t, err, "WARDEN-MSGTEXT")
		_, err = a.ResetCustomMessageText(ctx, sa, msgtext.PasswordReset, "de")
		wantID(t, err, "Org-3b8Jf")
		_, err = a.ResetCustomMessageText(ctx, sa, msgtext.PasswordReset, "")
		wantID(t, err, "Org-j59f")
		_, err = a.ResetInstanceMessageText(ctx, admin.Caller, msgtext.PasswordReset, "de")
		wantID(t, err, "INSTANCE-fju90")
		_, err = a.SetInstanceMessageText(ctx, sa.Caller, msgtext.InitCode, "en", msgtext.Text{Subject: "x"})
		wantCode(t, err, codes.PermissionDenied)
		foreign := Scope{Caller: sb.Caller, OrgID: orgA.ID}
		n := len(orgEvents(orgA.ID))
		_, err = a.SetCustomMessageText(ctx, foreign, msgtext.InitCode, "de", msgtext.Text{Subject: "B was here"})
		wantCode(t, err, codes.PermissionDenied)
		_, err = a.CustomMessageText(ctx, foreign, msgtext.InitCode, "de")
		wantCode(t, err, codes.PermissionDenied)
		_, err = a.ResetCustomMessageText(ctx, foreign, msgtext.InitCode, "de")
		wantCode(t, err, codes.PermissionDenied)
		if len(orgEvents(orgA.ID)) != n {
			t.Fatal("org B's owner wrote to org A")
		}

		// Reset: one template removal, the default again.
		d, err = a.ResetCustomMessageText(ctx, sa, msgtext.InitCode, "de")
		if err != nil {
			t.Fatal(err)
		}
		evs = orgEvents(orgA.ID)
		if last := evs[len(evs)-1]; last.Type != event.OrgCustomTextTemplateRemoved || last.Sequence != d.Sequence {
			t.Fatalf("reset event %+v", last)
		}
		if m, _ := a.CustomMessageText(ctx, sa, msgtext.InitCode, "de"); !m.IsDefault || m.Msg.Subject != "Instanz" {
			t.Fatalf("after reset: %+v", m)
		}
		_, err = a.ResetCustomMessageText(ctx, sa, msgtext.InitCode, "de")
		wantID(t, err, "Org-3b8Jf")
		id, err := a.ResetInstanceMessageText(ctx, admin.Caller, msgtext.InitCode, "de")
		if err != nil || id.Sequence == 0 {
			t.Fatalf("instance reset %+v %v", id, err)
		}

		// An org's removal takes its texts.
		if _, err := a.SetCustomMessageText(ctx, sb, msgtext.VerifyEmailOTP, "en", msgtext.Text{Subject: "OTP {{.OTP}}"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.AdminRemoveOrg(ctx, admin.Caller, orgB.ID); err != nil {
			t.Fatal(err)
		}
		if c, err := customMessageText(ctx, a.store, orgB.ID, msgtext.VerifyEmailOTP, "en"); c != nil || err != nil {
			t.Fatalf("removed org's text: %+v %v", c, err)
		}
	})
}
