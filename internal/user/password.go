package user

import (
	"github.com/warden-id/warden/internal/event"
)

// CheckOutcome is what a password check decided.
type CheckOutcome int

const (
	CheckOK          CheckOutcome = iota // correct password: attempts reset
	CheckWrong                           // wrong password recorded, user still usable
	CheckWrongLocked                     // wrong password recorded and it locked the user
	CheckRefused                         // nothing recorded: the user cannot sign in at all
)

// CheckPassword records the result of a password verification done outside (the
// hash comparison is slow and must not run inside a transaction). maxAttempts is
// the lockout policy's limit (0 = never lock). The failure that reaches the limit
// locks the user in the same change, so parallel wrong guesses can never exceed
// it: each runs against the state the previous one committed, and a LOCKED user
// records nothing more.
func CheckPassword(u *User, correct bool, maxAttempts uint64, by Actor) ([]event.Event, CheckOutcome, error) {
	if u == nil || u.State == StateDeleted {
		return nil, CheckRefused, ErrGetNotFound
	}
	if u.Human == nil {
		return nil, CheckRefused, ErrNotHuman
	}
	// A locked or deactivated account says so only to someone who knows its
	// password; to anyone else it answers as a wrong password does (and, since
	// it cannot sign in, nothing is recorded).
	switch {
	case u.State == StateLocked && correct:
		return nil, CheckRefused, ErrLocked
	case u.State == StateInactive && correct:
		return nil, CheckRefused, ErrNotActive
	case u.State == StateLocked, u.State == StateInactive:
		return nil, CheckRefused, ErrWrongPassword
	}
	if u.Human.PasswordHash == "" {
		return nil, CheckRefused, ErrNoPassword
	}
	if correct {
		u.Human.FailedPasswordAttempts = 0
		return []event.Event{u.record(event.PasswordCheckOK, by, nil)}, CheckOK, nil
	}
	u.Human.FailedPasswordAttempts++
	evs := []event.Event{u.record(event.PasswordCheckFailed, by, map[string]any{"attempt": u.Human.FailedPasswordAttempts})}
	if maxAttempts > 0 && uint64(u.Human.FailedPasswordAttempts) >= maxAttempts {
		// Only ACTIVE and INITIAL users get here, the states a lock accepts.
		evs = append(evs, u.lock(by, "lockout policy"))
		return evs, CheckWrongLocked, ErrWrongPassword
	}
	return evs, CheckWrong, ErrWrongPassword
}

// SetPassword replaces a human's password hash; a new password also resets the
// failed attempts. changeRequired forces a change at the next sign-in. It
// raises the credential epoch: whatever a sign-in with the old password
// produced (sessions, refresh and access tokens) ends with it, while what an
// administrator issued (PATs, machine keys and secrets) is not affected.
func SetPassword(u *User, hash string, changeRequired bool, by Actor) (event.Event, error) {
	if u == nil || u.State == StateDeleted {
		return event.Event{}, ErrGetNotFound
	}
	if u.Human == nil {
		return event.Event{}, ErrNotHuman
	}
	u.Human.PasswordHash = hash
	u.Human.PasswordChangeRequired = changeRequired
	u.Human.FailedPasswordAttempts = 0
	u.Human.PasswordChangedAt = by.At
	delete(u.Human.Codes, CodePassword) // a reset code is for the password just replaced
	u.CredentialEpoch++
	if u.State == StateInitial {
		u.State = StateActive // a user with a password has finished its initialisation
	}
	return u.record(event.PasswordChanged, by, map[string]any{"changeRequired": changeRequired}), nil
}

// UpgradePasswordHash replaces a human's password hash by another hash of the
// same password (a sign-in that proved the password re-hashed it with the
// server's own parameters). Nothing else changes: the password is the same.
// The event carries no hash.
func UpgradePasswordHash(u *User, hash string, by Actor) (event.Event, error) {
	if u == nil || u.State == StateDeleted {
		return event.Event{}, ErrGetNotFound
	}
	if u.Human == nil {
		return event.Event{}, ErrNotHuman
	}
	u.Human.PasswordHash = hash
	return u.record(event.PasswordHashUpdated, by, nil), nil
}
