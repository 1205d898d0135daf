package securitytest

import (
	"fmt"
	"sync"
	"testing"
)

func init() {
	// What ZITADEL's command layer checks for v2's e-mail and phone methods:
	// user.write in the user's org, or the user itself (the callers here are
	// machine users acting on others). For VerifyEmail and VerifyPhone ZITADEL
	// asks only for a sign-in; Warden asks user.write (or the user itself), so
	// that no outsider can spend a user's code attempts through the API
	// (docs/compat.md, "Deliberately different"). The matrix holds Warden to
	// that stricter rule.
	for _, m := range []string{"SetEmail", "SendEmailCode", "ResendEmailCode", "VerifyEmail", "SetPhone", "ResendPhoneCode", "VerifyPhone", "RemovePhone"} {
		v2Perms[m] = "user.write"
	}
}

// verifyHuman is one human per org for all the rows below (each org is one
// role's, whose rows run one after another): a new one per row would crowd the
// list rows' first page.
var verifyHumans struct {
	sync.Mutex
	m map[string]string
}

func verifyHuman(t testing.TB, f *fixtures, o string) string {
	verifyHumans.Lock()
	defer verifyHumans.Unlock()
	if verifyHumans.m == nil {
		verifyHumans.m = map[string]string{}
	}
	if verifyHumans.m[o] == "" {
		verifyHumans.m[o] = f.human(t, o)
	}
	return verifyHumans.m[o]
}

// verifyOps: e-mail and phone verification codes (app/verify.go) — v2 (and its
// v2beta twins), Management v1's resends and Auth v1's own.
func verifyOps() []matrixOp {
	phone := func(f *fixtures) string { return fmt.Sprintf("+41 78 %07d", f.n.Add(1)) }
	// code gives the org's human a pending code of the purpose and returns it.
	code := func(t testing.TB, f *fixtures, o, purpose string) (string, string) {
		u := verifyHuman(t, f, o)
		body := `{"email":"` + f.uniq("c") + `@example.com","returnCode":{}}`
		if purpose == "phone" {
			body = `{"phone":"` + phone(f) + `","returnCode":{}}`
		}
		return u, f.admin(t, "", "POST", "/v2/users/"+u+"/"+purpose, body).Str("verificationCode")
	}
	return []matrixOp{
		{name: "v2.SetEmail", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", "/v2/users/" + verifyHuman(t, f, o) + "/email", `{"email":"` + f.uniq("se") + `@example.com","returnCode":{}}`}
		}},
		{name: "v2.ResendEmailCode", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u, _ := code(t, f, o, "email")
			return restCall{"POST", "/v2/users/" + u + "/email/resend", `{"returnCode":{}}`}
		}},
		{name: "v2.VerifyEmail", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u, c := code(t, f, o, "email")
			return restCall{"POST", "/v2/users/" + u + "/email/verify", `{"verificationCode":"` + c + `"}`}
		}},
		{name: "v2.SetPhone", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", "/v2/users/" + verifyHuman(t, f, o) + "/phone", `{"phone":"` + phone(f) + `","returnCode":{}}`}
		}},
		{name: "v2.ResendPhoneCode", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u, _ := code(t, f, o, "phone")
			return restCall{"POST", "/v2/users/" + u + "/phone/resend", `{"returnCode":{}}`}
		}},
		{name: "v2.VerifyPhone", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u, c := code(t, f, o, "phone")
			return restCall{"POST", "/v2/users/" + u + "/phone/verify", `{"verificationCode":"` + c + `"}`}
		}},
		{name: "v2.RemovePhone", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u := verifyHuman(t, f, o)
			f.admin(t, "", "POST", "/v2/users/"+u+"/phone", `{"phone":"`+phone(f)+`","isVerified":true}`)
			return restCall{"DELETE", "/v2/users/" + u + "/phone", ""}
		}},

		{name: "ResendHumanEmailVerification", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u := verifyHuman(t, f, o)
			f.admin(t, o, "PUT", v1+"/users/"+u+"/email", `{"email":"`+f.uniq("rv")+`@example.com"}`)
			return restCall{"POST", v1 + "/users/" + u + "/email/_resend_verification", `{}`}
		}},
		{name: "ResendHumanPhoneVerification", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u := verifyHuman(t, f, o)
			f.admin(t, o, "PUT", v1+"/users/"+u+"/phone", `{"phone":"`+phone(f)+`"}`)
			return restCall{"POST", v1 + "/users/" + u + "/phone/_resend_verification", `{}`}
		}},

		// The callers are machine users: past authorization, the use case's
		// own "not a human".
		{name: "auth.SetMyEmail", prep: fixed("PUT", authV1+"/users/me/email", `{"email":"me@example.com"}`), judge: judgeNotHuman},
		{name: "auth.VerifyMyEmail", prep: fixed("POST", authV1+"/users/me/email/_verify", `{"code":"ABCDEF"}`), judge: judgeNotHuman},
		{name: "auth.ResendMyEmailVerification", prep: fixed("POST", authV1+"/users/me/email/_resend_verification", `{}`), judge: judgeNotHuman},
		{name: "auth.SetMyPhone", prep: fixed("PUT", authV1+"/users/me/phone", `{"phone":"+41 79 000 00 00"}`), judge: judgeNotHuman},
		{name: "auth.VerifyMyPhone", prep: fixed("POST", authV1+"/users/me/phone/_verify", `{"code":"ABCDEF"}`), judge: judgeNotHuman},
		{name: "auth.ResendMyPhoneVerification", prep: fixed("POST", authV1+"/users/me/phone/_resend_verification", `{}`), judge: judgeNotHuman},
	}
}

// verifyV2OnlyOps: the methods v2beta does not have.
func verifyV2OnlyOps() []matrixOp {
	return []matrixOp{
		{name: "v2.SendEmailCode", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", "/v2/users/" + verifyHuman(t, f, o) + "/email/send", `{"returnCode":{}}`}
		}},
	}
}
