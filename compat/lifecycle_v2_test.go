package compat

import (
	"testing"

	objv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object/v2"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/grpc/codes"
)

func addHumanV2(t testing.TB, u userv2.UserServiceClient, org, name string, withPassword bool) *userv2.AddHumanUserResponse {
	t.Helper()
	req := &userv2.AddHumanUserRequest{
		Username:     &name,
		Organization: &objv2.Organization{Org: &objv2.Organization_OrgId{OrgId: org}},
		Profile:      &userv2.SetHumanProfile{GivenName: "Alan", FamilyName: "Turing"},
		Email:        &userv2.SetHumanEmail{Email: name + "@example.com"},
	}
	if withPassword {
		req.Email.Verification = &userv2.SetHumanEmail_IsVerified{IsVerified: true}
		req.PasswordType = &userv2.AddHumanUserRequest_Password{Password: &userv2.Password{Password: "Secr3t-Passw0rd!"}}
	}
	r, err := u.AddHumanUser(ctx(t), req)
	mustOK(t, "v2 AddHumanUser "+name, err)
	if r.GetUserId() == "" {
		t.Fatalf("v2 AddHumanUser %s: empty user_id", name)
	}
	d := r.GetDetails()
	// The creation is event 1; an unverified address gets its code
	// (user.human.email.code.added) in the same write, event 2.
	want := uint64(1)
	if !withPassword {
		want = 2
	}
	if d.GetSequence() != want || d.GetResourceOwner() != org {
		t.Fatalf("v2 AddHumanUser details: sequence %d resource_owner %q, want %d and %q", d.GetSequence(), d.GetResourceOwner(), want, org)
	}
	recent(t, "v2 AddHumanUser details.creation_date", d.GetCreationDate())
	return r
}

func getUserV2(t testing.TB, u userv2.UserServiceClient, id string, want userv2.UserState) *userv2.User {
	t.Helper()
	r, err := u.GetUserByID(ctx(t), &userv2.GetUserByIDRequest{UserId: id})
	mustOK(t, "v2 GetUserByID "+id, err)
	got := r.GetUser()
	if got.GetUserId() != id {
		t.Fatalf("v2 GetUserByID %s: user_id %q", id, got.GetUserId())
	}
	if got.GetState() != want {
		t.Fatalf("v2 GetUserByID %s: state %s (%d), want %s (%d)", id, got.GetState(), got.GetState(), want, want)
	}
	return got
}

// TestV2Lifecycle is the lifecycle through zitadel.user.v2.UserService, whose
// details, state numbers and error ids differ from v1.
func TestV2Lifecycle(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		u := s.users(t, s.adminPAT)
		m := s.mgmt(t, s.adminPAT)
		org := myOrg(t, m)

		// Without password and verified e-mail the user is INITIAL, which is 5 in v2 (6 in v1).
		initial := addHumanV2(t, u, org, unique("v2-initial"), false)
		if got := getUserV2(t, u, initial.GetUserId(), userv2.UserState_USER_STATE_INITIAL); int32(got.GetState()) != 5 {
			t.Fatalf("v2 INITIAL is %d on the wire, want 5", got.GetState())
		}
		wantState(t, m, initial.GetUserId(), user.UserState_USER_STATE_INITIAL) // v1 number 6

		name := unique("v2-life")
		add := addHumanV2(t, u, org, name, true)
		id := add.GetUserId()
		got := getUserV2(t, u, id, userv2.UserState_USER_STATE_ACTIVE)
		if got.GetUsername() != name {
			t.Errorf("v2 username %q, want %q", got.GetUsername(), name)
		}
		if got.GetHuman().GetProfile().GetGivenName() != "Alan" || got.GetHuman().GetEmail().GetEmail() != name+"@example.com" {
			t.Errorf("v2 human %v, want Alan / %s@example.com", got.GetHuman(), name)
		}
		if got.GetDetails().GetResourceOwner() != org {
			t.Errorf("v2 details.resource_owner %q, want %q", got.GetDetails().GetResourceOwner(), org)
		}
		seq := got.GetDetails().GetSequence()
		if seq != 1 {
			t.Fatalf("v2 GetUserByID: details.sequence %d, want 1", seq)
		}

		lock, err := u.LockUser(ctx(t), &userv2.LockUserRequest{UserId: id})
		mustOK(t, "v2 LockUser", err)
		seq++
		wantChangeDetailsV2(t, "v2 LockUser", lock.GetDetails(), seq, org)
		if getUserV2(t, u, id, userv2.UserState_USER_STATE_LOCKED).GetDetails().GetSequence() != seq {
			t.Fatalf("v2 GetUserByID after lock: sequence is not %d", seq)
		}
		wantState(t, m, id, user.UserState_USER_STATE_LOCKED) // one truth for both APIs

		_, err = u.LockUser(ctx(t), &userv2.LockUserRequest{UserId: id})
		wantErr(t, "v2 LockUser of a locked user", err, codes.FailedPrecondition, "COMMAND-lgws8wtsqf")

		unlock, err := u.UnlockUser(ctx(t), &userv2.UnlockUserRequest{UserId: id})
		mustOK(t, "v2 UnlockUser", err)
		seq++
		wantChangeDetailsV2(t, "v2 UnlockUser", unlock.GetDetails(), seq, org)
		getUserV2(t, u, id, userv2.UserState_USER_STATE_ACTIVE)
		_, err = u.UnlockUser(ctx(t), &userv2.UnlockUserRequest{UserId: id})
		wantErr(t, "v2 UnlockUser of an active user", err, codes.FailedPrecondition, "COMMAND-olb9vb0oca")
		_, err = u.ReactivateUser(ctx(t), &userv2.ReactivateUserRequest{UserId: id})
		wantErr(t, "v2 ReactivateUser of an active user", err, codes.FailedPrecondition, "COMMAND-s5qqcz97hf")

		deact, err := u.DeactivateUser(ctx(t), &userv2.DeactivateUserRequest{UserId: id})
		mustOK(t, "v2 DeactivateUser", err)
		seq++
		wantChangeDetailsV2(t, "v2 DeactivateUser", deact.GetDetails(), seq, org)
		getUserV2(t, u, id, userv2.UserState_USER_STATE_INACTIVE)
		_, err = u.DeactivateUser(ctx(t), &userv2.DeactivateUserRequest{UserId: id})
		wantErr(t, "v2 DeactivateUser of an inactive user", err, codes.FailedPrecondition, "COMMAND-5gunjw0cd7")
		_, err = u.DeactivateUser(ctx(t), &userv2.DeactivateUserRequest{UserId: initial.GetUserId()})
		wantErr(t, "v2 DeactivateUser of an initial user", err, codes.FailedPrecondition, "COMMAND-gvx4kct9r2")

		react, err := u.ReactivateUser(ctx(t), &userv2.ReactivateUserRequest{UserId: id})
		mustOK(t, "v2 ReactivateUser", err)
		seq++
		wantChangeDetailsV2(t, "v2 ReactivateUser", react.GetDetails(), seq, org)
		getUserV2(t, u, id, userv2.UserState_USER_STATE_ACTIVE)

		// v2 ListUsers finds it by user name with its v2 state.
		list, err := u.ListUsers(ctx(t), &userv2.ListUsersRequest{
			Queries: []*userv2.SearchQuery{{Query: &userv2.SearchQuery_UserNameQuery{UserNameQuery: &userv2.UserNameQuery{UserName: name}}}},
		})
		mustOK(t, "v2 ListUsers", err)
		if list.GetDetails().GetTotalResult() != 1 || len(list.GetResult()) != 1 || list.GetResult()[0].GetUserId() != id {
			t.Fatalf("v2 ListUsers by user name %s: total %d, result %v", name, list.GetDetails().GetTotalResult(), list.GetResult())
		}
		if st := list.GetResult()[0].GetState(); st != userv2.UserState_USER_STATE_ACTIVE {
			t.Fatalf("v2 ListUsers: state %s, want ACTIVE", st)
		}

		wantChanges(t, m, id, org, "user.human.added", "user.locked", "user.unlocked", "user.deactivated", "user.reactivated")

		del, err := u.DeleteUser(ctx(t), &userv2.DeleteUserRequest{UserId: id})
		mustOK(t, "v2 DeleteUser", err)
		seq++
		wantChangeDetailsV2(t, "v2 DeleteUser", del.GetDetails(), seq, org)
		_, err = u.GetUserByID(ctx(t), &userv2.GetUserByIDRequest{UserId: id})
		wantErr(t, "v2 GetUserByID of a deleted user", err, codes.NotFound, "")

		_, err = u.LockUser(ctx(t), &userv2.LockUserRequest{UserId: id})
		wantErr(t, "v2 LockUser of a deleted user", err, codes.NotFound, "COMMAND-450yxuqrh1")
		_, err = u.UnlockUser(ctx(t), &userv2.UnlockUserRequest{UserId: id})
		wantErr(t, "v2 UnlockUser of a deleted user", err, codes.NotFound, "COMMAND-x377t913pw")
		_, err = u.DeactivateUser(ctx(t), &userv2.DeactivateUserRequest{UserId: id})
		wantErr(t, "v2 DeactivateUser of a deleted user", err, codes.NotFound, "COMMAND-5gp2p62iin")
		_, err = u.ReactivateUser(ctx(t), &userv2.ReactivateUserRequest{UserId: id})
		wantErr(t, "v2 ReactivateUser of a deleted user", err, codes.NotFound, "COMMAND-9hy5kzbuk6")
		_, err = u.DeleteUser(ctx(t), &userv2.DeleteUserRequest{UserId: id})
		wantErr(t, "v2 DeleteUser of a deleted user", err, codes.NotFound, "COMMAND-bd4ir1mblj")

		_, err = u.LockUser(ctx(t), &userv2.LockUserRequest{UserId: ""})
		wantErr(t, "v2 LockUser with an empty id", err, codes.InvalidArgument, "COMMAND-agz3eczifm")
		_, err = u.UnlockUser(ctx(t), &userv2.UnlockUserRequest{UserId: ""})
		wantErr(t, "v2 UnlockUser with an empty id", err, codes.InvalidArgument, "COMMAND-a9ld4xckax")
		_, err = u.DeactivateUser(ctx(t), &userv2.DeactivateUserRequest{UserId: ""})
		wantErr(t, "v2 DeactivateUser with an empty id", err, codes.InvalidArgument, "COMMAND-78iiirat8y")
		_, err = u.ReactivateUser(ctx(t), &userv2.ReactivateUserRequest{UserId: ""})
		wantErr(t, "v2 ReactivateUser with an empty id", err, codes.InvalidArgument, "COMMAND-0nx1ie38fw")
		_, err = u.DeleteUser(ctx(t), &userv2.DeleteUserRequest{UserId: ""})
		wantErr(t, "v2 DeleteUser with an empty id", err, codes.InvalidArgument, "COMMAND-vaipl7s13l")
	})
}
