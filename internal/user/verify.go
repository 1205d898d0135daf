package user

import (
	"github.com/warden-id/warden/internal/event"
)

// Verifying an e-mail address or phone number with a code (code.go checks and
// consumes it): the address the code was sent to becomes verified. A code
// sent to an address the user no longer has verifies nothing, since a change
// of address drops the pending code (ChangeEmail, ChangePhone).

// VerifiedBy records that the code checked for p proved the user's current
// address (p = CodeEmail: user.human.email.verified) or number (CodePhone:
// user.human.phone.verified). It is the change a correct code allows.
func VerifiedBy(u *User, p CodePurpose, by Actor) (event.Event, error) {
	if err := human(u); err != nil {
		return event.Event{}, err
	}
	h := u.Human
	switch p {
	case CodeEmail:
		h.EmailVerified = true
		return u.record(event.HumanEmailVerified, by, nil), nil
	case CodePhone:
		if h.Phone == "" {
			return event.Event{}, ErrPhoneNotFound
		}
		h.PhoneVerified = true
		return u.record(event.HumanPhoneVerified, by, nil), nil
	}
	return event.Event{}, errCodePurpose
}

// CanResendVerification refuses a new verification code for p where v1's
// Resend…Verification would: the address is verified already, or (phone)
// there is no number.
func CanResendVerification(u *User, p CodePurpose) error {
	if err := codeState(u); err != nil {
		return err
	}
	h := u.Human
	switch p {
	case CodeEmail:
		if h.EmailVerified {
			return ErrEmailAlreadyVerified
		}
	case CodePhone:
		if h.Phone == "" {
			return ErrPhoneNotFound
		}
		if h.PhoneVerified {
			return ErrPhoneAlreadyVerified
		}
	default:
		return errCodePurpose
	}
	return nil
}

// HasPendingCode refuses v2's Resend…Code when no code for p is pending.
func HasPendingCode(u *User, p CodePurpose) error {
	if err := codeState(u); err != nil {
		return err
	}
	if PendingCode(u, p) != nil {
		return nil
	}
	if p == CodePhone {
		return ErrNoPhoneCodeToResend
	}
	return ErrNoEmailCodeToResend
}
