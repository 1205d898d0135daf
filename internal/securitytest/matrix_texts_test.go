package securitytest

import "testing"

// The matrix's rows for the notification policy (Management v1 and Admin v1).

// notificationPolicy gives the org (orgID) or, with orgID "", the instance a
// policy with the password-change notice on, so the call under test (which
// turns it off) changes something.
func (f *fixtures) notificationPolicy(t testing.TB, orgID string, custom bool) {
	t.Helper()
	if f.decoy {
		return // a refused call changes nothing either way
	}
	path, h := "/management/v1/policies/notification", map[string]string{"x-zitadel-orgid": orgID}
	if orgID == "" {
		path, h = "/admin/v1/policies/notification", nil
	}
	if !custom {
		if r := f.e.DoHeaders(t, "DELETE", path, f.e.Boot.Token, "", h); r.Status != 200 && r.Status != 404 {
			t.Fatalf("default notification policy: %d %s", r.Status, r.Raw)
		}
		return
	}
	if orgID != "" {
		if r := f.e.DoHeaders(t, "POST", path, f.e.Boot.Token, `{"passwordChange":true}`, h); r.Status != 200 && r.Status != 409 {
			t.Fatalf("custom notification policy: %d %s", r.Status, r.Raw)
		}
	}
	if r := f.e.DoHeaders(t, "PUT", path, f.e.Boot.Token, `{"passwordChange":true}`, h); r.Status != 200 && r.Status != 400 {
		t.Fatalf("notification policy on: %d %s", r.Status, r.Raw)
	}
}

func notificationPolicyOps() []matrixOp {
	const p, adm = v1 + "/policies/notification", "/admin/v1"
	return []matrixOp{
		{name: "GetNotificationPolicy", prep: func(testing.TB, *fixtures, string) restCall { return restCall{"GET", p, ""} }},
		{name: "GetDefaultNotificationPolicy", prep: func(testing.TB, *fixtures, string) restCall {
			return restCall{"GET", v1 + "/policies/default/notification", ""}
		}},
		{name: "AddCustomNotificationPolicy", prep: func(t testing.TB, f *fixtures, o string) restCall {
			f.notificationPolicy(t, o, false)
			return restCall{"POST", p, `{"passwordChange":false}`}
		}},
		{name: "UpdateCustomNotificationPolicy", prep: func(t testing.TB, f *fixtures, o string) restCall {
			f.notificationPolicy(t, o, true)
			return restCall{"PUT", p, `{"passwordChange":false}`}
		}},
		{name: "ResetNotificationPolicyToDefault", prep: func(t testing.TB, f *fixtures, o string) restCall {
			f.notificationPolicy(t, o, true)
			return restCall{"DELETE", p, ""}
		}},
		{name: "admin.GetNotificationPolicy", global: true, prep: func(testing.TB, *fixtures, string) restCall {
			return restCall{method: "GET", path: adm + "/policies/notification"}
		}},
		{name: "admin.UpdateNotificationPolicy", global: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			f.notificationPolicy(t, "", true)
			return restCall{method: "PUT", path: adm + "/policies/notification", body: `{"passwordChange":false}`}
		}},
	}
}
