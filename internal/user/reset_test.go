package user

import (
	"errors"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/event"
)

// TestCodeIssueRules: who may get a reset, an initialization code or an
// invitation, by state and password.
func TestCodeIssueRules(t *testing.T) {
	by := Actor{At: time.Now()}
	mk := func(state State, password string) *User {
		u, _ := NewHuman("1", "o", "ann", Human{Email: "ann@example.com", PasswordHash: password}, password == "", by)
		u.State = state
		return u
	}
	machine, _ := NewMachine("2", "o", "bot", Machine{Name: "bot"}, by)
	for _, c := range []struct {
		name                string
		u                   *User
		reset, init, invite error
	}{
		{"active with password", mk(StateActive, "h"), nil, ErrAlreadyInitialised, ErrInviteAccepted},
		{"initial", mk(StateInitial, ""), ErrNotInitialised, nil, nil},
		{"active without password", mk(StateActive, ""), nil, ErrAlreadyInitialised, nil},
		{"machine", machine, ErrNotHuman, ErrNotHuman, ErrNotHuman},
		{"removed", mk(StateDeleted, "h"), errRemoveNotFound, errRemoveNotFound, errRemoveNotFound},
	} {
		for what, got := range map[string][2]error{
			"reset": {ResetAllowed(c.u), c.reset}, "init": {InitAllowed(c.u), c.init}, "invite": {InviteAllowed(c.u), c.invite},
		} {
			if (got[1] == nil) != (got[0] == nil) || got[1] != nil && !errors.Is(got[0], got[1]) && c.name != "removed" {
				t.Errorf("%s %s: %v, want %v", c.name, what, got[0], got[1])
			}
		}
	}
}

// TestAcceptCodes: an accepted initialization verifies the address once; an
// accepted invitation records the verification every time, as ZITADEL does.
func TestAcceptCodes(t *testing.T) {
	by := Actor{At: time.Now()}
	u, _ := NewHuman("1", "o", "ann", Human{Email: "ann@example.com"}, true, by)
	if evs := AcceptInit(u, by); len(evs) != 2 || evs[0].Type != event.HumanInitCheckSucceeded || evs[1].Type != event.HumanEmailVerified || !u.Human.EmailVerified {
		t.Fatalf("init: %v", evs)
	}
	if evs := AcceptInit(u, by); len(evs) != 1 {
		t.Fatalf("init of a verified address: %v", evs)
	}
	if evs := AcceptInvite(u, by); len(evs) != 2 || evs[0].Type != event.HumanInviteCheckSucceeded || evs[1].Type != event.HumanEmailVerified {
		t.Fatalf("invite: %v", evs)
	}
	if u.State != StateInitial {
		t.Fatalf("state %v: a code alone does not end INITIAL", u.State)
	}
}
