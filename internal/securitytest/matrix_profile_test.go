package securitytest

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/wardentest"
)

func init() {
	// ZITADEL's holders of user.membership.read (cmd/defaults.yaml), which
	// ListUserMemberships needs.
	for _, r := range []string{"IAM_OWNER", "IAM_ORG_MANAGER", "IAM_USER_MANAGER", "IAM_OWNER_VIEWER", "ORG_OWNER", "ORG_USER_MANAGER", "ORG_OWNER_VIEWER"} {
		zitadelRoles[r] = append(zitadelRoles[r], "user.membership.read")
	}
	// And of user.global.read, which GetUserByLoginNameGlobal needs.
	for _, r := range []string{"IAM_OWNER", "IAM_ORG_MANAGER", "IAM_USER_MANAGER", "IAM_OWNER_VIEWER", "ORG_OWNER", "ORG_USER_MANAGER", "ORG_OWNER_VIEWER", "ORG_PROJECT_PERMISSION_EDITOR", "ORG_PROJECT_CREATOR"} {
		zitadelRoles[r] = append(zitadelRoles[r], "user.global.read")
	}
}

// profileOps: a user's own data (profile, user name, e-mail, phone, a
// machine's name), by administrators (Management v1) and by the caller itself
// (Auth v1).
func profileOps() []matrixOp {
	phone := func(f *fixtures) string { return fmt.Sprintf("+41 79 %07d", f.n.Add(1)) }
	return []matrixOp{
		{name: "GetHumanProfile", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"GET", v1 + "/users/" + f.human(t, o) + "/profile", ""}
		}},
		{name: "GetHumanEmail", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"GET", v1 + "/users/" + f.human(t, o) + "/email", ""}
		}},
		{name: "GetHumanPhone", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"GET", v1 + "/users/" + f.human(t, o) + "/phone", ""}
		}},
		{name: "UpdateHumanProfile", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"PUT", v1 + "/users/" + f.human(t, o) + "/profile", `{"firstName":"` + f.uniq("F") + `","lastName":"L"}`}
		}},
		{name: "UpdateUserName", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"PUT", v1 + "/users/" + f.human(t, o) + "/username", `{"userName":"` + f.uniq("renamed") + `"}`}
		}},
		{name: "UpdateMachine", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"PUT", v1 + "/users/" + f.machine(t, o) + "/machine", `{"name":"` + f.uniq("N") + `"}`}
		}},
		{name: "UpdateHumanEmail", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"PUT", v1 + "/users/" + f.human(t, o) + "/email", `{"email":"` + f.uniq("e") + `@example.com","isEmailVerified":true}`}
		}},
		{name: "UpdateHumanPhone", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"PUT", v1 + "/users/" + f.human(t, o) + "/phone", `{"phone":"` + phone(f) + `","isPhoneVerified":true}`}
		}},
		{name: "RemoveHumanPhone", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u := f.human(t, o)
			f.admin(t, o, "PUT", v1+"/users/"+u+"/phone", `{"phone":"`+phone(f)+`","isPhoneVerified":true}`)
			return restCall{"DELETE", v1 + "/users/" + u + "/phone", ""}
		}},
		{name: "ListUserMemberships", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/users/" + f.member(t, o) + "/memberships/_search", `{}`}
		}},
		{name: "GetUserByLoginNameGlobal", global: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			n := f.uniq("g")
			f.e.AddMachine(t, o, n)
			return restCall{"GET", v1 + "/global/users/_by_login_name?loginName=" + url.QueryEscape(n+"@"+f.primaryDomain(t, o)), ""}
		}},
		{name: "IsUserUnique", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"GET", v1 + "/users/_is_unique?userName=" + f.uniq("free"), ""}
		}},

		{name: "v2.UpdateHumanUser", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"PUT", "/v2/users/human/" + f.human(t, o), `{"profile":{"givenName":"` + f.uniq("G") + `","familyName":"F"},"email":{"email":"` + f.uniq("v2e") + `@example.com","isVerified":true}}`}
		}},

		// The callers are machine users: past authorization, the human-only
		// methods answer the use case's own "not a human".
		{name: "auth.GetMyProfile", prep: fixed("GET", authV1+"/users/me/profile", ""), judge: judgeNotHuman},
		{name: "auth.GetMyEmail", prep: fixed("GET", authV1+"/users/me/email", ""), judge: judgeNotHuman},
		{name: "auth.GetMyPhone", prep: fixed("GET", authV1+"/users/me/phone", ""), judge: judgeNotHuman},
		{name: "auth.UpdateMyProfile", prep: fixed("PUT", authV1+"/users/me/profile", `{"firstName":"F","lastName":"L"}`), judge: judgeNotHuman},
		{name: "auth.RemoveMyPhone", prep: fixed("DELETE", authV1+"/users/me/phone", ""), judge: judgeNotHuman},
		{name: "auth.UpdateMyUserName", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"PUT", authV1 + "/users/me/username", `{"userName":"` + f.uniq("me") + `"}`}
		}},
	}
}

// judgeNotHuman: 403 is a refusal; the use case's FailedPrecondition for a
// machine caller means authorization let the call through.
func judgeNotHuman(r wardentest.Reply, _ markers) (verdict, string) {
	switch {
	case r.Status == 403:
		return verdictDenied, ""
	case r.Status == 400 && strings.Contains(r.Raw, "WARDEN-NOTHUMAN"):
		return verdictAllowed, ""
	}
	return verdictDenied, fmt.Sprintf("status %d: %.300s", r.Status, r.Raw)
}
