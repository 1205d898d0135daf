package user

import (
	"errors"
	"testing"

	"github.com/warden-id/warden/internal/event"
)

// TestVerifiedBy: a right code's change marks the address or number verified
// with ZITADEL's event; a phone code without a number, or another purpose,
// verifies nothing.
func TestVerifiedBy(t *testing.T) {
	u, by := newCodeUser(t)
	u.Human.EmailVerified = false
	ev, err := VerifiedBy(u, CodeEmail, by)
	if err != nil || ev.Type != event.HumanEmailVerified || !u.Human.EmailVerified {
		t.Fatalf("email: %v %v %v", ev.Type, err, u.Human.EmailVerified)
	}
	if _, err := VerifiedBy(u, CodePhone, by); !errors.Is(err, ErrPhoneNotFound) {
		t.Fatalf("phone without a number: %v", err)
	}
	u.Human.Phone = "+41 79 000 00 00"
	if ev, err := VerifiedBy(u, CodePhone, by); err != nil || ev.Type != event.HumanPhoneVerified || !u.Human.PhoneVerified {
		t.Fatalf("phone: %v %v", ev.Type, err)
	}
	if _, err := VerifiedBy(u, CodePassword, by); !errors.Is(err, errCodePurpose) {
		t.Fatalf("password purpose: %v", err)
	}
}

// TestResendPreconditions: v1's resend needs an unverified address (and a
// number for the phone), v2's a pending code; neither for a locked user.
func TestResendPreconditions(t *testing.T) {
	u, by := newCodeUser(t)
	for _, c := range []struct {
		name string
		err  error
		want error
	}{
		{"no phone", CanResendVerification(u, CodePhone), ErrPhoneNotFound},
		{"no email code", HasPendingCode(u, CodeEmail), ErrNoEmailCodeToResend},
		{"no phone code", HasPendingCode(u, CodePhone), ErrNoPhoneCodeToResend},
	} {
		if !errors.Is(c.err, c.want) {
			t.Fatalf("%s: %v, want %v", c.name, c.err, c.want)
		}
	}
	u.Human.EmailVerified = true
	if err := CanResendVerification(u, CodeEmail); !errors.Is(err, ErrEmailAlreadyVerified) {
		t.Fatalf("verified email: %v", err)
	}
	u.Human.EmailVerified = false
	if err := CanResendVerification(u, CodeEmail); err != nil {
		t.Fatalf("unverified email: %v", err)
	}
	u.Human.Phone, u.Human.PhoneVerified = "+41 79 000 00 00", true
	if err := CanResendVerification(u, CodePhone); !errors.Is(err, ErrPhoneAlreadyVerified) {
		t.Fatalf("verified phone: %v", err)
	}
	addCode(t, u, CodeEmail, "mac", by)
	if err := HasPendingCode(u, CodeEmail); err != nil {
		t.Fatalf("pending: %v", err)
	}
	u.State = StateLocked
	if err := HasPendingCode(u, CodeEmail); !errors.Is(err, ErrLocked) {
		t.Fatalf("locked: %v", err)
	}
	if err := CanResendVerification(u, CodeEmail); !errors.Is(err, ErrLocked) {
		t.Fatalf("locked resend: %v", err)
	}
}
