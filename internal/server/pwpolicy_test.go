package server_test

import (
	"testing"

	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
	admin "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/admin"
	auth "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/auth"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"google.golang.org/grpc/codes"
)

// TestPasswordPoliciesE2E: the password policies over REST and gRPC on both
// engines — ZITADEL's defaults, a weak password refused with ZITADEL's id on
// each API path that sets one, the org's own policy over the instance
// default, reset, the age policy, and the instance's default lockout policy.
func TestPasswordPoliciesE2E(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		e := startAuthEnv(t, open)
		adm := func(method, path, body string) wardentest.Reply { t.Helper(); return e.Admin(t, method, path, body) }
		wantID := func(what string, r wardentest.Reply, status int, id string) {
			t.Helper()
			if r.Status != status || replyErrID(r) != id {
				t.Fatalf("%s: %d %s, want %d %s", what, r.Status, r.Raw, status, id)
			}
		}
		const cp = "/management/v1/policies/password/complexity"
		if r := wardentest.Must(t, adm("GET", cp, ""), 200); r.Body["isDefault"] != true {
			t.Fatalf("default: %s", r.Raw)
		} else if p, _ := r.Body["policy"].(map[string]any); p["minLength"] != "8" || p["hasUppercase"] != true || p["hasLowercase"] != true ||
			p["hasNumber"] != true || p["hasSymbol"] != true || p["isDefault"] != true {
			t.Fatalf("ZITADEL's defaults: %s", r.Raw)
		}

		// A weak password on each path that sets one.
		wantID("v1 import", adm("POST", "/management/v1/users/human/_import", `{"userName":"weak1","profile":{"firstName":"F","lastName":"L"},"email":{"email":"weak1@example.com"},"password":"all-lower-1"}`), 400, "COMMA-VoaRj")
		wantID("v1 add", adm("POST", "/management/v1/users/human", `{"userName":"weak2","profile":{"firstName":"F","lastName":"L"},"email":{"email":"weak2@example.com"},"initialPassword":"Sh0rt!"}`), 400, "COMMA-HuJf6")
		wantID("v2 add", adm("POST", "/v2/users/human", `{"username":"weak3","profile":{"givenName":"F","familyName":"L"},"email":{"email":"weak3@example.com"},"password":{"password":"NoNumber-Here"}}`), 400, "COMMA-ZBv4H")
		alice := e.ImportHuman(t, "", "alice", authPassword)
		wantID("v1 set", adm("POST", "/management/v1/users/"+alice+"/password", `{"password":"NoSymbol1234","noChangeRequired":true}`), 400, "COMMA-ZDLwA")
		wantID("v2 set", adm("POST", "/v2/users/"+alice+"/password", `{"newPassword":{"password":"NO-LOWER-1"}}`), 400, "COMMA-co3Xw")
		tok := e.signIn("alice").Token.AccessToken
		wantID("auth v1 update", e.rest("PUT", "/users/me/password", tok, `{"oldPassword":"`+authPassword+`","newPassword":"weak"}`), 400, "COMMA-HuJf6")
		_, err := e.cli.UpdateMyPassword(e.ctx(tok), &auth.UpdateMyPasswordRequest{OldPassword: authPassword, NewPassword: "no-upper-1"})
		wantGRPC(t, "auth v1 update over gRPC", err, codes.InvalidArgument, "COMMA-VoaRj")
		if r := wardentest.Must(t, e.rest("GET", "/policies/passwords/complexity", tok, ""), 200); r.Raw == "" {
			t.Fatal("GetMyPasswordComplexityPolicy")
		}
		if r := wardentest.Must(t, e.rest("PUT", "/users/me/password", tok, `{"oldPassword":"`+authPassword+`","newPassword":"Changed-Pass-2"}`), 200); r.Body["details"] == nil {
			t.Fatalf("auth v1 update: %s", r.Raw)
		}

		// The org's own policy overrides the default; reset returns to it.
		m := mgmt.NewManagementServiceClient(e.conn)
		ctx := e.ctx(e.Boot.Token)
		wardentest.Must(t, adm("POST", cp, `{"minLength":4}`), 200)
		wantID("add twice", adm("POST", cp, `{"minLength":4}`), 409, "Org-LdhbS")
		_, err = m.UpdateCustomPasswordComplexityPolicy(ctx, &mgmt.UpdateCustomPasswordComplexityPolicyRequest{MinLength: 4})
		wantGRPC(t, "unchanged over gRPC", err, codes.FailedPrecondition, "Org-DAs21")
		got, err := m.GetPasswordComplexityPolicy(ctx, &mgmt.GetPasswordComplexityPolicyRequest{})
		if err != nil || got.GetIsDefault() || got.GetPolicy().GetMinLength() != 4 || got.GetPolicy().GetHasSymbol() {
			t.Fatalf("own policy over gRPC: %v %v", got, err)
		}
		wardentest.Must(t, adm("POST", "/management/v1/users/human/_import", `{"userName":"lax","profile":{"firstName":"F","lastName":"L"},"email":{"email":"lax@example.com"},"password":"abcd"}`), 200)
		wardentest.Must(t, adm("DELETE", cp, ""), 200)
		wantID("reset twice", adm("DELETE", cp, ""), 404, "ORG-ADgs2")
		if r := wardentest.Must(t, adm("GET", cp, ""), 200); r.Body["isDefault"] != true {
			t.Fatalf("after the reset: %s", r.Raw)
		}

		// The instance default (admin v1) is what an org without its own
		// follows, and what GetDefault… answers.
		wardentest.Must(t, adm("PUT", "/admin/v1/policies/password/complexity", `{"minLength":20,"hasUppercase":true}`), 200)
		wantID("instance min length", adm("PUT", "/admin/v1/policies/password/complexity", `{"minLength":0}`), 400, "INSTANCE-Lsp0e")
		if r := wardentest.Must(t, adm("GET", "/management/v1/policies/default/password/complexity", ""), 200); r.Raw == "" {
			t.Fatal("GetDefault")
		} else if p, _ := r.Body["policy"].(map[string]any); p["minLength"] != "20" || p["hasSymbol"] != nil {
			t.Fatalf("default after the admin's change: %s", r.Raw)
		}
		wantID("under the instance default", adm("POST", "/management/v1/users/"+alice+"/password", `{"password":"Changed-Pass-3","noChangeRequired":true}`), 400, "COMMA-HuJf6")
		ac := admin.NewAdminServiceClient(e.conn)
		ip, err := ac.GetPasswordComplexityPolicy(ctx, &admin.GetPasswordComplexityPolicyRequest{})
		if err != nil || ip.GetPolicy().GetMinLength() != 20 || !ip.GetPolicy().GetIsDefault() || ip.GetPolicy().GetDetails().GetSequence() == 0 {
			t.Fatalf("admin over gRPC: %v %v", ip, err)
		}

		// The age policy: stored and served.
		const ap = "/management/v1/policies/password/age"
		wardentest.Must(t, adm("POST", ap, `{"maxAgeDays":30,"expireWarnDays":5}`), 200)
		if r := wardentest.Must(t, adm("GET", ap, ""), 200); r.Body["isDefault"] == true {
			t.Fatalf("own age policy: %s", r.Raw)
		} else if p, _ := r.Body["policy"].(map[string]any); p["maxAgeDays"] != "30" || p["expireWarnDays"] != "5" {
			t.Fatalf("own age policy: %s", r.Raw)
		}
		wardentest.Must(t, adm("PUT", "/admin/v1/policies/password/age", `{"maxAgeDays":90}`), 200)
		if r := wardentest.Must(t, adm("GET", "/management/v1/policies/default/password/age", ""), 200); r.Raw == "" {
			t.Fatal("default age")
		} else if p, _ := r.Body["policy"].(map[string]any); p["maxAgeDays"] != "90" {
			t.Fatalf("default age: %s", r.Raw)
		}

		// The instance's default lockout policy.
		wardentest.Must(t, adm("PUT", "/admin/v1/policies/password/lockout", `{"maxPasswordAttempts":3}`), 200)
		wantID("lockout unchanged", adm("PUT", "/admin/v1/policies/password/lockout", `{"maxPasswordAttempts":3}`), 400, "INSTANCE-0psjF")
		lp, err := ac.GetLockoutPolicy(ctx, &admin.GetLockoutPolicyRequest{})
		if err != nil || lp.GetPolicy().GetMaxPasswordAttempts() != 3 {
			t.Fatalf("admin lockout over gRPC: %v %v", lp, err)
		}
		if r := wardentest.Must(t, adm("GET", "/management/v1/policies/default/lockout", ""), 200); r.Raw == "" {
			t.Fatal("GetDefaultLockoutPolicy")
		} else if p, _ := r.Body["policy"].(map[string]any); p["maxPasswordAttempts"] != "3" || p["isDefault"] != true {
			t.Fatalf("GetDefaultLockoutPolicy: %s", r.Raw)
		}
		if r := wardentest.Must(t, adm("GET", "/management/v1/policies/lockout", ""), 200); r.Body["isDefault"] != true {
			t.Fatalf("the org follows the instance lockout default: %s", r.Raw)
		} else if p, _ := r.Body["policy"].(map[string]any); p["maxPasswordAttempts"] != "3" {
			t.Fatalf("the org follows the instance lockout default: %s", r.Raw)
		}

		// Attackers: an org owner of another org cannot change mine, nor the
		// instance default.
		other := e.AddOrg(t, "Other")
		owner := e.AddMachine(t, other, "owner")
		e.Grant(t, other, owner, "ORG_OWNER")
		ot := wardentest.Must(t, e.DoHeaders(t, "POST", "/management/v1/users/"+owner+"/pats", e.Boot.Token, `{}`, map[string]string{"x-zitadel-orgid": other}), 200).Str("token")
		h := map[string]string{"x-zitadel-orgid": e.Boot.Instance.DefaultOrgID}
		for _, c := range []struct{ method, path, body string }{
			{"POST", cp, `{"minLength":1}`}, {"GET", cp, ""}, {"POST", ap, `{"maxAgeDays":1}`},
		} {
			if r := e.DoHeaders(t, c.method, c.path, ot, c.body, h); r.Status != 403 && r.Status != 404 {
				t.Fatalf("other org's owner %s %s: %d %s", c.method, c.path, r.Status, r.Raw)
			}
		}
		if r := e.Do(t, "PUT", "/admin/v1/policies/password/complexity", ot, `{"minLength":1}`); r.Status != 403 {
			t.Fatalf("an org owner sets the instance default: %d %s", r.Status, r.Raw)
		}
	})
}
