package compat

import (
	"context"
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
)

// inOrg selects the v1 organisation context like ZITADEL's SDK option does.
func inOrg(ctx context.Context, org string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "x-zitadel-orgid", org)
}

// TestOrgContext checks the v1 organisation context (x-zitadel-orgid) and that
// v2 ignores it and checks permissions in the user's own organisation.
func TestOrgContext(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		admin := s.mgmt(t, s.adminPAT)
		home := myOrg(t, admin)
		add, err := admin.AddOrg(ctx(t), &management.AddOrgRequest{Name: unique("org")})
		mustOK(t, "AddOrg", err)
		other := add.GetId()
		if other == "" || other == home {
			t.Fatalf("AddOrg: id %q (home org %q)", other, home)
		}
		if add.GetDetails().GetResourceOwner() != other {
			t.Errorf("AddOrg: details.resource_owner %q, want the new org %q", add.GetDetails().GetResourceOwner(), other)
		}
		mine, err := admin.GetMyOrg(inOrg(ctx(t), other), &management.GetMyOrgRequest{})
		mustOK(t, "GetMyOrg in the new org", err)
		if mine.GetOrg().GetId() != other {
			t.Fatalf("GetMyOrg with x-zitadel-orgid %s: got org %q", other, mine.GetOrg().GetId())
		}

		name := unique("org-user")
		imp, err := admin.ImportHumanUser(inOrg(ctx(t), other), &management.ImportHumanUserRequest{
			UserName: name,
			Profile:  &management.ImportHumanUserRequest_Profile{FirstName: "Other", LastName: "Org"},
			Email:    &management.ImportHumanUserRequest_Email{Email: name + "@example.com", IsEmailVerified: true},
			Password: "Secr3t-Passw0rd!",
		})
		mustOK(t, "ImportHumanUser in the new org", err)
		id := imp.GetUserId()
		if imp.GetDetails().GetResourceOwner() != other {
			t.Fatalf("ImportHumanUser with x-zitadel-orgid: resource_owner %q, want %q", imp.GetDetails().GetResourceOwner(), other)
		}

		// Outside its org context the user does not exist for v1.
		_, err = admin.GetUserByID(ctx(t), &management.GetUserByIDRequest{Id: id})
		wantErr(t, "GetUserByID in the wrong org context", err, codes.NotFound, "")
		_, err = admin.LockUser(ctx(t), &management.LockUserRequest{Id: id})
		wantErr(t, "LockUser in the wrong org context", err, codes.NotFound, "COMMAND-5M9fs")

		got, err := admin.GetUserByID(inOrg(ctx(t), other), &management.GetUserByIDRequest{Id: id})
		mustOK(t, "GetUserByID in the user's org context", err)
		if got.GetUser().GetState() != user.UserState_USER_STATE_ACTIVE || got.GetUser().GetDetails().GetResourceOwner() != other {
			t.Fatalf("GetUserByID in its org: state %s owner %q", got.GetUser().GetState(), got.GetUser().GetDetails().GetResourceOwner())
		}
		lock, err := admin.LockUser(inOrg(ctx(t), other), &management.LockUserRequest{Id: id})
		mustOK(t, "LockUser in the user's org context", err)
		wantChangeDetails(t, "LockUser in the user's org context", lock.GetDetails(), got.GetUser().GetDetails().GetSequence()+1, other)

		// v2 needs no org context: an instance owner reaches every org.
		v2 := s.users(t, s.adminPAT)
		if u := getUserV2(t, v2, id, userv2.UserState_USER_STATE_LOCKED); u.GetDetails().GetResourceOwner() != other {
			t.Fatalf("v2 GetUserByID: resource_owner %q, want %q", u.GetDetails().GetResourceOwner(), other)
		}

		// An org role is confined to its org, whichever context the caller names.
		bot := addMachine(t, admin, unique("org-bot"))
		_, err = admin.AddOrgMember(ctx(t), &management.AddOrgMemberRequest{UserId: bot, Roles: []string{"ORG_USER_MANAGER"}})
		mustOK(t, "AddOrgMember", err)
		tok := addPAT(t, admin, bot).GetToken()
		_, err = s.users(t, tok).UnlockUser(ctx(t), &userv2.UnlockUserRequest{UserId: id})
		wantErr(t, "v2 UnlockUser of another org's user by an ORG_USER_MANAGER", err, codes.PermissionDenied, "")
		_, err = s.mgmt(t, tok).UnlockUser(inOrg(ctx(t), other), &management.UnlockUserRequest{Id: id})
		wantErr(t, "v1 UnlockUser in another org's context by an ORG_USER_MANAGER", err, codes.PermissionDenied, "")
		getUserV2(t, v2, id, userv2.UserState_USER_STATE_LOCKED)
	})
}
