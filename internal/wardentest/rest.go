package wardentest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Reply is a decoded REST answer.
type Reply struct {
	Status int
	Raw    string
	Body   map[string]any
}

// Str reads a string at a path of JSON object keys ("" if absent).
func (r Reply) Str(path ...string) string {
	var v any = r.Body
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	s, _ := v.(string)
	return s
}

// Do sends a REST request with an optional bearer token and JSON body.
func (in *Instance) Do(t testing.TB, method, path, token, body string) Reply {
	t.Helper()
	return in.DoHeaders(t, method, path, token, body, nil)
}

// DoHeaders is Do with extra request headers (x-zitadel-orgid, say).
func (in *Instance) DoHeaders(t testing.TB, method, path, token, body string, h map[string]string) Reply {
	t.Helper()
	req, err := http.NewRequest(method, in.Base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := Reply{Status: resp.StatusCode, Raw: string(raw)}
	if len(bytes.TrimSpace(raw)) > 0 {
		_ = json.Unmarshal(raw, &r.Body)
	}
	return r
}

// Admin sends a request as the bootstrap administrator (IAM_OWNER, by PAT).
func (in *Instance) Admin(t testing.TB, method, path, body string) Reply {
	t.Helper()
	return in.Do(t, method, path, in.Boot.Token, body)
}

// Must fails the test unless r has the status.
func Must(t testing.TB, r Reply, status int) Reply {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	return r
}

// ImportHuman creates an active human with a password in the default org (or
// in the org x-zitadel-orgid names when orgID is set) and returns its id.
func (in *Instance) ImportHuman(t testing.TB, orgID, name, password string) string {
	t.Helper()
	body := fmt.Sprintf(`{"userName":%q,"profile":{"firstName":"F","lastName":"L"},"email":{"email":%q,"isEmailVerified":true},"password":%q}`,
		name, name+"@example.com", password)
	h := map[string]string{}
	if orgID != "" {
		h["x-zitadel-orgid"] = orgID
	}
	id := Must(t, in.DoHeaders(t, "POST", "/management/v1/users/human/_import", in.Boot.Token, body, h), 200).Str("userId")
	if id == "" {
		t.Fatal("no user id")
	}
	return id
}

// AddMachine creates a machine user in the org (default org if "") and returns its id.
func (in *Instance) AddMachine(t testing.TB, orgID, name string) string {
	t.Helper()
	h := map[string]string{}
	if orgID != "" {
		h["x-zitadel-orgid"] = orgID
	}
	id := Must(t, in.DoHeaders(t, "POST", "/management/v1/users/machine", in.Boot.Token,
		fmt.Sprintf(`{"userName":%q,"name":%q}`, name, name), h), 200).Str("userId")
	if id == "" {
		t.Fatal("no user id")
	}
	return id
}

// AddPAT issues a PAT for a machine user as the administrator.
func (in *Instance) AddPAT(t testing.TB, userID string) string {
	t.Helper()
	tok := Must(t, in.Admin(t, "POST", "/management/v1/users/"+userID+"/pats", `{}`), 200).Str("token")
	if tok == "" {
		t.Fatal("no token")
	}
	return tok
}

// Grant gives a user roles in an org ("" = the default org) or, with
// instance=true, at instance level, as the administrator.
func (in *Instance) Grant(t testing.TB, orgID, userID string, roles ...string) {
	t.Helper()
	rs, _ := json.Marshal(roles)
	body := `{"userId":"` + userID + `","roles":` + string(rs) + `}`
	h := map[string]string{}
	if orgID != "" {
		h["x-zitadel-orgid"] = orgID
	}
	Must(t, in.DoHeaders(t, "POST", "/management/v1/orgs/me/members", in.Boot.Token, body, h), 200)
}

// AddOrg creates an organisation as the administrator and returns its id.
func (in *Instance) AddOrg(t testing.TB, name string) string {
	t.Helper()
	id := Must(t, in.Admin(t, "POST", "/management/v1/orgs", `{"name":"`+name+`"}`), 200).Str("id")
	if id == "" {
		t.Fatal("no org id")
	}
	return id
}

// UserState reads a user's v1 state name.
func (in *Instance) UserState(t testing.TB, id string) string {
	t.Helper()
	return Must(t, in.Admin(t, "GET", "/management/v1/users/"+id, ""), 200).Str("user", "state")
}
