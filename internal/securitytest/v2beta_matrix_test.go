package securitytest

import (
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/wardentest"
)

// The v2beta twins of AuthorizationService and ProjectService (Connect paths,
// no REST mapping served): each v2 row again at the v2beta path, with the
// body in v2beta's names, judged as v2's after the answer is put back in v2's
// shape. Their ZITADEL permissions are v2's (v1Twin).
const (
	authzV2beta   = "/zitadel.authorization.v2beta.AuthorizationService/"
	projectV2beta = "/zitadel.project.v2beta.ProjectService/"
)

// v2betaTwin is the v2 twin's full method of a v2beta Authorization or
// Project method, else "".
func v2betaTwin(full string) string {
	if m, ok := strings.CutPrefix(full, authzV2beta); ok {
		return authzV2 + m
	}
	if m, ok := strings.CutPrefix(full, projectV2beta); ok {
		return projectV2 + m
	}
	return ""
}

// projectBodyAsV2beta renames v2's request fields to v2beta's: a project is
// "id" (roles keep "projectId"), and the org filter is
// project_organization_id_filter.
func projectBodyAsV2beta(method, body string) string {
	switch method {
	case "GetProject", "UpdateProject", "DeleteProject", "DeactivateProject", "ActivateProject":
		return strings.Replace(body, `"projectId":`, `"id":`, 1)
	case "ListProjects":
		return strings.Replace(body, `{"organizationIdFilter":{"organizationId":`, `{"projectOrganizationIdFilter":{"id":`, 1)
	case "ListProjectGrants":
		body = strings.Replace(body, `{"organizationIdFilter":`, `{"projectResourceOwnerFilter":`, 1)
		return strings.Replace(body, `{"grantedOrganizationIdFilter":`, `{"projectGrantResourceOwnerFilter":`, 1)
	}
	return body
}

// asV2Shape puts a v2beta list answer in v2's shape for v2's judges: a
// flat authorization's organizationId becomes organization.id, a project's
// id its projectId.
func asV2Shape(r wardentest.Reply) wardentest.Reply {
	for _, key := range []string{"authorizations", "projects"} {
		list, _ := r.Body[key].([]any)
		for _, x := range list {
			m, _ := x.(map[string]any)
			if key == "authorizations" {
				m["organization"] = map[string]any{"id": m["organizationId"]}
			} else {
				m["projectId"] = m["id"]
			}
		}
	}
	return r
}

func v2betaAuthzProjectOps() []matrixOp {
	var out []matrixOp
	for _, op := range append(authzV2Ops(), projectV2Ops()...) {
		b := op
		prep, judge := op.prep, op.judge
		if m, ok := strings.CutPrefix(op.name, "authz2."); ok {
			b.name = "authzb." + m
		} else {
			b.name = "projb." + strings.TrimPrefix(op.name, "proj2.")
		}
		b.prep = func(t testing.TB, f *fixtures, o string) restCall {
			c := prep(t, f, o)
			if m, ok := strings.CutPrefix(c.path, authzV2); ok {
				c.path = authzV2beta + m
			} else if m, ok := strings.CutPrefix(c.path, projectV2); ok {
				c.path, c.body = projectV2beta+m, projectBodyAsV2beta(m, c.body)
			} else {
				t.Fatalf("%s: unexpected path %s", op.name, c.path)
			}
			return c
		}
		if judge != nil {
			b.judge = func(r wardentest.Reply, m markers) (verdict, string) { return judge(asV2Shape(r), m) }
		}
		out = append(out, b)
	}
	return out
}
