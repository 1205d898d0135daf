package server_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"
	authzv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/authorization/v2beta"
	filterv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2beta"
	projectv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/project/v2beta"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

const (
	authzBeta   = "/zitadel.authorization.v2beta.AuthorizationService/"
	projectBeta = "/zitadel.project.v2beta.ProjectService/"
)

// call2beta calls a v2beta method over gRPC (grpc-go) or Connect's JSON
// (connect-go) with the given token.
func call2beta[Req, Res any, PReq interface {
	*Req
	proto.Message
}, PRes interface {
	*Res
	proto.Message
}](t *testing.T, e *env, p, method, token string, req PReq) (PRes, *rpcErr) {
	t.Helper()
	if p == "gRPC" {
		res := PRes(new(Res))
		if err := e.grpcConn().Invoke(e.authCtx(token), method, req, res); err != nil {
			st := status.Convert(err)
			return nil, &rpcErr{st.Code(), st.Message()}
		}
		return res, nil
	}
	c := connect.NewClient[Req, Res](http.DefaultClient, e.base+method, connect.WithProtoJSON())
	r := connect.NewRequest((*Req)(req))
	r.Header().Set("Authorization", "Bearer "+token)
	out, err := c.CallUnary(context.Background(), r)
	if err != nil {
		var ce *connect.Error
		if !errors.As(err, &ce) {
			t.Fatalf("%s %s: %v", p, method, err)
		}
		return nil, &rpcErr{codes.Code(ce.Code()), ce.Message()}
	}
	return PRes(out.Msg), nil
}

// must2beta is call2beta that must succeed.
func must2beta[Req, Res any, PReq interface {
	*Req
	proto.Message
}, PRes interface {
	*Res
	proto.Message
}](t *testing.T, e *env, p, method, token string, req PReq) PRes {
	t.Helper()
	out, err := call2beta[Req, Res, PReq, PRes](t, e, p, method, token, req)
	if err != nil {
		t.Fatalf("%s %s: %v", p, method, err)
	}
	return out
}

// TestAuthorizationAndProjectV2beta: every served method of the v2beta
// Authorization and Project services over gRPC and Connect on both engines,
// with v2beta's names (id, project_role_check, has_project_check, the flat
// Authorization, its user_id filter) landing where v2 keeps them; an unknown
// admin on CreateProject refused with nothing written; project grants with
// v2beta's filter names; and the owner of another org refused every change and
// listing nothing of this org.
func TestAuthorizationAndProjectV2beta(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			other, attacker := e.ownerOfNewOrg("evil", "ORG_OWNER")
			for _, p := range []string{"gRPC", "Connect"} {
				tok := e.token
				pname := "Beta " + p
				_, rerr := call2beta[projectv2beta.CreateProjectRequest, projectv2beta.CreateProjectResponse](t, e, p, projectBeta+"CreateProject", tok,
					&projectv2beta.CreateProjectRequest{OrganizationId: e.orgID, Name: pname, Admins: []*projectv2beta.CreateProjectRequest_Admin{{UserId: "1", Roles: []string{"PROJECT_OWNER"}}}})
				wantErr(t, "admins", rerr, codes.NotFound, "WARDEN-MEMBERUSER") // no user "1"
				named := []*projectv2beta.ProjectSearchFilter{{Filter: &projectv2beta.ProjectSearchFilter_ProjectNameFilter{ProjectNameFilter: &projectv2beta.ProjectNameFilter{ProjectName: pname}}}}
				if l := must2beta[projectv2beta.ListProjectsRequest, projectv2beta.ListProjectsResponse](t, e, p, projectBeta+"ListProjects", tok,
					&projectv2beta.ListProjectsRequest{Filters: named}); len(l.GetProjects()) != 0 {
					t.Fatalf("%s: refused admins left a project: %v", p, l)
				}
				cr := must2beta[projectv2beta.CreateProjectRequest, projectv2beta.CreateProjectResponse](t, e, p, projectBeta+"CreateProject", tok,
					&projectv2beta.CreateProjectRequest{OrganizationId: e.orgID, Name: pname, ProjectRoleAssertion: true})
				pid := cr.GetId()
				if pid == "" || cr.GetCreationDate() == nil {
					t.Fatalf("%s: create %v", p, cr)
				}
				yes := true
				must2beta[projectv2beta.UpdateProjectRequest, projectv2beta.UpdateProjectResponse](t, e, p, projectBeta+"UpdateProject", tok,
					&projectv2beta.UpdateProjectRequest{Id: pid, ProjectRoleCheck: &yes, HasProjectCheck: &yes})
				if s := e.storedProject(t, pid); !s.RoleCheck || !s.HasProjectCheck || !s.RoleAssertion {
					t.Fatalf("%s: stored after update %+v", p, s)
				}
				g := must2beta[projectv2beta.GetProjectRequest, projectv2beta.GetProjectResponse](t, e, p, projectBeta+"GetProject", tok, &projectv2beta.GetProjectRequest{Id: pid}).GetProject()
				if g.GetId() != pid || g.GetName() != pname || g.GetOrganizationId() != e.orgID || !g.GetAuthorizationRequired() || !g.GetProjectAccessRequired() ||
					g.GetState() != projectv2beta.ProjectState_PROJECT_STATE_ACTIVE {
					t.Fatalf("%s: get %v", p, g)
				}
				// REST too, at v2beta's annotated paths, in v2beta's JSON names.
				if r := e.must(e.admin("GET", "/v2beta/projects/"+pid, ""), 200); r.str("project", "id") != pid || r.body["project"].(map[string]any)["authorizationRequired"] != true {
					t.Fatalf("REST get: %s", r.raw)
				}
				if r := e.admin("POST", "/v2beta/projects", `{"organizationId":"`+e.orgID+`","name":"x","admins":[{"userId":"1"}]}`); r.status != 404 || !strings.Contains(r.raw, "WARDEN-MEMBERUSER") {
					t.Fatalf("REST admins: %d %s", r.status, r.raw)
				}
				for ftype, want := range map[string]int{"owner": 1, "granted": 0, "org": 1} {
					id := &filterv2beta.IDFilter{Id: e.orgID}
					f := &projectv2beta.ProjectSearchFilter{}
					switch ftype {
					case "owner":
						f.Filter = &projectv2beta.ProjectSearchFilter_ProjectResourceOwnerFilter{ProjectResourceOwnerFilter: id}
					case "granted":
						f.Filter = &projectv2beta.ProjectSearchFilter_ProjectGrantResourceOwnerFilter{ProjectGrantResourceOwnerFilter: id}
					case "org":
						f.Filter = &projectv2beta.ProjectSearchFilter_ProjectOrganizationIdFilter{ProjectOrganizationIdFilter: id}
					}
					l := must2beta[projectv2beta.ListProjectsRequest, projectv2beta.ListProjectsResponse](t, e, p, projectBeta+"ListProjects", tok,
						&projectv2beta.ListProjectsRequest{Filters: append(slices.Clone(named), f)})
					if len(l.GetProjects()) != want || l.GetPagination().GetTotalResult() != uint64(want) {
						t.Fatalf("%s: list by %s filter: %v", p, ftype, l)
					}
				}
				must2beta[projectv2beta.DeactivateProjectRequest, projectv2beta.DeactivateProjectResponse](t, e, p, projectBeta+"DeactivateProject", tok, &projectv2beta.DeactivateProjectRequest{Id: pid})
				if e.storedProject(t, pid).Active() {
					t.Fatalf("%s: still active", p)
				}
				must2beta[projectv2beta.ActivateProjectRequest, projectv2beta.ActivateProjectResponse](t, e, p, projectBeta+"ActivateProject", tok, &projectv2beta.ActivateProjectRequest{Id: pid})
				grp := "ops"
				for _, k := range []string{"admin", "reader"} {
					must2beta[projectv2beta.AddProjectRoleRequest, projectv2beta.AddProjectRoleResponse](t, e, p, projectBeta+"AddProjectRole", tok,
						&projectv2beta.AddProjectRoleRequest{ProjectId: pid, RoleKey: k, DisplayName: strings.ToUpper(k), Group: &grp})
				}
				dn := "Readers"
				must2beta[projectv2beta.UpdateProjectRoleRequest, projectv2beta.UpdateProjectRoleResponse](t, e, p, projectBeta+"UpdateProjectRole", tok,
					&projectv2beta.UpdateProjectRoleRequest{ProjectId: pid, RoleKey: "reader", DisplayName: &dn})
				roles := must2beta[projectv2beta.ListProjectRolesRequest, projectv2beta.ListProjectRolesResponse](t, e, p, projectBeta+"ListProjectRoles", tok,
					&projectv2beta.ListProjectRolesRequest{ProjectId: pid, Filters: []*projectv2beta.ProjectRoleSearchFilter{{Filter: &projectv2beta.ProjectRoleSearchFilter_RoleKeyFilter{
						RoleKeyFilter: &projectv2beta.ProjectRoleKeyFilter{Key: "reader"}}}}})
				if r := roles.GetProjectRoles(); len(r) != 1 || r[0].GetKey() != "reader" || r[0].GetDisplayName() != dn || r[0].GetGroup() != grp || r[0].GetProjectId() != pid {
					t.Fatalf("%s: roles %v", p, roles)
				}

				// Authorizations: create, list with v2beta's user_id filter, update, deactivate, activate, delete.
				u := e.importHuman("beta-" + strings.ToLower(p))
				ca := must2beta[authzv2beta.CreateAuthorizationRequest, authzv2beta.CreateAuthorizationResponse](t, e, p, authzBeta+"CreateAuthorization", tok,
					&authzv2beta.CreateAuthorizationRequest{UserId: u, ProjectId: pid, OrganizationId: &e.orgID, RoleKeys: []string{"reader"}})
				gid := ca.GetId()
				byUser := []*authzv2beta.AuthorizationsSearchFilter{{Filter: &authzv2beta.AuthorizationsSearchFilter_UserId{UserId: &filterv2beta.IDFilter{Id: u}}}}
				list := func(token string, fs []*authzv2beta.AuthorizationsSearchFilter) []*authzv2beta.Authorization {
					t.Helper()
					return must2beta[authzv2beta.ListAuthorizationsRequest, authzv2beta.ListAuthorizationsResponse](t, e, p, authzBeta+"ListAuthorizations", token,
						&authzv2beta.ListAuthorizationsRequest{Filters: fs}).GetAuthorizations()
				}
				as := list(tok, byUser)
				if len(as) != 1 || as[0].GetId() != gid || as[0].GetProjectId() != pid || as[0].GetProjectName() != pname || as[0].GetProjectOrganizationId() != e.orgID ||
					as[0].GetOrganizationId() != e.orgID || as[0].GetUser().GetId() != u || as[0].GetUser().GetOrganizationId() != e.orgID ||
					!slices.Equal(as[0].GetRoles(), []string{"reader"}) || as[0].GetState() != authzv2beta.State_STATE_ACTIVE || as[0].GetCreationDate() == nil {
					t.Fatalf("%s: list %v", p, as)
				}
				must2beta[authzv2beta.UpdateAuthorizationRequest, authzv2beta.UpdateAuthorizationResponse](t, e, p, authzBeta+"UpdateAuthorization", tok,
					&authzv2beta.UpdateAuthorizationRequest{Id: gid, RoleKeys: []string{"admin", "reader"}})
				must2beta[authzv2beta.DeactivateAuthorizationRequest, authzv2beta.DeactivateAuthorizationResponse](t, e, p, authzBeta+"DeactivateAuthorization", tok,
					&authzv2beta.DeactivateAuthorizationRequest{Id: gid})
				if as := list(tok, byUser); len(as) != 1 || as[0].GetState() != authzv2beta.State_STATE_INACTIVE || !slices.Equal(as[0].GetRoles(), []string{"admin", "reader"}) {
					t.Fatalf("%s: after update and deactivate %v", p, as)
				}
				must2beta[authzv2beta.ActivateAuthorizationRequest, authzv2beta.ActivateAuthorizationResponse](t, e, p, authzBeta+"ActivateAuthorization", tok,
					&authzv2beta.ActivateAuthorizationRequest{Id: gid})

				// The owner of another org, naming this org's ids.
				before, beforeGrant := e.storedProject(t, pid), e.storedGrant(t, gid)
				evil := "pwned"
				for what, call := range map[string]func() *rpcErr{
					"create project": func() *rpcErr {
						_, err := call2beta[projectv2beta.CreateProjectRequest, projectv2beta.CreateProjectResponse](t, e, p, projectBeta+"CreateProject", attacker,
							&projectv2beta.CreateProjectRequest{OrganizationId: e.orgID, Name: "evil"})
						return err
					},
					"get project": func() *rpcErr {
						_, err := call2beta[projectv2beta.GetProjectRequest, projectv2beta.GetProjectResponse](t, e, p, projectBeta+"GetProject", attacker, &projectv2beta.GetProjectRequest{Id: pid})
						return err
					},
					"update project": func() *rpcErr {
						_, err := call2beta[projectv2beta.UpdateProjectRequest, projectv2beta.UpdateProjectResponse](t, e, p, projectBeta+"UpdateProject", attacker,
							&projectv2beta.UpdateProjectRequest{Id: pid, Name: &evil})
						return err
					},
					"delete project": func() *rpcErr {
						_, err := call2beta[projectv2beta.DeleteProjectRequest, projectv2beta.DeleteProjectResponse](t, e, p, projectBeta+"DeleteProject", attacker, &projectv2beta.DeleteProjectRequest{Id: pid})
						return err
					},
					"add role": func() *rpcErr {
						_, err := call2beta[projectv2beta.AddProjectRoleRequest, projectv2beta.AddProjectRoleResponse](t, e, p, projectBeta+"AddProjectRole", attacker,
							&projectv2beta.AddProjectRoleRequest{ProjectId: pid, RoleKey: "evil"})
						return err
					},
					"remove role": func() *rpcErr {
						_, err := call2beta[projectv2beta.RemoveProjectRoleRequest, projectv2beta.RemoveProjectRoleResponse](t, e, p, projectBeta+"RemoveProjectRole", attacker,
							&projectv2beta.RemoveProjectRoleRequest{ProjectId: pid, RoleKey: "admin"})
						return err
					},
					"create authorization": func() *rpcErr {
						_, err := call2beta[authzv2beta.CreateAuthorizationRequest, authzv2beta.CreateAuthorizationResponse](t, e, p, authzBeta+"CreateAuthorization", attacker,
							&authzv2beta.CreateAuthorizationRequest{UserId: u, ProjectId: pid, OrganizationId: &e.orgID, RoleKeys: []string{"admin"}})
						return err
					},
					"update authorization": func() *rpcErr {
						_, err := call2beta[authzv2beta.UpdateAuthorizationRequest, authzv2beta.UpdateAuthorizationResponse](t, e, p, authzBeta+"UpdateAuthorization", attacker,
							&authzv2beta.UpdateAuthorizationRequest{Id: gid, RoleKeys: []string{"admin"}})
						return err
					},
					"deactivate authorization": func() *rpcErr {
						_, err := call2beta[authzv2beta.DeactivateAuthorizationRequest, authzv2beta.DeactivateAuthorizationResponse](t, e, p, authzBeta+"DeactivateAuthorization", attacker,
							&authzv2beta.DeactivateAuthorizationRequest{Id: gid})
						return err
					},
					"delete authorization": func() *rpcErr {
						_, err := call2beta[authzv2beta.DeleteAuthorizationRequest, authzv2beta.DeleteAuthorizationResponse](t, e, p, authzBeta+"DeleteAuthorization", attacker,
							&authzv2beta.DeleteAuthorizationRequest{Id: gid})
						return err
					},
				} {
					if err := call(); err == nil || err.code != codes.PermissionDenied {
						t.Errorf("%s: the other org's owner: %s: %v", p, what, err)
					}
				}
				if as := list(attacker, byUser); len(as) != 0 {
					t.Fatalf("%s: the other org's owner lists %v", p, as)
				}
				if l := must2beta[projectv2beta.ListProjectsRequest, projectv2beta.ListProjectsResponse](t, e, p, projectBeta+"ListProjects", attacker,
					&projectv2beta.ListProjectsRequest{Filters: named}); len(l.GetProjects()) != 0 {
					t.Fatalf("%s: the other org's owner lists %v", p, l)
				}
				if after, afterGrant := e.storedProject(t, pid), e.storedGrant(t, gid); after.Sequence != before.Sequence || afterGrant.Sequence != beforeGrant.Sequence {
					t.Fatalf("%s: the attacker changed the project or grant", p)
				}
				// In its own org the attacker is served.
				must2beta[projectv2beta.CreateProjectRequest, projectv2beta.CreateProjectResponse](t, e, p, projectBeta+"CreateProject", attacker,
					&projectv2beta.CreateProjectRequest{OrganizationId: other, Name: "Mine " + p})

				must2beta[authzv2beta.DeleteAuthorizationRequest, authzv2beta.DeleteAuthorizationResponse](t, e, p, authzBeta+"DeleteAuthorization", tok, &authzv2beta.DeleteAuthorizationRequest{Id: gid})
				if as := list(tok, byUser); len(as) != 0 {
					t.Fatalf("%s: deleted authorization still listed: %v", p, as)
				}
				must2beta[projectv2beta.RemoveProjectRoleRequest, projectv2beta.RemoveProjectRoleResponse](t, e, p, projectBeta+"RemoveProjectRole", tok,
					&projectv2beta.RemoveProjectRoleRequest{ProjectId: pid, RoleKey: "admin"})
				// Project grants: the lifecycle at v2beta's paths, the
				// attacker refused, v2beta's filter names listing.
				must2beta[projectv2beta.AddProjectRoleRequest, projectv2beta.AddProjectRoleResponse](t, e, p, projectBeta+"AddProjectRole", tok,
					&projectv2beta.AddProjectRoleRequest{ProjectId: pid, RoleKey: "viewer", DisplayName: "Viewer"})
				_, rerr = call2beta[projectv2beta.CreateProjectGrantRequest, projectv2beta.CreateProjectGrantResponse](t, e, p, projectBeta+"CreateProjectGrant", attacker,
					&projectv2beta.CreateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: other, RoleKeys: []string{"viewer"}})
				wantErr(t, p+": the other org's owner grants this org's project to itself", rerr, codes.PermissionDenied, "")
				_, rerr = call2beta[projectv2beta.CreateProjectGrantRequest, projectv2beta.CreateProjectGrantResponse](t, e, p, projectBeta+"CreateProjectGrant", tok,
					&projectv2beta.CreateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: other, RoleKeys: []string{"nope"}})
				wantErr(t, p+": a role the project does not have", rerr, codes.FailedPrecondition, "COMMAND-6m9gd")
				if cg := must2beta[projectv2beta.CreateProjectGrantRequest, projectv2beta.CreateProjectGrantResponse](t, e, p, projectBeta+"CreateProjectGrant", tok,
					&projectv2beta.CreateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: other}); cg.GetCreationDate() == nil {
					t.Fatalf("%s: create grant %v", p, cg)
				}
				must2beta[projectv2beta.UpdateProjectGrantRequest, projectv2beta.UpdateProjectGrantResponse](t, e, p, projectBeta+"UpdateProjectGrant", tok,
					&projectv2beta.UpdateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: other, RoleKeys: []string{"viewer"}})
				_, rerr = call2beta[projectv2beta.UpdateProjectGrantRequest, projectv2beta.UpdateProjectGrantResponse](t, e, p, projectBeta+"UpdateProjectGrant", attacker,
					&projectv2beta.UpdateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: other, RoleKeys: []string{"viewer", "admin"}})
				wantErr(t, p+": the granted org's owner widens its grant", rerr, codes.PermissionDenied, "")
				must2beta[projectv2beta.DeactivateProjectGrantRequest, projectv2beta.DeactivateProjectGrantResponse](t, e, p, projectBeta+"DeactivateProjectGrant", tok,
					&projectv2beta.DeactivateProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: other})
				byGranted := []*projectv2beta.ProjectGrantSearchFilter{{Filter: &projectv2beta.ProjectGrantSearchFilter_ProjectGrantResourceOwnerFilter{
					ProjectGrantResourceOwnerFilter: &filterv2beta.IDFilter{Id: other}}}, {Filter: &projectv2beta.ProjectGrantSearchFilter_ProjectResourceOwnerFilter{
					ProjectResourceOwnerFilter: &filterv2beta.IDFilter{Id: e.orgID}}}}
				l := must2beta[projectv2beta.ListProjectGrantsRequest, projectv2beta.ListProjectGrantsResponse](t, e, p, projectBeta+"ListProjectGrants", tok,
					&projectv2beta.ListProjectGrantsRequest{Filters: byGranted})
				if gs := l.GetProjectGrants(); len(gs) != 1 || gs[0].GetProjectId() != pid || gs[0].GetOrganizationId() != e.orgID || gs[0].GetProjectName() != pname ||
					gs[0].GetState() != projectv2beta.ProjectGrantState_PROJECT_GRANT_STATE_INACTIVE || !slices.Equal(gs[0].GetGrantedRoleKeys(), []string{"viewer"}) {
					t.Fatalf("%s: list grants %v", p, l)
				}
				if la := must2beta[projectv2beta.ListProjectGrantsRequest, projectv2beta.ListProjectGrantsResponse](t, e, p, projectBeta+"ListProjectGrants", attacker,
					&projectv2beta.ListProjectGrantsRequest{Filters: byGranted}); len(la.GetProjectGrants()) != 1 || la.GetProjectGrants()[0].GetGrantedOrganizationId() != other {
					t.Fatalf("%s: the granted org's owner lists %v, want the grant it received", p, la)
				}
				if r := e.must(e.admin("POST", "/v2beta/projects/grants/search", `{"filters":[{"projectGrantResourceOwnerFilter":{"id":"`+other+`"}}]}`), 200); !strings.Contains(r.raw, pid) {
					t.Fatalf("REST list grants: %s", r.raw)
				}
				e.must(e.admin("POST", "/v2beta/projects/"+pid+"/grants/"+other+"/activate", `{}`), 200)
				if pg := e.storedProjectGrant(t, pid, other); pg == nil || !pg.Active() {
					t.Fatalf("%s: after REST activate %+v", p, pg)
				}
				must2beta[projectv2beta.DeleteProjectGrantRequest, projectv2beta.DeleteProjectGrantResponse](t, e, p, projectBeta+"DeleteProjectGrant", tok,
					&projectv2beta.DeleteProjectGrantRequest{ProjectId: pid, GrantedOrganizationId: other})
				if e.storedProjectGrant(t, pid, other) != nil {
					t.Fatalf("%s: deleted grant still stored", p)
				}
				must2beta[projectv2beta.DeleteProjectRequest, projectv2beta.DeleteProjectResponse](t, e, p, projectBeta+"DeleteProject", tok, &projectv2beta.DeleteProjectRequest{Id: pid})
				_, rerr = call2beta[projectv2beta.GetProjectRequest, projectv2beta.GetProjectResponse](t, e, p, projectBeta+"GetProject", tok, &projectv2beta.GetProjectRequest{Id: pid})
				wantErr(t, fmt.Sprintf("%s: deleted project", p), rerr, codes.NotFound, "")
			}
		})
	}
}
