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
