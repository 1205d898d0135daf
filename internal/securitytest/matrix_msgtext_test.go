package securitytest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/wardentest"
)

// The matrix's rows for the message texts: four methods per message type in
// Management v1 (an org's own text) and four in Admin v1 (the instance's).

// messageTextSlugs are the message types as ZITADEL's method names and REST
// paths spell them.
var messageTextSlugs = []struct{ name, slug, mgmtSet string }{
	{"Init", "init", "SetCustomInitMessageText"},
	{"PasswordReset", "passwordreset", "SetCustomPasswordResetMessageText"},
	{"VerifyEmail", "verifyemail", "SetCustomVerifyEmailMessageText"},
	{"VerifyPhone", "verifyphone", "SetCustomVerifyPhoneMessageText"},
	{"VerifySMSOTP", "verifysmsotp", "SetCustomVerifySMSOTPMessageText"},
	{"VerifyEmailOTP", "verifyemailotp", "SetCustomVerifyEmailOTPMessageText"},
	{"DomainClaimed", "domainclaimed", "SetCustomDomainClaimedMessageCustomText"},
	{"PasswordlessRegistration", "passwordless_registration", "SetCustomPasswordlessRegistrationMessageCustomText"},
	{"PasswordChange", "password_change", "SetCustomPasswordChangeMessageCustomText"},
	{"InviteUser", "invite_user", "SetCustomInviteUserMessageCustomText"},
}

func init() {
	for _, m := range messageTextSlugs {
		for _, get := range []string{"GetCustom" + m.name + "MessageText", "GetDefault" + m.name + "MessageText"} {
			deviations["IAM_USER_MANAGER "+get] = deviation{false, "Warden's IAM_USER_MANAGER has policy.read (see GetPasswordComplexityPolicy); a message text gives nothing away"}
		}
	}
}

// messageText gives the org (orgID) or, with orgID "", the instance a custom
// text of slug in English, for a reset to remove.
func (f *fixtures) messageText(t testing.TB, orgID, slug string) {
	t.Helper()
	if f.decoy {
		return // a refused call changes nothing either way
	}
	path, h := v1+"/text/message/"+slug+"/en", map[string]string{"x-zitadel-orgid": orgID}
	if orgID == "" {
		path, h = "/admin/v1/text/message/"+slug+"/en", nil
	}
	if r := f.e.DoHeaders(t, "PUT", path, f.e.Boot.Token, `{"text":"`+f.uniq("text")+`"}`, h); r.Status != 200 {
		t.Fatalf("message text %s: %d %s", path, r.Status, r.Raw)
	}
}

// judgeTextReset: 200 or the use case's own NotFound (id: no text, as a
// decoy's prep wrote none) means authorization let the reset through.
func judgeTextReset(id string) func(wardentest.Reply, markers) (verdict, string) {
	return func(r wardentest.Reply, _ markers) (verdict, string) {
		switch {
		case r.Status == 200, r.Status == 404 && strings.Contains(r.Raw, id):
			return verdictAllowed, ""
		case r.Status == 403:
			return verdictDenied, ""
		}
		return verdictDenied, fmt.Sprintf("status %d: %.300s", r.Status, r.Raw)
	}
}

func messageTextOps() []matrixOp {
	const adm = "/admin/v1"
	var ops []matrixOp
	for _, m := range messageTextSlugs {
		path := "/text/message/" + m.slug + "/en"
		def := "/text/default/message/" + m.slug + "/en"
		admDef := def
		if m.slug == "passwordreset" {
			admDef = "/text/deafult/message/passwordreset/en" // sic, ZITADEL's path
		}
		slug := m.slug
		ops = append(ops,
			matrixOp{name: "GetCustom" + m.name + "MessageText", prep: fixed("GET", v1+path, "")},
			matrixOp{name: "GetDefault" + m.name + "MessageText", prep: fixed("GET", v1+def, "")},
			matrixOp{name: m.mgmtSet, prep: func(t testing.TB, f *fixtures, o string) restCall {
				return restCall{"PUT", v1 + path, `{"text":"` + f.uniq("text") + ` {{.Code}}"}`}
			}},
			matrixOp{name: "ResetCustom" + m.name + "MessageTextToDefault", judge: judgeTextReset("Org-3b8Jf"), prep: func(t testing.TB, f *fixtures, o string) restCall {
				f.messageText(t, o, slug)
				return restCall{"DELETE", v1 + path, ""}
			}},
			matrixOp{name: "admin.GetCustom" + m.name + "MessageText", global: true, prep: fixed("GET", adm+path, "")},
			matrixOp{name: "admin.GetDefault" + m.name + "MessageText", global: true, prep: fixed("GET", adm+admDef, "")},
			matrixOp{name: "admin.SetDefault" + m.name + "MessageText", global: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
				return restCall{"PUT", adm + path, `{"text":"` + f.uniq("text") + `"}`}
			}},
			matrixOp{name: "admin.ResetCustom" + m.name + "MessageTextToDefault", global: true, judge: judgeTextReset("INSTANCE-fju90"), prep: func(t testing.TB, f *fixtures, o string) restCall {
				f.messageText(t, "", slug)
				return restCall{"DELETE", adm + path, ""}
			}},
		)
	}
	return ops
}
