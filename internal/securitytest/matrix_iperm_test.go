package securitytest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/api"
	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/wardentest"
)

// The matrix's rows for InternalPermissionService v2 and v2beta
// (administrators), over Connect's JSON (no REST mapping). Each method has a
// row per resource — "#instance", "#org", "#project", "#grant" — standing
// for the v1 method of that membership (its ZITADEL permission, its
// deviations and Warden's use case).

const (
	ipermV2     = "/zitadel.internal_permission.v2.InternalPermissionService/"
	ipermV2beta = "/zitadel.internal_permission.v2beta.InternalPermissionService/"
)

var ipermAsV1 = map[string]string{
	"CreateAdministrator#instance": "admin.AddIAMMember", "CreateAdministrator#org": "AddOrgMember",
	"CreateAdministrator#project": "AddProjectMember", "CreateAdministrator#grant": "AddProjectGrantMember",
	"UpdateAdministrator#instance": "admin.UpdateIAMMember", "UpdateAdministrator#org": "UpdateOrgMember",
	"UpdateAdministrator#project": "UpdateProjectMember", "UpdateAdministrator#grant": "UpdateProjectGrantMember",
	"DeleteAdministrator#instance": "admin.RemoveIAMMember", "DeleteAdministrator#org": "RemoveOrgMember",
	"DeleteAdministrator#project": "RemoveProjectMember", "DeleteAdministrator#grant": "RemoveProjectGrantMember",
	"ListAdministrators#instance": "admin.ListIAMMembers", "ListAdministrators#org": "ListOrgMembers",
	"ListAdministrators#project": "ListProjectMembers", "ListAdministrators#grant": "ListProjectGrantMembers",
}

// ipermTwin is the v1 method an administrator row stands for, else "".
func ipermTwin(name string) string {
	for _, p := range []string{"iperm2.", "ipermb."} {
		if m, ok := strings.CutPrefix(name, p); ok {
			return ipermAsV1[m]
		}
	}
	return ""
}

// ipermRule is Warden's use case of an administrator row: the one its
// resource reaches (api.ResourceUses), which must be its v1 twin's.
func ipermRule(t testing.TB, name string) (app.Use, bool) {
	twin := ipermTwin(name)
	if twin == "" {
		return "", false
	}
	_, res, _ := strings.Cut(name, "#")
	uses, ok := api.ResourceUses(fullMethod(name))
	if !ok {
		t.Fatalf("%s has no use cases by resource (internal/api/permissions.go)", name)
	}
	use := uses[map[string]string{"instance": "instance", "org": "organization", "project": "project", "grant": "project grant"}[res]]
	if v1, _ := api.MethodUse(fullMethod(twin)); v1 != use {
		t.Fatalf("%s reaches %s, its v1 twin %s %s", name, use, twin, v1)
	}
	return use, true
}

// judgeAdmins: the list filters by permission; asked for one resource of the
// target org (kind: the Administrator's resource field), an administrator of
// it means the caller reads them, one of any other org is a leak.
func judgeAdmins(kind string) func(wardentest.Reply, markers) (verdict, string) {
	return func(r wardentest.Reply, m markers) (verdict, string) {
		if r.Status != 200 {
			return verdictDenied, fmt.Sprintf("status %d: %s", r.Status, r.Raw)
		}
		res, _ := r.Body["administrators"].([]any)
		for _, a := range res {
			am, _ := a.(map[string]any)
			if kind == "instance" {
				if am["instance"] != true {
					return verdictAllowed, fmt.Sprintf("lists a non-instance administrator: %v", am)
				}
				continue
			}
			rm, _ := am[kind].(map[string]any)
			owner := rm["organizationId"]
			if kind == "organization" {
				owner = rm["id"]
			}
			if owner != m.orgID {
				return verdictAllowed, fmt.Sprintf("lists an administrator of another org: %v", am)
			}
		}
		if len(res) > 0 {
			return verdictAllowed, ""
		}
		return verdictDenied, ""
	}
}

// grantOf is the project and granted org of a grantMember fixture.
func grantOf(t testing.TB, f *fixtures, o, path string) (string, string) {
	p := strings.TrimPrefix(path, v1+"/projects/")
	p, _, _ = strings.Cut(p, "/")
	return p, grantedOrgOf(t, f, o, path)
}

func ipermOps(base, prefix string, beta bool) []matrixOp {
	call := func(method, body string) restCall { return restCall{"POST", base + method, body} }
	grantRes := func(p, g string) string {
		return `{"projectGrant":{"projectId":"` + p + `","organizationId":"` + g + `"}}`
	}
	change := func(method, user, res, roles string) restCall {
		body := `{"userId":"` + user + `","resource":` + res
		if roles != "" {
			body += `,"roles":["` + roles + `"]`
		}
		return call(method, body+"}")
	}
	org := func(o string) string { return `{"organizationId":"` + o + `"}` }
	proj := func(p string) string { return `{"projectId":"` + p + `"}` }
	const inst = `{"instance":true}`
	list := func(filter string) restCall {
		return call("ListAdministrators", `{"filters":[{"resource":`+filter+`}]}`)
	}
	ops := []matrixOp{
		{name: "CreateAdministrator#instance", global: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			return change("CreateAdministrator", f.machine(t, o), inst, "IAM_OWNER_VIEWER")
		}},
		{name: "CreateAdministrator#org", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return change("CreateAdministrator", f.machine(t, o), org(o), "ORG_OWNER_VIEWER")
		}},
		{name: "CreateAdministrator#project", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return change("CreateAdministrator", f.machine(t, o), proj(f.project(t, o)), "PROJECT_OWNER_VIEWER")
		}},
		{name: "CreateAdministrator#grant", prep: func(t testing.TB, f *fixtures, o string) restCall {
			path, _ := f.grantMember(t, o)
			p, g := grantOf(t, f, o, path)
			return change("CreateAdministrator", f.e.AddMachine(t, g, f.uniq("gm")), grantRes(p, g), "PROJECT_GRANT_OWNER_VIEWER")
		}},
		{name: "UpdateAdministrator#instance", global: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			return change("UpdateAdministrator", f.iamMember(t, o), inst, "IAM_USER_MANAGER")
		}},
		{name: "UpdateAdministrator#org", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return change("UpdateAdministrator", f.member(t, o), org(o), "ORG_PROJECT_PERMISSION_EDITOR")
		}},
		{name: "UpdateAdministrator#project", prep: func(t testing.TB, f *fixtures, o string) restCall {
			p, u := f.projectMember(t, o)
			return change("UpdateAdministrator", u, proj(p), "PROJECT_OWNER")
		}},
		{name: "UpdateAdministrator#grant", prep: func(t testing.TB, f *fixtures, o string) restCall {
			path, u := f.grantMember(t, o)
			p, g := grantOf(t, f, o, path)
			return change("UpdateAdministrator", u, grantRes(p, g), "PROJECT_GRANT_OWNER")
		}},
		{name: "DeleteAdministrator#instance", global: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			return change("DeleteAdministrator", f.iamMember(t, o), inst, "")
		}},
		{name: "DeleteAdministrator#org", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return change("DeleteAdministrator", f.member(t, o), org(o), "")
		}},
		{name: "DeleteAdministrator#project", prep: func(t testing.TB, f *fixtures, o string) restCall {
			p, u := f.projectMember(t, o)
			return change("DeleteAdministrator", u, proj(p), "")
		}},
		{name: "DeleteAdministrator#grant", prep: func(t testing.TB, f *fixtures, o string) restCall {
			path, u := f.grantMember(t, o)
			p, g := grantOf(t, f, o, path)
			return change("DeleteAdministrator", u, grantRes(p, g), "")
		}},
		{name: "ListAdministrators#instance", global: true, filtered: true, prep: func(testing.TB, *fixtures, string) restCall {
			return list(inst)
		}, judge: judgeAdmins("instance")},
		{name: "ListAdministrators#org", filtered: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			f.member(t, o)
			return list(org(o))
		}, judge: judgeAdmins("organization")},
		{name: "ListAdministrators#project", filtered: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			p, _ := f.projectMember(t, o)
			return list(proj(p))
		}, judge: judgeAdmins("project")},
		{name: "ListAdministrators#grant", filtered: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			path, _ := f.grantMember(t, o)
			if beta { // v2beta names the grant by its id
				g := strings.TrimPrefix(path[strings.LastIndex(path, "/"):], "/")
				return list(`{"projectGrantId":"` + g + `"}`)
			}
			p, g := grantOf(t, f, o, path)
			return list(`{"projectGrant":{"projectId":"` + p + `","organizationId":"` + g + `"}}`)
		}, judge: judgeAdmins("projectGrant")},
	}
	for i := range ops {
		ops[i].name = prefix + ops[i].name
	}
	return ops
}

func ipermMatrixOps() []matrixOp {
	return append(ipermOps(ipermV2, "iperm2.", false), ipermOps(ipermV2beta, "ipermb.", true)...)
}
