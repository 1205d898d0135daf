package compat

import (
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
	"google.golang.org/grpc/codes"
)

// TestV1Lifecycle walks one human through every state change of the
// Management API and checks each answer the way a ZITADEL client reads it.
func TestV1Lifecycle(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		m := s.mgmt(t, s.adminPAT)
		org := myOrg(t, m)
		name := unique("v1-life")

		imp := importHuman(t, m, name)
		id := imp.GetUserId()
		if d := imp.GetDetails(); d.GetResourceOwner() != org || d.GetSequence() == 0 {
			t.Fatalf("ImportHumanUser details: resource_owner %q sequence %d, want %q and > 0", d.GetResourceOwner(), d.GetSequence(), org)
		}
		recent(t, "ImportHumanUser details.creation_date", imp.GetDetails().GetCreationDate())

		u := wantState(t, m, id, user.UserState_USER_STATE_ACTIVE)
		if u.GetUserName() != name {
			t.Errorf("user_name %q, want %q", u.GetUserName(), name)
		}
		if u.GetDetails().GetResourceOwner() != org {
			t.Errorf("details.resource_owner %q, want %q", u.GetDetails().GetResourceOwner(), org)
		}
		if u.GetDetails().GetSequence() != imp.GetDetails().GetSequence() {
			t.Errorf("sequence after import: GetUserByID %d, ImportHumanUser %d", u.GetDetails().GetSequence(), imp.GetDetails().GetSequence())
		}
		h := u.GetHuman()
		if h == nil {
			t.Fatalf("imported user has no human part: %v", u)
		}
		if h.GetProfile().GetFirstName() != "Ada" || h.GetProfile().GetLastName() != "Lovelace" {
			t.Errorf("profile %v, want Ada Lovelace", h.GetProfile())
		}
		if h.GetEmail().GetEmail() != name+"@example.com" || !h.GetEmail().GetIsEmailVerified() {
			t.Errorf("email %v, want verified %s@example.com", h.GetEmail(), name)
		}
		if u.GetPreferredLoginName() == "" || len(u.GetLoginNames()) == 0 {
			t.Errorf("login names missing: preferred %q, all %v", u.GetPreferredLoginName(), u.GetLoginNames())
		}
		seq := u.GetDetails().GetSequence()

		// Lock: the details are the user's next event.
		lock, err := m.LockUser(ctx(t), &management.LockUserRequest{Id: id})
		mustOK(t, "LockUser", err)
		seq++
		wantChangeDetails(t, "LockUser", lock.GetDetails(), seq, org)
		if u := wantState(t, m, id, user.UserState_USER_STATE_LOCKED); u.GetDetails().GetSequence() != seq {
			t.Fatalf("GetUserByID after lock: sequence %d, want %d", u.GetDetails().GetSequence(), seq)
		}

		_, err = m.LockUser(ctx(t), &management.LockUserRequest{Id: id})
		wantErr(t, "LockUser of a locked user", err, codes.FailedPrecondition, "COMMAND-3NN8v")
		_, err = m.ReactivateUser(ctx(t), &management.ReactivateUserRequest{Id: id})
		wantErr(t, "ReactivateUser of a locked user", err, codes.FailedPrecondition, "COMMAND-6M0sf")

		unlock, err := m.UnlockUser(ctx(t), &management.UnlockUserRequest{Id: id})
		mustOK(t, "UnlockUser", err)
		seq++
		wantChangeDetails(t, "UnlockUser", unlock.GetDetails(), seq, org)
		wantState(t, m, id, user.UserState_USER_STATE_ACTIVE)

		_, err = m.UnlockUser(ctx(t), &management.UnlockUserRequest{Id: id})
		wantErr(t, "UnlockUser of an active user", err, codes.FailedPrecondition, "COMMAND-4M0ds")
		_, err = m.ReactivateUser(ctx(t), &management.ReactivateUserRequest{Id: id})
		wantErr(t, "ReactivateUser of an active user", err, codes.FailedPrecondition, "COMMAND-6M0sf")

		deact, err := m.DeactivateUser(ctx(t), &management.DeactivateUserRequest{Id: id})
		mustOK(t, "DeactivateUser", err)
		seq++
		wantChangeDetails(t, "DeactivateUser", deact.GetDetails(), seq, org)
		wantState(t, m, id, user.UserState_USER_STATE_INACTIVE)

		_, err = m.DeactivateUser(ctx(t), &management.DeactivateUserRequest{Id: id})
		wantErr(t, "DeactivateUser of an inactive user", err, codes.FailedPrecondition, "COMMAND-5M0sf")
		_, err = m.LockUser(ctx(t), &management.LockUserRequest{Id: id})
		wantErr(t, "LockUser of an inactive user", err, codes.FailedPrecondition, "COMMAND-3NN8v")

		react, err := m.ReactivateUser(ctx(t), &management.ReactivateUserRequest{Id: id})
		mustOK(t, "ReactivateUser", err)
		seq++
		wantChangeDetails(t, "ReactivateUser", react.GetDetails(), seq, org)
		if u := wantState(t, m, id, user.UserState_USER_STATE_ACTIVE); u.GetDetails().GetSequence() != seq {
			t.Fatalf("GetUserByID after reactivate: sequence %d, want %d", u.GetDetails().GetSequence(), seq)
		}

		// The history is readable before removal, in order, gap-free.
		wantChanges(t, m, id, org, "user.human.added", "user.locked", "user.unlocked", "user.deactivated", "user.reactivated")

		rm, err := m.RemoveUser(ctx(t), &management.RemoveUserRequest{Id: id})
		mustOK(t, "RemoveUser", err)
		seq++
		wantChangeDetails(t, "RemoveUser", rm.GetDetails(), seq, org)

		_, err = m.GetUserByID(ctx(t), &management.GetUserByIDRequest{Id: id})
		wantErr(t, "GetUserByID of a removed user", err, codes.NotFound, "")
		_, err = m.LockUser(ctx(t), &management.LockUserRequest{Id: id})
		wantErr(t, "LockUser of a removed user", err, codes.NotFound, "COMMAND-5M9fs")
		_, err = m.UnlockUser(ctx(t), &management.UnlockUserRequest{Id: id})
		wantErr(t, "UnlockUser of a removed user", err, codes.NotFound, "COMMAND-M0dos")
		_, err = m.DeactivateUser(ctx(t), &management.DeactivateUserRequest{Id: id})
		wantErr(t, "DeactivateUser of a removed user", err, codes.NotFound, "COMMAND-3M9ds")
		_, err = m.ReactivateUser(ctx(t), &management.ReactivateUserRequest{Id: id})
		wantErr(t, "ReactivateUser of a removed user", err, codes.NotFound, "COMMAND-4M0sd")
		_, err = m.RemoveUser(ctx(t), &management.RemoveUserRequest{Id: id})
		wantErr(t, "RemoveUser of a removed user", err, codes.NotFound, "COMMAND-m9od")
	})
}

// TestV1Errors checks refusals that do not need a user: unknown and empty ids.
func TestV1Errors(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		m := s.mgmt(t, s.adminPAT)
		const missing = "123456789012345678"
		_, err := m.LockUser(ctx(t), &management.LockUserRequest{Id: missing})
		wantErr(t, "LockUser of an unknown id", err, codes.NotFound, "COMMAND-5M9fs")
		_, err = m.GetUserByID(ctx(t), &management.GetUserByIDRequest{Id: missing})
		wantErr(t, "GetUserByID of an unknown id", err, codes.NotFound, "")

		_, err = m.LockUser(ctx(t), &management.LockUserRequest{Id: ""})
		wantErr(t, "LockUser with an empty id", err, codes.InvalidArgument, "COMMAND-2M0sd")
		_, err = m.UnlockUser(ctx(t), &management.UnlockUserRequest{Id: ""})
		wantErr(t, "UnlockUser with an empty id", err, codes.InvalidArgument, "COMMAND-M0dse")
		_, err = m.DeactivateUser(ctx(t), &management.DeactivateUserRequest{Id: ""})
		wantErr(t, "DeactivateUser with an empty id", err, codes.InvalidArgument, "COMMAND-m0gDf")
		_, err = m.ReactivateUser(ctx(t), &management.ReactivateUserRequest{Id: ""})
		wantErr(t, "ReactivateUser with an empty id", err, codes.InvalidArgument, "COMMAND-4M9ds")
		_, err = m.RemoveUser(ctx(t), &management.RemoveUserRequest{Id: ""})
		wantErr(t, "RemoveUser with an empty id", err, codes.InvalidArgument, "COMMAND-2M0ds")

		// An initial human (no password, unverified e-mail) can be locked and
		// unlocking brings it back to INITIAL, not ACTIVE (Warden's improvement).
		org := myOrg(t, m)
		name := unique("v1-initial")
		add, err := m.AddHumanUser(ctx(t), &management.AddHumanUserRequest{
			UserName: name,
			Profile:  &management.AddHumanUserRequest_Profile{FirstName: "Grace", LastName: "Hopper"},
			Email:    &management.AddHumanUserRequest_Email{Email: name + "@example.com"},
		})
		mustOK(t, "AddHumanUser", err)
		id := add.GetUserId()
		wantState(t, m, id, user.UserState_USER_STATE_INITIAL)
		_, err = m.DeactivateUser(ctx(t), &management.DeactivateUserRequest{Id: id})
		wantErr(t, "DeactivateUser of an initial user", err, codes.FailedPrecondition, "COMMAND-ke0fw")
		lock, err := m.LockUser(ctx(t), &management.LockUserRequest{Id: id})
		mustOK(t, "LockUser of an initial user", err)
		wantChangeDetails(t, "LockUser of an initial user", lock.GetDetails(), add.GetDetails().GetSequence()+1, org)
		wantState(t, m, id, user.UserState_USER_STATE_LOCKED)
		_, err = m.UnlockUser(ctx(t), &management.UnlockUserRequest{Id: id})
		mustOK(t, "UnlockUser of an initial user", err)
		wantState(t, m, id, user.UserState_USER_STATE_INITIAL)
	})
}

// TestLockedThenDeactivated follows the spec's table from LOCKED: deactivation
// is allowed, and reactivation gives ACTIVE; the earlier lock does not linger
// (ZITADEL issue #11176).
func TestLockedThenDeactivated(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		m := s.mgmt(t, s.adminPAT)
		id := importHuman(t, m, unique("locked-deact")).GetUserId()
		_, err := m.LockUser(ctx(t), &management.LockUserRequest{Id: id})
		mustOK(t, "LockUser", err)
		_, err = m.DeactivateUser(ctx(t), &management.DeactivateUserRequest{Id: id})
		mustOK(t, "DeactivateUser of a locked user", err)
		wantState(t, m, id, user.UserState_USER_STATE_INACTIVE)
		_, err = m.UnlockUser(ctx(t), &management.UnlockUserRequest{Id: id})
		wantErr(t, "UnlockUser of an inactive user", err, codes.FailedPrecondition, "COMMAND-4M0ds")
		_, err = m.ReactivateUser(ctx(t), &management.ReactivateUserRequest{Id: id})
		mustOK(t, "ReactivateUser", err)
		wantState(t, m, id, user.UserState_USER_STATE_ACTIVE)
		_, err = m.UnlockUser(ctx(t), &management.UnlockUserRequest{Id: id})
		wantErr(t, "UnlockUser after reactivation", err, codes.FailedPrecondition, "COMMAND-4M0ds")
	})
}
