package securitytest

import (
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/wardentest"
)

// smsProvider is a new, inactive SMS provider of the administrator's: Twilio
// or HTTP.
func (f *fixtures) smsProvider(t testing.TB, http bool) string {
	t.Helper()
	if http {
		return f.admin(t, "", "POST", admV1+"/sms/http", `{"endpoint":"http://127.0.0.1:1/`+f.uniq("h")+`"}`).Str("id")
	}
	return f.admin(t, "", "POST", admV1+"/sms/twilio", `{"sid":"AC`+f.uniq("s")+`","token":"tok-`+f.uniq("t")+`","senderNumber":"+15550000000"}`).Str("id")
}

// smsOps are admin v1's SMS provider methods: instance-wide (iam.read /
// iam.write), so an org's roles never reach them.
func smsOps() []matrixOp {
	on := func(http bool, method, prefix, suffix, body string) func(testing.TB, *fixtures, string) restCall {
		return func(t testing.TB, f *fixtures, _ string) restCall {
			return restCall{method: method, path: admV1 + prefix + f.smsProvider(t, http) + suffix, body: body}
		}
	}
	return []matrixOp{
		{name: "admin.ListSMSProviders", global: true, prep: fixed("POST", admV1+"/sms/_search", `{}`)},
		{name: "admin.GetSMSProvider", global: true, prep: on(false, "GET", "/sms/", "", "")},
		{name: "admin.AddSMSProviderTwilio", global: true, prep: fixed("POST", admV1+"/sms/twilio", `{"sid":"AC9","token":"t","senderNumber":"+15550000000"}`)},
		{name: "admin.UpdateSMSProviderTwilio", global: true, prep: on(false, "PUT", "/sms/twilio/", "", `{"sid":"AC8","senderNumber":"+15550000001"}`)},
		{name: "admin.UpdateSMSProviderTwilioToken", global: true, prep: on(false, "PUT", "/sms/twilio/", "/token", `{"token":"other"}`)},
		{name: "admin.AddSMSProviderHTTP", global: true, prep: fixed("POST", admV1+"/sms/http", `{"endpoint":"http://127.0.0.1:1/n"}`)},
		{name: "admin.UpdateSMSProviderHTTP", global: true, prep: on(true, "PUT", "/sms/http/", "", `{"endpoint":"http://127.0.0.1:1/u"}`)},
		{name: "admin.ActivateSMSProvider", global: true, prep: on(true, "POST", "/sms/", "/_activate", `{}`)},
		{name: "admin.DeactivateSMSProvider", global: true, prep: func(t testing.TB, f *fixtures, _ string) restCall {
			id := f.smsProvider(t, true)
			f.admin(t, "", "POST", admV1+"/sms/"+id+"/_activate", `{}`)
			return restCall{method: "POST", path: admV1 + "/sms/" + id + "/_deactivate", body: `{}`}
		}, judge: func(r wardentest.Reply, m markers) (verdict, string) {
			// Another role's activation, run meanwhile, may have deactivated it
			// first: the use case's own refusal is past the check.
			if r.Status == 400 && strings.Contains(r.Raw, "COMMAND-OSZAEkYvk7") {
				return verdictAllowed, ""
			}
			return judgeOwnError(200, "")(r, m)
		}},
		{name: "admin.RemoveSMSProvider", global: true, prep: on(false, "DELETE", "/sms/", "", "")},
	}
}

// emailProvider is a new, inactive e-mail provider of the administrator's:
// an SMTP configuration or an HTTP provider.
func (f *fixtures) emailProvider(t testing.TB, http bool) string {
	t.Helper()
	if http {
		return f.admin(t, "", "POST", admV1+"/email/http", `{"endpoint":"http://127.0.0.1:1/`+f.uniq("e")+`"}`).Str("id")
	}
	return f.smtpConfig(t)
}

// emailProviderOps are admin v1's e-mail provider methods: the SMTP
// configurations' rules (iam.read / iam.write) under their newer names.
func emailProviderOps() []matrixOp {
	on := func(http bool, method, prefix, suffix, body string) func(testing.TB, *fixtures, string) restCall {
		return func(t testing.TB, f *fixtures, _ string) restCall {
			return restCall{method: method, path: admV1 + prefix + f.emailProvider(t, http) + suffix, body: body}
		}
	}
	return []matrixOp{
		{name: "admin.ListEmailProviders", global: true, prep: fixed("POST", admV1+"/email/_search", `{}`)},
		{name: "admin.GetEmailProvider", global: true, prep: fixed("GET", admV1+"/email", ""), judge: func(r wardentest.Reply, m markers) (verdict, string) {
			if r.Status == 404 && strings.Contains(r.Raw, "COMMAND-j5IDFtt3T1") { // none active at that moment: past the check
				return verdictAllowed, ""
			}
			return judgeOwnError(200, "")(r, m)
		}},
		{name: "admin.GetEmailProviderById", global: true, prep: on(true, "GET", "/email/", "", "")},
		{name: "admin.AddEmailProviderSMTP", global: true, prep: fixed("POST", admV1+"/email/smtp", `{"senderAddress":"n@example.com","host":"127.0.0.1:1"}`)},
		{name: "admin.UpdateEmailProviderSMTP", global: true, prep: on(false, "PUT", "/email/smtp/", "", `{"senderAddress":"u@example.com","host":"127.0.0.1:1"}`)},
		{name: "admin.UpdateEmailProviderSMTPPassword", global: true, prep: on(false, "PUT", "/email/smtp/", "/password", `{"password":"other"}`)},
		{name: "admin.AddEmailProviderHTTP", global: true, prep: fixed("POST", admV1+"/email/http", `{"endpoint":"http://127.0.0.1:1/n"}`)},
		{name: "admin.UpdateEmailProviderHTTP", global: true, prep: on(true, "PUT", "/email/http/", "", `{"endpoint":"http://127.0.0.1:1/u"}`)},
		{name: "admin.ActivateEmailProvider", global: true, prep: on(true, "POST", "/email/", "/_activate", `{}`)},
		{name: "admin.DeactivateEmailProvider", global: true, prep: func(t testing.TB, f *fixtures, _ string) restCall {
			id := f.emailProvider(t, true)
			f.admin(t, "", "POST", admV1+"/email/"+id+"/_activate", `{}`)
			return restCall{method: "POST", path: admV1 + "/email/" + id + "/_deactivate", body: `{}`}
		}, judge: func(r wardentest.Reply, m markers) (verdict, string) {
			if r.Status == 400 && strings.Contains(r.Raw, "COMMAND-km8g3") { // deactivated meanwhile by another role's activation
				return verdictAllowed, ""
			}
			return judgeOwnError(200, "")(r, m)
		}},
		{name: "admin.RemoveEmailProvider", global: true, prep: on(true, "DELETE", "/email/", "", "")},
		{name: "admin.TestEmailProviderSMTPById", global: true, prep: on(false, "POST", "/email/smtp/", "/_test", `{"receiverAddress":"r@example.com"}`),
			judge: judgeOwnError(400, "WARDEN-SMTPTEST")},
		{name: "admin.TestEmailProviderSMTP", global: true, prep: fixed("POST", admV1+"/email/smtp/_test",
			`{"senderAddress":"t@example.com","host":"127.0.0.1:1","receiverAddress":"r@example.com"}`), judge: judgeOwnError(400, "WARDEN-SMTPTEST")},
	}
}
