package user

import (
	"errors"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/event"
)

func newCodeUser(t *testing.T) (*User, Actor) {
	t.Helper()
	by := Actor{At: time.Now()}
	u, _ := NewHuman("1", "o", "ann", Human{Email: "ann@example.com", PasswordHash: "h"}, false, by)
	return u, by
}

func addCode(t *testing.T, u *User, p CodePurpose, mac string, by Actor) {
	t.Helper()
	ev, err := AddCode(u, p, Code{MAC: []byte(mac), Target: "ann@example.com", CreatedAt: by.At, Expiry: time.Hour}, by, nil)
	if err != nil || ev.Type != codeEvents[p].added {
		t.Fatalf("add %s code: %v %v", p, ev.Type, err)
	}
}

func TestCodeIsSingleUse(t *testing.T) {
	u, by := newCodeUser(t)
	addCode(t, u, CodeEmail, "right", by)
	if _, out, err := CheckCode(u, CodeEmail, []byte("right"), by.At, 3, by); out != CheckOK || err != nil {
		t.Fatalf("right code: %v %v", out, err)
	}
	if _, _, err := CheckCode(u, CodeEmail, []byte("right"), by.At, 3, by); !errors.Is(err, codeNotFound[CodeEmail]) {
		t.Fatalf("second use: %v", err)
	}
}

func TestCodeIsBoundToItsPurpose(t *testing.T) {
	u, by := newCodeUser(t)
	addCode(t, u, CodeEmail, "right", by)
	if _, _, err := CheckCode(u, CodePassword, []byte("right"), by.At, 3, by); !errors.Is(err, codeNotFound[CodePassword]) {
		t.Fatalf("email code as reset code: %v", err)
	}
}

func TestCodeExpires(t *testing.T) {
	u, by := newCodeUser(t)
	addCode(t, u, CodePassword, "right", by)
	if _, _, err := CheckCode(u, CodePassword, []byte("right"), by.At.Add(time.Hour), 3, by); !errors.Is(err, ErrCodeExpired) {
		t.Fatalf("at expiry: %v", err)
	}
	if _, out, _ := CheckCode(u, CodePassword, []byte("right"), by.At.Add(59*time.Minute), 3, by); out != CheckOK {
		t.Fatalf("before expiry: %v", out)
	}
}

// Wrong codes lock at max_otp_attempts, and asking for a new code does not
// reset the count (else a public "forgot password" form would give an
// attacker unlimited guesses).
func TestWrongCodesLockAcrossReissue(t *testing.T) {
	u, by := newCodeUser(t)
	addCode(t, u, CodePassword, "right", by)
	evs, out, err := CheckCode(u, CodePassword, []byte("wrong"), by.At, 2, by)
	if out != CheckWrong || !errors.Is(err, ErrCodeInvalid) || len(evs) != 1 || evs[0].Type != event.HumanPasswordCodeCheckFailed {
		t.Fatalf("first wrong: %v %v %v", evs, out, err)
	}
	addCode(t, u, CodePassword, "right2", by)
	evs, out, err = CheckCode(u, CodePassword, []byte("wrong"), by.At, 2, by)
	if out != CheckWrongLocked || !errors.Is(err, ErrCodeInvalid) || len(evs) != 2 || evs[1].Type != event.UserLocked || u.State != StateLocked {
		t.Fatalf("second wrong: %v %v %v %v", evs, out, err, u.State)
	}
	// The lock ended every code: after an unlock the old one is gone too.
	if PendingCode(u, CodePassword) != nil {
		t.Fatal("a code survived the lock")
	}
	if _, err := Apply(u, OpUnlock, by); err != nil || u.Human.FailedOTPAttempts != 0 {
		t.Fatal(err, u.Human.FailedOTPAttempts)
	}
}

// A locked or deactivated user gets no code and has none checked; the
// right code says "locked", a wrong one only "invalid" and is not counted.
func TestCodesRefusedWhenLocked(t *testing.T) {
	u, by := newCodeUser(t)
	addCode(t, u, CodeEmail, "right", by)
	c := *PendingCode(u, CodeEmail)
	if _, err := Apply(u, OpLock, by); err != nil {
		t.Fatal(err)
	}
	if _, err := AddCode(u, CodeEmail, c, by, nil); !errors.Is(err, ErrLocked) {
		t.Fatalf("issue to locked: %v", err)
	}
	u.Human.Codes = map[CodePurpose]*Code{CodeEmail: &c} // as if it had survived
	if evs, out, err := CheckCode(u, CodeEmail, []byte("right"), by.At, 3, by); out != CheckRefused || len(evs) != 0 || !errors.Is(err, ErrLocked) {
		t.Fatalf("right code when locked: %v %v %v", evs, out, err)
	}
	if evs, out, err := CheckCode(u, CodeEmail, []byte("wrong"), by.At, 3, by); out != CheckRefused || len(evs) != 0 || !errors.Is(err, ErrCodeInvalid) || u.Human.FailedOTPAttempts != 0 {
		t.Fatalf("wrong code when locked: %v %v %v", evs, out, err)
	}
}

func TestChangedAddressEndsItsCode(t *testing.T) {
	u, by := newCodeUser(t)
	addCode(t, u, CodeEmail, "right", by)
	if _, err := ChangeEmail(u, "new@example.com", false, by); err != nil {
		t.Fatal(err)
	}
	if PendingCode(u, CodeEmail) != nil {
		t.Fatal("a code for the old address survived the change")
	}
	addCode(t, u, CodePassword, "right", by)
	if _, err := SetPassword(u, "h2", false, by); err != nil || PendingCode(u, CodePassword) != nil {
		t.Fatal("a reset code survived a new password", err)
	}
}
