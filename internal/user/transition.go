package user

import (
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/fail"
	"google.golang.org/grpc/codes"
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

// The error catalogue: ZITADEL's ids for each operation, v1 and v2.
var (
	notFoundText = "User could not be found"
	emptyIDs     = [...][2]string{
		OpLock: {"COMMAND-2M0sd", "COMMAND-agz3eczifm"}, OpUnlock: {"COMMAND-M0dse", "COMMAND-a9ld4xckax"},
		OpDeactivate: {"COMMAND-m0gDf", "COMMAND-78iiirat8y"}, OpReactivate: {"COMMAND-4M9ds", "COMMAND-0nx1ie38fw"},
		OpRemove: {"COMMAND-2M0ds", "COMMAND-vaipl7s13l"},
	}
	notFoundIDs = [...][2]string{
		OpLock: {"COMMAND-5M9fs", "COMMAND-450yxuqrh1"}, OpUnlock: {"COMMAND-M0dos", "COMMAND-x377t913pw"},
		OpDeactivate: {"COMMAND-3M9ds", "COMMAND-5gp2p62iin"}, OpReactivate: {"COMMAND-4M0sd", "COMMAND-9hy5kzbuk6"},
		OpRemove: {"COMMAND-m9od", "COMMAND-bd4ir1mblj"},
	}

	ErrNotActiveOrInitial = fail.New2(codes.FailedPrecondition, "COMMAND-3NN8v", "COMMAND-lgws8wtsqf", "User is not active or initial")
	ErrNotLocked          = fail.New2(codes.FailedPrecondition, "COMMAND-4M0ds", "COMMAND-olb9vb0oca", "User is not locked")
	ErrDeactivateInitial  = fail.New2(codes.FailedPrecondition, "COMMAND-ke0fw", "COMMAND-gvx4kct9r2", "Cannot deactivate user in initial state")
	ErrAlreadyInactive    = fail.New2(codes.FailedPrecondition, "COMMAND-5M0sf", "COMMAND-5gunjw0cd7", "User already inactive")
	ErrNotInactive        = fail.New2(codes.FailedPrecondition, "COMMAND-6M0sf", "COMMAND-s5qqcz97hf", "User is not inactive")

	// ErrGetNotFound is the query side's not-found (GetUserByID).
	ErrGetNotFound = fail.New2(codes.NotFound, "QUERY-Dfbg2", "QUERY-Dfbg2", notFoundText)
	// ErrUserNameTaken is returned when a user name is already used in the org.
	ErrUserNameTaken = fail.New(codes.AlreadyExists, "COMMAND-k2unb", "Errors.User.AlreadyExists")
)

// ErrEmptyID is the InvalidArgument for a missing user id.
func ErrEmptyID(op Op) *fail.Error {
	ids := emptyIDs[op]
	return fail.New2(codes.InvalidArgument, ids[0], ids[1], "User id is missing")
}

// ErrNotFound is the NotFound an operation answers for a missing or removed user.
func ErrNotFound(op Op) *fail.Error {
	ids := notFoundIDs[op]
	return fail.New2(codes.NotFound, ids[0], ids[1], notFoundText)
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
		}
		return u.record(event.UserUnlocked, by, map[string]any{"state": u.State.String()}), nil
	case OpDeactivate:
		// From LOCKED the lock ends here: a later reactivation gives an ACTIVE user
		// with fresh credentials, not a lock silently kept (ZITADEL issue #11176).
		u.State = StateInactive
		u.StateBeforeLock = StateUnspecified
		u.CredentialEpoch++
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
	p := map[string]any{"previousState": from.String()}
	if cause != "" {
		p["cause"] = cause
	}
	return u.record(event.UserLocked, by, p)
}
