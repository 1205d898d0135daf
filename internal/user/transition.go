package user

import (
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/fail"
)

// Op is a lifecycle operation.
type Op int

const (
	OpLock Op = iota
	OpUnlock
	OpDeactivate
	OpReactivate
	OpRemove
)

func (o Op) String() string {
	return [...]string{"lock", "unlock", "deactivate", "reactivate", "remove"}[o]
}

// refusal is the transition table (shared/spec/compat.md, "State machine"):
// why op cannot be applied to a user in state from, or nil when it can.
func refusal(from State, op Op) error {
	if from == StateDeleted {
		return ErrNotFound(op)
	}
	switch op {
	case OpLock:
		if from != StateActive && from != StateInitial {
			return ErrNotActiveOrInitial
		}
	case OpUnlock:
		if from != StateLocked {
			return ErrNotLocked
		}
	case OpDeactivate:
		switch from {
		case StateInitial:
			return ErrDeactivateInitial
		case StateInactive:
			return ErrAlreadyInactive
		}
	case OpReactivate:
		if from != StateInactive {
			return ErrNotInactive
		}
	case OpRemove:
	default:
		return fail.Internal
	}
	return nil
}

// Allows tells whether op may be applied to a user in state s: what Apply
// would decide, without deciding it (the console offers only these actions).
func Allows(s State, op Op) bool { return refusal(s, op) == nil }

// Apply decides op on u. On success it mutates u (state, sequence, epoch) and
// returns the event to record; on refusal u is unchanged. A nil or removed user
// is NotFound for every operation.
func Apply(u *User, op Op, by Actor) (event.Event, error) {
	if u == nil {
		return event.Event{}, ErrNotFound(op)
	}
	if err := refusal(u.State, op); err != nil {
		return event.Event{}, err
	}
	from := u.State
	switch op {
	case OpLock:
		return u.lock(by, ""), nil
	case OpUnlock:
		u.State = u.StateBeforeLock
		if u.State != StateActive && u.State != StateInitial {
			u.State = StateActive // data from before StateBeforeLock existed
		}
		u.StateBeforeLock = StateUnspecified
		if u.Human != nil {
			u.Human.FailedPasswordAttempts = 0
			u.Human.FailedOTPAttempts = 0
		}
		return u.record(event.UserUnlocked, by, map[string]any{"state": u.State.String()}), nil
	case OpDeactivate:
		// From LOCKED the lock ends here: a later reactivation gives an ACTIVE user
		// with fresh credentials, not a lock silently kept (ZITADEL issue #11176).
		u.State = StateInactive
		u.StateBeforeLock = StateUnspecified
		u.CredentialEpoch++
		u.dropCodes()
		return u.record(event.UserDeactivated, by, map[string]any{"previousState": from.String()}), nil
	case OpReactivate:
		u.State = StateActive
		return u.record(event.UserReactivated, by, nil), nil
	default: // OpRemove; refusal knows no other
		u.State = StateDeleted
		u.StateBeforeLock = StateUnspecified
		u.CredentialEpoch++
		return u.record(event.UserRemoved, by, map[string]any{"userName": u.UserName}), nil
	}
}

// lock is the one lock transition, whether an administrator locks (cause
// empty) or the lockout policy does: the state to return to on unlock is kept,
// and the credential epoch moves on, so everything a sign-in produced before
// the lock stays dead after it.
func (u *User) lock(by Actor, cause string) event.Event {
	from := u.State
	u.StateBeforeLock = from
	u.State = StateLocked
	u.CredentialEpoch++
	u.dropCodes() // a code sent before the lock is dead with the lock, like the tokens
	p := map[string]any{"previousState": from.String()}
	if cause != "" {
		p["cause"] = cause
	}
	return u.record(event.UserLocked, by, p)
}
