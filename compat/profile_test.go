package compat

import (
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/grpc/codes"
)

// TestUserProfile: zitadel-go v3.29.0's Management and User v2 clients change
// a user's profile, e-mail (verified), phone and user name as ZITADEL answers
// them — its error ids for an unchanged profile and name, its event names in
// the user's history — and IsUserUnique follows the rename.
func TestUserProfile(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		m := s.mgmt(t, s.adminPAT)
		org := myOrg(t, m)
		name := unique("prof")
		id := importHuman(t, m, name).GetUserId()
		p := &management.UpdateHumanProfileRequest{UserId: id, FirstName: "Grace", LastName: "Hopper", DisplayName: "Amazing Grace", Gender: user.Gender_GENDER_FEMALE}
		_, err := m.UpdateHumanProfile(ctx(t), p)
		mustOK(t, "UpdateHumanProfile", err)
		_, err = m.UpdateHumanProfile(ctx(t), p)
		wantErr(t, "UpdateHumanProfile unchanged", err, codes.FailedPrecondition, "COMMAND-2M0fs")
		got, err := m.GetHumanProfile(ctx(t), &management.GetHumanProfileRequest{UserId: id})
		mustOK(t, "GetHumanProfile", err)
		if got.GetProfile().GetDisplayName() != "Amazing Grace" || got.GetDetails().GetResourceOwner() != org {
			t.Fatalf("GetHumanProfile: %v", got)
		}
		_, err = m.UpdateHumanEmail(ctx(t), &management.UpdateHumanEmailRequest{UserId: id, Email: name + "@navy.example", IsEmailVerified: true})
		mustOK(t, "UpdateHumanEmail", err)
		_, err = m.UpdateHumanPhone(ctx(t), &management.UpdateHumanPhoneRequest{UserId: id, Phone: "+1 202 555 0100", IsPhoneVerified: true})
		mustOK(t, "UpdateHumanPhone", err)
		_, err = m.RemoveHumanPhone(ctx(t), &management.RemoveHumanPhoneRequest{UserId: id})
		mustOK(t, "RemoveHumanPhone", err)
		_, err = m.UpdateUserName(ctx(t), &management.UpdateUserNameRequest{UserId: id, UserName: name})
		wantErr(t, "UpdateUserName unchanged", err, codes.FailedPrecondition, "COMMAND-6m9gs")
		_, err = m.UpdateUserName(ctx(t), &management.UpdateUserNameRequest{UserId: id, UserName: name + "-renamed"})
		mustOK(t, "UpdateUserName", err)
		u, err := m.IsUserUnique(ctx(t), &management.IsUserUniqueRequest{UserName: name})
		if err != nil || !u.GetIsUnique() {
			t.Fatalf("IsUserUnique(old name): %v %v", u, err)
		}
		_, err = s.users(t, s.adminPAT).UpdateHumanUser(ctx(t), &userv2.UpdateHumanUserRequest{UserId: id,
			Profile: &userv2.SetHumanProfile{GivenName: "Grace B.", FamilyName: "Hopper"}})
		mustOK(t, "v2 UpdateHumanUser", err)
		wantChanges(t, m, id, org, "user.human.added", "user.human.profile.changed", "user.human.email.changed",
			"user.human.email.verified", "user.human.phone.changed", "user.human.phone.verified", "user.human.phone.removed",
			"user.username.changed", "user.human.profile.changed")
	})
}
