package securitytest

import (
	"fmt"
	"testing"

	"github.com/warden-id/warden/internal/wardentest"
)

// Fixtures and matrix rows of project members and project grants: every method is called by
// every role on a fresh project of its own org and of a foreign one
// (TestAuthorizationMatrix).

// projectMember is a new machine user made PROJECT_OWNER_VIEWER of a new
// project; it returns the project's and the user's ids.
func (f *fixtures) projectMember(t testing.TB, orgID string) (string, string) {
	t.Helper()
	return f.memo2("projectMember", orgID, func() (string, string) {
		u := f.machine(t, orgID)
		p := f.admin(t, orgID, "POST", "/management/v1/projects", `{"name":"`+f.uniq("pm")+`"}`).Str("id")
		f.admin(t, orgID, "POST", "/management/v1/projects/"+p+"/members", `{"userId":"`+u+`","roles":["PROJECT_OWNER_VIEWER"]}`)
		return p, u
	})
}

func projectMemberOps() []matrixOp {
	return []matrixOp{
		{name: "ListProjectMemberRoles", prep: func(testing.TB, *fixtures, string) restCall {
			return restCall{"POST", v1 + "/projects/members/roles/_search", `{}`}
		}},
		{name: "ListProjectMembers", prep: func(t testing.TB, f *fixtures, o string) restCall {
			p, _ := f.projectMember(t, o)
			return restCall{"POST", v1 + "/projects/" + p + "/members/_search", `{}`}
		}},
		{name: "AddProjectMember", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/projects/" + f.project(t, o) + "/members", `{"userId":"` + f.machine(t, o) + `","roles":["PROJECT_OWNER_VIEWER"]}`}
		}},
		{name: "UpdateProjectMember", prep: func(t testing.TB, f *fixtures, o string) restCall {
			p, u := f.projectMember(t, o)
			return restCall{"PUT", v1 + "/projects/" + p + "/members/" + u, `{"roles":["PROJECT_OWNER"]}`}
		}},
		{name: "RemoveProjectMember", prep: func(t testing.TB, f *fixtures, o string) restCall {
			p, u := f.projectMember(t, o)
			return restCall{"DELETE", v1 + "/projects/" + p + "/members/" + u, ""}
		}},
	}
}

// projectGrant is a new project with the role reader, granted with it to a
// new org; it returns the project's and the grant's ids.
func (f *fixtures) projectGrant(t testing.TB, orgID string) (string, string) {
	t.Helper()
	return f.memo2("projectGrant", orgID, func() (string, string) {
		p := f.roleProject(t, orgID)
		partner := f.org(t, "partner")
		return p, f.admin(t, orgID, "POST", "/management/v1/projects/"+p+"/grants", `{"grantedOrgId":"`+partner+`","roleKeys":["reader"]}`).Str("grantId")
	})
}

// inactiveProjectGrant is a deactivated project grant.
func (f *fixtures) inactiveProjectGrant(t testing.TB, orgID string) (string, string) {
	t.Helper()
	return f.memo2("inactiveProjectGrant", orgID, func() (string, string) {
		p, g := f.projectGrant(t, orgID)
		f.admin(t, orgID, "POST", "/management/v1/projects/"+p+"/grants/"+g+"/_deactivate", `{}`)
		return p, g
	})
}

// judgeProjectGrantList: the org's grants (all made by the administrator)
// in the list mean every grant is readable; a 200 without any, only the
// caller's own projects' grants.
func judgeProjectGrantList(r wardentest.Reply, m markers) (verdict, string) {
	switch r.Status {
	case 403:
		return verdictDenied, ""
	case 200:
	default:
		return verdictDenied, fmt.Sprintf("status %d: %s", r.Status, r.Raw)
	}
	if res, _ := r.Body["result"].([]any); len(res) > 0 {
		for _, g := range res {
			gm, _ := g.(map[string]any)
			if gm["projectOwnerId"] != m.orgID {
				return verdictAllowed, fmt.Sprintf("lists a grant of another org: %v", gm["grantId"])
			}
		}
		return verdictAllowed, ""
	}
	return verdictOwnOnly, ""
}

// grantedProject is a project of a new org granted, with the role reader, to
// orgID; it returns the project's and the grant's ids.
func (f *fixtures) grantedProject(t testing.TB, orgID string) (string, string) {
	t.Helper()
	return f.memo2("grantedProject", orgID, func() (string, string) {
		owner := f.org(t, "owner")
		p := f.roleProject(t, owner)
		return p, f.admin(t, owner, "POST", "/management/v1/projects/"+p+"/grants", `{"grantedOrgId":"`+orgID+`","roleKeys":["reader"]}`).Str("grantId")
	})
}

// grantMember is a project grant (projectGrant) with a user of its granted
// org as PROJECT_GRANT_OWNER_VIEWER; it returns the grant's path and the
// user's id.
func (f *fixtures) grantMember(t testing.TB, orgID string) (string, string) {
	t.Helper()
	return f.memo2("grantMember", orgID, func() (string, string) {
		p := f.roleProject(t, orgID)
		partner := f.org(t, "partner")
		g := f.admin(t, orgID, "POST", "/management/v1/projects/"+p+"/grants", `{"grantedOrgId":"`+partner+`","roleKeys":["reader"]}`).Str("grantId")
		u := f.e.AddMachine(t, partner, f.uniq("gm"))
		path := "/management/v1/projects/" + p + "/grants/" + g
		f.admin(t, orgID, "POST", path+"/members", `{"userId":"`+u+`","roles":["PROJECT_GRANT_OWNER_VIEWER"]}`)
		return path, u
	})
}

func projectGrantOps() []matrixOp {
	grant := func(suffix string) func(testing.TB, *fixtures, string) string {
		return func(t testing.TB, f *fixtures, o string) string {
			p, g := f.projectGrant(t, o)
			return v1 + "/projects/" + p + "/grants/" + g + suffix
		}
	}
	return []matrixOp{
		{name: "AddProjectGrant", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/projects/" + f.roleProject(t, o) + "/grants", `{"grantedOrgId":"` + f.org(t, "partner") + `","roleKeys":["reader"]}`}
		}},
		{name: "UpdateProjectGrant", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"PUT", grant("")(t, f, o), `{"roleKeys":["admin"]}`}
		}},
		{name: "DeactivateProjectGrant", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", grant("/_deactivate")(t, f, o), `{}`}
		}},
		{name: "ReactivateProjectGrant", prep: func(t testing.TB, f *fixtures, o string) restCall {
			p, g := f.inactiveProjectGrant(t, o)
			return restCall{"POST", v1 + "/projects/" + p + "/grants/" + g + "/_reactivate", `{}`}
		}},
		{name: "RemoveProjectGrant", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"DELETE", grant("")(t, f, o), ""}
		}},
		{name: "GetProjectGrantByID", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"GET", grant("")(t, f, o), ""}
		}},
		{name: "ListProjectGrants", prep: func(t testing.TB, f *fixtures, o string) restCall {
			p, _ := f.projectGrant(t, o)
			return restCall{"POST", v1 + "/projects/" + p + "/grants/_search", `{}`}
		}},
		{name: "ListProjectChanges", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/projects/" + f.project(t, o) + "/changes/_search", `{}`}
		}},
		{name: "ListProjectGrantChanges", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", grant("/changes/_search")(t, f, o), `{}`}
		}},
		{name: "ListGrantedProjects", prep: func(t testing.TB, f *fixtures, o string) restCall {
			f.grantedProject(t, o)
			return restCall{"POST", v1 + "/granted_projects/_search", `{}`}
		}},
		{name: "GetGrantedProjectByID", prep: func(t testing.TB, f *fixtures, o string) restCall {
			p, g := f.grantedProject(t, o)
			return restCall{"GET", v1 + "/granted_projects/" + p + "/grants/" + g, ""}
		}},
		{name: "ListGrantedProjectRoles", prep: func(t testing.TB, f *fixtures, o string) restCall {
			p, g := f.grantedProject(t, o)
			return restCall{"GET", v1 + "/granted_projects/" + p + "/grants/" + g + "/roles/_search", ""}
		}},
		{name: "ListProjectGrantMemberRoles", prep: func(testing.TB, *fixtures, string) restCall {
			return restCall{"POST", v1 + "/projects/grants/members/roles/_search", `{}`}
		}},
		{name: "ListProjectGrantMembers", prep: func(t testing.TB, f *fixtures, o string) restCall {
			path, _ := f.grantMember(t, o)
			return restCall{"POST", path + "/members/_search", `{}`}
		}},
		{name: "AddProjectGrantMember", prep: func(t testing.TB, f *fixtures, o string) restCall {
			path, _ := f.grantMember(t, o)
			u := f.e.AddMachine(t, grantedOrgOf(t, f, o, path), f.uniq("gm"))
			return restCall{"POST", path + "/members", `{"userId":"` + u + `","roles":["PROJECT_GRANT_OWNER_VIEWER"]}`}
		}},
		{name: "UpdateProjectGrantMember", prep: func(t testing.TB, f *fixtures, o string) restCall {
			path, u := f.grantMember(t, o)
			return restCall{"PUT", path + "/members/" + u, `{"roles":["PROJECT_GRANT_OWNER"]}`}
		}},
		{name: "RemoveProjectGrantMember", prep: func(t testing.TB, f *fixtures, o string) restCall {
			path, u := f.grantMember(t, o)
			return restCall{"DELETE", path + "/members/" + u, ""}
		}},
		{name: "ListAllProjectGrants", prep: func(t testing.TB, f *fixtures, o string) restCall {
			f.projectGrant(t, o) // at least one grant to be listed
			return restCall{"POST", v1 + "/projectgrants/_search", `{}`}
		}, judge: judgeProjectGrantList},
	}
}

// grantedOrgOf reads the granted org of the grant at path.
func grantedOrgOf(t testing.TB, f *fixtures, orgID, path string) string {
	t.Helper()
	r := f.admin(t, orgID, "GET", path, "")
	pg, _ := r.Body["projectGrant"].(map[string]any)
	id, _ := pg["grantedOrgId"].(string)
	if id == "" {
		t.Fatalf("no granted org in %s", r.Raw)
	}
	return id
}
