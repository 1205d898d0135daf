package user

import (
	"errors"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/fail"
	"google.golang.org/grpc/codes"
)

// TestStateMachine checks every state × every operation against the spec's table.
func TestStateMachine(t *testing.T) {
	type want struct {
		state State       // resulting state on success
		err   *fail.Error // refusal
		event string
	}
	nf := func(op Op) want { return want{err: ErrNotFound(op)} }
	table := map[State]map[Op]want{
		StateActive: {
			OpLock: {state: StateLocked, event: event.UserLocked}, OpUnlock: {err: ErrNotLocked},
			OpDeactivate: {state: StateInactive, event: event.UserDeactivated}, OpReactivate: {err: ErrNotInactive},
			OpRemove: {state: StateDeleted, event: event.UserRemoved},
		},
		StateInitial: {
			OpLock: {state: StateLocked, event: event.UserLocked}, OpUnlock: {err: ErrNotLocked},
			OpDeactivate: {err: ErrDeactivateInitial}, OpReactivate: {err: ErrNotInactive},
			OpRemove: {state: StateDeleted, event: event.UserRemoved},
		},
		StateLocked: {
			OpLock: {err: ErrNotActiveOrInitial}, OpUnlock: {state: StateActive, event: event.UserUnlocked},
			OpDeactivate: {state: StateInactive, event: event.UserDeactivated}, OpReactivate: {err: ErrNotInactive},
			OpRemove: {state: StateDeleted, event: event.UserRemoved},
		},
		StateInactive: {
			OpLock: {err: ErrNotActiveOrInitial}, OpUnlock: {err: ErrNotLocked},
			OpDeactivate: {err: ErrAlreadyInactive}, OpReactivate: {state: StateActive, event: event.UserReactivated},
			OpRemove: {state: StateDeleted, event: event.UserRemoved},
		},
		StateDeleted: {OpLock: nf(OpLock), OpUnlock: nf(OpUnlock), OpDeactivate: nf(OpDeactivate),
			OpReactivate: nf(OpReactivate), OpRemove: nf(OpRemove)},
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for from, ops := range table {
		for op, w := range ops {
			t.Run(from.String()+"/"+op.String(), func(t *testing.T) {
				u := &User{ID: "1", OrgID: "o", State: from, Sequence: 7, CredentialEpoch: 3, StateBeforeLock: StateActive}
				before := *u
				ev, err := Apply(u, op, Actor{UserID: "admin", At: at})
				if w.err != nil {
					fe, ok := fail.As(err)
					if !ok || !errors.Is(err, w.err) || fe.Code != w.err.Code {
						t.Fatalf("err = %v, want %v", err, w.err)
					}
					if *u != before {
						t.Fatalf("refused op changed the user: %+v", u)
					}
					return
				}
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if u.State != w.state || ev.Type != w.event {
					t.Fatalf("got state %v event %q, want %v %q", u.State, ev.Type, w.state, w.event)
				}
				if ev.Sequence != 8 || u.Sequence != 8 || ev.AggregateID != "1" || ev.ResourceOwner != "o" ||
					ev.CreatorID != "admin" || !ev.CreatedAt.Equal(at) || !u.ChangedAt.Equal(at) {
					t.Fatalf("bad event %+v / user %+v", ev, u)
				}
				killsCredentials := op == OpLock || op == OpDeactivate || op == OpRemove
				if killsCredentials != (u.CredentialEpoch == 4) {
					t.Fatalf("credential epoch %d after %v", u.CredentialEpoch, op)
				}
			})
		}
	}
	if _, err := Apply(nil, OpLock, Actor{}); !errors.Is(err, ErrNotFound(OpLock)) {
		t.Fatalf("nil user: %v", err)
	}
}

// Unlock returns to the state before the lock, and a lock ended by deactivation
// does not come back on reactivation.
func TestUnlockRestoresAndDeactivateEndsLock(t *testing.T) {
	by := Actor{At: time.Now()}
	u, _ := NewHuman("1", "o", "ann", Human{}, true, by)
	for _, op := range []Op{OpLock, OpUnlock} {
		if _, err := Apply(u, op, by); err != nil {
			t.Fatal(err)
		}
	}
	if u.State != StateInitial {
		t.Fatalf("unlock of a locked INITIAL user gave %v", u.State)
	}
	u.State = StateActive
	for _, op := range []Op{OpLock, OpDeactivate, OpReactivate} {
		if _, err := Apply(u, op, by); err != nil {
			t.Fatal(err)
		}
	}
	if u.State != StateActive {
		t.Fatalf("lock, deactivate, reactivate gave %v", u.State)
	}
	if _, err := Apply(u, OpUnlock, by); !errors.Is(err, ErrNotLocked) {
		t.Fatalf("stale lock came back: %v", err)
	}
	if u.Sequence != 6 {
		t.Fatalf("sequence %d after 6 events", u.Sequence)
	}
}

func TestErrorIDs(t *testing.T) {
	if e := ErrNotFound(OpUnlock); e.IDFor(false) != "COMMAND-M0dos" || e.IDFor(true) != "COMMAND-x377t913pw" || e.Code != codes.NotFound {
		t.Fatal(e)
	}
	if e := ErrEmptyID(OpRemove); e.IDFor(true) != "COMMAND-vaipl7s13l" || e.Code != codes.InvalidArgument {
		t.Fatal(e)
	}
}

// TestAllowsAgreesWithApply: what Allows offers is exactly what Apply accepts,
// in every state, so the console never shows an action the API refuses (or
// hides one it would do).
func TestAllowsAgreesWithApply(t *testing.T) {
	states := []State{StateUnspecified, StateActive, StateInactive, StateDeleted, StateLocked, StateInitial}
	for _, s := range states {
		for _, op := range []Op{OpLock, OpUnlock, OpDeactivate, OpReactivate, OpRemove} {
			u := &User{ID: "1", State: s, StateBeforeLock: StateActive}
			_, err := Apply(u, op, Actor{})
			if Allows(s, op) != (err == nil) {
				t.Errorf("%v/%v: Allows %v, Apply: %v", s, op, Allows(s, op), err)
			}
		}
	}
	if Allows(StateActive, Op(99)) {
		t.Error("an unknown operation is allowed")
	}
}
