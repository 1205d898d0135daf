package app

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/msgtext"
	"github.com/warden-id/warden/internal/policy"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
)

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
