package compat

import (
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/auth"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"google.golang.org/grpc/codes"
)

// TestRemoveMyUser: zitadel-go v3.29.0's AuthService client removes its own
// (machine) user, which holds ZITADEL's user.self.delete through
// ORG_USER_SELF_MANAGER: the answer has the user's details, the user is gone
// for the administrator (NotFound), and the PAT the call was made with is
// refused at once. A user without the role is PermissionDenied and stays.
func TestRemoveMyUser(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		admin := s.mgmt(t, s.adminPAT)
		org := myOrg(t, admin)

		plain := addMachine(t, admin, unique("plain"))
		a := s.authClient(t, client.PAT(addPAT(t, admin, plain).GetToken()))
		_, err := a.RemoveMyUser(ctx(t), &auth.RemoveMyUserRequest{})
		wantErr(t, "RemoveMyUser without user.self.delete", err, codes.PermissionDenied, "AUTH-5mWD2")
		getUser(t, admin, plain)

		self := addMachine(t, admin, unique("leaver"))
		_, err = admin.AddOrgMember(ctx(t), &management.AddOrgMemberRequest{UserId: self, Roles: []string{"ORG_USER_SELF_MANAGER"}})
		mustOK(t, "AddOrgMember", err)
		a = s.authClient(t, client.PAT(addPAT(t, admin, self).GetToken()))
		r, err := a.RemoveMyUser(ctx(t), &auth.RemoveMyUserRequest{})
		mustOK(t, "RemoveMyUser", err)
		if d := r.GetDetails(); d.GetResourceOwner() != org || d.GetSequence() == 0 {
			t.Fatalf("RemoveMyUser details: %v", d)
		}
		recent(t, "RemoveMyUser details.change_date", r.GetDetails().GetChangeDate())
		_, err = admin.GetUserByID(ctx(t), &management.GetUserByIDRequest{Id: self})
		wantErr(t, "GetUserByID of the removed user", err, codes.NotFound, "QUERY-Dfbg2")
		_, err = a.GetMyUser(ctx(t), &auth.GetMyUserRequest{})
		wantErr(t, "the removed user's PAT", err, codes.Unauthenticated, "AUTH-7fs1e")
	})
}
