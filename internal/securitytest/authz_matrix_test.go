package securitytest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/wardentest"
)

// Fixtures and matrix rows of project roles, project activation and user
// grants: every method is called by every role on fresh objects of its own org
// and of a foreign one (TestAuthorizationMatrix), so a caller of another org
// tries each and is refused.

// roleProject is a new project with the roles admin and reader.
func (f *fixtures) roleProject(t testing.TB, orgID string) string {
	t.Helper()
	return f.memo1("roleProject", orgID, func() string {
		p := f.admin(t, orgID, "POST", "/management/v1/projects", `{"name":"`+f.uniq("rp")+`"}`).Str("id")
		f.admin(t, orgID, "POST", "/management/v1/projects/"+p+"/roles/_bulk", `{"roles":[{"key":"admin"},{"key":"reader"}]}`)
		return p
	})
}

// inactiveProject is a new, deactivated project.
func (f *fixtures) inactiveProject(t testing.TB, orgID string) string {
	t.Helper()
	return f.memo1("inactiveProject", orgID, func() string {
		p := f.admin(t, orgID, "POST", "/management/v1/projects", `{"name":"`+f.uniq("ip")+`"}`).Str("id")
		f.admin(t, orgID, "POST", "/management/v1/projects/"+p+"/_deactivate", `{}`)
		return p
	})
}

// grant is a new machine user's grant of reader on a new role project; it
// returns the user's and the grant's ids.
func (f *fixtures) grant(t testing.TB, orgID string) (string, string) {
	t.Helper()
	return f.memo2("grant", orgID, func() (string, string) {
		u, p := f.machine(t, orgID), f.roleProject(t, orgID)
		return u, f.admin(t, orgID, "POST", "/management/v1/users/"+u+"/grants", `{"projectId":"`+p+`","roleKeys":["reader"]}`).Str("userGrantId")
	})
}

// inactiveGrant is a deactivated grant.
func (f *fixtures) inactiveGrant(t testing.TB, orgID string) (string, string) {
	t.Helper()
	return f.memo2("inactiveGrant", orgID, func() (string, string) {
		u, g := f.grant(t, orgID)
		f.admin(t, orgID, "POST", "/management/v1/users/"+u+"/grants/"+g+"/_deactivate", `{}`)
		return u, g
	})
}

// judgeGrantList: the org's grants (all made by the administrator) in the
// list mean every grant is readable; a 200 without any means only the
// caller's own projects' grants.
func judgeGrantList(r wardentest.Reply, m markers) (verdict, string) {
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
			if gm["orgId"] != m.orgID {
				return verdictAllowed, fmt.Sprintf("lists a grant of another org: %v", gm["id"])
			}
		}
		return verdictAllowed, ""
	}
	return verdictOwnOnly, ""
}

// authzV2 is AuthorizationService v2's Connect path prefix (it has no REST
// mapping: Connect's JSON is its HTTP form).
const authzV2 = "/zitadel.authorization.v2.AuthorizationService/"

// authzV2AsV1 names the v1 method whose ZITADEL permission each
// AuthorizationService method checks (ZITADEL's v2 runs v1's commands with
// user.grant.write, user.grant.delete and user.grant.read in the grant's org).
var authzV2AsV1 = map[string]string{
	"CreateAuthorization": "AddUserGrant", "UpdateAuthorization": "UpdateUserGrant",
	"ActivateAuthorization": "ReactivateUserGrant", "DeactivateAuthorization": "DeactivateUserGrant",
	"DeleteAuthorization": "RemoveUserGrant", "ListAuthorizations": "ListUserGrants",
}

// judgeAuthzList: ListAuthorizations filters by permission instead of
// refusing (as ZITADEL's v2 does). A grant of another org than the target is a
// leak; the target org's grants mean the caller may read them; an empty list
// is what both a refusal and "only its own projects' grants, of which it has
// none" look like (filtered).
func judgeAuthzList(r wardentest.Reply, m markers) (verdict, string) {
	if r.Status != 200 {
		return verdictDenied, fmt.Sprintf("status %d: %s", r.Status, r.Raw)
	}
	res, _ := r.Body["authorizations"].([]any)
	for _, a := range res {
		am, _ := a.(map[string]any)
		o, _ := am["organization"].(map[string]any)
		if o["id"] != m.orgID {
			return verdictAllowed, fmt.Sprintf("lists a grant of another org: %v", am["id"])
		}
	}
	if len(res) > 0 {
		return verdictAllowed, ""
	}
	return verdictDenied, ""
}

// judgeAuthzListAll judges ListAuthorizations without filters: the caller's
// own org's grants (and, for an instance role, every org's) belong there, so
// only the target org's count — any of them means the caller reads them.
// (TestAuthorizationV2 checks that another org's owner lists none at all.)
func judgeAuthzListAll(r wardentest.Reply, m markers) (verdict, string) {
	if r.Status != 200 {
		return verdictDenied, fmt.Sprintf("status %d: %s", r.Status, r.Raw)
	}
	res, _ := r.Body["authorizations"].([]any)
	for _, a := range res {
		am, _ := a.(map[string]any)
		if o, _ := am["organization"].(map[string]any); o["id"] == m.orgID {
			return verdictAllowed, ""
		}
	}
	return verdictDenied, ""
}

// authzV2Ops: AuthorizationService v2 on the same fixtures as v1's grants;
// the org is named in the body (CreateAuthorization, the list's filter) or is
// the grant's own, never a header.
func authzV2Ops() []matrixOp {
	id := func(f *fixtures, t testing.TB, o string) string { _, g := f.grant(t, o); return g }
	return []matrixOp{
		{name: "authz2.CreateAuthorization", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u, p := f.machine(t, o), f.roleProject(t, o)
			return restCall{"POST", authzV2 + "CreateAuthorization", `{"userId":"` + u + `","projectId":"` + p + `","organizationId":"` + o + `","roleKeys":["reader"]}`}
		}},
		{name: "authz2.UpdateAuthorization", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", authzV2 + "UpdateAuthorization", `{"id":"` + id(f, t, o) + `","roleKeys":["admin"]}`}
		}},
		{name: "authz2.DeactivateAuthorization", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", authzV2 + "DeactivateAuthorization", `{"id":"` + id(f, t, o) + `"}`}
		}},
		{name: "authz2.ActivateAuthorization", prep: func(t testing.TB, f *fixtures, o string) restCall {
			_, g := f.inactiveGrant(t, o)
			return restCall{"POST", authzV2 + "ActivateAuthorization", `{"id":"` + g + `"}`}
		}},
		{name: "authz2.DeleteAuthorization", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", authzV2 + "DeleteAuthorization", `{"id":"` + id(f, t, o) + `"}`}
		}},
		{name: "authz2.ListAuthorizations", filtered: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			f.grant(t, o) // at least one grant to be listed
			return restCall{"POST", authzV2 + "ListAuthorizations", `{"filters":[{"organizationId":{"id":"` + o + `"}}]}`}
		}, judge: judgeAuthzList},
		{name: "authz2.ListAuthorizations#all", filtered: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			f.grant(t, o)
			return restCall{"POST", authzV2 + "ListAuthorizations", `{}`}
		}, judge: judgeAuthzListAll},
	}
}

// projectV2 is ProjectService v2's Connect path prefix (no REST mapping either).
const projectV2 = "/zitadel.project.v2.ProjectService/"

// projectV2AsV1 names the v1 method whose ZITADEL permission each
// ProjectService method checks.
var projectV2AsV1 = map[string]string{
	"CreateProject": "AddProject", "UpdateProject": "UpdateProject", "DeleteProject": "RemoveProject",
	"GetProject": "GetProjectByID", "ListProjects": "ListProjects", "DeactivateProject": "DeactivateProject",
	"ActivateProject": "ReactivateProject", "AddProjectRole": "AddProjectRole", "UpdateProjectRole": "UpdateProjectRole",
	"RemoveProjectRole": "RemoveProjectRole", "ListProjectRoles": "ListProjectRoles",
	"CreateProjectGrant": "AddProjectGrant", "UpdateProjectGrant": "UpdateProjectGrant",
	"DeactivateProjectGrant": "DeactivateProjectGrant", "ActivateProjectGrant": "ReactivateProjectGrant",
	"DeleteProjectGrant": "RemoveProjectGrant", "ListProjectGrants": "ListAllProjectGrants",
}

// v1Twin is the v1 method a v2 row of AuthorizationService or ProjectService
// stands for (its ZITADEL permission and its known deviations), else "".
func v1Twin(name string) string {
	if twin := ipermTwin(name); twin != "" {
		return twin
	}
	m := fullMethod(name)
	if v2 := v2betaTwin(m); v2 != "" {
		m = v2
	}
	if x, ok := strings.CutPrefix(m, authzV2); ok {
		return authzV2AsV1[x]
	}
	if x, ok := strings.CutPrefix(m, projectV2); ok {
		return projectV2AsV1[x]
	}
	if x, ok := strings.CutPrefix(m, orgV2); ok {
		return orgV2AsV1[x]
	}
	return ""
}

// judgeProjectListV2: ListProjects v2 filters by permission as the
// authorizations do. Filtered by the target org, its marker project means the
// caller reads its projects; filtered by the id of a target org's project,
// that project does. A project of another org is a leak in either.
func judgeProjectListV2(orgFiltered bool) func(wardentest.Reply, markers) (verdict, string) {
	return func(r wardentest.Reply, m markers) (verdict, string) {
		if r.Status != 200 {
			return verdictDenied, fmt.Sprintf("status %d: %s", r.Status, r.Raw)
		}
		res, _ := r.Body["projects"].([]any)
		found := false
		for _, p := range res {
			pm, _ := p.(map[string]any)
			if pm["organizationId"] != m.orgID {
				return verdictAllowed, fmt.Sprintf("lists a project of another org: %v", pm["projectId"])
			}
			found = found || !orgFiltered || pm["projectId"] == m.project
		}
		if found {
			return verdictAllowed, ""
		}
		return verdictDenied, ""
	}
}

// projectV2Ops: ProjectService v2 on the v1 rows' fixtures; the org is named
// in the body (CreateProject, the list's filter) or is the project's own.
func projectV2Ops() []matrixOp {
	call := func(method, body string) restCall { return restCall{"POST", projectV2 + method, body} }
	return append([]matrixOp{
		{name: "proj2.CreateProject", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return call("CreateProject", `{"organizationId":"`+o+`","name":"`+f.uniq("np")+`"}`)
		}},
		{name: "proj2.GetProject", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return call("GetProject", `{"projectId":"`+f.project(t, o)+`"}`)
		}},
		{name: "proj2.UpdateProject", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return call("UpdateProject", `{"projectId":"`+f.project(t, o)+`","name":"`+f.uniq("renamed")+`"}`)
		}},
		{name: "proj2.DeleteProject", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return call("DeleteProject", `{"projectId":"`+f.project(t, o)+`"}`)
		}},
		{name: "proj2.DeactivateProject", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return call("DeactivateProject", `{"projectId":"`+f.project(t, o)+`"}`)
		}},
		{name: "proj2.ActivateProject", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return call("ActivateProject", `{"projectId":"`+f.inactiveProject(t, o)+`"}`)
		}},
		{name: "proj2.AddProjectRole", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return call("AddProjectRole", `{"projectId":"`+f.roleProject(t, o)+`","roleKey":"`+f.uniq("k")+`","displayName":"K"}`)
		}},
		{name: "proj2.UpdateProjectRole", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return call("UpdateProjectRole", `{"projectId":"`+f.roleProject(t, o)+`","roleKey":"reader","displayName":"`+f.uniq("Reader")+`"}`)
		}},
		{name: "proj2.RemoveProjectRole", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return call("RemoveProjectRole", `{"projectId":"`+f.roleProject(t, o)+`","roleKey":"admin"}`)
		}},
		{name: "proj2.ListProjectRoles", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return call("ListProjectRoles", `{"projectId":"`+f.roleProject(t, o)+`"}`)
		}},
		{name: "proj2.ListProjects", filtered: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			return call("ListProjects", `{"filters":[{"organizationIdFilter":{"organizationId":"`+o+`"}}]}`)
		}, judge: judgeProjectListV2(true)},
		// No org filter: a project of the target org named by id (the
		// instance roles' unfiltered list spans every org of the matrix,
		// more than a page).
		{name: "proj2.ListProjects#ids", filtered: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			return call("ListProjects", `{"filters":[{"inProjectIdsFilter":{"ids":["`+f.project(t, o)+`"]}}]}`)
		}, judge: judgeProjectListV2(false)},
	}, projectGrantV2Ops()...)
}

func authzOps() []matrixOp {
	roles := func(f *fixtures, t testing.TB, o string) string {
		return v1 + "/projects/" + f.roleProject(t, o) + "/roles"
	}
	grant := func(suffix string) func(testing.TB, *fixtures, string) (string, string) {
		return func(t testing.TB, f *fixtures, o string) (string, string) {
			u, g := f.grant(t, o)
			return v1 + "/users/" + u + "/grants/" + g + suffix, g
		}
	}
	return []matrixOp{
		{name: "AddProjectRole", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", roles(f, t, o), `{"roleKey":"` + f.uniq("k") + `","displayName":"K"}`}
		}},
		{name: "BulkAddProjectRoles", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", roles(f, t, o) + "/_bulk", `{"roles":[{"key":"` + f.uniq("k") + `"},{"key":"` + f.uniq("k") + `"}]}`}
		}},
		{name: "UpdateProjectRole", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"PUT", roles(f, t, o) + "/reader", `{"displayName":"` + f.uniq("Reader") + `"}`}
		}},
		{name: "RemoveProjectRole", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"DELETE", roles(f, t, o) + "/admin", ""}
		}},
		{name: "ListProjectRoles", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", roles(f, t, o) + "/_search", `{}`}
		}},
		{name: "DeactivateProject", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/projects/" + f.project(t, o) + "/_deactivate", `{}`}
		}},
		{name: "ReactivateProject", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/projects/" + f.inactiveProject(t, o) + "/_reactivate", `{}`}
		}},
		{name: "AddUserGrant", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u, p := f.machine(t, o), f.roleProject(t, o)
			return restCall{"POST", v1 + "/users/" + u + "/grants", `{"projectId":"` + p + `","roleKeys":["reader"]}`}
		}},
		{name: "UpdateUserGrant", prep: func(t testing.TB, f *fixtures, o string) restCall {
			path, _ := grant("")(t, f, o)
			return restCall{"PUT", path, `{"roleKeys":["admin"]}`}
		}},
		{name: "DeactivateUserGrant", prep: func(t testing.TB, f *fixtures, o string) restCall {
			path, _ := grant("/_deactivate")(t, f, o)
			return restCall{"POST", path, `{}`}
		}},
		{name: "ReactivateUserGrant", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u, g := f.inactiveGrant(t, o)
			return restCall{"POST", v1 + "/users/" + u + "/grants/" + g + "/_reactivate", `{}`}
		}},
		{name: "RemoveUserGrant", prep: func(t testing.TB, f *fixtures, o string) restCall {
			path, _ := grant("")(t, f, o)
			return restCall{"DELETE", path, ""}
		}},
		{name: "BulkRemoveUserGrant", prep: func(t testing.TB, f *fixtures, o string) restCall {
			_, g := grant("")(t, f, o)
			return restCall{"DELETE", v1 + "/user_grants/_bulk", `{"grantId":["` + g + `"]}`}
		}},
		{name: "GetUserGrantByID", prep: func(t testing.TB, f *fixtures, o string) restCall {
			path, _ := grant("")(t, f, o)
			return restCall{"GET", path, ""}
		}},
		{name: "ListUserGrants", prep: func(t testing.TB, f *fixtures, o string) restCall {
			f.grant(t, o) // at least one grant to be listed
			return restCall{"POST", v1 + "/users/grants/_search", `{}`}
		}, judge: judgeGrantList},
	}
}
