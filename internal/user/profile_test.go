package user

import (
	"errors"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/event"
)

func humanIn(s State) *User {
	return &User{ID: "u1", OrgID: "o1", UserName: "ada", Type: TypeHuman, State: s, Sequence: 3,
		Human: &Human{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", EmailVerified: true}}
}

// TestChangeProfileInEveryState: profile changes are allowed in every state but
// removed, as ZITADEL's ChangeHumanProfile; only changed fields are recorded.
func TestChangeProfileInEveryState(t *testing.T) {
	by := Actor{UserID: "admin", At: time.Unix(100, 0)}
	for _, s := range []State{StateActive, StateInitial, StateLocked, StateInactive} {
		u := humanIn(s)
		ev, err := ChangeProfile(u, Profile{FirstName: "Augusta", LastName: "Lovelace", Gender: 1}, by)
		if err != nil {
			t.Fatalf("%v: %v", s, err)
		}
		if ev.Type != event.HumanProfileChanged || ev.Sequence != 4 || u.Human.FirstName != "Augusta" || u.Human.Gender != 1 {
			t.Fatalf("%v: event %+v, human %+v", s, ev, u.Human)
		}
		if got := string(ev.Payload); got != `{"firstName":"Augusta","gender":1}` {
			t.Errorf("%v: payload %s", s, got)
		}
	}
	u := humanIn(StateDeleted)
	if _, err := ChangeProfile(u, Profile{FirstName: "A", LastName: "B"}, by); !errors.Is(err, ErrChangeNotFound) {
		t.Errorf("removed user: %v", err)
	}
	u = humanIn(StateActive)
	for p, want := range map[Profile]error{
		{FirstName: "Ada", LastName: "Lovelace"}: ErrProfileNotChanged,
		{LastName: "Lovelace"}:                   ErrFirstNameEmpty,
		{FirstName: "Ada"}:                       ErrLastNameEmpty,
	} {
		if _, err := ChangeProfile(u, p, by); !errors.Is(err, want) || u.Sequence != 3 {
			t.Errorf("%+v: %v (sequence %d), want %v", p, err, u.Sequence, want)
		}
	}
	m := &User{ID: "m", State: StateActive, Type: TypeMachine, Machine: &Machine{Name: "bot"}}
	if _, err := ChangeProfile(m, Profile{FirstName: "A", LastName: "B"}, by); !errors.Is(err, ErrNotHuman) {
		t.Errorf("machine: %v", err)
	}
}

func TestChangeEmailAndPhone(t *testing.T) {
	by := Actor{UserID: "admin", At: time.Unix(100, 0)}
	u := humanIn(StateActive)
	// A new address unverified: changed only, and no longer verified.
	evs, err := ChangeEmail(u, "ada@new.example", false, by)
	if err != nil || len(evs) != 1 || evs[0].Type != event.HumanEmailChanged || u.Human.EmailVerified {
		t.Fatalf("unverified change: %v %+v %+v", err, evs, u.Human)
	}
	// The same address, now verified: only the verification.
	evs, err = ChangeEmail(u, "ada@new.example", true, by)
	if err != nil || len(evs) != 1 || evs[0].Type != event.HumanEmailVerified || !u.Human.EmailVerified {
		t.Fatalf("verify: %v %+v", err, evs)
	}
	if _, err := ChangeEmail(u, "ada@new.example", true, by); !errors.Is(err, ErrEmailNotChanged) {
		t.Errorf("unchanged: %v", err)
	}
	evs, err = ChangePhone(u, "+41 79 123 45 67", true, by)
	if err != nil || len(evs) != 2 || evs[0].Type != event.HumanPhoneChanged || evs[1].Type != event.HumanPhoneVerified || !u.Human.PhoneVerified {
		t.Fatalf("phone: %v %+v", err, evs)
	}
	if _, err := ChangePhone(u, "+41 79 123 45 67", false, by); !errors.Is(err, ErrPhoneNotChanged) {
		t.Errorf("phone unchanged: %v", err)
	}
	ev, err := RemovePhone(u, by)
	if err != nil || ev.Type != event.HumanPhoneRemoved || u.Human.Phone != "" || u.Human.PhoneVerified {
		t.Fatalf("remove phone: %v %+v", err, u.Human)
	}
	if _, err := RemovePhone(u, by); !errors.Is(err, ErrPhoneNotFound) {
		t.Errorf("remove again: %v", err)
	}
}

func TestChangeUserNameAndMachine(t *testing.T) {
	by := Actor{UserID: "admin", At: time.Unix(100, 0)}
	u := humanIn(StateLocked)
	ev, err := ChangeUserName(u, "augusta", by)
	if err != nil || ev.Type != event.UserNameChanged || u.UserName != "augusta" {
		t.Fatalf("rename: %v", err)
	}
	if _, err := ChangeUserName(u, "augusta", by); !errors.Is(err, ErrUserNameNotChanged) {
		t.Errorf("same name: %v", err)
	}
	m := &User{ID: "m", State: StateActive, Type: TypeMachine, Machine: &Machine{Name: "bot"}}
	ev, err = ChangeMachine(m, "robot", "does things", 1, by)
	if err != nil || ev.Type != event.MachineChanged || m.Machine.Name != "robot" || m.Machine.AccessTokenType != 1 {
		t.Fatalf("machine: %v %+v", err, m.Machine)
	}
	if _, err := ChangeMachine(m, "robot", "does things", 1, by); !errors.Is(err, ErrMachineNotChanged) {
		t.Errorf("machine unchanged: %v", err)
	}
	if _, err := ChangeMachine(humanIn(StateActive), "x", "", 0, by); !errors.Is(err, ErrNotMachine) {
		t.Errorf("human as machine: %v", err)
	}
}
