package compat

import (
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/admin"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	textpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/text"
)

// tfMessageText is what the message-text resources' read writes into the
// state (text.CopyMessageCustomTextToTerraform: the text's string fields,
// details left out), and only when the answer is not the default.
func tfMessageText(id string, t *textpb.MessageCustomText, extra tfState) tfState {
	s := tfState{"id": id, "title": t.GetTitle(), "pre_header": t.GetPreHeader(), "subject": t.GetSubject(), "greeting": t.GetGreeting(),
		"text": t.GetText(), "button_text": t.GetButtonText(), "footer_text": t.GetFooterText()}
	for k, v := range extra {
		s[k] = v
	}
	return s
}

// TestTerraformMessageTexts: zitadel_init_message_text and
// zitadel_password_reset_message_text (init_message_text/resource.go …):
// create and update are SetCustom…MessageText with the org header, read is
// GetCustom…MessageText (the state keeps the fields while is_default is
// false; the id is org_id + "_" + language), delete is
// ResetCustom…MessageTextToDefault. zitadel_default_init_message_text
// (default_init_message_text/resource.go) does the same through admin
// SetDefaultInitMessageText, GetCustomInitMessageText and
// ResetCustomInitMessageTextToDefault, its id the language.
func TestTerraformMessageTexts(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		st := newTFSetup(t, s, 0)
		org := st.org

		// zitadel_init_message_text, language "de".
		_, err := st.mgmt.SetCustomInitMessageText(tfCtx(t, org), &management.SetCustomInitMessageTextRequest{Language: "de",
			Title: "Willkommen", PreHeader: "Konto", Subject: "Dein Konto bei {{.OrgName}}", Greeting: "Hallo {{.DisplayName}},",
			Text: "Aktiviere dein Konto mit {{.Code}}.", ButtonText: "Aktivieren"})
		mustOK(t, "create: SetCustomInitMessageText", err)
		readInit := func() tfState {
			t.Helper()
			r, err := st.mgmt.GetCustomInitMessageText(tfCtx(t, org), &management.GetCustomInitMessageTextRequest{Language: "de"})
			mustOK(t, "read: GetCustomInitMessageText", err)
			if r.GetCustomText().GetIsDefault() {
				return tfState{"id": org + "_de", "is_default": true}
			}
			return tfMessageText(org+"_de", r.GetCustomText(), tfState{"org_id": org, "language": "de"})
		}
		applied := readInit()
		wantTF(t, "read after create", applied, tfState{"id": org + "_de", "org_id": org, "language": "de",
			"title": "Willkommen", "pre_header": "Konto", "subject": "Dein Konto bei {{.OrgName}}", "greeting": "Hallo {{.DisplayName}},",
			"text": "Aktiviere dein Konto mit {{.Code}}.", "button_text": "Aktivieren", "footer_text": ""})
		wantTF(t, "plan", readInit(), applied)

		// update: footer added, pre_header dropped from the configuration.
		_, err = st.mgmt.SetCustomInitMessageText(tfCtx(t, org), &management.SetCustomInitMessageTextRequest{Language: "de",
			Title: "Willkommen", Subject: "Dein Konto bei {{.OrgName}}", Greeting: "Hallo {{.DisplayName}},",
			Text: "Aktiviere dein Konto mit {{.Code}}.", ButtonText: "Aktivieren", FooterText: "Bis bald"})
		mustOK(t, "update: SetCustomInitMessageText", err)
		applied["pre_header"], applied["footer_text"] = "", "Bis bald"
		wantTF(t, "read after update", readInit(), applied)
		wantTF(t, "plan after update", readInit(), applied)

		// zitadel_password_reset_message_text, language "en", beside it.
		_, err = st.mgmt.SetCustomPasswordResetMessageText(tfCtx(t, org), &management.SetCustomPasswordResetMessageTextRequest{Language: "en",
			Subject: "Reset {{.PreferredLoginName}}", Text: "Code {{.Code}}, link {{.URL}}"})
		mustOK(t, "create: SetCustomPasswordResetMessageText", err)
		readReset := func() tfState {
			t.Helper()
			r, err := st.mgmt.GetCustomPasswordResetMessageText(tfCtx(t, org), &management.GetCustomPasswordResetMessageTextRequest{Language: "en"})
			mustOK(t, "read: GetCustomPasswordResetMessageText", err)
			if r.GetCustomText().GetIsDefault() {
				return tfState{"id": org + "_en", "is_default": true}
			}
			return tfMessageText(org+"_en", r.GetCustomText(), tfState{"org_id": org, "language": "en"})
		}
		reset := readReset()
		wantTF(t, "password reset: read after create", reset, tfState{"id": org + "_en", "org_id": org, "language": "en",
			"title": "", "pre_header": "", "subject": "Reset {{.PreferredLoginName}}", "greeting": "", "text": "Code {{.Code}}, link {{.URL}}",
			"button_text": "", "footer_text": ""})
		wantTF(t, "password reset: plan", readReset(), reset)
		wantTF(t, "init text untouched", readInit(), applied)

		// zitadel_default_init_message_text, language "en": the instance's.
		_, err = st.adm.SetDefaultInitMessageText(ctx(t), &admin.SetDefaultInitMessageTextRequest{Language: "en", Subject: "Hello from the instance", Text: "Use {{.Code}}"})
		mustOK(t, "create: SetDefaultInitMessageText", err)
		readDefault := func() tfState {
			t.Helper()
			r, err := st.adm.GetCustomInitMessageText(ctx(t), &admin.GetCustomInitMessageTextRequest{Language: "en"})
			mustOK(t, "read: admin GetCustomInitMessageText", err)
			if r.GetCustomText().GetIsDefault() {
				return tfState{"id": "en", "is_default": true}
			}
			return tfMessageText("en", r.GetCustomText(), tfState{"language": "en"})
		}
		def := readDefault()
		wantTF(t, "default: read after create", def, tfState{"id": "en", "language": "en", "title": "", "pre_header": "", "subject": "Hello from the instance",
			"greeting": "", "text": "Use {{.Code}}", "button_text": "", "footer_text": ""})
		wantTF(t, "default: plan", readDefault(), def)
		// The org sees it as its default in English, not over its own German text.
		if r, err := st.mgmt.GetCustomInitMessageText(tfCtx(t, org), &management.GetCustomInitMessageTextRequest{Language: "en"}); err != nil ||
			!r.GetCustomText().GetIsDefault() || r.GetCustomText().GetSubject() != "Hello from the instance" {
			t.Fatalf("org's English default: %v %v", r, err)
		}
		wantTF(t, "init text untouched by the instance's", readInit(), applied)

		// destroy: each reset, the reads then answer the default.
		_, err = st.mgmt.ResetCustomInitMessageTextToDefault(tfCtx(t, org), &management.ResetCustomInitMessageTextToDefaultRequest{Language: "de"})
		mustOK(t, "delete: ResetCustomInitMessageTextToDefault", err)
		wantTF(t, "read after delete", readInit(), tfState{"id": org + "_de", "is_default": true})
		_, err = st.mgmt.ResetCustomPasswordResetMessageTextToDefault(tfCtx(t, org), &management.ResetCustomPasswordResetMessageTextToDefaultRequest{Language: "en"})
		mustOK(t, "delete: ResetCustomPasswordResetMessageTextToDefault", err)
		wantTF(t, "password reset: read after delete", readReset(), tfState{"id": org + "_en", "is_default": true})
		_, err = st.adm.ResetCustomInitMessageTextToDefault(ctx(t), &admin.ResetCustomInitMessageTextToDefaultRequest{Language: "en"})
		mustOK(t, "delete: admin ResetCustomInitMessageTextToDefault", err)
		wantTF(t, "default: read after delete", readDefault(), tfState{"id": "en", "is_default": true})
	})
}
