package compat

// The calls ZITADEL's Terraform provider (github.com/zitadel/terraform-provider-zitadel,
// its zitadel/<resource>/funcs.go) makes for each resource, replayed in its order
// with its request fields and its org header, since the provider itself cannot be
// installed here. Each step is named after the provider function it mirrors; a
// tfState holds what that function would write into the Terraform state, so
// "no drift" is: a second read gives the same tfState, and the fields the
// configuration sets (org_id, roles, ...) come back as configured.

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	adminclient "github.com/zitadel/zitadel-go/v3/pkg/client/admin"
	mgmtclient "github.com/zitadel/zitadel-go/v3/pkg/client/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/middleware"
	orgv2client "github.com/zitadel/zitadel-go/v3/pkg/client/org/v2"
	userv2client "github.com/zitadel/zitadel-go/v3/pkg/client/user/v2"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/admin"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/authn"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/member"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	orgpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	projectpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/project"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// tfState is one resource's Terraform state: its id and attributes.
// A nil tfState is a resource the provider dropped (d.SetId("")).
type tfState map[string]any

// tfCtx is helper.CtxWithOrgID: the provider always sends x-zitadel-orgid,
// the empty string when org_id is not configured.
func tfCtx(t testing.TB, org string) context.Context {
	return middleware.SetOrgID(ctx(t), org)
}

// tfGone is helper.IgnoreIfNotFoundError on a read: NotFound drops the
// resource from the state; any other error fails the plan.
func tfGone(t testing.TB, what string, err error) bool {
	t.Helper()
	if err == nil {
		return false
	}
	if status.Code(err) == codes.NotFound {
		return true
	}
	t.Fatalf("%s: the provider fails on %v (only NotFound drops a resource)", what, err)
	return false
}

// tfGeneratedID is helper.ZitadelGeneratedIdOnlyRegex: every id part of an
// import string goes through helper.ConvertID, which accepts exactly this.
var tfGeneratedID = regexp.MustCompile(`^\d{18}$`)

// tfImport is the importer: it checks each id the way helper.ConvertID does
// and fails where `terraform import` would refuse the string.
func tfImport(t testing.TB, resource string, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if !tfGeneratedID.MatchString(id) {
			t.Fatalf("terraform import %s: id %q does not match %s", resource, id, tfGeneratedID)
		}
	}
}

// randDigits is n random decimal digits.
func randDigits(n int) string {
	var b strings.Builder
	for _, c := range randHex(n) {
		b.WriteByte('0' + byte(c)%10)
	}
	return b.String()[:n]
}

// tfSet is a TypeSet of strings as the state compares it: order does not count.
func tfSet(v []string) []string {
	out := slices.Clone(v)
	if out == nil {
		out = []string{}
	}
	slices.Sort(out)
	return out
}

// wantTF fails unless got equals want attribute by attribute (a plan with
// no changes; a nil state is a resource that is gone).
func wantTF(t testing.TB, what string, got, want tfState) {
	t.Helper()
	if (got == nil) != (want == nil) {
		t.Fatalf("%s: state %v, want %v", what, got, want)
	}
	keys := slices.Sorted(maps.Keys(want))
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	var diffs []string
	for _, k := range keys {
		if g, w := fmt.Sprint(got[k]), fmt.Sprint(want[k]); g != w {
			diffs = append(diffs, fmt.Sprintf("%s: %s → %s", k, w, g))
		}
	}
	if len(diffs) > 0 {
		t.Fatalf("%s: drift: %s", what, strings.Join(diffs, "; "))
	}
}

// tfSetup is what the configurations below depend on: an org of their own
// (so a missing org header would show) and users in it.
type tfSetup struct {
	mgmt   management.ManagementServiceClient
	adm    admin.AdminServiceClient
	orgs   orgv2.OrganizationServiceClient
	userV2 userv2.UserServiceClient // helper.GetUserV2Client
	org    string
	users  []string
}

func newTFSetup(t *testing.T, s *server, users int) *tfSetup {
	t.Helper()
	st := tfProvider(t, s)
	o, err := st.orgs.AddOrganization(ctx(t), &orgv2.AddOrganizationRequest{Name: unique("tf")})
	mustOK(t, "AddOrganization", err)
	st.org = o.GetOrganizationId()
	for range users {
		m, err := st.mgmt.AddMachineUser(tfCtx(t, st.org), &management.AddMachineUserRequest{UserName: unique("tf-user"), Name: "tf"})
		mustOK(t, "AddMachineUser", err)
		st.users = append(st.users, m.GetUserId())
	}
	return st
}

// tfProvider builds the clients as the provider does (helper/client.go:
// GetClientInfo with insecure and jwt_profile_file, then GetManagementClient,
// GetAdminClient, GetOrgV2Client), signed in as a service account that is
// IAM_OWNER, the usual Terraform setup.
func tfProvider(t *testing.T, s *server) *tfSetup {
	t.Helper()
	admin0 := s.mgmt(t, s.adminPAT)
	sa := addMachine(t, admin0, unique("terraform"))
	_, err := s.admin(t, s.adminPAT).AddIAMMember(ctx(t), &admin.AddIAMMemberRequest{UserId: sa, Roles: []string{"IAM_OWNER"}})
	mustOK(t, "AddIAMMember IAM_OWNER", err)
	key, err := admin0.AddMachineKey(ctx(t), &management.AddMachineKeyRequest{UserId: sa, Type: authn.KeyType_KEY_TYPE_JSON})
	mustOK(t, "AddMachineKey", err)
	keyFile := filepath.Join(t.TempDir(), "terraform-key.json")
	if err := os.WriteFile(keyFile, key.GetKeyDetails(), 0o600); err != nil {
		t.Fatal(err)
	}
	issuer, api := s.issuer(), s.addr
	scopes := []string{oidc.ScopeOpenID, zitadel.ScopeZitadelAPI()}
	opts := func() []zitadel.Option {
		return []zitadel.Option{zitadel.WithInsecure(), zitadel.WithJWTProfileTokenSource(middleware.JWTProfileFromPath(context.Background(), keyFile))}
	}
	mc, err := mgmtclient.NewClient(ctx(t), issuer, api, scopes, opts()...)
	mustOK(t, "management.NewClient", err)
	ac, err := adminclient.NewClient(ctx(t), issuer, api, scopes, opts()...)
	mustOK(t, "admin.NewClient", err)
	oc, err := orgv2client.NewClient(ctx(t), issuer, api, scopes, opts()...)
	mustOK(t, "org v2 NewClient", err)
	uc, err := userv2client.NewClient(ctx(t), issuer, api, scopes, opts()...)
	mustOK(t, "user v2 NewClient", err)
	t.Cleanup(func() { mc.Connection.Close(); ac.Connection.Close(); oc.Connection.Close(); uc.Connection.Close() })
	return &tfSetup{mgmt: mc, adm: ac, orgs: oc, userV2: uc}
}

// tfProject is zitadel_project's create (project/funcs.go) with the fields the
// configurations below use.
func (st *tfSetup) project(t testing.TB, org string, roles ...string) string {
	t.Helper()
	p, err := st.mgmt.AddProject(tfCtx(t, org), &management.AddProjectRequest{Name: unique("tf-project"), ProjectRoleCheck: true, HasProjectCheck: true})
	mustOK(t, "AddProject", err)
	for _, r := range roles {
		_, err := st.mgmt.AddProjectRole(tfCtx(t, org), &management.AddProjectRoleRequest{ProjectId: p.GetId(), RoleKey: r, DisplayName: r})
		mustOK(t, "AddProjectRole "+r, err)
	}
	return p.GetId()
}

// TestTerraformOrg: zitadel_org (org/funcs.go): create is org v2
// AddOrganization (admins by user id) and, for is_default, admin
// SetDefaultOrg; read is admin GetOrgByID and GetDefaultOrg; update is org v2
// UpdateOrganization; delete is org v2 DeleteOrganization; import by id.
func TestTerraformOrg(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		st := newTFSetup(t, s, 0)
		admUser := addMachine(t, st.mgmt, unique("tf-admin"))
		def, err := st.adm.GetDefaultOrg(ctx(t), &admin.GetDefaultOrgRequest{})
		mustOK(t, "GetDefaultOrg", err)
		origDefault := def.GetOrg().GetId()
		t.Cleanup(func() { // the instance's default org is shared by every test
			_, _ = st.adm.SetDefaultOrg(context.Background(), &admin.SetDefaultOrgRequest{OrgId: origDefault})
		})

		// create
		name := unique("tf-org")
		add, err := st.orgs.AddOrganization(ctx(t), &orgv2.AddOrganizationRequest{Name: name, Admins: []*orgv2.AddOrganizationRequest_Admin{
			{UserType: &orgv2.AddOrganizationRequest_Admin_UserId{UserId: admUser}, Roles: []string{"ORG_OWNER"}},
		}})
		mustOK(t, "create: AddOrganization", err)
		id := add.GetOrganizationId()

		// get
		get := func(id string) tfState {
			t.Helper()
			r, err := st.adm.GetOrgByID(ctx(t), &admin.GetOrgByIDRequest{Id: id})
			if tfGone(t, "get: GetOrgByID", err) {
				return nil
			}
			o := r.GetOrg()
			d, err := st.adm.GetDefaultOrg(ctx(t), &admin.GetDefaultOrgRequest{})
			mustOK(t, "get: GetDefaultOrg", err)
			return tfState{"id": o.GetId(), "name": o.GetName(), "primary_domain": o.GetPrimaryDomain(),
				"state": orgpb.OrgState_name[int32(o.GetState())], "is_default": d.GetOrg().GetId() == o.GetId()}
		}
		applied := get(id)
		wantTF(t, "get after create", applied, tfState{"id": id, "name": name, "primary_domain": applied["primary_domain"],
			"state": "ORG_STATE_ACTIVE", "is_default": false})
		wantTF(t, "plan", get(id), applied)
		m, err := st.mgmt.ListOrgMembers(tfCtx(t, id), &management.ListOrgMembersRequest{})
		mustOK(t, "ListOrgMembers of the new org", err)
		if len(m.GetResult()) != 1 || m.GetResult()[0].GetUserId() != admUser || !slices.Equal(m.GetResult()[0].GetRoles(), []string{"ORG_OWNER"}) {
			t.Fatalf("the admins of AddOrganization: %v", m.GetResult())
		}

		// update: name
		renamed := unique("tf-org-renamed")
		_, err = st.orgs.UpdateOrganization(ctx(t), &orgv2.UpdateOrganizationRequest{OrganizationId: id, Name: renamed})
		mustOK(t, "update: UpdateOrganization", err)
		applied["name"] = renamed
		// primary_domain is computed: the generated domain follows the new name
		got := get(id)
		applied["primary_domain"] = got["primary_domain"]
		wantTF(t, "get after update", got, applied)
		wantTF(t, "plan after update", get(id), applied)

		// update: is_default = true
		_, err = st.adm.SetDefaultOrg(ctx(t), &admin.SetDefaultOrgRequest{OrgId: id})
		mustOK(t, "update: SetDefaultOrg", err)
		applied["is_default"] = true
		wantTF(t, "get after is_default", get(id), applied)

		// import
		tfImport(t, "zitadel_org", id)
		wantTF(t, "get after import", get(id), applied)

		// delete (of a default org ZITADEL refuses too: make another the default first)
		_, err = st.adm.SetDefaultOrg(ctx(t), &admin.SetDefaultOrgRequest{OrgId: origDefault})
		mustOK(t, "SetDefaultOrg back", err)
		_, err = st.orgs.DeleteOrganization(ctx(t), &orgv2.DeleteOrganizationRequest{OrganizationId: id})
		mustOK(t, "delete: DeleteOrganization", err)
		wantTF(t, "get after delete", get(id), nil)
	})
}

// TestTerraformOrganization: zitadel_organization (organization/funcs.go),
// org v2 only: create is AddOrganization (with org_id and admins), read is
// ListOrganizations with an id query (no result drops it), update is
// UpdateOrganization, delete DeleteOrganization; import by id.
func TestTerraformOrganization(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		st := newTFSetup(t, s, 0)
		admUser := addMachine(t, st.mgmt, unique("tf-admin"))

		// create, with a configured org_id (ForceNew; ZITADEL's are 18 digits)
		name, orgID := unique("tf-organization"), "77"+randDigits(16)
		add, err := st.orgs.AddOrganization(ctx(t), &orgv2.AddOrganizationRequest{Name: name, OrganizationId: &orgID, Admins: []*orgv2.AddOrganizationRequest_Admin{
			{UserType: &orgv2.AddOrganizationRequest_Admin_UserId{UserId: admUser}},
		}})
		mustOK(t, "create: AddOrganization", err)
		id := add.GetOrganizationId()
		if id != orgID {
			t.Fatalf("create: AddOrganization gave id %q, org_id is %q", id, orgID)
		}
		// an admin without roles is ORG_OWNER (the provider's schema says so)
		m, err := st.mgmt.ListOrgMembers(tfCtx(t, id), &management.ListOrgMembersRequest{})
		mustOK(t, "ListOrgMembers of the new org", err)
		if len(m.GetResult()) != 1 || m.GetResult()[0].GetUserId() != admUser || !slices.Equal(m.GetResult()[0].GetRoles(), []string{"ORG_OWNER"}) {
			t.Fatalf("the admins of AddOrganization: %v", m.GetResult())
		}

		// get
		get := func(id string) tfState {
			t.Helper()
			r, err := st.orgs.ListOrganizations(ctx(t), &orgv2.ListOrganizationsRequest{Queries: []*orgv2.SearchQuery{
				{Query: &orgv2.SearchQuery_IdQuery{IdQuery: &orgv2.OrganizationIDQuery{Id: id}}}}})
			if tfGone(t, "get: ListOrganizations", err) || len(r.GetResult()) == 0 {
				return nil
			}
			o := r.GetResult()[0]
			return tfState{"id": o.GetId(), "name": o.GetName(), "primary_domain": o.GetPrimaryDomain(),
				"state": orgv2.OrganizationState_name[int32(o.GetState())]}
		}
		applied := get(id)
		wantTF(t, "get after create", applied, tfState{"id": id, "name": name, "primary_domain": applied["primary_domain"],
			"state": "ORGANIZATION_STATE_ACTIVE"})
		wantTF(t, "plan", get(id), applied)

		// update
		renamed := unique("tf-organization-renamed")
		_, err = st.orgs.UpdateOrganization(ctx(t), &orgv2.UpdateOrganizationRequest{OrganizationId: id, Name: renamed})
		mustOK(t, "update: UpdateOrganization", err)
		applied["name"] = renamed
		// primary_domain is computed: the generated domain follows the new name
		got := get(id)
		applied["primary_domain"] = got["primary_domain"]
		wantTF(t, "get after update", got, applied)
		wantTF(t, "plan after update", get(id), applied)

		// import
		tfImport(t, "zitadel_organization", id)
		wantTF(t, "get after import", get(id), applied)

		// delete
		_, err = st.orgs.DeleteOrganization(ctx(t), &orgv2.DeleteOrganizationRequest{OrganizationId: id})
		mustOK(t, "delete: DeleteOrganization", err)
		wantTF(t, "get after delete", get(id), nil)
	})
}

// TestTerraformProject: zitadel_project (project/funcs.go) with
// has_project_check and project_role_check: AddProject, GetProjectByID (org_id
// is read back from details.resource_owner), UpdateProject with every field,
// RemoveProject; import "project_id[:org_id]". All in x-zitadel-orgid = org_id,
// also when org_id is not configured (the empty header: the caller's org).
func TestTerraformProject(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		st := newTFSetup(t, s, 0)
		home := myOrg(t, st.mgmt)
		for _, org := range []string{st.org, ""} {
			t.Run("org_id="+org, func(t *testing.T) {
				wantOrg := org
				if org == "" {
					wantOrg = home
				}
				// create
				name := unique("tf-project")
				cr, err := st.mgmt.AddProject(tfCtx(t, org), &management.AddProjectRequest{Name: name, ProjectRoleAssertion: true,
					ProjectRoleCheck: true, HasProjectCheck: true, PrivateLabelingSetting: projectpb.PrivateLabelingSetting(projectpb.PrivateLabelingSetting_value["PRIVATE_LABELING_SETTING_UNSPECIFIED"])})
				mustOK(t, "create: AddProject", err)
				id := cr.GetId()

				// read
				read := func(org, id string) tfState {
					t.Helper()
					r, err := st.mgmt.GetProjectByID(tfCtx(t, org), &management.GetProjectByIDRequest{Id: id})
					if tfGone(t, "read: GetProjectByID", err) {
						return nil
					}
					p := r.GetProject()
					return tfState{"id": p.GetId(), "org_id": p.GetDetails().GetResourceOwner(), "state": p.GetState().String(), "name": p.GetName(),
						"project_role_assertion": p.GetProjectRoleAssertion(), "project_role_check": p.GetProjectRoleCheck(),
						"has_project_check": p.GetHasProjectCheck(), "private_labeling_setting": p.GetPrivateLabelingSetting().String()}
				}
				applied := read(org, id)
				wantTF(t, "read after create", applied, tfState{"id": id, "org_id": wantOrg, "state": "PROJECT_STATE_ACTIVE", "name": name,
					"project_role_assertion": true, "project_role_check": true, "has_project_check": true,
					"private_labeling_setting": "PRIVATE_LABELING_SETTING_UNSPECIFIED"})
				wantTF(t, "plan", read(org, id), applied)

				// update
				renamed := unique("tf-project-renamed")
				_, err = st.mgmt.UpdateProject(tfCtx(t, org), &management.UpdateProjectRequest{Id: id, Name: renamed, ProjectRoleCheck: false,
					ProjectRoleAssertion: true, HasProjectCheck: true,
					PrivateLabelingSetting: projectpb.PrivateLabelingSetting_PRIVATE_LABELING_SETTING_ENFORCE_PROJECT_RESOURCE_OWNER_POLICY})
				mustOK(t, "update: UpdateProject", err)
				applied["name"], applied["project_role_check"] = renamed, false
				applied["private_labeling_setting"] = "PRIVATE_LABELING_SETTING_ENFORCE_PROJECT_RESOURCE_OWNER_POLICY"
				wantTF(t, "read after update", read(org, id), applied)

				// import "project_id:org_id": the read runs in the org the string names
				tfImport(t, "zitadel_project", id)
				wantTF(t, "read after import", read(wantOrg, id), applied)

				// delete
				_, err = st.mgmt.RemoveProject(tfCtx(t, org), &management.RemoveProjectRequest{Id: id})
				mustOK(t, "delete: RemoveProject", err)
				wantTF(t, "read after delete", read(org, id), nil)
			})
		}
		// the org removed outside Terraform: refresh must drop the project, not fail
		t.Run("org gone", func(t *testing.T) {
			gone := newTFSetup(t, s, 0)
			pid := gone.project(t, gone.org)
			_, err := st.orgs.DeleteOrganization(ctx(t), &orgv2.DeleteOrganizationRequest{OrganizationId: gone.org})
			mustOK(t, "DeleteOrganization", err)
			r, err := st.mgmt.GetProjectByID(tfCtx(t, gone.org), &management.GetProjectByIDRequest{Id: pid})
			if !tfGone(t, "read: GetProjectByID in a removed org", err) {
				t.Fatalf("read: GetProjectByID in a removed org: %v", r)
			}
		})
	})
}

// TestTerraformProjectRole: zitadel_project_role (project_role/funcs.go):
// AddProjectRole, read by ListProjectRoles with an EQUALS key query (any error
// or anything but exactly one result drops it), UpdateProjectRole,
// RemoveProjectRole; import "project_id:role_key[:org_id]".
func TestTerraformProjectRole(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		st := newTFSetup(t, s, 0)
		org := st.org
		pid := st.project(t, org, "read.all") // a key the EQUALS query must not match
		stateID := func(key string) string { return org + "_" + pid + "_" + key }

		// create
		_, err := st.mgmt.AddProjectRole(tfCtx(t, org), &management.AddProjectRoleRequest{ProjectId: pid, RoleKey: "read", DisplayName: "Read", Group: "docs"})
		mustOK(t, "create: AddProjectRole", err)

		// read
		read := func(key string) tfState {
			t.Helper()
			r, err := st.mgmt.ListProjectRoles(tfCtx(t, org), &management.ListProjectRolesRequest{ProjectId: pid, Queries: []*projectpb.RoleQuery{
				{Query: &projectpb.RoleQuery_KeyQuery{KeyQuery: &projectpb.RoleKeyQuery{Key: key, Method: object.TextQueryMethod_TEXT_QUERY_METHOD_EQUALS}}}}})
			if err != nil || len(r.GetResult()) != 1 {
				return nil
			}
			role := r.GetResult()[0]
			return tfState{"id": stateID(role.GetKey()), "project_id": pid, "org_id": org, "role_key": role.GetKey(),
				"display_name": role.GetDisplayName(), "group": role.GetGroup()}
		}
		applied := read("read")
		wantTF(t, "read after create", applied, tfState{"id": stateID("read"), "project_id": pid, "org_id": org, "role_key": "read",
			"display_name": "Read", "group": "docs"})
		wantTF(t, "plan", read("read"), applied)

		// update
		_, err = st.mgmt.UpdateProjectRole(tfCtx(t, org), &management.UpdateProjectRoleRequest{ProjectId: pid, RoleKey: "read", DisplayName: "Reader", Group: ""})
		mustOK(t, "update: UpdateProjectRole", err)
		applied["display_name"], applied["group"] = "Reader", ""
		wantTF(t, "read after update", read("read"), applied)

		// import
		tfImport(t, "zitadel_project_role", pid)
		wantTF(t, "read after import", read("read"), applied)

		// delete
		_, err = st.mgmt.RemoveProjectRole(tfCtx(t, org), &management.RemoveProjectRoleRequest{ProjectId: pid, RoleKey: "read"})
		mustOK(t, "delete: RemoveProjectRole", err)
		wantTF(t, "read after delete", read("read"), nil)
		if read("read.all") == nil {
			t.Fatal("the other role went with the deleted one")
		}
	})
}

// TestTerraformUserGrant: zitadel_user_grant (user_grant/funcs.go):
// AddUserGrant, GetUserGrantByID (org_id from details.resource_owner; project
// or project grant id as set), UpdateUserGrant, RemoveUserGrant; import
// "grant_id:user_id[:org_id]". Once on the org's own project, once on a
// project granted to it (project_grant_id, in the granted org).
func TestTerraformUserGrant(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		st := newTFSetup(t, s, 1)
		owner := newTFSetup(t, s, 0)
		own := st.project(t, st.org, "reader", "writer")
		granted := owner.project(t, owner.org, "reader", "writer", "admin")
		pg, err := st.mgmt.AddProjectGrant(tfCtx(t, owner.org), &management.AddProjectGrantRequest{ProjectId: granted, GrantedOrgId: st.org, RoleKeys: []string{"reader", "writer"}})
		mustOK(t, "AddProjectGrant", err)
		for _, c := range []struct{ name, project, grant string }{{"own project", own, ""}, {"project grant", granted, pg.GetGrantId()}} {
			t.Run(c.name, func(t *testing.T) {
				org, uid := st.org, st.users[0]
				// create
				cr, err := st.mgmt.AddUserGrant(tfCtx(t, org), &management.AddUserGrantRequest{UserId: uid, ProjectGrantId: c.grant, ProjectId: c.project,
					RoleKeys: []string{"reader"}})
				mustOK(t, "create: AddUserGrant", err)
				id := cr.GetUserGrantId()

				// read
				read := func() tfState {
					t.Helper()
					r, err := st.mgmt.GetUserGrantByID(tfCtx(t, org), &management.GetUserGrantByIDRequest{GrantId: id, UserId: uid})
					if tfGone(t, "read: GetUserGrantByID", err) {
						return nil
					}
					g := r.GetUserGrant()
					out := tfState{"id": g.GetId(), "user_id": g.GetUserId(), "role_keys": tfSet(g.GetRoleKeys()), "org_id": g.GetDetails().GetResourceOwner(),
						"project_id": c.project, "project_grant_id": c.grant} // configured; read overwrites them only when set
					if g.GetProjectId() != "" {
						out["project_id"] = g.GetProjectId()
					}
					if g.GetProjectGrantId() != "" {
						out["project_grant_id"] = g.GetProjectGrantId()
					}
					return out
				}
				applied := read()
				wantTF(t, "read after create", applied, tfState{"id": id, "user_id": uid, "role_keys": []string{"reader"}, "org_id": org,
					"project_id": c.project, "project_grant_id": c.grant})
				wantTF(t, "plan", read(), applied)

				// update
				_, err = st.mgmt.UpdateUserGrant(tfCtx(t, org), &management.UpdateUserGrantRequest{GrantId: id, UserId: uid, RoleKeys: []string{"writer", "reader"}})
				mustOK(t, "update: UpdateUserGrant", err)
				applied["role_keys"] = []string{"reader", "writer"}
				wantTF(t, "read after update", read(), applied)

				// import
				tfImport(t, "zitadel_user_grant", id, uid)
				wantTF(t, "read after import", read(), applied)

				// delete
				_, err = st.mgmt.RemoveUserGrant(tfCtx(t, org), &management.RemoveUserGrantRequest{GrantId: id, UserId: uid})
				mustOK(t, "delete: RemoveUserGrant", err)
				wantTF(t, "read after delete", read(), nil)
			})
		}
	})
}

// TestTerraformProjectMember: zitadel_project_member (project_member/funcs.go):
// AddProjectMember, read by ListProjectMembers with a user id query (exactly
// one result, org_id from details.resource_owner), UpdateProjectMember,
// RemoveProjectMember; import "project_id:user_id[:org_id]".
func TestTerraformProjectMember(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		st := newTFSetup(t, s, 2)
		org, uid := st.org, st.users[0]
		pid := st.project(t, org)
		// another member, so that the user id query has something to leave out
		_, err := st.mgmt.AddProjectMember(tfCtx(t, org), &management.AddProjectMemberRequest{UserId: st.users[1], ProjectId: pid, Roles: []string{"PROJECT_OWNER"}})
		mustOK(t, "AddProjectMember", err)

		// create
		_, err = st.mgmt.AddProjectMember(tfCtx(t, org), &management.AddProjectMemberRequest{UserId: uid, ProjectId: pid, Roles: []string{"PROJECT_OWNER_VIEWER"}})
		mustOK(t, "create: AddProjectMember", err)

		// read
		read := func() tfState {
			t.Helper()
			r, err := st.mgmt.ListProjectMembers(tfCtx(t, org), &management.ListProjectMembersRequest{ProjectId: pid, Queries: []*member.SearchQuery{
				{Query: &member.SearchQuery_UserIdQuery{UserIdQuery: &member.UserIDQuery{UserId: uid}}}}})
			if tfGone(t, "read: ListProjectMembers", err) || len(r.GetResult()) != 1 {
				return nil
			}
			m := r.GetResult()[0]
			return tfState{"id": org + "_" + pid + "_" + uid, "user_id": m.GetUserId(), "org_id": m.GetDetails().GetResourceOwner(),
				"project_id": pid, "roles": tfSet(m.GetRoles())}
		}
		applied := read()
		wantTF(t, "read after create", applied, tfState{"id": org + "_" + pid + "_" + uid, "user_id": uid, "org_id": org, "project_id": pid,
			"roles": []string{"PROJECT_OWNER_VIEWER"}})
		wantTF(t, "plan", read(), applied)

		// update
		_, err = st.mgmt.UpdateProjectMember(tfCtx(t, org), &management.UpdateProjectMemberRequest{UserId: uid, Roles: []string{"PROJECT_OWNER"}, ProjectId: pid})
		mustOK(t, "update: UpdateProjectMember", err)
		applied["roles"] = []string{"PROJECT_OWNER"}
		wantTF(t, "read after update", read(), applied)

		// import
		tfImport(t, "zitadel_project_member", pid, uid)
		wantTF(t, "read after import", read(), applied)

		// delete
		_, err = st.mgmt.RemoveProjectMember(tfCtx(t, org), &management.RemoveProjectMemberRequest{UserId: uid, ProjectId: pid})
		mustOK(t, "delete: RemoveProjectMember", err)
		wantTF(t, "read after delete", read(), nil)
	})
}

// TestTerraformProjectGrant: zitadel_project_grant (project_grant/funcs.go):
// AddProjectGrant, GetProjectGrantByID (org_id from details.resource_owner:
// the project's org), UpdateProjectGrant, RemoveProjectGrant; import
// "grant_id:project_id[:org_id]".
func TestTerraformProjectGrant(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		st := newTFSetup(t, s, 0)
		granted := newTFSetup(t, s, 0)
		org := st.org
		pid := st.project(t, org, "reader", "writer")

		// create
		cr, err := st.mgmt.AddProjectGrant(tfCtx(t, org), &management.AddProjectGrantRequest{GrantedOrgId: granted.org, ProjectId: pid, RoleKeys: []string{"reader"}})
		mustOK(t, "create: AddProjectGrant", err)
		id := cr.GetGrantId()

		// read
		read := func() tfState {
			t.Helper()
			r, err := st.mgmt.GetProjectGrantByID(tfCtx(t, org), &management.GetProjectGrantByIDRequest{ProjectId: pid, GrantId: id})
			if tfGone(t, "read: GetProjectGrantByID", err) {
				return nil
			}
			g := r.GetProjectGrant()
			return tfState{"id": g.GetGrantId(), "project_id": g.GetProjectId(), "granted_org_id": g.GetGrantedOrgId(),
				"role_keys": tfSet(g.GetGrantedRoleKeys()), "org_id": g.GetDetails().GetResourceOwner()}
		}
		applied := read()
		wantTF(t, "read after create", applied, tfState{"id": id, "project_id": pid, "granted_org_id": granted.org, "role_keys": []string{"reader"}, "org_id": org})
		wantTF(t, "plan", read(), applied)

		// update
		_, err = st.mgmt.UpdateProjectGrant(tfCtx(t, org), &management.UpdateProjectGrantRequest{GrantId: id, ProjectId: pid, RoleKeys: []string{"reader", "writer"}})
		mustOK(t, "update: UpdateProjectGrant", err)
		applied["role_keys"] = []string{"reader", "writer"}
		wantTF(t, "read after update", read(), applied)

		// import
		tfImport(t, "zitadel_project_grant", id, pid)
		wantTF(t, "read after import", read(), applied)

		// delete
		_, err = st.mgmt.RemoveProjectGrant(tfCtx(t, org), &management.RemoveProjectGrantRequest{GrantId: id, ProjectId: pid})
		mustOK(t, "delete: RemoveProjectGrant", err)
		wantTF(t, "read after delete", read(), nil)
	})
}

// TestTerraformProjectGrantMember: zitadel_project_grant_member
// (project_grant_member/funcs.go), in the project's org: AddProjectGrantMember,
// read by ListProjectGrantMembers with a user id query (exactly one result;
// only roles come from the answer), UpdateProjectGrantMember,
// RemoveProjectGrantMember; import "project_id:grant_id:user_id[:org_id]".
func TestTerraformProjectGrantMember(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		st := newTFSetup(t, s, 0)
		granted := newTFSetup(t, s, 2)
		org, uid := st.org, granted.users[0]
		pid := st.project(t, org, "reader")
		pg, err := st.mgmt.AddProjectGrant(tfCtx(t, org), &management.AddProjectGrantRequest{GrantedOrgId: granted.org, ProjectId: pid, RoleKeys: []string{"reader"}})
		mustOK(t, "AddProjectGrant", err)
		gid := pg.GetGrantId()
		_, err = st.mgmt.AddProjectGrantMember(tfCtx(t, org), &management.AddProjectGrantMemberRequest{UserId: granted.users[1], ProjectId: pid, GrantId: gid,
			Roles: []string{"PROJECT_GRANT_OWNER"}})
		mustOK(t, "AddProjectGrantMember", err)
		stateID := org + "_" + pid + "_" + gid + "_" + uid

		// create
		_, err = st.mgmt.AddProjectGrantMember(tfCtx(t, org), &management.AddProjectGrantMemberRequest{UserId: uid, ProjectId: pid, GrantId: gid,
			Roles: []string{"PROJECT_GRANT_OWNER_VIEWER"}})
		mustOK(t, "create: AddProjectGrantMember", err)

		// read
		read := func() tfState {
			t.Helper()
			r, err := st.mgmt.ListProjectGrantMembers(tfCtx(t, org), &management.ListProjectGrantMembersRequest{ProjectId: pid, GrantId: gid,
				Queries: []*member.SearchQuery{{Query: &member.SearchQuery_UserIdQuery{UserIdQuery: &member.UserIDQuery{UserId: uid}}}}})
			if tfGone(t, "read: ListProjectGrantMembers", err) || len(r.GetResult()) != 1 {
				return nil
			}
			return tfState{"id": stateID, "user_id": uid, "org_id": org, "project_id": pid, "grant_id": gid, "roles": tfSet(r.GetResult()[0].GetRoles())}
		}
		applied := read()
		wantTF(t, "read after create", applied, tfState{"id": stateID, "user_id": uid, "org_id": org, "project_id": pid, "grant_id": gid,
			"roles": []string{"PROJECT_GRANT_OWNER_VIEWER"}})
		wantTF(t, "plan", read(), applied)

		// update
		_, err = st.mgmt.UpdateProjectGrantMember(tfCtx(t, org), &management.UpdateProjectGrantMemberRequest{UserId: uid, Roles: []string{"PROJECT_GRANT_OWNER"},
			ProjectId: pid, GrantId: gid})
		mustOK(t, "update: UpdateProjectGrantMember", err)
		applied["roles"] = []string{"PROJECT_GRANT_OWNER"}
		wantTF(t, "read after update", read(), applied)

		// import
		tfImport(t, "zitadel_project_grant_member", pid, gid, uid)
		wantTF(t, "read after import", read(), applied)

		// delete
		_, err = st.mgmt.RemoveProjectGrantMember(tfCtx(t, org), &management.RemoveProjectGrantMemberRequest{UserId: uid, ProjectId: pid, GrantId: gid})
		mustOK(t, "delete: RemoveProjectGrantMember", err)
		wantTF(t, "read after delete", read(), nil)
	})
}

// TestTerraformOrgMember: zitadel_org_member (org_member/funcs.go):
// AddOrgMember, read by ListOrgMembers with a user id query (exactly one
// result, org_id from details.resource_owner), UpdateOrgMember,
// RemoveOrgMember; import "user_id[:org_id]".
func TestTerraformOrgMember(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		st := newTFSetup(t, s, 2)
		org, uid := st.org, st.users[0]
		_, err := st.mgmt.AddOrgMember(tfCtx(t, org), &management.AddOrgMemberRequest{UserId: st.users[1], Roles: []string{"ORG_OWNER"}})
		mustOK(t, "AddOrgMember", err)

		// create
		_, err = st.mgmt.AddOrgMember(tfCtx(t, org), &management.AddOrgMemberRequest{UserId: uid, Roles: []string{"ORG_USER_MANAGER", "ORG_OWNER_VIEWER"}})
		mustOK(t, "create: AddOrgMember", err)

		// read
		read := func() tfState {
			t.Helper()
			r, err := st.mgmt.ListOrgMembers(tfCtx(t, org), &management.ListOrgMembersRequest{Queries: []*member.SearchQuery{
				{Query: &member.SearchQuery_UserIdQuery{UserIdQuery: &member.UserIDQuery{UserId: uid}}}}})
			if tfGone(t, "read: ListOrgMembers", err) || len(r.GetResult()) != 1 {
				return nil
			}
			m := r.GetResult()[0]
			return tfState{"id": org + "_" + uid, "user_id": m.GetUserId(), "org_id": m.GetDetails().GetResourceOwner(), "roles": tfSet(m.GetRoles())}
		}
		applied := read()
		wantTF(t, "read after create", applied, tfState{"id": org + "_" + uid, "user_id": uid, "org_id": org,
			"roles": []string{"ORG_OWNER_VIEWER", "ORG_USER_MANAGER"}})
		wantTF(t, "plan", read(), applied)

		// update
		_, err = st.mgmt.UpdateOrgMember(tfCtx(t, org), &management.UpdateOrgMemberRequest{UserId: uid, Roles: []string{"ORG_USER_MANAGER"}})
		mustOK(t, "update: UpdateOrgMember", err)
		applied["roles"] = []string{"ORG_USER_MANAGER"}
		wantTF(t, "read after update", read(), applied)

		// import
		tfImport(t, "zitadel_org_member", uid)
		wantTF(t, "read after import", read(), applied)

		// delete
		_, err = st.mgmt.RemoveOrgMember(tfCtx(t, org), &management.RemoveOrgMemberRequest{UserId: uid})
		mustOK(t, "delete: RemoveOrgMember", err)
		wantTF(t, "read after delete", read(), nil)
	})
}

// TestTerraformInstanceMember: zitadel_instance_member
// (instance_member/funcs.go), no org header: AddIAMMember (the state id is
// details.resource_owner + "_" + user_id), read by ListIAMMembers with a user
// id query (exactly one result; the id again from its details.resource_owner),
// UpdateIAMMember, RemoveIAMMember; import "user_id".
func TestTerraformInstanceMember(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		st := newTFSetup(t, s, 1)
		uid := st.users[0]

		// create
		cr, err := st.adm.AddIAMMember(ctx(t), &admin.AddIAMMemberRequest{UserId: uid, Roles: []string{"IAM_OWNER_VIEWER"}})
		mustOK(t, "create: AddIAMMember", err)
		stateID := cr.GetDetails().GetResourceOwner() + "_" + uid
		if cr.GetDetails().GetResourceOwner() == "" {
			t.Fatal("create: AddIAMMember: no details.resource_owner (the state id's first half)")
		}

		// read
		read := func() tfState {
			t.Helper()
			r, err := st.adm.ListIAMMembers(ctx(t), &admin.ListIAMMembersRequest{Queries: []*member.SearchQuery{
				{Query: &member.SearchQuery_UserIdQuery{UserIdQuery: &member.UserIDQuery{UserId: uid}}}}})
			if tfGone(t, "read: ListIAMMembers", err) || len(r.GetResult()) != 1 {
				return nil
			}
			m := r.GetResult()[0]
			return tfState{"id": m.GetDetails().GetResourceOwner() + "_" + uid, "user_id": m.GetUserId(), "roles": tfSet(m.GetRoles())}
		}
		applied := read()
		wantTF(t, "read after create", applied, tfState{"id": stateID, "user_id": uid, "roles": []string{"IAM_OWNER_VIEWER"}})
		wantTF(t, "plan", read(), applied)

		// update
		_, err = st.adm.UpdateIAMMember(ctx(t), &admin.UpdateIAMMemberRequest{UserId: uid, Roles: []string{"IAM_USER_MANAGER", "IAM_OWNER_VIEWER"}})
		mustOK(t, "update: UpdateIAMMember", err)
		applied["roles"] = []string{"IAM_OWNER_VIEWER", "IAM_USER_MANAGER"}
		wantTF(t, "read after update", read(), applied)

		// import
		tfImport(t, "zitadel_instance_member", uid)
		wantTF(t, "read after import", read(), applied)

		// delete
		_, err = st.adm.RemoveIAMMember(ctx(t), &admin.RemoveIAMMemberRequest{UserId: uid})
		mustOK(t, "delete: RemoveIAMMember", err)
		wantTF(t, "read after delete", read(), nil)
	})
}

// TestTerraformParentGone: a refresh after the project or the org a resource
// lives in was removed outside Terraform must drop the resource (NotFound or
// no result), not fail the plan: each provider read of the resources above,
// once its parent is gone.
func TestTerraformParentGone(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		st := newTFSetup(t, s, 1)
		granted := newTFSetup(t, s, 1)
		org, uid, guid := st.org, st.users[0], granted.users[0]
		pid := st.project(t, org, "reader")
		pg, err := st.mgmt.AddProjectGrant(tfCtx(t, org), &management.AddProjectGrantRequest{GrantedOrgId: granted.org, ProjectId: pid, RoleKeys: []string{"reader"}})
		mustOK(t, "AddProjectGrant", err)
		gid := pg.GetGrantId()
		_, err = st.mgmt.AddProjectMember(tfCtx(t, org), &management.AddProjectMemberRequest{UserId: uid, ProjectId: pid, Roles: []string{"PROJECT_OWNER"}})
		mustOK(t, "AddProjectMember", err)
		_, err = st.mgmt.AddProjectGrantMember(tfCtx(t, org), &management.AddProjectGrantMemberRequest{UserId: guid, ProjectId: pid, GrantId: gid, Roles: []string{"PROJECT_GRANT_OWNER"}})
		mustOK(t, "AddProjectGrantMember", err)
		ug, err := st.mgmt.AddUserGrant(tfCtx(t, org), &management.AddUserGrantRequest{UserId: uid, ProjectId: pid, RoleKeys: []string{"reader"}})
		mustOK(t, "AddUserGrant", err)
		_, err = st.mgmt.AddOrgMember(tfCtx(t, org), &management.AddOrgMemberRequest{UserId: uid, Roles: []string{"ORG_USER_MANAGER"}})
		mustOK(t, "AddOrgMember", err)
		byUser := func(id string) []*member.SearchQuery {
			return []*member.SearchQuery{{Query: &member.SearchQuery_UserIdQuery{UserIdQuery: &member.UserIDQuery{UserId: id}}}}
		}
		reads := func(t *testing.T) map[string]func() bool { // each: is the resource gone?
			return map[string]func() bool{
				"zitadel_project_role": func() bool {
					r, err := st.mgmt.ListProjectRoles(tfCtx(t, org), &management.ListProjectRolesRequest{ProjectId: pid, Queries: []*projectpb.RoleQuery{
						{Query: &projectpb.RoleQuery_KeyQuery{KeyQuery: &projectpb.RoleKeyQuery{Key: "reader", Method: object.TextQueryMethod_TEXT_QUERY_METHOD_EQUALS}}}}})
					return err != nil || len(r.GetResult()) != 1
				},
				"zitadel_project_member": func() bool {
					r, err := st.mgmt.ListProjectMembers(tfCtx(t, org), &management.ListProjectMembersRequest{ProjectId: pid, Queries: byUser(uid)})
					return tfGone(t, "ListProjectMembers", err) || len(r.GetResult()) != 1
				},
				"zitadel_project_grant": func() bool {
					_, err := st.mgmt.GetProjectGrantByID(tfCtx(t, org), &management.GetProjectGrantByIDRequest{ProjectId: pid, GrantId: gid})
					return tfGone(t, "GetProjectGrantByID", err)
				},
				"zitadel_project_grant_member": func() bool {
					r, err := st.mgmt.ListProjectGrantMembers(tfCtx(t, org), &management.ListProjectGrantMembersRequest{ProjectId: pid, GrantId: gid, Queries: byUser(guid)})
					return tfGone(t, "ListProjectGrantMembers", err) || len(r.GetResult()) != 1
				},
				"zitadel_user_grant": func() bool {
					_, err := st.mgmt.GetUserGrantByID(tfCtx(t, org), &management.GetUserGrantByIDRequest{GrantId: ug.GetUserGrantId(), UserId: uid})
					return tfGone(t, "GetUserGrantByID", err)
				},
				"zitadel_org_member": func() bool {
					r, err := st.mgmt.ListOrgMembers(tfCtx(t, org), &management.ListOrgMembersRequest{Queries: byUser(uid)})
					return tfGone(t, "ListOrgMembers", err) || len(r.GetResult()) != 1
				},
			}
		}
		t.Run("all there", func(t *testing.T) {
			for name, gone := range reads(t) {
				if gone() {
					t.Errorf("%s: dropped before anything was removed", name)
				}
			}
		})
		t.Run("project removed", func(t *testing.T) {
			_, err := st.mgmt.RemoveProject(tfCtx(t, org), &management.RemoveProjectRequest{Id: pid})
			mustOK(t, "RemoveProject", err)
			for name, gone := range reads(t) {
				if name != "zitadel_org_member" && !gone() {
					t.Errorf("%s: still read after its project was removed", name)
				}
			}
		})
		t.Run("org removed", func(t *testing.T) {
			_, err := st.orgs.DeleteOrganization(ctx(t), &orgv2.DeleteOrganizationRequest{OrganizationId: org})
			mustOK(t, "DeleteOrganization", err)
			for name, gone := range reads(t) {
				if !gone() {
					t.Errorf("%s: still read after its org was removed", name)
				}
			}
		})
	})
}

// TestTerraformPersonalAccessToken: zitadel_personal_access_token
// (pat/funcs.go), in the org context of org_id: AddPersonalAccessToken (the
// state id is the token id, the token kept once), read by
// GetPersonalAccessTokenByIDs (expiration_date as RFC 3339 of the answer,
// NotFound drops it), RemovePersonalAccessToken. Without an expiration the
// read gives ZITADEL's 9999-12-31T23:59:59Z, the provider's default.
func TestTerraformPersonalAccessToken(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		st := newTFSetup(t, s, 0)
		org := st.org
		bot, err := st.mgmt.AddMachineUser(tfCtx(t, org), &management.AddMachineUserRequest{UserName: unique("tf-bot"), Name: "Bot"})
		mustOK(t, "AddMachineUser", err)
		uid := bot.GetUserId()
		for _, exp := range []string{"", "2519-02-04T00:00:00Z"} {
			// create
			req := &management.AddPersonalAccessTokenRequest{UserId: uid}
			if exp != "" {
				at, _ := time.Parse(time.RFC3339, exp)
				req.ExpirationDate = timestamppb.New(at)
			}
			add, err := st.mgmt.AddPersonalAccessToken(tfCtx(t, org), req)
			mustOK(t, "create: AddPersonalAccessToken", err)
			id := add.GetTokenId()
			if add.GetToken() == "" {
				t.Fatal("create: no token")
			}
			// read
			read := func() tfState {
				t.Helper()
				r, err := st.mgmt.GetPersonalAccessTokenByIDs(tfCtx(t, org), &management.GetPersonalAccessTokenByIDsRequest{UserId: uid, TokenId: id})
				if tfGone(t, "read: GetPersonalAccessTokenByIDs", err) {
					return nil
				}
				return tfState{"id": r.GetToken().GetId(), "user_id": uid, "org_id": org,
					"expiration_date": r.GetToken().GetExpirationDate().AsTime().Format(time.RFC3339)}
			}
			want := exp
			if want == "" {
				want = "9999-12-31T23:59:59Z"
			}
			applied := read()
			wantTF(t, "read after create", applied, tfState{"id": id, "user_id": uid, "org_id": org, "expiration_date": want})
			wantTF(t, "plan", read(), applied)
			// delete
			_, err = st.mgmt.RemovePersonalAccessToken(tfCtx(t, org), &management.RemovePersonalAccessTokenRequest{UserId: uid, TokenId: id})
			mustOK(t, "delete: RemovePersonalAccessToken", err)
			wantTF(t, "read after delete", read(), nil)
		}
	})
}

// TestTerraformSMTPConfig replays zitadel_smtp_config (zitadel/smtp_config/funcs.go):
// create is AddSMTPConfig (the id is the answer's) and, with set_active,
// ActivateSMTPConfig; read is GetSMTPConfigById (the password stays the
// state's); update is UpdateSMTPConfig (no password) and, when it changed,
// UpdateSMTPConfigPassword; delete is RemoveSMTPConfig.
func TestTerraformSMTPConfig(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		st := newTFSetup(t, s, 0)
		add, err := st.adm.AddSMTPConfig(ctx(t), &admin.AddSMTPConfigRequest{SenderAddress: "noreply@example.com", SenderName: "Warden",
			Host: "smtp.example.com:587", User: "mailer", Tls: false, Password: "tf-secret", ReplyToAddress: "reply@example.com"})
		mustOK(t, "create: AddSMTPConfig", err)
		id := add.GetId()
		_, err = st.adm.ActivateSMTPConfig(ctx(t), &admin.ActivateSMTPConfigRequest{Id: id})
		mustOK(t, "create: ActivateSMTPConfig", err)
		read := func() tfState {
			t.Helper()
			r, err := st.adm.GetSMTPConfigById(ctx(t), &admin.GetSMTPConfigByIdRequest{Id: id})
			if tfGone(t, "read: GetSMTPConfigById", err) {
				return nil
			}
			c := r.GetSmtpConfig()
			return tfState{"id": c.GetId(), "sender_address": c.GetSenderAddress(), "sender_name": c.GetSenderName(), "tls": fmt.Sprint(c.GetTls()),
				"host": c.GetHost(), "user": c.GetUser(), "password": "tf-secret", "reply_to_address": c.GetReplyToAddress()}
		}
		applied := read()
		wantTF(t, "read after create", applied, tfState{"id": id, "sender_address": "noreply@example.com", "sender_name": "Warden", "tls": "false",
			"host": "smtp.example.com:587", "user": "mailer", "password": "tf-secret", "reply_to_address": "reply@example.com"})
		wantTF(t, "plan", read(), applied)

		_, err = st.adm.UpdateSMTPConfig(ctx(t), &admin.UpdateSMTPConfigRequest{Id: id, SenderAddress: "noreply@example.com", SenderName: "Warden Mail",
			Host: "smtp.example.com:465", Tls: true, User: "mailer", ReplyToAddress: "reply@example.com"})
		mustOK(t, "update: UpdateSMTPConfig", err)
		_, err = st.adm.UpdateSMTPConfigPassword(ctx(t), &admin.UpdateSMTPConfigPasswordRequest{Id: id, Password: "tf-secret-2"})
		mustOK(t, "update: UpdateSMTPConfigPassword", err)
		_, err = st.adm.ActivateSMTPConfig(ctx(t), &admin.ActivateSMTPConfigRequest{Id: id}) // password changed and set_active
		if status.Code(err) != codes.FailedPrecondition {
			t.Fatalf("update: ActivateSMTPConfig of the active one: %v (the provider fails the apply on it, as on ZITADEL)", err)
		}
		applied["sender_name"], applied["host"], applied["tls"] = "Warden Mail", "smtp.example.com:465", "true"
		wantTF(t, "read after update", read(), applied)

		_, err = st.adm.RemoveSMTPConfig(ctx(t), &admin.RemoveSMTPConfigRequest{Id: id})
		mustOK(t, "delete: RemoveSMTPConfig", err)
		wantTF(t, "read after delete", read(), nil)
	})
}

// TestTerraformSMSProviderHTTP replays zitadel_sms_provider_http
// (zitadel/sms_provider_http/funcs.go): create is AddSMSProviderHTTP (the
// signing key goes into the state) and, with set_active,
// ActivateSMSProvider; read is GetSMSProvider (endpoint and description;
// signing key and set_active stay the state's); update is
// UpdateSMSProviderHTTP; delete is RemoveSMSProvider.
func TestTerraformSMSProviderHTTP(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		st := newTFSetup(t, s, 0)
		add, err := st.adm.AddSMSProviderHTTP(ctx(t), &admin.AddSMSProviderHTTPRequest{Endpoint: "https://sms.example.com/hook", Description: "tf"})
		mustOK(t, "create: AddSMSProviderHTTP", err)
		id, key := add.GetId(), add.GetSigningKey()
		if key == "" {
			t.Fatal("create: no signing_key")
		}
		_, err = st.adm.ActivateSMSProvider(ctx(t), &admin.ActivateSMSProviderRequest{Id: id})
		mustOK(t, "create: ActivateSMSProvider", err)
		read := func() tfState {
			t.Helper()
			r, err := st.adm.GetSMSProvider(ctx(t), &admin.GetSMSProviderRequest{Id: id})
			if tfGone(t, "read: GetSMSProvider", err) {
				return nil
			}
			return tfState{"id": r.GetConfig().GetId(), "endpoint": r.GetConfig().GetHttp().GetEndpoint(), "description": r.GetConfig().GetDescription(),
				"signing_key": key, "set_active": "true"}
		}
		applied := read()
		wantTF(t, "read after create", applied, tfState{"id": id, "endpoint": "https://sms.example.com/hook", "description": "tf", "signing_key": key, "set_active": "true"})
		wantTF(t, "plan", read(), applied)
		tfImport(t, "zitadel_sms_provider_http", id)

		_, err = st.adm.UpdateSMSProviderHTTP(ctx(t), &admin.UpdateSMSProviderHTTPRequest{Id: id, Endpoint: "https://sms.example.com/hook2", Description: "tf 2"})
		mustOK(t, "update: UpdateSMSProviderHTTP", err)
		applied["endpoint"], applied["description"] = "https://sms.example.com/hook2", "tf 2"
		wantTF(t, "read after update", read(), applied)

		_, err = st.adm.RemoveSMSProvider(ctx(t), &admin.RemoveSMSProviderRequest{Id: id})
		mustOK(t, "delete: RemoveSMSProvider", err)
		wantTF(t, "read after delete", read(), nil)
	})
}
