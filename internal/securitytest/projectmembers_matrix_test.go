package securitytest

import "testing"

// Fixtures and matrix rows of project members: every method is called by
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
