package user

import (
	"errors"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/event"
)

func TestCheckPasswordLockout(t *testing.T) {
	by := Actor{At: time.Now()}
	u, _ := NewHuman("1", "o", "ann", Human{PasswordHash: "h"}, false, by)
	for i := 1; i <= 2; i++ {
		evs, out, err := CheckPassword(u, false, 3, by)
		if out != CheckWrong || !errors.Is(err, ErrWrongPassword) || len(evs) != 1 || evs[0].Type != event.PasswordCheckFailed {
			t.Fatalf("attempt %d: %v %v %v", i, evs, out, err)
		}
	}
	evs, out, err := CheckPassword(u, false, 3, by)
	if out != CheckWrongLocked || len(evs) != 2 || evs[1].Type != event.UserLocked || u.State != StateLocked || u.CredentialEpoch != 2 {
		t.Fatalf("third attempt: %v %v %v state %v", evs, out, err, u.State)
	}
	// Locked: even the right password records nothing.
	if evs, out, err := CheckPassword(u, true, 3, by); out != CheckRefused || len(evs) != 0 || !errors.Is(err, ErrLocked) {
		t.Fatalf("locked check: %v %v %v", evs, out, err)
	}
	// Unlock resets the count; a correct password resets it too.
	if _, err := Apply(u, OpUnlock, by); err != nil || u.Human.FailedPasswordAttempts != 0 {
		t.Fatal(err, u.Human.FailedPasswordAttempts)
	}
	CheckPassword(u, false, 3, by)
	if _, out, _ := CheckPassword(u, true, 3, by); out != CheckOK || u.Human.FailedPasswordAttempts != 0 {
		t.Fatal("correct password did not reset")
	}
	// 0 = never lock.
	for i := 0; i < 20; i++ {
		CheckPassword(u, false, 0, by)
	}
	if u.State != StateActive {
		t.Fatal("policy 0 locked")
	}
	if _, err := SetPassword(u, "h2", true, by); err != nil || u.Human.FailedPasswordAttempts != 0 || !u.Human.PasswordChangeRequired {
		t.Fatal("set password")
	}
	u.State = StateInactive
	if _, out, err := CheckPassword(u, true, 3, by); out != CheckRefused || !errors.Is(err, ErrNotActive) {
		t.Fatal("inactive")
	}
	m, _ := NewMachine("2", "o", "m", Machine{}, by)
	if _, _, err := CheckPassword(m, true, 3, by); !errors.Is(err, ErrNotHuman) {
		t.Fatal("machine")
	}
}

func TestUpgradePasswordHash(t *testing.T) {
	by := Actor{At: time.Now()}
	u, _ := NewHuman("1", "o", "ann", Human{PasswordHash: "old", PasswordChangeRequired: true}, false, by)
	seq := u.Sequence
	ev, err := UpgradePasswordHash(u, "new", by)
	if err != nil || ev.Type != event.PasswordHashUpdated || ev.Sequence != seq+1 || u.Human.PasswordHash != "new" ||
		!u.Human.PasswordChangeRequired || len(ev.Payload) != 0 {
		t.Fatalf("%+v %v %+v", ev, err, u.Human)
	}
	m, _ := NewMachine("2", "o", "svc", Machine{Name: "svc"}, by)
	if _, err := UpgradePasswordHash(m, "new", by); !errors.Is(err, ErrNotHuman) {
		t.Fatal(err)
	}
}

// TestPasswordChangedAt: the age policy's clock starts when a password is set,
// at creation or by a change; re-hashing the same password does not restart it.
func TestPasswordChangedAt(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	u, _ := NewHuman("1", "o", "ann", Human{PasswordHash: "h"}, false, Actor{At: t0})
	if !u.Human.PasswordChangedAt.Equal(t0) {
		t.Fatalf("at creation: %v", u.Human.PasswordChangedAt)
	}
	if n, _ := NewHuman("2", "o", "bob", Human{}, true, Actor{At: t0}); !n.Human.PasswordChangedAt.IsZero() {
		t.Fatal("no password, yet a change time")
	}
	t1 := t0.Add(time.Hour)
	if _, err := UpgradePasswordHash(u, "h2", Actor{At: t1}); err != nil || !u.Human.PasswordChangedAt.Equal(t0) {
		t.Fatalf("re-hash moved the clock: %v %v", u.Human.PasswordChangedAt, err)
	}
	if _, err := SetPassword(u, "h3", false, Actor{At: t1}); err != nil || !u.Human.PasswordChangedAt.Equal(t1) {
		t.Fatalf("a change: %v %v", u.Human.PasswordChangedAt, err)
	}
}
