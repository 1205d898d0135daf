package securitytest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/wardentest"
)

const admV1 = "/admin/v1"

// smtpConfig is a new, inactive SMTP configuration the administrator added.
func (f *fixtures) smtpConfig(t testing.TB) string {
	t.Helper()
	r := f.admin(t, "", "POST", admV1+"/smtp", `{"senderAddress":"m@example.com","host":"127.0.0.1:1","password":"pw-`+f.uniq("p")+`"}`)
	return r.Str("id")
}

// judgeOwnError: 403 is a refusal; the use case's own refusal (status, id)
// means authorization let the call through (a test mail to a port nobody
// listens on fails after the check).
func judgeOwnError(status int, id string) func(wardentest.Reply, markers) (verdict, string) {
	return func(r wardentest.Reply, _ markers) (verdict, string) {
		switch {
		case r.Status == 403:
			return verdictDenied, ""
		case r.Status == status && strings.Contains(r.Raw, id):
			return verdictAllowed, ""
		}
		return verdictDenied, fmt.Sprintf("status %d: %.300s", r.Status, r.Raw)
	}
}

// smtpOps are admin v1's SMTP configuration methods: instance-wide
// (iam.read / iam.write), so an org's roles never reach them.
func smtpOps() []matrixOp {
	cfg := func(method, suffix, body string) func(testing.TB, *fixtures, string) restCall {
		return func(t testing.TB, f *fixtures, _ string) restCall {
			return restCall{method: method, path: admV1 + "/smtp/" + f.smtpConfig(t) + suffix, body: body}
		}
	}
	return []matrixOp{
		{name: "admin.AddSMTPConfig", global: true, prep: fixed("POST", admV1+"/smtp", `{"senderAddress":"n@example.com","host":"127.0.0.1:1"}`)},
		{name: "admin.UpdateSMTPConfig", global: true, prep: cfg("PUT", "", `{"senderAddress":"u@example.com","host":"127.0.0.1:1"}`)},
		{name: "admin.UpdateSMTPConfigPassword", global: true, prep: cfg("PUT", "/password", `{"password":"other"}`)},
		{name: "admin.ActivateSMTPConfig", global: true, prep: cfg("POST", "/_activate", `{}`)},
		{name: "admin.DeactivateSMTPConfig", global: true, prep: func(t testing.TB, f *fixtures, _ string) restCall {
			id := f.smtpConfig(t)
			f.admin(t, "", "POST", admV1+"/smtp/"+id+"/_activate", `{}`)
			return restCall{method: "POST", path: admV1 + "/smtp/" + id + "/_deactivate", body: `{}`}
		}},
		{name: "admin.RemoveSMTPConfig", global: true, prep: cfg("DELETE", "", "")},
		{name: "admin.GetSMTPConfig", global: true, prep: fixed("GET", admV1+"/smtp", ""), judge: func(r wardentest.Reply, m markers) (verdict, string) {
			if r.Status == 404 && strings.Contains(r.Raw, "COMMAND-j5IDFtt3T1") { // none active at that moment: past the check
				return verdictAllowed, ""
			}
			return judgeOwnError(200, "")(r, m)
		}},
		{name: "admin.GetSMTPConfigById", global: true, prep: cfg("GET", "", "")},
		{name: "admin.ListSMTPConfigs", global: true, prep: fixed("POST", admV1+"/smtp/_search", `{}`)},
		{name: "admin.TestSMTPConfig", global: true, prep: fixed("POST", admV1+"/smtp/_test",
			`{"senderAddress":"t@example.com","host":"127.0.0.1:1","receiverAddress":"r@example.com"}`), judge: judgeOwnError(400, "WARDEN-SMTPTEST")},
		{name: "admin.TestSMTPConfigById", global: true, prep: cfg("POST", "/_test", `{"receiverAddress":"r@example.com"}`), judge: judgeOwnError(400, "WARDEN-SMTPTEST")},
	}
}
