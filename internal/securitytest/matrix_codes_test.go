package securitytest

import "testing"

// codeOps are the codes that lead to a password (app/reset.go): v1's reset
// notification and initialization, user v2's reset and invitations. Only
// PasswordReset has a v2beta twin (withV2beta adds it).
func codeOps() []matrixOp {
	initial := func(t testing.TB, f *fixtures, o string) string { // INITIAL: no password (v1 sends it an init code)
		n := f.uniq("ini")
		return f.admin(t, o, "POST", v1+"/users/human", `{"userName":"`+n+`","profile":{"firstName":"F","lastName":"L"},"email":{"email":"`+n+`@example.com"}}`).Str("userId")
	}
	return []matrixOp{
		{name: "SendHumanResetPasswordNotification", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/users/" + f.human(t, o) + "/password/_reset", `{"type":"TYPE_EMAIL"}`}
		}},
		{name: "ResendHumanInitialization", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/users/" + initial(t, f, o) + "/_resend_initialization", `{}`}
		}},
		{name: "SetHumanInitialPassword", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/users/" + initial(t, f, o) + "/password/_initialize", `{"password":"Another-Horse-2"}`}
		}},
		{name: "v2.PasswordReset", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", "/v2/users/" + f.human(t, o) + "/password_reset", `{"returnCode":{}}`}
		}},
	}
}

// inviteOps are user v2's invitations, which v2beta does not have.
func inviteOps() []matrixOp {
	initial := func(t testing.TB, f *fixtures, o string) string {
		n := f.uniq("inv")
		return f.admin(t, o, "POST", "/v2/users/human", `{"username":"`+n+`","organization":{"orgId":"`+o+`"},"profile":{"givenName":"G","familyName":"F"},"email":{"email":"`+n+`@example.com"}}`).Str("userId")
	}
	return []matrixOp{
		{name: "v2.CreateInviteCode", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", "/v2/users/" + initial(t, f, o) + "/invite_code", `{"returnCode":{}}`}
		}},
		{name: "v2.ResendInviteCode", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u := initial(t, f, o)
			f.admin(t, o, "POST", "/v2/users/"+u+"/invite_code", `{"sendCode":{}}`)
			return restCall{"POST", "/v2/users/" + u + "/invite_code/resend", `{}`}
		}},
		// The code is the proof: any authenticated caller with it may.
		{name: "v2.VerifyInviteCode", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u := initial(t, f, o)
			code := f.admin(t, o, "POST", "/v2/users/"+u+"/invite_code", `{"returnCode":{}}`).Str("inviteCode")
			return restCall{"POST", "/v2/users/" + u + "/invite_code/verify", `{"verificationCode":"` + code + `"}`}
		}},
	}
}
