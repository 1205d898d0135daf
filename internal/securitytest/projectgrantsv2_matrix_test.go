package securitytest

import (
	"fmt"
	"testing"

	"github.com/warden-id/warden/internal/wardentest"
)

// grantV2 is a project grant of a new project of orgID with the roles admin
// and reader to a new org, granted reader; v2 names it by the project's and
// the granted org's ids, which it returns.
func (f *fixtures) grantV2(t testing.TB, orgID string) (string, string) {
	t.Helper()
	return f.memo2("grantV2", orgID, func() (string, string) {
		p := f.roleProject(t, orgID)
		partner := f.org(t, "partner")
		f.admin(t, orgID, "POST", v1+"/projects/"+p+"/grants", `{"grantedOrgId":"`+partner+`","roleKeys":["reader"]}`)
		return p, partner
	})
}

// inactiveGrantV2 is grantV2, deactivated.
func (f *fixtures) inactiveGrantV2(t testing.TB, orgID string) (string, string) {
	t.Helper()
	return f.memo2("inactiveGrantV2", orgID, func() (string, string) {
		p, partner := f.grantV2(t, orgID)
		call := f.admin(t, orgID, "POST", v1+"/projects/"+p+"/grants/_search", `{}`)
		res, _ := call.Body["result"].([]any)
		if len(res) != 1 {
			t.Fatalf("grants of %s: %s", p, call.Raw)
		}
		g, _ := res[0].(map[string]any)
		f.admin(t, orgID, "POST", fmt.Sprintf("%s/projects/%s/grants/%v/_deactivate", v1, p, g["grantId"]), `{}`)
		return p, partner
	})
}

// judgeProjectGrantListV2: ListProjectGrants v2 filters by permission org by
// org. A grant of the target org in the answer means the caller reads its
// grants; a grant of another org is a leak.
func judgeProjectGrantListV2(r wardentest.Reply, m markers) (verdict, string) {
	if r.Status != 200 {
		return verdictDenied, fmt.Sprintf("status %d: %s", r.Status, r.Raw)
	}
	res, _ := r.Body["projectGrants"].([]any)
	for _, g := range res {
		gm, _ := g.(map[string]any)
		if gm["organizationId"] != m.orgID {
			return verdictAllowed, fmt.Sprintf("lists a grant of another org: %v", gm["projectId"])
		}
	}
	if len(res) > 0 {
		return verdictAllowed, ""
	}
	return verdictDenied, ""
}

// projectGrantV2Ops: ProjectService v2's project grants; a grant is named by
// its project and granted org, never by a header. The v2beta rows follow
// from these (v2betaAuthzProjectOps).
func projectGrantV2Ops() []matrixOp {
	call := func(method, body string) restCall { return restCall{"POST", projectV2 + method, body} }
	grant := func(p, org string) string { return `"projectId":"` + p + `","grantedOrganizationId":"` + org + `"` }
	return []matrixOp{
		{name: "proj2.CreateProjectGrant", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return call("CreateProjectGrant", `{`+grant(f.roleProject(t, o), f.org(t, "partner"))+`,"roleKeys":["reader"]}`)
		}},
		{name: "proj2.UpdateProjectGrant", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return call("UpdateProjectGrant", `{`+grant(f.grantV2(t, o))+`,"roleKeys":["admin"]}`)
		}},
		{name: "proj2.DeactivateProjectGrant", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return call("DeactivateProjectGrant", `{`+grant(f.grantV2(t, o))+`}`)
		}},
		{name: "proj2.ActivateProjectGrant", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return call("ActivateProjectGrant", `{`+grant(f.inactiveGrantV2(t, o))+`}`)
		}},
		{name: "proj2.DeleteProjectGrant", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return call("DeleteProjectGrant", `{`+grant(f.grantV2(t, o))+`}`)
		}},
		{name: "proj2.ListProjectGrants", filtered: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			f.grantV2(t, o) // at least one grant to be listed
			return call("ListProjectGrants", `{"filters":[{"organizationIdFilter":{"id":"`+o+`"}}]}`)
		}, judge: judgeProjectGrantListV2},
		// No owner filter: the target org's grant named by its granted org.
		{name: "proj2.ListProjectGrants#granted", filtered: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			_, partner := f.grantV2(t, o)
			return call("ListProjectGrants", `{"filters":[{"grantedOrganizationIdFilter":{"id":"`+partner+`"}}]}`)
		}, judge: judgeProjectGrantListV2},
	}
}
