package oauth

import (
	"slices"
	"testing"
)

// TestServedScopes: the reserved scopes Warden serves parse; other urn:zitadel:
// scopes are unserved and dropped; malformed values are neither served nor
// taken apart.
func TestServedScopes(t *testing.T) {
	for _, tc := range []struct {
		scope            string
		served, unserved bool
	}{
		{"openid", true, false},
		{"offline_access", true, false},
		{ScopeResourceOwner, true, false},
		{"urn:zitadel:iam:org:id:123", true, false},
		{"urn:zitadel:iam:org:domain:primary:acme.localhost", true, false},
		{"urn:zitadel:iam:org:project:id:zitadel:aud", true, false},
		{"urn:zitadel:iam:org:project:id:42:aud", true, false},
		{"urn:zitadel:iam:org:id:", false, true},
		{"urn:zitadel:iam:org:id:a:b", false, true},
		{"urn:zitadel:iam:org:project:id::aud", false, true},
		{"urn:zitadel:iam:org:project:role:admin", true, false},
		{"urn:zitadel:iam:org:project:role:", false, true},
		{"urn:zitadel:iam:org:project:role:a:b", false, true},
		{ScopeProjectsRoles, true, false},
		{ScopeProjectRoles, true, false},
		{"urn:zitadel:iam:user:metadata", true, false},
		{"urn:zitadel:iam:org:idp:id:1", false, true},
		{"urn:zitadel:iam:user:resourceowner:id", false, true},
		{"custom", false, false},
	} {
		if got := ServedScope(tc.scope); got != tc.served {
			t.Errorf("ServedScope(%q) = %v", tc.scope, got)
		}
		if got := ReservedUnserved(tc.scope); got != tc.unserved {
			t.Errorf("ReservedUnserved(%q) = %v", tc.scope, got)
		}
	}
	in := []string{"openid", "urn:zitadel:iam:org:idp:id:1", ScopeResourceOwner, "custom"}
	if got := WithoutUnserved(in); !slices.Equal(got, []string{"openid", ScopeResourceOwner, "custom"}) {
		t.Errorf("WithoutUnserved = %v", got)
	}
	if in[1] != "urn:zitadel:iam:org:idp:id:1" {
		t.Error("WithoutUnserved changed its argument")
	}
}
