package securitytest

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/warden-id/warden/internal/api"
	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
	authpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/auth"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/authoption"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// zitadelRoles is ZITADEL's role → permission table (cmd/defaults.yaml,
// InternalAuthZ.RolePermissionMappings), cut down to the permissions the
// served methods need. It is the expectation of the matrix: Warden's own table
// (internal/org) is what is tested, not what is expected.
var zitadelRoles = map[string][]string{
	"IAM_OWNER": {"project.grant.member.read", "project.grant.member.write", "project.grant.member.delete", "project.grant.read", "project.grant.write", "project.grant.delete", "project.member.read", "project.member.write", "project.member.delete", "org.read", "org.create", "org.write", "org.member.read", "org.member.write", "org.member.delete",
		"user.read", "user.write", "user.delete", "policy.read", "policy.write", "policy.delete",
		"project.read", "project.create", "project.write", "project.delete", "project.app.read", "project.app.write", "project.app.delete",
		"project.role.read", "project.role.write", "project.role.delete", "user.grant.read", "user.grant.write", "user.grant.delete"},
	"IAM_ORG_MANAGER": {"project.grant.member.read", "project.grant.member.write", "project.grant.member.delete", "project.grant.read", "project.grant.write", "project.grant.delete", "project.member.read", "project.member.write", "project.member.delete", "org.read", "org.create", "org.write", "org.member.read", "org.member.write", "org.member.delete",
		"user.read", "user.write", "user.delete", "policy.read", "policy.write", "policy.delete",
		"project.read", "project.create", "project.write", "project.delete", "project.app.read", "project.app.write", "project.app.delete",
		"project.role.read", "project.role.write", "project.role.delete", "user.grant.read", "user.grant.write", "user.grant.delete"},
	"IAM_USER_MANAGER": {"project.grant.member.read", "project.grant.read", "project.grant.write", "project.grant.delete", "project.member.read", "org.read", "org.member.read", "org.member.delete", "user.read", "user.write", "user.delete",
		"project.read", "project.app.read",
		"project.role.read", "user.grant.read", "user.grant.write", "user.grant.delete"},
	"IAM_OWNER_VIEWER": {"project.grant.member.read", "project.grant.read", "project.member.read", "org.read", "org.member.read", "user.read", "policy.read", "project.read", "project.app.read",
		"project.role.read", "user.grant.read"},
	"ORG_OWNER": {"project.grant.member.read", "project.grant.member.write", "project.grant.member.delete", "project.grant.read", "project.grant.write", "project.grant.delete", "project.member.read", "project.member.write", "project.member.delete", "org.read", "org.write", "org.member.read", "org.member.write", "org.member.delete",
		"user.read", "user.write", "user.delete", "policy.read", "policy.write", "policy.delete",
		"project.read", "project.create", "project.write", "project.delete", "project.app.read", "project.app.write",
		"project.role.read", "project.role.write", "project.role.delete", "user.grant.read", "user.grant.write", "user.grant.delete"},
	"ORG_USER_MANAGER": {"org.read", "user.read", "user.write", "user.delete", "policy.read", "project.read",
		"project.role.read", "user.grant.read", "user.grant.write", "user.grant.delete"},
	"ORG_OWNER_VIEWER": {"project.grant.member.read", "project.grant.read", "project.member.read", "org.read", "org.member.read", "user.read", "policy.read", "project.read", "project.app.read",
		"project.role.read", "user.grant.read"},
	"ORG_PROJECT_PERMISSION_EDITOR": {"project.grant.member.read", "project.grant.read", "project.grant.write", "project.grant.delete", "project.member.read", "org.read", "org.member.read", "user.read", "policy.read", "project.read", "project.app.read",
		"project.role.read", "user.grant.read", "user.grant.write", "user.grant.delete"},
	// project.read:self — the projects the creator made (ZITADEL makes the
	// creator their PROJECT_OWNER); project.create.
	// The roles, grants and members of its own projects likewise, as their
	// PROJECT_OWNER.
	"ORG_PROJECT_CREATOR": {"policy.read", "project.read:self", "project.create",
		"project.role.read:self", "project.role.write:self", "project.role.delete:self",
		"user.grant.read:self", "user.grant.write:self", "user.grant.delete:self",
		"project.member.read:self", "project.member.write:self", "project.member.delete:self",
		"project.grant.read:self", "project.grant.write:self", "project.grant.delete:self",
		"project.grant.member.read:self", "project.grant.member.write:self", "project.grant.member.delete:self"},
	"ORG_USER_SELF_MANAGER": {"policy.read"},
	// Not a ZITADEL role: Warden's read-only user role (shared/spec/compat.md,
	// "Roles that carry the user permissions").
	"ORG_USER_READ": {"org.read", "user.read"},
	"":              nil, // authenticated, no membership
}

// v2Perms is what ZITADEL's command layer checks for the UserService v2
// methods, in the user's own organisation (v2 has no org context).
var v2Perms = map[string]string{
	"AddHumanUser": "user.write", "GetUserByID": "user.read", "ListUsers": "user.read",
	"LockUser": "user.write", "UnlockUser": "user.write", "DeactivateUser": "user.write", "ReactivateUser": "user.write",
	"AddSecret": "user.write", "RemoveSecret": "user.write", "AddKey": "user.write", "RemoveKey": "user.write",
	"ListKeys": "user.read", "AddPersonalAccessToken": "user.write", "RemovePersonalAccessToken": "user.write",
	"ListPersonalAccessTokens": "user.read",
	"DeleteUser":               "user.delete", "SetPassword": "user.write", "UpdateHumanUser": "user.write",
	// Codes (ZITADEL's command layer: requestPasswordReset, CreateInviteCode,
	// ResendInviteCode's checkPermissionUpdateUser; the verification needs none).
	"PasswordReset": "user.write", "CreateInviteCode": "user.write", "ResendInviteCode": "user.write", "VerifyInviteCode": "authenticated",
}

// v1Perm is the permission ZITADEL's own descriptor demands for a v1 method
// (the zitadel.v1.auth_option of management.proto, of auth.proto for an
// "auth." row: "authenticated" there, or of admin.proto for an "admin." row).
func v1Perm(t testing.TB, method string) string {
	if m, ok := strings.CutPrefix(method, "admin."); ok {
		return adminPerm(t, m)
	}
	svc := mgmt.File_zitadel_management_proto.Services().ByName("ManagementService")
	if m, ok := strings.CutPrefix(method, "auth."); ok {
		svc, method = authpb.File_zitadel_auth_proto.Services().ByName("AuthService"), m
	}
	return authPermission(t, svc, method)
}

func authPermission(t testing.TB, svc protoreflect.ServiceDescriptor, method string) string {
	md := svc.Methods().ByName(protoreflect.Name(method))
	if md == nil {
		t.Fatalf("no %s method %s", svc.Name(), method)
	}
	o, _ := proto.GetExtension(md.Options(), authoption.E_AuthOption).(*authoption.AuthOption)
	return o.GetPermission()
}

// verdict of a call, as authorization goes.
type verdict int

const (
	verdictDenied  verdict = iota
	verdictAllowed         // the call did what it asks
	verdictOwnOnly         // allowed, but only for the caller's own objects (ZITADEL's ":self")
)

func (o verdict) String() string { return [...]string{"denied", "allowed", "own-only"}[o] }

// expectation is ZITADEL's answer for role calling a method needing perm in
// the caller's own org (foreign=false) or another org.
func expectation(role, perm string, foreign bool) verdict {
	if perm == "" || perm == "authenticated" {
		return verdictAllowed // public, or the caller's own data (Auth API)
	}
	if foreign && !org.IsInstanceRole(role) {
		return verdictDenied // org roles end at their org
	}
	ps := zitadelRoles[role]
	switch {
	case slices.Contains(ps, perm):
		return verdictAllowed
	case slices.Contains(ps, perm+":self"):
		return verdictOwnOnly
	}
	return verdictDenied
}

// fullMethod is the gRPC name of a matrix method ("LockUser", "v2.LockUser",
// "v2beta.LockUser").
func fullMethod(name string) string {
	name, _, _ = strings.Cut(name, "#") // a second row of one method
	if m, ok := strings.CutPrefix(name, "admin."); ok {
		return "/zitadel.admin.v1.AdminService/" + m
	}
	if m, ok := strings.CutPrefix(name, "authz2."); ok {
		return "/zitadel.authorization.v2.AuthorizationService/" + m
	}
	if m, ok := strings.CutPrefix(name, "proj2."); ok {
		return "/zitadel.project.v2.ProjectService/" + m
	}
	// v2beta twins of the two above (v2beta_matrix_test.go).
	if m, ok := strings.CutPrefix(name, "authzb."); ok {
		return authzV2beta + m
	}
	if m, ok := strings.CutPrefix(name, "projb."); ok {
		return projectV2beta + m
	}
	if m, ok := strings.CutPrefix(name, "org2."); ok {
		return orgV2 + m
	}
	if m, ok := strings.CutPrefix(name, "iperm2."); ok {
		return ipermV2 + m
	}
	if m, ok := strings.CutPrefix(name, "ipermb."); ok {
		return ipermV2beta + m
	}
	if m, ok := strings.CutPrefix(name, "auth."); ok {
		return "/" + string(authpb.File_zitadel_auth_proto.Services().ByName("AuthService").FullName()) + "/" + m
	}
	if m, ok := strings.CutPrefix(name, "v2beta."); ok {
		return "/zitadel.user.v2beta.UserService/" + m
	}
	if m, ok := strings.CutPrefix(name, "v2."); ok {
		return "/" + string(userv2.File_zitadel_user_v2_user_service_proto.Services().ByName("UserService").FullName()) + "/" + m
	}
	return "/" + string(mgmt.File_zitadel_management_proto.Services().ByName("ManagementService").FullName()) + "/" + name
}

// wardenRule is what Warden's own permission table says a method needs: its
// use case (internal/api) and that use case's rule (internal/app). public: no
// token at all.
func wardenRule(t testing.TB, name string) (rule app.Rule, public bool) {
	t.Helper()
	m := fullMethod(name)
	if api.IsPublic(m) {
		return app.Rule{}, true
	}
	use, ok := api.MethodUse(m)
	if !ok {
		use, ok = ipermRule(t, name) // a use case per resource
	}
	if !ok {
		t.Fatalf("%s has no use case in Warden's permission table (internal/api/permissions.go)", m)
	}
	rule, ok = app.RuleOf(use)
	if !ok {
		t.Fatalf("use case %s of %s has no rule (internal/app/permissions.go)", use, m)
	}
	return rule, false
}

// wardenExpectation is the answer Warden's own tables give for role calling a
// method with rule in its own org or another: the use case's rule and
// Warden's role → permission table (internal/org). The matrix checks that
// Warden answers so — that the table is what decides — beside comparing the
// answer with ZITADEL's.
func wardenExpectation(role string, rule app.Rule, public, foreign bool) verdict {
	var roles []string
	if role != "" {
		roles = []string{role}
	}
	switch {
	case public, rule.Where == app.AsCaller:
		return verdictAllowed
	case foreign && !org.IsInstanceRole(role):
		return verdictDenied // org roles end at their org
	case rule.Where == app.InInstance && !org.IsInstanceRole(role):
		return verdictDenied
	case rule.IAMOwner && role != "IAM_OWNER":
		return verdictDenied
	case org.Grants(roles, rule.Perm):
		return verdictAllowed
	case rule.Where == app.InProject && org.Grants(roles, org.PermProjectCreate):
		return verdictOwnOnly // the projects it created
	}
	return verdictDenied
}

// deviation is a known difference between Warden and ZITADEL's table, named
// in the report. Where Warden is stricter the matrix accepts both answers;
// where it is more permissive the entry says why that is harmless. Anything
// not listed must match ZITADEL.
type deviation struct {
	stricter bool // Warden denies what ZITADEL allows (a compatibility gap, not a hole)
	why      string
}

var deviations = map[string]deviation{
	// Warden's IAM_USER_MANAGER carries user.* and org.read only.
	"IAM_USER_MANAGER RemoveOrgMember":       {true, "ZITADEL's IAM_USER_MANAGER has org.member.delete"},
	"IAM_USER_MANAGER GetLockoutPolicy":      {false, "Warden reads the lockout policy with org.read; ZITADEL needs policy.read, which IAM_USER_MANAGER lacks. Reading the policy's two numbers gives nothing away"},
	"ORG_USER_MANAGER GetProjectByID":        {true, "ZITADEL's ORG_USER_MANAGER has project.read; Warden reads apps with project.read, which ZITADEL's ORG_USER_MANAGER may not (project.app.read), so Warden gives it neither"},
	"ORG_USER_MANAGER ListProjects":          {true, "ZITADEL's ORG_USER_MANAGER has project.read (see GetProjectByID)"},
	"ORG_USER_MANAGER ListProjectChanges":    {true, "ZITADEL's ORG_USER_MANAGER has project.read (see GetProjectByID)"},
	"ORG_USER_MANAGER ListGrantedProjects":   {true, "ZITADEL's ORG_USER_MANAGER has project.read (see GetProjectByID)"},
	"ORG_USER_MANAGER GetGrantedProjectByID": {true, "ZITADEL's ORG_USER_MANAGER has project.read (see GetProjectByID)"},
	"ORG_PROJECT_CREATOR GetLockoutPolicy":   {true, "ZITADEL's ORG_PROJECT_CREATOR has policy.read; Warden reads the lockout policy with org.read, which the project creator lacks in ZITADEL and in Warden"},
	"ORG_OWNER RemoveApp":                    {false, "ZITADEL's ORG_OWNER has project.app.write but not project.app.delete; Warden's project.write covers both. An owner who may rewrite an app's config gains nothing by removing it"},
	"ORG_USER_SELF_MANAGER GetLockoutPolicy": {true, "ZITADEL's ORG_USER_SELF_MANAGER has policy.read"},
	"ORG_USER_READ GetLockoutPolicy":         {false, "Warden reads the lockout policy with org.read, which its ORG_USER_READ has; the role is Warden's own"},
}

// restCall is one REST call.
type restCall struct{ method, path, body string }

// matrixOp is one served method: its permission and how to call it on fresh
// objects of an org, so that an allowed call succeeds (200) and a refused one
// is told apart by its 403.
type matrixOp struct {
	name   string // v1 method name, or "v2." + UserService method
	global bool   // not in an org's context (AddOrg): called once, without x-zitadel-orgid
	// filtered: a v2 list that filters by permission instead of refusing, so
	// an empty answer (judged denied) may also be "own objects only, of which
	// there are none"; it is taken as whichever of the two Warden's table says.
	filtered bool
	prep     func(t testing.TB, f *fixtures, orgID string) restCall
	// freshCaller: the call ends its caller (RemoveMyUser), so it is made by a
	// new caller of the same role in the same org.
	freshCaller bool
	// judge classifies an answer (nil: 200 allowed, 403 denied, anything
	// else a failure); m has the org's marker objects.
	judge func(r wardentest.Reply, m markers) (verdict, string)
}

// markers are objects every org of the matrix has from the start, for the
// list methods to be judged by.
type markers struct{ orgID, user, project string }

const v1 = "/management/v1"

// authV1 is the Auth API's REST prefix (the caller's own data).
const authV1 = "/auth/v1"

func matrixOps() []matrixOp {
	id := func(p string) func(testing.TB, *fixtures, string) restCall {
		method, path, _ := strings.Cut(p, " ")
		return func(t testing.TB, f *fixtures, o string) restCall {
			u := f.machine(t, o)
			body := ""
			if method == "POST" || method == "PUT" {
				body = "{}"
			}
			return restCall{method, strings.ReplaceAll(path, "{id}", u), body}
		}
	}
	return append(withV2beta(append(append(orgOps(), []matrixOp{
		{name: "Healthz", global: true, prep: func(testing.TB, *fixtures, string) restCall { return restCall{"GET", v1 + "/healthz", ""} }},
		{name: "GetUserByID", prep: id("GET " + v1 + "/users/{id}")},
		{name: "ListUsers", prep: func(testing.TB, *fixtures, string) restCall {
			return restCall{"POST", v1 + "/users/_search", `{"query":{"limit":1000}}`}
		}, judge: judgeUserList},
		{name: "ListUserChanges", prep: id("POST " + v1 + "/users/{id}/changes/_search")},
		{name: "AddHumanUser", prep: func(t testing.TB, f *fixtures, o string) restCall {
			n := f.uniq("nh")
			return restCall{"POST", v1 + "/users/human", `{"userName":"` + n + `","profile":{"firstName":"F","lastName":"L"},"email":{"email":"` + n + `@example.com"}}`}
		}},
		{name: "ImportHumanUser", prep: func(t testing.TB, f *fixtures, o string) restCall {
			n := f.uniq("ih")
			return restCall{"POST", v1 + "/users/human/_import", `{"userName":"` + n + `","profile":{"firstName":"F","lastName":"L"},"email":{"email":"` + n + `@example.com"}}`}
		}},
		{name: "AddMachineUser", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/users/machine", `{"userName":"` + f.uniq("nm") + `","name":"N"}`}
		}},
		{name: "DeactivateUser", prep: id("POST " + v1 + "/users/{id}/_deactivate")},
		{name: "ReactivateUser", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/users/" + f.inactive(t, o) + "/_reactivate", `{}`}
		}},
		{name: "LockUser", prep: id("POST " + v1 + "/users/{id}/_lock")},
		{name: "UnlockUser", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/users/" + f.locked(t, o) + "/_unlock", `{}`}
		}},
		{name: "RemoveUser", prep: id("DELETE " + v1 + "/users/{id}")},
		{name: "SetHumanPassword", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/users/" + f.human(t, o) + "/password", `{"password":"Another-Horse-2","noChangeRequired":true}`}
		}},
		{name: "GenerateMachineSecret", prep: id("PUT " + v1 + "/users/{id}/secret")},
		{name: "RemoveMachineSecret", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"DELETE", v1 + "/users/" + f.withSecret(t, o) + "/secret", ""}
		}},
		{name: "GetMachineKeyByIDs", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u, k := f.withKey(t, o)
			return restCall{"GET", v1 + "/users/" + u + "/keys/" + k, ""}
		}},
		{name: "ListMachineKeys", prep: id("POST " + v1 + "/users/{id}/keys/_search")},
		{name: "AddMachineKey", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/users/" + f.machine(t, o) + "/keys", f.keyBody(t)}
		}},
		{name: "RemoveMachineKey", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u, k := f.withKey(t, o)
			return restCall{"DELETE", v1 + "/users/" + u + "/keys/" + k, ""}
		}},
		{name: "ListPersonalAccessTokens", prep: id("POST " + v1 + "/users/{id}/pats/_search")},
		{name: "AddPersonalAccessToken", prep: id("POST " + v1 + "/users/{id}/pats")},
		{name: "RemovePersonalAccessToken", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u, p := f.withPAT(t, o)
			return restCall{"DELETE", v1 + "/users/" + u + "/pats/" + p, ""}
		}},
		{name: "GetMyOrg", prep: func(testing.TB, *fixtures, string) restCall { return restCall{"GET", v1 + "/orgs/me", ""} }},
		{name: "AddOrg", global: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/orgs", `{"name":"` + f.uniq("org") + `"}`}
		}},
		{name: "ListOrgMembers", prep: func(testing.TB, *fixtures, string) restCall {
			return restCall{"POST", v1 + "/orgs/me/members/_search", `{}`}
		}},
		{name: "AddOrgMember", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/orgs/me/members", `{"userId":"` + f.machine(t, o) + `","roles":["ORG_OWNER_VIEWER"]}`}
		}},
		{name: "UpdateOrgMember", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"PUT", v1 + "/orgs/me/members/" + f.member(t, o), `{"roles":["ORG_PROJECT_PERMISSION_EDITOR"]}`}
		}},
		{name: "RemoveOrgMember", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"DELETE", v1 + "/orgs/me/members/" + f.member(t, o), ""}
		}},
		{name: "GetProjectByID", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"GET", v1 + "/projects/" + f.project(t, o), ""}
		}},
		{name: "ListProjects", prep: func(testing.TB, *fixtures, string) restCall { return restCall{"POST", v1 + "/projects/_search", `{}`} }, judge: judgeProjectList},
		{name: "AddProject", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/projects", `{"name":"` + f.uniq("np") + `"}`}
		}},
		{name: "UpdateProject", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"PUT", v1 + "/projects/" + f.project(t, o), `{"name":"` + f.uniq("renamed") + `"}`}
		}},
		{name: "RemoveProject", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"DELETE", v1 + "/projects/" + f.project(t, o), ""}
		}},
		{name: "GetAppByID", prep: func(t testing.TB, f *fixtures, o string) restCall {
			p, a := f.oidcApp(t, o)
			return restCall{"GET", v1 + "/projects/" + p + "/apps/" + a, ""}
		}},
		{name: "ListApps", prep: func(t testing.TB, f *fixtures, o string) restCall {
			p, _ := f.oidcApp(t, o)
			return restCall{"POST", v1 + "/projects/" + p + "/apps/_search", `{}`}
		}},
		{name: "AddOIDCApp", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/projects/" + f.project(t, o) + "/apps/oidc", f.oidcAppBody()}
		}},
		{name: "AddAPIApp", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/projects/" + f.project(t, o) + "/apps/api", f.apiAppBody()}
		}},
		{name: "UpdateApp", prep: func(t testing.TB, f *fixtures, o string) restCall {
			p, a := f.oidcApp(t, o)
			return restCall{"PUT", v1 + "/projects/" + p + "/apps/" + a, `{"name":"` + f.uniq("renamed") + `"}`}
		}},
		{name: "UpdateOIDCAppConfig", prep: func(t testing.TB, f *fixtures, o string) restCall {
			p, a := f.oidcApp(t, o)
			return restCall{"PUT", v1 + "/projects/" + p + "/apps/" + a + "/oidc_config", `{"redirectUris":["https://attacker.example/cb"]}`}
		}},
		{name: "UpdateAPIAppConfig", prep: func(t testing.TB, f *fixtures, o string) restCall {
			p, a := f.apiApp(t, o)
			return restCall{"PUT", v1 + "/projects/" + p + "/apps/" + a + "/api_config", `{"authMethodType":"API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"}`}
		}},
		{name: "RemoveApp", prep: func(t testing.TB, f *fixtures, o string) restCall {
			p, a := f.oidcApp(t, o)
			return restCall{"DELETE", v1 + "/projects/" + p + "/apps/" + a, ""}
		}},
		{name: "RegenerateOIDCClientSecret", prep: func(t testing.TB, f *fixtures, o string) restCall {
			p, a := f.oidcApp(t, o)
			return restCall{"POST", v1 + "/projects/" + p + "/apps/" + a + "/oidc_config/_generate_client_secret", `{}`}
		}},
		{name: "RegenerateAPIClientSecret", prep: func(t testing.TB, f *fixtures, o string) restCall {
			p, a := f.apiApp(t, o)
			return restCall{"POST", v1 + "/projects/" + p + "/apps/" + a + "/api_config/_generate_client_secret", `{}`}
		}},
		{name: "AddAppKey", prep: func(t testing.TB, f *fixtures, o string) restCall {
			p, a := f.keyApp(t, o)
			return restCall{"POST", v1 + "/projects/" + p + "/apps/" + a + "/keys", `{"type":"KEY_TYPE_JSON"}`}
		}},
		{name: "GetAppKey", prep: func(t testing.TB, f *fixtures, o string) restCall {
			p, a, k := f.withAppKey(t, o)
			return restCall{"GET", v1 + "/projects/" + p + "/apps/" + a + "/keys/" + k, ""}
		}},
		{name: "ListAppKeys", prep: func(t testing.TB, f *fixtures, o string) restCall {
			p, a := f.keyApp(t, o)
			return restCall{"POST", v1 + "/projects/" + p + "/apps/" + a + "/keys/_search", `{}`}
		}},
		{name: "RemoveAppKey", prep: func(t testing.TB, f *fixtures, o string) restCall {
			p, a, k := f.withAppKey(t, o)
			return restCall{"DELETE", v1 + "/projects/" + p + "/apps/" + a + "/keys/" + k, ""}
		}},
		{name: "GetLockoutPolicy", prep: func(testing.TB, *fixtures, string) restCall { return restCall{"GET", v1 + "/policies/lockout", ""} }},
		{name: "AddCustomLockoutPolicy", prep: func(t testing.TB, f *fixtures, o string) restCall {
			f.lockout(t, o, false)
			return restCall{"POST", v1 + "/policies/lockout", `{"maxPasswordAttempts":5}`}
		}},
		{name: "UpdateCustomLockoutPolicy", prep: func(t testing.TB, f *fixtures, o string) restCall {
			f.lockout(t, o, true)
			return restCall{"PUT", v1 + "/policies/lockout", fmt.Sprintf(`{"maxPasswordAttempts":%d}`, 20+f.n.Add(1)%50)}
		}},
		{name: "ResetLockoutPolicyToDefault", prep: func(t testing.TB, f *fixtures, o string) restCall {
			f.lockout(t, o, true)
			return restCall{"DELETE", v1 + "/policies/lockout", ""}
		}},

		// Auth v1: the caller's own data; ZITADEL asks only for authentication,
		// in any org context that exists.
		{name: "auth.Healthz", global: true, prep: fixed("GET", authV1+"/healthz", "")},
		{name: "auth.GetMyUser", prep: fixed("GET", authV1+"/users/me", "")},
		{name: "auth.GetSupportedLanguages", prep: fixed("GET", authV1+"/languages", "")},
		{name: "auth.ListMyMemberships", prep: fixed("POST", authV1+"/memberships/me/_search", `{}`)},
		{name: "auth.ListMyZitadelPermissions", prep: fixed("POST", authV1+"/permissions/zitadel/me/_search", "")},
		{name: "auth.ListMyUserChanges", prep: fixed("POST", authV1+"/users/me/changes/_search", `{}`)},
		{name: "auth.ListMyUserSessions", prep: fixed("POST", authV1+"/users/me/sessions/_search", `{}`)},
		{name: "auth.ListMyRefreshTokens", prep: fixed("POST", authV1+"/users/me/tokens/refresh/_search", `{}`)},
		// A machine caller has no refresh token: getting past authorization to
		// the use case's own NotFound is the allowed answer.
		{name: "auth.RevokeMyRefreshToken", prep: fixed("DELETE", authV1+"/users/me/tokens/refresh/1", ""), judge: judgeOwnNotFound("COMMAND-BHt2w")},
		{name: "auth.RevokeAllMyRefreshTokens", prep: fixed("POST", authV1+"/users/me/tokens/refresh/_revoke_all", `{}`)},
		{name: "auth.ListMyProjectOrgs", prep: fixed("POST", authV1+"/global/projectorgs/_search", `{}`)},
		{name: "auth.ListMyUserGrants", prep: fixed("POST", authV1+"/usergrants/me/_search", `{}`)},
		// A PAT names no app, so no project: the use case's NotFound.
		{name: "auth.ListMyProjectPermissions", prep: fixed("POST", authV1+"/permissions/me/_search", `{}`), judge: judgeOwnNotFound("QUERY-wIPkA")},

		{name: "v2.AddHumanUser", prep: func(t testing.TB, f *fixtures, o string) restCall {
			n := f.uniq("v2h")
			return restCall{"POST", "/v2/users/human", `{"username":"` + n + `","organization":{"orgId":"` + o + `"},"profile":{"givenName":"G","familyName":"F"},"email":{"email":"` + n + `@example.com"}}`}
		}},
		{name: "v2.GetUserByID", prep: id("GET /v2/users/{id}")},
		{name: "v2.ListUsers", prep: func(t testing.TB, f *fixtures, o string) restCall {
			// The whole org (the rows make over 100 users): the marker is on the page.
			return restCall{"POST", "/v2/users", `{"query":{"limit":1000},"queries":[{"organizationIdQuery":{"organizationId":"` + o + `"}}]}`}
		}, judge: judgeUserList},
		{name: "v2.DeactivateUser", prep: id("POST /v2/users/{id}/deactivate")},
		{name: "v2.ReactivateUser", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", "/v2/users/" + f.inactive(t, o) + "/reactivate", `{}`}
		}},
		{name: "v2.LockUser", prep: id("POST /v2/users/{id}/lock")},
		{name: "v2.UnlockUser", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", "/v2/users/" + f.locked(t, o) + "/unlock", `{}`}
		}},
		{name: "v2.DeleteUser", prep: id("DELETE /v2/users/{id}")},
		{name: "v2.SetPassword", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", "/v2/users/" + f.human(t, o) + "/password", `{"newPassword":{"password":"Another-Horse-2","changeRequired":false}}`}
		}},
	}...), slices.Concat(authzOps(), authzV2Ops(), projectV2Ops(), v2betaAuthzProjectOps(), projectMemberOps(), projectGrantOps(), orgV2Ops(), ipermMatrixOps(), orgDomainOps(), pwPolicyOps(), profileOps(), notificationPolicyOps(), smtpOps(), codeOps(), verifyOps(), smsOps(), emailProviderOps())...)), slices.Concat(metadataOps(), credsV2Ops(), messageTextOps(), userV2Ops(), inviteOps(), verifyV2OnlyOps())...)
}

// fixed is a call that names no object.
func fixed(method, path, body string) func(testing.TB, *fixtures, string) restCall {
	return func(testing.TB, *fixtures, string) restCall { return restCall{method, path, body} }
}

// judgeOwnNotFound: 403 is a refusal; the use case's own NotFound (id) means
// authorization let the call through.
func judgeOwnNotFound(id string) func(wardentest.Reply, markers) (verdict, string) {
	return func(r wardentest.Reply, _ markers) (verdict, string) {
		switch {
		case r.Status == 403:
			return verdictDenied, ""
		case r.Status == 404 && strings.Contains(r.Raw, id):
			return verdictAllowed, ""
		}
		return verdictDenied, fmt.Sprintf("status %d: %.300s", r.Status, r.Raw)
	}
}

// withV2beta adds a "v2beta." row for every "v2." row: the same call at the
// v2beta path (v2beta relays to v2, and its JSON is v2's), which must be
// judged as v2's.
func withV2beta(ops []matrixOp) []matrixOp {
	for _, op := range ops {
		if !strings.HasPrefix(op.name, "v2.") {
			continue
		}
		prep := op.prep
		op.name = "v2beta." + strings.TrimPrefix(op.name, "v2.")
		op.prep = func(t testing.TB, f *fixtures, o string) restCall {
			r := prep(t, f, o)
			r.path = "/v2beta/" + strings.TrimPrefix(r.path, "/v2/")
			if id, ok := strings.CutPrefix(r.path, "/v2beta/users/human/"); ok && r.method == "PUT" {
				r.path = "/v2beta/users/" + id // v2beta's UpdateHumanUser path
			}
			return r
		}
		ops = append(ops, op)
	}
	return ops
}

// v2Method is the UserService method of a "v2." or "v2beta." row ("" for v1).
func v2Method(name string) string {
	name, _, _ = strings.Cut(name, "#") // a second row of one method
	for _, p := range []string{"v2.", "v2beta."} {
		if m, ok := strings.CutPrefix(name, p); ok {
			return m
		}
	}
	return ""
}

// judgeUserList: 403, or a 200 without the target org's users, is a refusal
// (ZITADEL's v2 filters instead of refusing); a 200 with them is allowed; users
// of any other org are a leak.
func judgeUserList(r wardentest.Reply, m markers) (verdict, string) {
	if r.Status == 403 {
		return verdictDenied, ""
	}
	if r.Status != 200 {
		return verdictDenied, fmt.Sprintf("status %d: %s", r.Status, r.Raw)
	}
	res, _ := r.Body["result"].([]any)
	found := false
	for _, u := range res {
		um, _ := u.(map[string]any)
		id, _ := um["id"].(string)
		if id == "" {
			id, _ = um["userId"].(string)
		}
		owner := ""
		if d, ok := um["details"].(map[string]any); ok {
			owner, _ = d["resourceOwner"].(string)
		}
		if id == m.user {
			found = true
		}
		if owner != "" && owner != m.orgID {
			return verdictAllowed, "lists a user of another org: " + id
		}
	}
	if found {
		return verdictAllowed, ""
	}
	return verdictDenied, ""
}

// judgeProjectList: the org's marker project (made by the administrator) in
// the list means every project is readable; a 200 without it means only the
// caller's own.
func judgeProjectList(r wardentest.Reply, m markers) (verdict, string) {
	switch r.Status {
	case 403:
		return verdictDenied, ""
	case 200:
	default:
		return verdictDenied, fmt.Sprintf("status %d: %s", r.Status, r.Raw)
	}
	if strings.Contains(r.Raw, `"`+m.project+`"`) {
		return verdictAllowed, ""
	}
	return verdictOwnOnly, ""
}

// TestAuthorizationMatrix: every org role and instance role of ZITADEL's
// model (and a caller with no membership), as a machine user with a PAT,
// calls every served method of ManagementService v1, AuthService v1,
// UserService v2 and v2beta (v2's rows at v2beta's paths) over REST, and of
// AuthorizationService v2 and ProjectService v2 over Connect's JSON, on fresh
// objects of its own org and of a foreign one (x-zitadel-orgid for v1; for v2
// the org the body names or the object's own). Each answer must be what ZITADEL's
// role → permission table says, apart from the deviations listed above (none
// of which lets a caller do more than ZITADEL would, save the harmless ones
// explained); an org role never reaches into a foreign org (403).
func TestAuthorizationMatrix(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{AttemptsPerMinute: -1})
		f := newFixtures(e)
		ops := matrixOps()
		coverage(t, e, ops)

		roles := make([]string, 0, len(zitadelRoles))
		for r := range zitadelRoles {
			roles = append(roles, r)
		}
		sort.Strings(roles)
		var mu sync.Mutex
		var unexpected, broken, untrue, calls int
		seen := map[string]bool{}    // deviations that showed
		renamed := map[string]bool{} // methods Warden guards with another permission than ZITADEL
		t.Run("roles", func(t *testing.T) {
			// Every role at once (t.Run from goroutines, not t.Parallel, so
			// -parallel's limit does not apply): the store's group commit
			// then batches the fixtures' writes.
			var wg sync.WaitGroup
			defer wg.Wait()
			for _, role := range roles {
				name := role
				if name == "" {
					name = "NO_MEMBERSHIP"
				}
				wg.Add(1)
				go t.Run(name, func(t *testing.T) {
					defer wg.Done()
					f := f.fork()
					own, foreign := f.org(t, "own"), f.org(t, "foreign")
					mk := map[string]markers{}
					for _, o := range []string{own, foreign} {
						mk[o] = markers{orgID: o, user: f.machine(t, o), project: f.project(t, o)}
					}
					self, token := f.caller(t, own, role)
					f.self, f.role, f.own = self, role, own
					for _, op := range ops {
						for _, target := range []string{own, foreign} {
							isForeign := target == foreign
							if op.global && isForeign {
								continue
							}
							perm := v2Perms[v2Method(op.name)]
							if twin := v1Twin(op.name); twin != "" {
								perm = v1Perm(t, twin)
							} else if v2Method(op.name) == "" {
								perm = v1Perm(t, op.name)
							}
							want := expectation(role, perm, isForeign)
							rule, public := wardenRule(t, op.name)
							wardenWant := wardenExpectation(role, rule, public, isForeign)
							if op.judge == nil {
								// A single object the fixtures made (not the caller): ":self" does not reach it.
								if want == verdictOwnOnly {
									want = verdictDenied
								}
								if wardenWant == verdictOwnOnly {
									wardenWant = verdictDenied
								}
							}
							f.decoy = want == verdictDenied
							r := op.prep(t, f, target)
							f.decoy = false
							h := map[string]string{}
							if isForeign && strings.Contains(fullMethod(op.name), ".v1.") && !op.global {
								h["x-zitadel-orgid"] = foreign
							}
							for k, v := range f.hdr { // an org context of the row's own choosing
								h[k] = v
							}
							f.hdr = nil
							if strings.HasPrefix(r.path, authzV2) || strings.HasPrefix(r.path, projectV2) || v2betaTwin(r.path) != "" ||
								strings.HasPrefix(r.path, ipermV2) || strings.HasPrefix(r.path, ipermV2beta) {
								h["Connect-Protocol-Version"] = "1" // Connect's JSON, no REST mapping
							}
							tok := token
							if op.freshCaller {
								_, tok = f.caller(t, own, role)
							}
							rep := e.DoHeaders(t, r.method, r.path, tok, r.body, h)
							got, problem := verdictDenied, ""
							if op.judge != nil {
								got, problem = op.judge(rep, mk[target])
								if op.filtered && got == verdictDenied && problem == "" && wardenWant == verdictOwnOnly {
									got = verdictOwnOnly
								}
							} else {
								switch rep.Status {
								case 200:
									got = verdictAllowed
								case 403:
								default:
									problem = fmt.Sprintf("status %d: %.300s", rep.Status, rep.Raw)
								}
							}
							where := "own org"
							if isForeign {
								where = "foreign org"
							}
							key := role + " " + strings.Replace(op.name, "v2beta.", "v2.", 1) // v2beta is v2
							if twin := v1Twin(op.name); twin != "" {
								key = role + " " + twin // v1's deviations are its v2 twin's
							}
							dev, isDev := deviations[key]
							// No deviation lets an org role past its org.
							isDev = isDev && !(isForeign && !org.IsInstanceRole(role))
							mu.Lock()
							calls++
							if !public && rule.Perm != perm {
								renamed[fmt.Sprintf("%s: Warden %s (%s), ZITADEL %s", op.name, rule.Perm, rule.Where, perm)] = true
							}
							if problem == "" && got != wardenWant {
								untrue++
								t.Errorf("%s %s in %s (%s %s): Warden's permission table says %s (%s in %s), Warden answered %s",
									role, op.name, where, r.method, r.path, wardenWant, rule.Perm, rule.Where, got)
							}
							switch {
							case got == want && problem == "":
							case problem != "" && want == verdictDenied:
								unexpected++
								t.Errorf("UNEXPECTED ALLOW %s %s in %s (%s %s): ZITADEL refuses (%s), Warden did not refuse with 403: %s",
									role, op.name, where, r.method, r.path, perm, problem)
							case problem != "":
								broken++
								t.Errorf("%s %s in %s (%s %s) should be %s: %s", role, op.name, where, r.method, r.path, want, problem)
							case isDev && dev.stricter && got < want:
								seen[key] = true
							case isDev && !dev.stricter && want == verdictDenied && got == verdictAllowed:
								seen[key] = true
							case want == verdictDenied || (want == verdictOwnOnly && got == verdictAllowed):
								unexpected++
								t.Errorf("UNEXPECTED ALLOW %s %s in %s (%s %s): ZITADEL: %s (needs %s), Warden: %s",
									role, op.name, where, r.method, r.path, want, perm, got)
							default:
								broken++
								t.Errorf("%s %s in %s (%s %s): ZITADEL: %s (needs %s), Warden: %s (status %d %.200s)",
									role, op.name, where, r.method, r.path, want, perm, got, rep.Status, rep.Raw)
							}
							mu.Unlock()
						}
					}
				})
			}
		})
		var devs []string
		for k := range seen {
			devs = append(devs, k+": "+deviations[k].why)
		}
		sort.Strings(devs)
		var names []string
		for k := range renamed {
			names = append(names, k)
		}
		sort.Strings(names)
		t.Logf("%d calls; %d unexpected allows; %d wrong refusals or failures; %d answers other than Warden's permission table says; known deviations seen:\n  %s\nmethods Warden guards with a permission of another name:\n  %s",
			calls, unexpected, broken, untrue, strings.Join(devs, "\n  "), strings.Join(names, "\n  "))
		if unexpected != 0 {
			t.Errorf("%d unexpected allows", unexpected)
		}
	})
}

// coverage makes sure the matrix has a row for every served method: every
// other method of every ZITADEL service must answer Unimplemented, so a method
// served later without a row here fails this test.
func coverage(t *testing.T, e *env, ops []matrixOp) {
	t.Helper()
	inMatrix := map[string]bool{}
	for _, op := range ops {
		inMatrix[op.name] = true
	}
	var svcs []protoreflect.ServiceDescriptor
	protoregistry.GlobalFiles.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		for i := 0; i < fd.Services().Len(); i++ {
			if svc := fd.Services().Get(i); strings.HasPrefix(string(svc.FullName()), "zitadel.") {
				svcs = append(svcs, svc)
			}
		}
		return true
	})
	if len(svcs) < 30 {
		t.Fatalf("only %d ZITADEL services linked in", len(svcs))
	}
	for _, svc := range svcs {
		prefix := string(svc.FullName()) + "." // no rows: every method must be unserved
		switch svc.FullName() {
		case mgmt.File_zitadel_management_proto.Services().ByName("ManagementService").FullName():
			prefix = ""
		case userv2.File_zitadel_user_v2_user_service_proto.Services().ByName("UserService").FullName():
			prefix = "v2."
		case "zitadel.user.v2beta.UserService":
			prefix = "v2beta."
		case "zitadel.admin.v1.AdminService":
			prefix = "admin."
		case "zitadel.authorization.v2.AuthorizationService":
			prefix = "authz2."
		case "zitadel.project.v2.ProjectService":
			prefix = "proj2."
		case "zitadel.authorization.v2beta.AuthorizationService":
			prefix = "authzb."
		case "zitadel.project.v2beta.ProjectService":
			prefix = "projb."
		case "zitadel.org.v2.OrganizationService":
			prefix = "org2."
		case "zitadel.internal_permission.v2.InternalPermissionService":
			prefix = "iperm2."
		case "zitadel.internal_permission.v2beta.InternalPermissionService":
			prefix = "ipermb."
		case authpb.File_zitadel_auth_proto.Services().ByName("AuthService").FullName():
			prefix = "auth."
		}
		ms := svc.Methods()
		for i := 0; i < ms.Len(); i++ {
			m := ms.Get(i)
			if inMatrix[prefix+string(m.Name())] || inMatrix[prefix+string(m.Name())+"#org"] || m.IsStreamingClient() || m.IsStreamingServer() {
				continue
			}
			r := e.DoHeaders(t, "POST", "/"+string(svc.FullName())+"/"+string(m.Name()), e.Boot.Token, `{}`,
				map[string]string{"Connect-Protocol-Version": "1"})
			if r.Status != 501 {
				t.Errorf("%s/%s is served (status %d %.200s) but has no row in the authorization matrix", svc.Name(), m.Name(), r.Status, r.Raw)
			}
		}
	}
}

// TestForeignIDsAreNotFoundInOwnOrg: an org owner (and the IAM owner, whose
// roles reach every org) naming another org's user, token, key, project, app
// or member in its own org context — no x-zitadel-orgid — gets 404 for every
// v1 method, learns nothing, and changes nothing.
func TestForeignIDsAreNotFoundInOwnOrg(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{AttemptsPerMinute: -1})
		f := newFixtures(e)
		for _, role := range []string{"ORG_OWNER", "IAM_OWNER"} {
			t.Run(role, func(t *testing.T) {
				own, foreign := f.org(t, "own"), f.org(t, "foreign")
				_, token := f.caller(t, own, role)
				// The foreign org's objects.
				human := f.human(t, foreign)
				machine, patID := f.withPAT(t, foreign)
				keyOwner, keyID := f.withKey(t, foreign)
				secretUser := f.withSecret(t, foreign)
				locked := f.locked(t, foreign)
				inactive := f.inactive(t, foreign)
				project, app := f.oidcApp(t, foreign)
				apiProject, apiApp := f.apiApp(t, foreign)
				member := f.member(t, foreign)

				calls := []restCall{
					{"GET", v1 + "/users/" + human, ""},
					{"POST", v1 + "/users/" + human + "/changes/_search", `{}`},
					{"POST", v1 + "/users/" + machine + "/_lock", `{}`},
					{"POST", v1 + "/users/" + locked + "/_unlock", `{}`},
					{"POST", v1 + "/users/" + machine + "/_deactivate", `{}`},
					{"POST", v1 + "/users/" + inactive + "/_reactivate", `{}`},
					{"DELETE", v1 + "/users/" + machine, ""},
					{"POST", v1 + "/users/" + human + "/password", `{"password":"Another-Horse-2","noChangeRequired":true}`},
					{"POST", v1 + "/users/" + machine + "/pats", `{}`},
					{"POST", v1 + "/users/" + machine + "/pats/_search", `{}`},
					{"DELETE", v1 + "/users/" + machine + "/pats/" + patID, ""},
					{"PUT", v1 + "/users/" + machine + "/secret", `{}`},
					{"DELETE", v1 + "/users/" + secretUser + "/secret", ""},
					{"POST", v1 + "/users/" + keyOwner + "/keys", f.keyBody(t)},
					{"POST", v1 + "/users/" + keyOwner + "/keys/_search", `{}`},
					{"GET", v1 + "/users/" + keyOwner + "/keys/" + keyID, ""},
					{"DELETE", v1 + "/users/" + keyOwner + "/keys/" + keyID, ""},
					{"GET", v1 + "/projects/" + project, ""},
					{"PUT", v1 + "/projects/" + project, `{"name":"` + f.uniq("taken") + `"}`},
					{"POST", v1 + "/projects/" + project + "/apps/oidc", f.oidcAppBody()},
					{"POST", v1 + "/projects/" + project + "/apps/api", f.apiAppBody()},
					{"POST", v1 + "/projects/" + project + "/apps/_search", `{}`},
					{"GET", v1 + "/projects/" + project + "/apps/" + app, ""},
					{"PUT", v1 + "/projects/" + project + "/apps/" + app, `{"name":"` + f.uniq("taken") + `"}`},
					{"PUT", v1 + "/projects/" + project + "/apps/" + app + "/oidc_config", `{"redirectUris":["https://attacker.example/cb"]}`},
					{"POST", v1 + "/projects/" + project + "/apps/" + app + "/oidc_config/_generate_client_secret", `{}`},
					{"PUT", v1 + "/projects/" + apiProject + "/apps/" + apiApp + "/api_config", `{"authMethodType":"API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"}`},
					{"POST", v1 + "/projects/" + apiProject + "/apps/" + apiApp + "/api_config/_generate_client_secret", `{}`},
					{"DELETE", v1 + "/projects/" + project + "/apps/" + app, ""},
					{"DELETE", v1 + "/projects/" + project, ""},
					{"PUT", v1 + "/orgs/me/members/" + member, `{"roles":["ORG_OWNER"]}`},
					{"DELETE", v1 + "/orgs/me/members/" + member, ""},
				}
				creds := func() string {
					return fmt.Sprint(f.admin(t, foreign, "POST", v1+"/users/"+machine+"/pats/_search", `{}`).Body["result"],
						f.admin(t, foreign, "POST", v1+"/users/"+keyOwner+"/keys/_search", `{}`).Body["result"])
				}
				before, beforeCreds := snapshot(t, f, foreign), creds()
				for _, c := range calls {
					r := e.Do(t, c.method, c.path, token, c.body)
					if r.Status != 404 {
						t.Errorf("%s %s with another org's id in the own org context: %d %.300s, want 404", c.method, c.path, r.Status, r.Raw)
					}
				}
				if after := snapshot(t, f, foreign); after != before {
					t.Errorf("the foreign org changed:\nbefore %s\nafter  %s", before, after)
				}
				if after := creds(); after != beforeCreds {
					t.Errorf("the foreign org's PATs or keys changed:\nbefore %s\nafter  %s", beforeCreds, after)
				}
			})
		}
	})
}

// snapshot describes what an org holds (users with their states and
// sequences, projects and apps, members), as its IAM owner reads it.
func snapshot(t testing.TB, f *fixtures, orgID string) string {
	t.Helper()
	var b strings.Builder
	for _, p := range []string{"/users/_search", "/projects/_search", "/orgs/me/members/_search"} {
		r := f.admin(t, orgID, "POST", v1+p, `{"query":{"limit":1000}}`)
		res, _ := r.Body["result"].([]any)
		for _, x := range res {
			m, _ := x.(map[string]any)
			d, _ := m["details"].(map[string]any)
			fmt.Fprintf(&b, "%v/%v/%v/%v/%v ", m["id"], m["userId"], m["state"], d["sequence"], m["roles"])
			if id, _ := m["id"].(string); p == "/projects/_search" {
				apps := f.admin(t, orgID, "POST", v1+"/projects/"+id+"/apps/_search", `{}`)
				fmt.Fprintf(&b, "apps:%d ", len(apps.Body["result"].([]any)))
			}
		}
	}
	return b.String()
}

// TestNoSelfGrantOfHigherRoles: no caller can give itself, or anyone, a role
// above its own through the member methods — not an instance role (IAM_*) from
// an org owner or an instance org manager (no served method grants one), not a
// membership in an org it does not manage, not a role from a caller without
// org.member.write — and its memberships are exactly what they were.
func TestNoSelfGrantOfHigherRoles(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{AttemptsPerMinute: -1})
		f := newFixtures(e)
		own, foreign := f.org(t, "own"), f.org(t, "foreign")
		type attempt struct {
			method, path, body string
			foreign            bool
			want               int
		}
		for _, c := range []struct {
			role     string
			attempts func(self, other string) []attempt
		}{
			{"ORG_OWNER", func(self, other string) []attempt {
				return []attempt{
					{"PUT", "/orgs/me/members/" + self, `{"roles":["ORG_OWNER","IAM_OWNER"]}`, false, 400},
					{"PUT", "/orgs/me/members/" + self, `{"roles":["IAM_ORG_MANAGER"]}`, false, 400},
					{"POST", "/orgs/me/members", `{"userId":"` + other + `","roles":["IAM_OWNER"]}`, false, 400},
					{"POST", "/orgs/me/members", `{"userId":"` + other + `","roles":["IAM_USER_MANAGER"]}`, false, 400},
					{"POST", "/orgs/me/members", `{"userId":"` + other + `","roles":["SYSTEM_OWNER"]}`, false, 400},
					{"POST", "/orgs/me/members", `{"userId":"` + self + `","roles":["ORG_OWNER"]}`, true, 403},
					{"POST", "/orgs", `{"name":"` + f.uniq("mine") + `"}`, false, 403},
				}
			}},
			{"ORG_USER_MANAGER", func(self, other string) []attempt {
				return []attempt{
					{"POST", "/orgs/me/members", `{"userId":"` + self + `","roles":["ORG_OWNER"]}`, false, 403},
					{"PUT", "/orgs/me/members/" + self, `{"roles":["ORG_OWNER"]}`, false, 403},
					{"POST", "/orgs/me/members", `{"userId":"` + other + `","roles":["ORG_OWNER"]}`, false, 403},
				}
			}},
			{"ORG_PROJECT_CREATOR", func(self, other string) []attempt {
				return []attempt{
					{"PUT", "/orgs/me/members/" + self, `{"roles":["ORG_OWNER"]}`, false, 403},
					{"POST", "/orgs/me/members", `{"userId":"` + other + `","roles":["ORG_PROJECT_CREATOR"]}`, false, 403},
				}
			}},
			{"ORG_OWNER_VIEWER", func(self, other string) []attempt {
				return []attempt{
					{"PUT", "/orgs/me/members/" + self, `{"roles":["ORG_OWNER"]}`, false, 403},
					{"DELETE", "/orgs/me/members/" + other, "", false, 403},
				}
			}},
			{"IAM_USER_MANAGER", func(self, other string) []attempt {
				return []attempt{
					{"POST", "/orgs/me/members", `{"userId":"` + self + `","roles":["ORG_OWNER"]}`, false, 403},
					{"POST", "/orgs/me/members", `{"userId":"` + self + `","roles":["ORG_OWNER"]}`, true, 403},
				}
			}},
			{"IAM_ORG_MANAGER", func(self, other string) []attempt {
				return []attempt{
					{"POST", "/orgs/me/members", `{"userId":"` + self + `","roles":["IAM_OWNER"]}`, false, 400},
					{"POST", "/orgs/me/members", `{"userId":"` + other + `","roles":["IAM_OWNER"]}`, true, 400},
				}
			}},
		} {
			t.Run(c.role, func(t *testing.T) {
				self, token := f.caller(t, own, c.role)
				other := f.member(t, own)
				memberships := func() string {
					ms, err := e.Store.MembershipsOf(t.Context(), self)
					if err != nil {
						t.Fatal(err)
					}
					var out []string
					for _, m := range ms {
						out = append(out, m.OrgID+":"+strings.Join(m.Roles, ","))
					}
					sort.Strings(out)
					return strings.Join(out, " ")
				}
				otherRoles := func() string {
					m, err := e.Store.Member(t.Context(), own, other)
					if err != nil {
						t.Fatal(err)
					}
					return strings.Join(m.Roles, ",")
				}
				before, otherBefore := memberships(), otherRoles()
				for _, a := range c.attempts(self, other) {
					h := map[string]string{}
					if a.foreign {
						h["x-zitadel-orgid"] = foreign
					}
					r := e.DoHeaders(t, a.method, v1+a.path, token, a.body, h)
					if r.Status != a.want {
						t.Errorf("%s %s %s (foreign org: %v): %d %.200s, want %d", a.method, a.path, a.body, a.foreign, r.Status, r.Raw, a.want)
					}
				}
				if after := memberships(); after != before {
					t.Errorf("the caller's memberships changed: %s → %s", before, after)
				}
				if after := otherRoles(); after != otherBefore {
					t.Errorf("the other member's roles changed: %s → %s", otherBefore, after)
				}
				if _, err := e.Store.Member(t.Context(), foreign, self); err == nil {
					t.Errorf("the caller became a member of the foreign org")
				}
			})
		}
	})
}
