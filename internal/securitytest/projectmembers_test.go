package securitytest

import (
	"testing"

	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/store/testdb"
)

// TestProjectMemberCannotActOnAnotherProject: a PROJECT_OWNER of project P,
// with no org role, manages P (its roles, apps, members) over the API and is
// refused on project Q of the same org, on the org's members, on new
// projects, and in another org; it cannot make itself an org member nor give
// a role on Q. A PROJECT_OWNER_VIEWER of P cannot promote itself to owner.
func TestProjectMemberCannotActOnAnotherProject(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{AttemptsPerMinute: -1})
		f := newFixtures(e)
		orgID := e.Boot.Instance.DefaultOrgID
		p := f.admin(t, orgID, "POST", v1+"/projects", `{"name":"P"}`).Str("id")
		q := f.admin(t, orgID, "POST", v1+"/projects", `{"name":"Q"}`).Str("id")
		ownerID, owner := f.caller(t, orgID, "")
		viewerID, viewer := f.caller(t, orgID, "")
		f.admin(t, orgID, "POST", v1+"/projects/"+p+"/members", `{"userId":"`+ownerID+`","roles":["PROJECT_OWNER"]}`)
		f.admin(t, orgID, "POST", v1+"/projects/"+p+"/members", `{"userId":"`+viewerID+`","roles":["PROJECT_OWNER_VIEWER"]}`)
		other := f.org(t, "other")
		otherProject := f.admin(t, other, "POST", v1+"/projects", `{"name":"O"}`).Str("id")
		h := map[string]string{"x-zitadel-orgid": orgID}

		for _, c := range []restCall{
			{"POST", v1 + "/projects/" + p + "/roles", `{"roleKey":"admin","displayName":"Admin"}`},
			{"POST", v1 + "/projects/" + p + "/apps/api", `{"name":"api","authMethodType":"API_AUTH_METHOD_TYPE_BASIC"}`},
			{"POST", v1 + "/projects/" + p + "/members/_search", `{}`},
			{"PUT", v1 + "/projects/" + p, `{"name":"P2"}`},
		} {
			if r := e.DoHeaders(t, c.method, c.path, owner, c.body, h); r.Status != 200 {
				t.Fatalf("P's owner: %s %s: %d %s", c.method, c.path, r.Status, r.Raw)
			}
		}
		for _, c := range []restCall{
			{"GET", v1 + "/projects/" + q, ""},
			{"PUT", v1 + "/projects/" + q, `{"name":"Q2"}`},
			{"POST", v1 + "/projects/" + q + "/roles", `{"roleKey":"admin","displayName":"Admin"}`},
			{"POST", v1 + "/projects/" + q + "/members", `{"userId":"` + ownerID + `","roles":["PROJECT_OWNER"]}`},
			{"POST", v1 + "/projects/" + q + "/members/_search", `{}`},
			{"DELETE", v1 + "/projects/" + q, ""},
			{"POST", v1 + "/projects", `{"name":"R"}`},
			{"POST", v1 + "/orgs/me/members", `{"userId":"` + ownerID + `","roles":["ORG_OWNER"]}`},
			{"POST", v1 + "/orgs/me/members/_search", `{}`},
			{"POST", v1 + "/users/_search", `{}`},
		} {
			if r := e.DoHeaders(t, c.method, c.path, owner, c.body, h); r.Status != 403 {
				t.Errorf("P's owner: %s %s: %d %s, want 403", c.method, c.path, r.Status, r.Raw)
			}
		}
		if r := e.DoHeaders(t, "GET", v1+"/projects/"+otherProject, owner, "", map[string]string{"x-zitadel-orgid": other}); r.Status != 403 {
			t.Errorf("P's owner reads a project of another org: %d %s", r.Status, r.Raw)
		}
		if r := e.DoHeaders(t, "PUT", v1+"/projects/"+p+"/members/"+viewerID, viewer, `{"roles":["PROJECT_OWNER"]}`, h); r.Status != 403 {
			t.Errorf("P's viewer promotes itself: %d %s", r.Status, r.Raw)
		}
		if r := e.DoHeaders(t, "POST", v1+"/projects/"+p+"/members/_search", viewer, `{}`, h); r.Status != 200 {
			t.Errorf("P's viewer lists P's members: %d %s", r.Status, r.Raw)
		}
		// Listing projects shows P only.
		r := e.DoHeaders(t, "POST", v1+"/projects/_search", owner, `{}`, h)
		if res, _ := r.Body["result"].([]any); r.Status != 200 || len(res) != 1 || res[0].(map[string]any)["id"] != p {
			t.Errorf("P's owner lists projects: %d %s", r.Status, r.Raw)
		}
	})
}

// TestGrantedOrgCannotTouchTheProject: the owner of an org a project is
// granted to cannot change the project's roles, its grant or the project's
// other grants, nor read them — neither in the project's org context nor by
// naming them in its own.
func TestGrantedOrgCannotTouchTheProject(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{AttemptsPerMinute: -1})
		f := newFixtures(e)
		home := e.Boot.Instance.DefaultOrgID
		p := f.roleProject(t, home)
		partner, third := f.org(t, "partner"), f.org(t, "third")
		mine := f.admin(t, home, "POST", v1+"/projects/"+p+"/grants", `{"grantedOrgId":"`+partner+`","roleKeys":["reader"]}`).Str("grantId")
		theirs := f.admin(t, home, "POST", v1+"/projects/"+p+"/grants", `{"grantedOrgId":"`+third+`","roleKeys":["reader"]}`).Str("grantId")
		_, owner := f.caller(t, partner, "ORG_OWNER")

		for _, orgCtx := range []string{home, partner} {
			h := map[string]string{"x-zitadel-orgid": orgCtx}
			for _, c := range []restCall{
				{"POST", v1 + "/projects/" + p + "/roles", `{"roleKey":"owner","displayName":"Owner"}`},
				{"DELETE", v1 + "/projects/" + p + "/roles/reader", ""},
				{"PUT", v1 + "/projects/" + p + "/grants/" + mine, `{"roleKeys":["reader","admin"]}`},
				{"PUT", v1 + "/projects/" + p + "/grants/" + theirs, `{"roleKeys":[]}`},
				{"DELETE", v1 + "/projects/" + p + "/grants/" + theirs, ""},
				{"POST", v1 + "/projects/" + p + "/grants/" + theirs + "/_deactivate", `{}`},
				{"GET", v1 + "/projects/" + p + "/grants/" + theirs, ""},
				{"POST", v1 + "/projects/" + p + "/grants", `{"grantedOrgId":"` + partner + `","roleKeys":["admin"]}`},
			} {
				r := e.DoHeaders(t, c.method, c.path, owner, c.body, h)
				if r.Status != 403 && r.Status != 404 && !(orgCtx == partner && r.Status == 400) {
					t.Errorf("the granted org's owner in %s: %s %s: %d %s", orgCtx, c.method, c.path, r.Status, r.Raw)
				}
			}
		}
		// Nothing changed.
		for _, g := range []string{mine, theirs} {
			r := f.admin(t, home, "GET", v1+"/projects/"+p+"/grants/"+g, "")
			pg, _ := r.Body["projectGrant"].(map[string]any)
			if keys, _ := pg["grantedRoleKeys"].([]any); len(keys) != 1 || pg["state"] != "PROJECT_GRANT_STATE_ACTIVE" {
				t.Errorf("grant %s changed: %s", g, r.Raw)
			}
		}
	})
}
