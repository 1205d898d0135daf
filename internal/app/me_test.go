package app

import (
	"context"
	"errors"
	"testing"

	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/store/testdb"
)

// TestAuthorizeAsCaller: the caller's own use cases need no role at all — a
// caller without memberships passes, in its own org context and in another
// org that exists — while an org context that names no org is NotFound, and
// no caller is Unauthenticated.
func TestAuthorizeAsCaller(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		nobody := &Caller{UserID: "nobody", OrgID: "org-x", roles: map[string][]string{}}
		for _, use := range Uses() {
			if r, _ := RuleOf(use); r.Where != AsCaller {
				continue
			}
			for _, orgID := range []string{"", "org-x", admin.OrgID} {
				s, err := a.Authorize(ctx, OrgScope(nobody, orgID), use)
				if err != nil {
					t.Fatalf("%s in %q: %v", use, orgID, err)
				}
				if want := map[string]string{"": "org-x"}[orgID]; want != "" && s.OrgID != want {
					t.Fatalf("%s: org context %q, want the caller's own", use, s.OrgID)
				}
			}
			if _, err := a.Authorize(ctx, OrgScope(nobody, "no-such-org"), use); !errors.Is(err, fail.OrgNotFound) {
				t.Fatalf("%s in an unknown org: %v", use, err)
			}
			if _, err := a.authorize(ctx, Scope{}, use); !errors.Is(err, fail.Unauthenticated) {
				t.Fatalf("%s without a caller: %v", use, err)
			}
		}
	})
}
