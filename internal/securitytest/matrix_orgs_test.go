package securitytest

import (
	"fmt"
	"testing"

	"github.com/warden-id/warden/internal/org"
	admin "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/admin"
)

// The matrix's rows for the org lifecycle (Management v1) and Admin v1, in a
// file of their own: the operations, ZITADEL's permissions they need, and the
// fixtures they run on.

// adminZitadelRoles adds to zitadelRoles the permissions of ZITADEL's role
// table (cmd/defaults.yaml) that the org lifecycle and Admin v1 need.
var adminZitadelRoles = map[string][]string{
	"IAM_OWNER":        {"iam.read", "iam.write", "iam.member.read", "iam.member.write", "iam.member.delete", "org.delete", "iam.policy.read", "iam.policy.write", "iam.policy.delete"},
	"IAM_ORG_MANAGER":  {"org.delete"},
	"IAM_OWNER_VIEWER": {"iam.read", "iam.member.read", "iam.policy.read"},
	"ORG_OWNER":        {"org.delete"},
}

func init() {
	for r, ps := range adminZitadelRoles {
		zitadelRoles[r] = append(zitadelRoles[r], ps...)
	}
	for k, d := range map[string]deviation{
		"IAM_USER_MANAGER ListOrgMemberRoles":              {true, "ZITADEL's IAM_USER_MANAGER has org.member.read"},
		"ORG_PROJECT_PERMISSION_EDITOR ListOrgMemberRoles": {true, "ZITADEL's ORG_PROJECT_PERMISSION_EDITOR has org.member.read"},
		"ORG_PROJECT_CREATOR ListOrgChanges":               {false, "Warden gives ORG_PROJECT_CREATOR org.read (the org's name, state and history of org events); ZITADEL does not"},
	} {
		deviations[k] = d
	}
}

// adminPerm is the permission ZITADEL's descriptor demands for an admin v1 method.
func adminPerm(t testing.TB, method string) string {
	return authPermission(t, admin.File_zitadel_admin_proto.Services().ByName("AdminService"), method)
}

// sibling is a fresh org for the lifecycle rows, which must not deactivate or
// remove the caller's own org: for the own-org call the caller holds its
// role there too (org roles; instance roles reach it anyway), for the
// foreign call nothing. The call names it in x-zitadel-orgid.
func (f *fixtures) sibling(t testing.TB, target string) string {
	t.Helper()
	o := f.org(t, "sib")
	if target == f.own && f.role != "" && !org.IsInstanceRole(f.role) {
		f.e.Grant(t, o, f.self, f.role)
	}
	return o
}

func orgOps() []matrixOp {
	in := func(f *fixtures, o string) { f.hdr = map[string]string{"x-zitadel-orgid": o} }
	const adm = "/admin/v1"
	return []matrixOp{
		{name: "UpdateOrg", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{method: "PUT", path: v1 + "/orgs/me", body: `{"name":"` + f.uniq("renamed") + `"}`}
		}},
		{name: "DeactivateOrg", prep: func(t testing.TB, f *fixtures, o string) restCall {
			in(f, f.sibling(t, o))
			return restCall{method: "POST", path: v1 + "/orgs/me/_deactivate", body: `{}`}
		}},
		{name: "ReactivateOrg", prep: func(t testing.TB, f *fixtures, o string) restCall {
			s := f.sibling(t, o)
			f.admin(t, s, "POST", v1+"/orgs/me/_deactivate", `{}`)
			in(f, s)
			return restCall{method: "POST", path: v1 + "/orgs/me/_reactivate", body: `{}`}
		}},
		{name: "RemoveOrg", prep: func(t testing.TB, f *fixtures, o string) restCall {
			in(f, f.sibling(t, o))
			return restCall{method: "DELETE", path: v1 + "/orgs/me"}
		}},
		{name: "ListOrgChanges", prep: func(testing.TB, *fixtures, string) restCall {
			return restCall{method: "POST", path: v1 + "/orgs/me/changes/_search", body: `{}`}
		}},
		{name: "ListOrgMemberRoles", prep: func(testing.TB, *fixtures, string) restCall {
			return restCall{method: "POST", path: v1 + "/orgs/members/roles/_search", body: `{}`}
		}},

		{name: "admin.Healthz", global: true, prep: func(testing.TB, *fixtures, string) restCall {
			return restCall{method: "GET", path: adm + "/healthz"}
		}},
		{name: "admin.GetOrgByID", global: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{method: "GET", path: adm + "/orgs/" + o}
		}},
		{name: "admin.ListOrgs", global: true, prep: func(testing.TB, *fixtures, string) restCall {
			return restCall{method: "POST", path: adm + "/orgs/_search", body: `{}`}
		}},
		{name: "admin.IsOrgUnique", global: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{method: "GET", path: adm + "/orgs/_is_unique?name=" + f.uniq("u")}
		}},
		{name: "admin.GetDefaultOrg", global: true, prep: func(testing.TB, *fixtures, string) restCall {
			return restCall{method: "GET", path: adm + "/orgs/default"}
		}},
		{name: "admin.SetDefaultOrg", global: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			// The default it already is: allowed changes nothing other rows rely on.
			return restCall{method: "PUT", path: adm + "/orgs/default/" + f.e.Boot.Instance.DefaultOrgID, body: `{}`}
		}},
		{name: "admin.SetUpOrg", global: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			n := f.uniq("su")
			return restCall{method: "POST", path: adm + "/orgs/_setup", body: `{"org":{"name":"` + n + `"},"human":{"userName":"` + n +
				`","profile":{"firstName":"F","lastName":"L"},"email":{"email":"` + n + `@example.com"}}}`}
		}},
		{name: "admin.RemoveOrg", global: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{method: "DELETE", path: adm + "/orgs/" + f.org(t, "doomed")}
		}},
		{name: "admin.ListIAMMemberRoles", global: true, prep: func(testing.TB, *fixtures, string) restCall {
			return restCall{method: "POST", path: adm + "/members/roles/_search", body: `{}`}
		}},
		{name: "admin.ListIAMMembers", global: true, prep: func(testing.TB, *fixtures, string) restCall {
			return restCall{method: "POST", path: adm + "/members/_search", body: `{}`}
		}},
		{name: "admin.AddIAMMember", global: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{method: "POST", path: adm + "/members", body: `{"userId":"` + f.machine(t, o) + `","roles":["IAM_OWNER_VIEWER"]}`}
		}},
		{name: "admin.UpdateIAMMember", global: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{method: "PUT", path: adm + "/members/" + f.iamMember(t, o), body: `{"roles":["IAM_USER_MANAGER"]}`}
		}},
		{name: "admin.RemoveIAMMember", global: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{method: "DELETE", path: adm + "/members/" + f.iamMember(t, o)}
		}},
		{name: "admin.ListSecretGenerators", global: true, prep: func(testing.TB, *fixtures, string) restCall {
			return restCall{method: "POST", path: adm + "/secretgenerators/_search", body: `{}`}
		}},
		{name: "admin.GetSecretGenerator", global: true, prep: func(testing.TB, *fixtures, string) restCall {
			return restCall{method: "GET", path: adm + "/secretgenerators/SECRET_GENERATOR_TYPE_OTP_SMS"}
		}},
		{name: "admin.UpdateSecretGenerator", global: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			// A new length each call, so an allowed call changes something.
			return restCall{method: "PUT", path: adm + "/secretgenerators/SECRET_GENERATOR_TYPE_OTP_SMS",
				body: fmt.Sprintf(`{"length":%d,"expiry":"300s","includeDigits":true}`, 6+f.n.Add(1)%500)}
		}},
	}
}

// iamMember is a new machine user of orgID with IAM_OWNER_VIEWER.
func (f *fixtures) iamMember(t testing.TB, orgID string) string {
	t.Helper()
	return f.memo1("iamMember", orgID, func() string {
		id := f.e.AddMachine(t, orgID, f.uniq("im"))
		f.admin(t, "", "POST", "/admin/v1/members", `{"userId":"`+id+`","roles":["IAM_OWNER_VIEWER"]}`)
		return id
	})
}
