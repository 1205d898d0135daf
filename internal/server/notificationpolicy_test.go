package server_test

import (
	"testing"

	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"google.golang.org/grpc/codes"
)

// TestNotificationPolicyREST: the default, an org's own policy and the
// instance's over REST with ZITADEL's ids; another org's owner can neither
// read nor change this org's, nor the instance's.
func TestNotificationPolicyREST(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			a, _, ownerA := e.orgWithOwner("Alpha", "ORG_OWNER")
			_, _, ownerB := e.orgWithOwner("Beta", "ORG_OWNER")
			const p = "/management/v1/policies/notification"
			get := func(tok string) reply { return e.must(e.do("GET", p, tok, ""), 200) }
			if g := get(ownerA); g.body["policy"].(map[string]any)["passwordChange"] != true || g.body["policy"].(map[string]any)["isDefault"] != true {
				t.Fatalf("default: %s", g.raw)
			}
			e.wantErr(e.do("PUT", p, ownerA, `{"passwordChange":false}`), 404, "ORG-x029n3")
			e.must(e.do("POST", p, ownerA, `{"passwordChange":false}`), 200)
			e.wantErr(e.do("POST", p, ownerA, `{"passwordChange":false}`), 409, "Org-xa08n2")
			e.wantErr(e.do("PUT", p, ownerA, `{"passwordChange":false}`), 400, "Org-ioqnxz")
			if g := get(ownerA); g.body["policy"].(map[string]any)["passwordChange"] != nil || g.body["policy"].(map[string]any)["isDefault"] != nil {
				t.Fatalf("own: %s", g.raw)
			}
			if g := e.must(e.do("GET", "/management/v1/policies/default/notification", ownerA, ""), 200); g.body["policy"].(map[string]any)["passwordChange"] != true {
				t.Fatalf("instance default: %s", g.raw)
			}

			// Org B's owner naming org A.
			e.wantErr(e.do("GET", p, ownerB, "", "x-zitadel-orgid", a), 403, "")
			e.wantErr(e.do("PUT", p, ownerB, `{"passwordChange":true}`, "x-zitadel-orgid", a), 403, "")
			e.wantErr(e.do("DELETE", p, ownerB, "", "x-zitadel-orgid", a), 403, "")
			e.wantErr(e.do("PUT", "/admin/v1/policies/notification", ownerA, `{"passwordChange":false}`), 403, "AUTH-5mWD2")

			e.must(e.admin("PUT", "/admin/v1/policies/notification", `{"passwordChange":false}`), 200)
			e.wantErr(e.admin("PUT", "/admin/v1/policies/notification", `{"passwordChange":false}`), 400, "INSTANCE-29x02n")
			if g := e.must(e.admin("GET", "/admin/v1/policies/notification", ""), 200); g.body["policy"].(map[string]any)["passwordChange"] != nil {
				t.Fatalf("admin get: %s", g.raw)
			}
			e.must(e.do("DELETE", p, ownerA, ""), 200)
			if g := get(ownerA); g.body["policy"].(map[string]any)["isDefault"] != true || g.body["policy"].(map[string]any)["passwordChange"] != nil {
				t.Fatalf("after reset: %s", g.raw)
			}
		})
	}
}

// TestNotificationPolicyRPC: the org's own policy over gRPC and Connect.
func TestNotificationPolicyRPC(t *testing.T) {
	const svc = "/zitadel.management.v1.ManagementService/"
	for name, open := range engines(t) {
		for _, p := range []string{"gRPC", "Connect"} {
			t.Run(name+"/"+p, func(t *testing.T) {
				e := startEnv(t, open(t))
				_, _, owner := e.orgWithOwner("Alpha", "ORG_OWNER")
				must2beta[mgmt.AddCustomNotificationPolicyRequest, mgmt.AddCustomNotificationPolicyResponse](t, e, p, svc+"AddCustomNotificationPolicy", owner, &mgmt.AddCustomNotificationPolicyRequest{PasswordChange: false})
				g := must2beta[mgmt.GetNotificationPolicyRequest, mgmt.GetNotificationPolicyResponse](t, e, p, svc+"GetNotificationPolicy", owner, &mgmt.GetNotificationPolicyRequest{})
				if g.GetPolicy().GetPasswordChange() || g.GetPolicy().GetIsDefault() {
					t.Fatalf("got %v", g)
				}
				if _, err := call2beta[mgmt.AddCustomNotificationPolicyRequest, mgmt.AddCustomNotificationPolicyResponse](t, e, p, svc+"AddCustomNotificationPolicy", owner, &mgmt.AddCustomNotificationPolicyRequest{}); err == nil || err.code != codes.AlreadyExists {
					t.Fatalf("second add: %v", err)
				}
			})
		}
	}
}
