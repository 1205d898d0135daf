package securitytest

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/warden-id/warden/internal/wardentest"
)

// credsV2Ops are user v2's machine credentials (and v1's PAT read). v2beta
// does not have them, so they stay out of withV2beta.
func credsV2Ops() []matrixOp {
	user := func(method, suffix, body string) func(testing.TB, *fixtures, string) restCall {
		return func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{method, "/v2/users/" + f.machine(t, o) + suffix, body}
		}
	}
	return []matrixOp{
		{name: "GetPersonalAccessTokenByIDs", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u, p := f.withPAT(t, o)
			return restCall{"GET", v1 + "/users/" + u + "/pats/" + p, ""}
		}},
		{name: "v2.AddSecret", prep: user("POST", "/secret", `{}`)},
		{name: "v2.RemoveSecret", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"DELETE", "/v2/users/" + f.withSecret(t, o) + "/secret", ""}
		}},
		{name: "v2.AddKey", prep: func(t testing.TB, f *fixtures, o string) restCall {
			b, _ := json.Marshal(map[string]any{"publicKey": []byte(f.publicKey(t))}) // v2 names no key type
			return restCall{"POST", "/v2/users/" + f.machine(t, o) + "/keys", string(b)}
		}},
		{name: "v2.RemoveKey", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u, k := f.withKey(t, o)
			return restCall{"DELETE", "/v2/users/" + u + "/keys/" + k, ""}
		}},
		{name: "v2.ListKeys", filtered: true, judge: judgeCredentialList, prep: func(t testing.TB, f *fixtures, o string) restCall {
			u, _ := f.withKey(t, o)
			return restCall{"POST", "/v2/users/keys/search", `{"filters":[{"userIdFilter":{"id":"` + u + `"}}]}`}
		}},
		{name: "v2.AddPersonalAccessToken", prep: user("POST", "/pats", `{}`)},
		{name: "v2.RemovePersonalAccessToken", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u, p := f.withPAT(t, o)
			return restCall{"DELETE", "/v2/users/" + u + "/pats/" + p, ""}
		}},
		{name: "v2.ListPersonalAccessTokens", filtered: true, judge: judgeCredentialList, prep: func(t testing.TB, f *fixtures, o string) restCall {
			u, _ := f.withPAT(t, o)
			return restCall{"POST", "/v2/users/pats/search", `{"filters":[{"userIdFilter":{"id":"` + u + `"}}]}`}
		}},
	}
}

// judgeCredentialList: the asked-for user's credentials listed means
// allowed; an empty list or a 403, denied; a credential of another org than
// the one asked about is a leak.
func judgeCredentialList(r wardentest.Reply, m markers) (verdict, string) {
	switch r.Status {
	case 403:
		return verdictDenied, ""
	case 200:
	default:
		return verdictDenied, fmt.Sprintf("status %d: %s", r.Status, r.Raw)
	}
	res, _ := r.Body["result"].([]any)
	for _, x := range res {
		c, _ := x.(map[string]any)
		if o, _ := c["organizationId"].(string); o != m.orgID {
			return verdictAllowed, "lists a credential of another org: " + o
		}
	}
	if len(res) == 0 {
		return verdictDenied, ""
	}
	return verdictAllowed, ""
}
