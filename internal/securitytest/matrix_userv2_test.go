package securitytest

import "testing"

func init() {
	// ZITADEL's command layer checks user.write in the user's org for both
	// (AddUserHuman, AddMachine, ChangeUserHuman, ChangeUserMachine).
	v2Perms["CreateUser"] = "user.write"
	v2Perms["UpdateUser"] = "user.write"
	// RemoveMyUser needs user.self.delete, which only ORG_USER_SELF_MANAGER
	// holds of the roles here (cmd/defaults.yaml).
	zitadelRoles["ORG_USER_SELF_MANAGER"] = append(zitadelRoles["ORG_USER_SELF_MANAGER"], "user.self.delete")
}

// userV2Ops are outside withV2beta: v2beta's UserService has neither
// CreateUser nor UpdateUser. RemoveMyUser removes its caller, so each call is
// a fresh one's.
func userV2Ops() []matrixOp {
	return []matrixOp{
		{name: "v2.CreateUser", prep: func(t testing.TB, f *fixtures, o string) restCall {
			n := f.uniq("v2c")
			return restCall{"POST", "/v2/users/new", `{"organizationId":"` + o + `","username":"` + n + `","human":{"profile":{"givenName":"G","familyName":"F"},"email":{"email":"` + n + `@example.com"}}}`}
		}},
		{name: "v2.CreateUser#machine", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", "/v2/users/new", `{"organizationId":"` + o + `","username":"` + f.uniq("v2cm") + `","machine":{"name":"N"}}`}
		}},
		{name: "v2.UpdateUser", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"PATCH", "/v2/users/" + f.human(t, o), `{"human":{"profile":{"nickName":"` + f.uniq("n") + `"}},"metadata":[{"key":"` + f.uniq("k") + `","value":"dg=="}]}`}
		}},
		{name: "v2.UpdateUser#machine", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"PATCH", "/v2/users/" + f.machine(t, o), `{"username":"` + f.uniq("um") + `","machine":{"description":"` + f.uniq("d") + `"}}`}
		}},
		{name: "auth.RemoveMyUser", freshCaller: true, prep: fixed("DELETE", authV1+"/users/me", "")},
	}
}
