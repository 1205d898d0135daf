package user

import "github.com/warden-id/warden/internal/event"

// The rules of the codes that lead to a password: a reset code (for a user
// who has finished its initialisation), an initialization code (v1: a user
// created without a password, still INITIAL) and an invitation (v2: a user
// without a password). Issuing and checking are AddCode and CheckCode; these
// say who may get one and what a correct one records.

// ResetAllowed refuses a password reset for a user that cannot have one: a
// user still INITIAL sets its first password with its initialization code,
// as in ZITADEL. AddCode refuses locked and deactivated users.
func ResetAllowed(u *User) error {
	if err := human(u); err != nil {
		return err
	}
	if u.State == StateInitial {
		return ErrNotInitialised
	}
	return nil
}

// InitAllowed refuses an initialization code for a user that has finished
// its initialisation (ZITADEL's ResendInitialMail).
func InitAllowed(u *User) error {
	if err := human(u); err != nil {
		return err
	}
	if u.State != StateInitial {
		return ErrAlreadyInitialised
	}
	return nil
}

// InviteAllowed refuses an invitation for a user that already has a password
// (ZITADEL's CreationAllowed: no authentication method yet).
func InviteAllowed(u *User) error {
	if err := human(u); err != nil {
		return err
	}
	if u.Human.PasswordHash != "" {
		return ErrInviteAccepted
	}
	return nil
}

// AcceptInit records a correct initialization code (CheckCode consumed it):
// the check succeeded, and the address it reached is verified if it was not.
// The first password follows in the same write (SetPassword, which ends
// INITIAL).
func AcceptInit(u *User, by Actor) []event.Event {
	evs := []event.Event{u.record(event.HumanInitCheckSucceeded, by, nil)}
	if !u.Human.EmailVerified {
		u.Human.EmailVerified = true
		delete(u.Human.Codes, CodeEmail)
		evs = append(evs, u.record(event.HumanEmailVerified, by, nil))
	}
	return evs
}

// AcceptInvite records a correct invitation code: the check succeeded and
// the e-mail address is verified (recorded every time, as ZITADEL does). The
// state does not change: an INITIAL user becomes ACTIVE with its password.
func AcceptInvite(u *User, by Actor) []event.Event {
	u.Human.EmailVerified = true
	delete(u.Human.Codes, CodeEmail)
	return []event.Event{u.record(event.HumanInviteCheckSucceeded, by, nil), u.record(event.HumanEmailVerified, by, nil)}
}
