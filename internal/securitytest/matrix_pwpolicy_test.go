package securitytest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/wardentest"
)

// The matrix's rows for the password policies (Management v1: an org's own;
// Admin v1: the instance defaults, with the default lockout policy) and the
// caller's own password (Auth v1). Every setting a row writes still admits
// the passwords the other rows set, and a lockout default stays high, so the
// rows running beside them are not disturbed.

func init() {
	// ZITADEL's cmd/defaults.yaml: the instance policies' permissions.
	zitadelRoles["IAM_OWNER"] = append(zitadelRoles["IAM_OWNER"], "iam.policy.read", "iam.policy.write")
	zitadelRoles["IAM_OWNER_VIEWER"] = append(zitadelRoles["IAM_OWNER_VIEWER"], "iam.policy.read")
	for _, m := range []string{"GetPasswordComplexityPolicy", "GetDefaultPasswordComplexityPolicy", "GetPasswordAgePolicy", "GetDefaultPasswordAgePolicy", "GetDefaultLockoutPolicy", "GetNotificationPolicy", "GetDefaultNotificationPolicy"} {
		deviations["IAM_USER_MANAGER "+m] = deviation{false, "Warden's IAM_USER_MANAGER has policy.read, which ZITADEL's lacks: without it the escalation rule would keep it from the users of every role that reads policies. The policies' settings give nothing away"}
	}
}

// orgPolicy sets whether the org has its own policy at path (true, with body)
// or follows the default (false).
func (f *fixtures) orgPolicy(t testing.TB, orgID, path, body string, custom bool) {
	t.Helper()
	if f.decoy {
		return // a refused call changes nothing either way
	}
	h := map[string]string{"x-zitadel-orgid": orgID}
	if custom {
		if r := f.e.DoHeaders(t, "POST", path, f.e.Boot.Token, body, h); r.Status != 200 && r.Status != 409 {
			t.Fatalf("custom policy %s: %d %s", path, r.Status, r.Raw)
		}
		return
	}
	if r := f.e.DoHeaders(t, "DELETE", path, f.e.Boot.Token, "", h); r.Status != 200 && r.Status != 404 {
		t.Fatalf("default policy %s: %d %s", path, r.Status, r.Raw)
	}
}

// laxComplexity is a complexity policy of n's choosing that every password of
// the matrix meets (at most 8 characters, any of the classes).
func laxComplexity(n int64) string {
	return fmt.Sprintf(`{"minLength":%d,"hasUppercase":%t,"hasLowercase":%t,"hasNumber":%t,"hasSymbol":%t}`,
		1+n%8, n/8%2 == 1, n/16%2 == 1, n/32%2 == 1, n/64%2 == 1)
}

// judgeUnchanged: a write that happened to ask what is already stored is
// refused with the use case's own "not changed" (id) — authorization let it
// through.
func judgeUnchanged(id string) func(wardentest.Reply, markers) (verdict, string) {
	return func(r wardentest.Reply, _ markers) (verdict, string) {
		switch {
		case r.Status == 200:
			return verdictAllowed, ""
		case r.Status == 403:
			return verdictDenied, ""
		case r.Status == 400 && strings.Contains(r.Raw, id):
			return verdictAllowed, ""
		}
		return verdictDenied, fmt.Sprintf("status %d: %.300s", r.Status, r.Raw)
	}
}

func pwPolicyOps() []matrixOp {
	const cp, ap = v1 + "/policies/password/complexity", v1 + "/policies/password/age"
	const adm = "/admin/v1"
	return []matrixOp{
		{name: "GetPasswordComplexityPolicy", prep: fixed("GET", cp, "")},
		{name: "GetDefaultPasswordComplexityPolicy", prep: fixed("GET", v1+"/policies/default/password/complexity", "")},
		{name: "AddCustomPasswordComplexityPolicy", prep: func(t testing.TB, f *fixtures, o string) restCall {
			f.orgPolicy(t, o, cp, "", false)
			return restCall{"POST", cp, laxComplexity(f.n.Add(1))}
		}},
		{name: "UpdateCustomPasswordComplexityPolicy", prep: func(t testing.TB, f *fixtures, o string) restCall {
			f.orgPolicy(t, o, cp, `{"minLength":8}`, true)
			return restCall{"PUT", cp, laxComplexity(f.n.Add(1))}
		}, judge: judgeUnchanged("Org-DAs21")},
		{name: "ResetPasswordComplexityPolicyToDefault", prep: func(t testing.TB, f *fixtures, o string) restCall {
			f.orgPolicy(t, o, cp, `{"minLength":8}`, true)
			return restCall{"DELETE", cp, ""}
		}},
		{name: "GetPasswordAgePolicy", prep: fixed("GET", ap, "")},
		{name: "GetDefaultPasswordAgePolicy", prep: fixed("GET", v1+"/policies/default/password/age", "")},
		{name: "AddCustomPasswordAgePolicy", prep: func(t testing.TB, f *fixtures, o string) restCall {
			f.orgPolicy(t, o, ap, "", false)
			return restCall{"POST", ap, fmt.Sprintf(`{"maxAgeDays":%d}`, f.n.Add(1))}
		}},
		{name: "UpdateCustomPasswordAgePolicy", prep: func(t testing.TB, f *fixtures, o string) restCall {
			f.orgPolicy(t, o, ap, `{"maxAgeDays":0}`, true)
			return restCall{"PUT", ap, fmt.Sprintf(`{"maxAgeDays":%d}`, 1+f.n.Add(1))}
		}, judge: judgeUnchanged("Org-dsgjR")},
		{name: "ResetPasswordAgePolicyToDefault", prep: func(t testing.TB, f *fixtures, o string) restCall {
			f.orgPolicy(t, o, ap, `{"maxAgeDays":0}`, true)
			return restCall{"DELETE", ap, ""}
		}},

		{name: "GetDefaultLockoutPolicy", prep: fixed("GET", v1+"/policies/default/lockout", "")},

		{name: "admin.GetPasswordComplexityPolicy", global: true, prep: fixed("GET", adm+"/policies/password/complexity", "")},
		{name: "admin.UpdatePasswordComplexityPolicy", global: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"PUT", adm + "/policies/password/complexity", laxComplexity(f.n.Add(1))}
		}, judge: judgeUnchanged("INSTANCE-9jlsf")},
		{name: "admin.GetPasswordAgePolicy", global: true, prep: fixed("GET", adm+"/policies/password/age", "")},
		{name: "admin.UpdatePasswordAgePolicy", global: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"PUT", adm + "/policies/password/age", fmt.Sprintf(`{"maxAgeDays":%d}`, 1+f.n.Add(1))}
		}, judge: judgeUnchanged("INSTANCE-180sf")},
		{name: "admin.GetLockoutPolicy", global: true, prep: fixed("GET", adm+"/policies/lockout", "")},
		{name: "admin.UpdateLockoutPolicy", global: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"PUT", adm + "/policies/password/lockout", fmt.Sprintf(`{"maxPasswordAttempts":%d}`, 50+f.n.Add(1))}
		}, judge: judgeUnchanged("INSTANCE-0psjF")},

		{name: "auth.GetMyPasswordComplexityPolicy", prep: fixed("GET", authV1+"/policies/passwords/complexity", "")},
		// The matrix's callers are machine users: a use case that lets the
		// call through finds no password to check (and counts no attempt).
		{name: "auth.UpdateMyPassword", prep: fixed("PUT", authV1+"/users/me/password", `{"oldPassword":"Old-Secret-1","newPassword":"New-Secret-2"}`),
			judge: func(r wardentest.Reply, _ markers) (verdict, string) {
				if r.Status == 400 && strings.Contains(r.Raw, "WARDEN-NOTHUMAN") {
					return verdictAllowed, ""
				}
				return verdictDenied, fmt.Sprintf("status %d: %.300s", r.Status, r.Raw)
			}},
	}
}
