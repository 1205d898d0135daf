package securitytest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
)

// TestListMyProjectPermissions: Auth v1 ListMyProjectPermissions answers the
// caller's roles in the project of the app its token was issued to — signed
// in through an app of P, P's roles; through an app of Q, Q's — and nothing
// else: a PAT (no app), an app of a project without the user's grant, a
// grant owned by another org than the org context, and a deactivated grant
// are ZITADEL's 404 QUERY-wIPkA.
func TestListMyProjectPermissions(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{AttemptsPerMinute: -1})
		f := newFixtures(e)
		alice := e.human("", "alice")
		rpP := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		rpQ := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		rpNone := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		grant := func(p string, roles ...string) string {
			var keys []string
			for _, r := range roles {
				keys = append(keys, `{"key":"`+r+`"}`)
			}
			f.admin(t, "", "POST", v1+"/projects/"+p+"/roles/_bulk", `{"roles":[`+strings.Join(keys, ",")+`]}`)
			return f.admin(t, "", "POST", v1+"/users/"+alice+"/grants", `{"projectId":"`+p+`","roleKeys":["`+strings.Join(roles, `","`)+`"]}`).Str("userGrantId")
		}
		gP := grant(rpP.ProjectID, "admin", "reader")
		grant(rpQ.ProjectID, "viewer")
		viaP := rpP.SignIn(t, wardentest.NewBrowser(t), "alice", Password).Token.AccessToken
		viaQ := rpQ.SignIn(t, wardentest.NewBrowser(t), "alice", Password).Token.AccessToken
		viaNone := rpNone.SignIn(t, wardentest.NewBrowser(t), "alice", Password).Token.AccessToken

		perms := func(tok string, hdr map[string]string) ([]string, wardentest.Reply) {
			r := e.DoHeaders(t, "POST", "/auth/v1/permissions/me/_search", tok, `{}`, hdr)
			var out []string
			res, _ := r.Body["result"].([]any)
			for _, x := range res {
				out = append(out, fmt.Sprint(x))
			}
			slices.Sort(out)
			return out, r
		}
		if got, r := perms(viaP, nil); r.Status != 200 || !slices.Equal(got, []string{"admin", "reader"}) {
			t.Fatalf("through P's app: %d %s", r.Status, r.Raw)
		}
		if got, r := perms(viaQ, nil); r.Status != 200 || !slices.Equal(got, []string{"viewer"}) {
			t.Fatalf("through Q's app: %d %s", r.Status, r.Raw)
		}
		other := f.org(t, "other")
		_, pat := f.caller(t, e.Boot.Instance.DefaultOrgID, "")
		for what, c := range map[string]struct {
			tok string
			hdr map[string]string
		}{
			"a PAT":                               {pat, nil},
			"an app of a project without a grant": {viaNone, nil},
			"another org context":                 {viaP, map[string]string{"x-zitadel-orgid": other}},
		} {
			if _, r := perms(c.tok, c.hdr); r.Status != 404 || !strings.Contains(r.Raw, "QUERY-wIPkA") {
				t.Errorf("%s: %d %s", what, r.Status, r.Raw)
			}
		}
		f.admin(t, "", "POST", v1+"/users/"+alice+"/grants/"+gP+"/_deactivate", `{}`)
		if _, r := perms(viaP, nil); r.Status != 404 || !strings.Contains(r.Raw, "QUERY-wIPkA") {
			t.Errorf("a deactivated grant: %d %s", r.Status, r.Raw)
		}
	})
}
