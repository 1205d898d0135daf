package server_test

import (
	"slices"
	"testing"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/org"
	projectv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/project/v2beta"
	"google.golang.org/grpc/codes"
)

// TestProjectV2betaAdmins: v2beta CreateProject with admins writes the
// project and its members (PROJECT_OWNER by default) in one transaction, an
// event each; a bad admin — an unknown user, a user of an org the caller may
// not read, a role the caller does not hold, a project role it is not —
// refuses the whole creation and writes nothing.
func TestProjectV2betaAdmins(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			c := projectv2beta.NewProjectServiceClient(e.grpcConn())
			ctx := e.authCtx(e.token)
			alice, bob := e.importHuman("alice"), e.importHuman("bob")
			admins := func(as ...*projectv2beta.CreateProjectRequest_Admin) []*projectv2beta.CreateProjectRequest_Admin {
				return as
			}
			cr, err := c.CreateProject(ctx, &projectv2beta.CreateProjectRequest{OrganizationId: e.orgID, Name: "Shop",
				Admins: admins(&projectv2beta.CreateProjectRequest_Admin{UserId: alice}, &projectv2beta.CreateProjectRequest_Admin{UserId: bob, Roles: []string{"PROJECT_OWNER_VIEWER"}})})
			if err != nil || cr.GetId() == "" || cr.GetCreationDate() == nil {
				t.Fatalf("create: %v %v", cr, err)
			}
			scope := org.ProjectScope(e.orgID, cr.GetId())
			if a, b := e.storedRoles(t, scope, alice), e.storedRoles(t, scope, bob); !slices.Equal(a, []string{"PROJECT_OWNER"}) || !slices.Equal(b, []string{"PROJECT_OWNER_VIEWER"}) {
				t.Fatalf("members: alice %v, bob %v", a, b)
			}
			evs := e.orgEvents(t)
			var types []string
			for _, ev := range evs[len(evs)-3:] {
				types = append(types, ev.Type)
			}
			if !slices.Equal(types, []string{event.ProjectAdded, event.ProjectMemberAdded, event.ProjectMemberAdded}) {
				t.Fatalf("events %v", types)
			}
			if p := e.storedProject(t, cr.GetId()); p.Name != "Shop" {
				t.Fatalf("project %+v", p)
			}

			other, attacker := e.ownerOfNewOrg("other", "ORG_OWNER")
			stranger := e.importHuman("stranger")
			creatorOrg, creator := e.ownerOfNewOrg("creators", "ORG_PROJECT_CREATOR")
			friend := e.must(e.admin("POST", mv1+"/users/machine", `{"userName":"friend","name":"F"}`, "x-zitadel-orgid", creatorOrg), 200).str("userId")
			for _, tc := range []struct {
				what, token, orgID string
				admins             []*projectv2beta.CreateProjectRequest_Admin
				code               codes.Code
				id                 string
			}{
				{"unknown user", e.token, e.orgID, admins(&projectv2beta.CreateProjectRequest_Admin{UserId: alice}, &projectv2beta.CreateProjectRequest_Admin{UserId: "424242"}), codes.NotFound, "WARDEN-MEMBERUSER"},
				{"a user of an org the caller may not read", attacker, other, admins(&projectv2beta.CreateProjectRequest_Admin{UserId: stranger}), codes.NotFound, "WARDEN-MEMBERUSER"},
				{"not a project role", e.token, e.orgID, admins(&projectv2beta.CreateProjectRequest_Admin{UserId: alice, Roles: []string{"ORG_OWNER"}}), codes.InvalidArgument, "PROJECT-3m9ds"},
				{"one user twice", e.token, e.orgID, admins(&projectv2beta.CreateProjectRequest_Admin{UserId: alice}, &projectv2beta.CreateProjectRequest_Admin{UserId: alice}), codes.AlreadyExists, "PROJECT-PtXi1"},
				{"a creator without project.member.write", creator, creatorOrg, admins(&projectv2beta.CreateProjectRequest_Admin{UserId: friend}), codes.PermissionDenied, ""},
				{"another org", attacker, e.orgID, admins(&projectv2beta.CreateProjectRequest_Admin{UserId: alice}), codes.PermissionDenied, ""},
			} {
				seqs := map[string]uint64{}
				for _, o := range []string{e.orgID, other, creatorOrg} {
					seqs[o] = e.storedOrg(t, o).Sequence
				}
				_, err := c.CreateProject(e.authCtx(tc.token), &projectv2beta.CreateProjectRequest{OrganizationId: tc.orgID, Name: "Evil " + tc.what, Admins: tc.admins})
				wantCode(t, err, tc.code, tc.id)
				for o, seq := range seqs {
					if now := e.storedOrg(t, o).Sequence; now != seq {
						t.Fatalf("%s: org %s moved %d → %d: something was written", tc.what, o, seq, now)
					}
				}
			}
		})
	}
}
