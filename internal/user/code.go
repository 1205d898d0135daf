package user

import (
	"crypto/subtle"
	"time"

	"github.com/warden-id/warden/internal/event"
)

// One-time codes sent to a human: e-mail and phone verification, password
// reset, initialization (v1) and invitation (v2). The aggregate keeps at most
// one per purpose, and only its MAC (keyed by the master key, app/codes.go),
// so a copy of the store reveals no code. A new code replaces the previous
// one; a correct check consumes it in the same write as the change it allows,
// and the user's optimistic sequence makes that single-use under concurrency:
// of two checks of one code, the one that commits second finds it gone.
//
// Wrong codes count, across purposes and reissues, toward the lockout
// policy's max_otp_attempts: asking for a new code does not reset the count,
// only a correct check or a new password does.

// CodePurpose names what a code proves.
type CodePurpose string

const (
	CodeEmail    CodePurpose = "email"    // verify the e-mail address
	CodePhone    CodePurpose = "phone"    // verify the phone number
	CodePassword CodePurpose = "password" // reset the password
	CodeInit     CodePurpose = "init"     // initialize: verify the address and set a first password (v1)
	CodeInvite   CodePurpose = "invite"   // accept an invitation (v2)
)

// Code is a stored code: its MAC, where it was sent, and when it lapses.
type Code struct {
	MAC       []byte        `json:"mac"`
	Target    string        `json:"target,omitempty"` // the address or number it was sent to
	CreatedAt time.Time     `json:"createdAt"`
	Expiry    time.Duration `json:"expiry"` // 0 = never
	// Returned: the code was handed to the API caller instead of sent.
	Returned bool `json:"returned,omitempty"`
	// URLTemplate and ApplicationName are what the message was sent with,
	// for a resend (ZITADEL's ResendInviteCode keeps them).
	URLTemplate     string `json:"urlTemplate,omitempty"`
	ApplicationName string `json:"applicationName,omitempty"`
}

// Expired says whether c has lapsed at now.
func (c *Code) Expired(now time.Time) bool {
	return c.Expiry > 0 && !now.Before(c.CreatedAt.Add(c.Expiry)) // the instant of expiry counts as expired, as secretgen.Expired
}

var codeEvents = map[CodePurpose]struct{ added, sent, failed string }{
	CodeEmail:    {event.HumanEmailCodeAdded, event.HumanEmailCodeSent, event.HumanEmailVerificationFailed},
	CodePhone:    {event.HumanPhoneCodeAdded, event.HumanPhoneCodeSent, event.HumanPhoneVerificationFailed},
	CodePassword: {event.HumanPasswordCodeAdded, event.HumanPasswordCodeSent, event.HumanPasswordCodeCheckFailed},
	CodeInit:     {event.HumanInitCodeAdded, event.HumanInitCodeSent, event.HumanInitCheckFailed},
	CodeInvite:   {event.HumanInviteCodeAdded, event.HumanInviteCodeSent, event.HumanInviteCheckFailed},
}

// codeState refuses what no code may be issued to or checked for: a missing,
// removed or machine user, and a locked or deactivated one.
func codeState(u *User) error {
	if err := human(u); err != nil {
		return err
	}
	switch u.State {
	case StateLocked:
		return ErrLocked
	case StateInactive:
		return ErrNotActive
	}
	return nil
}

// AddCode stores c as the user's code for p (replacing any earlier one) and
// records it (e.g. user.human.email.code.added). payload adds fields to the
// event (ZITADEL's urlTemplate, codeReturned, …); it never holds the code.
func AddCode(u *User, p CodePurpose, c Code, by Actor, payload map[string]any) (event.Event, error) {
	evs, ok := codeEvents[p]
	if !ok {
		return event.Event{}, errCodePurpose
	}
	if err := codeState(u); err != nil {
		return event.Event{}, err
	}
	if len(c.MAC) == 0 {
		return event.Event{}, errCodePurpose
	}
	if u.Human.Codes == nil {
		u.Human.Codes = map[CodePurpose]*Code{}
	}
	u.Human.Codes[p] = &c
	if payload == nil {
		payload = map[string]any{}
	}
	payload["expiry"] = c.Expiry.String()
	if c.Returned {
		payload["codeReturned"] = true
	}
	return u.record(evs.added, by, payload), nil
}

// PendingCode is the user's code for p, or nil.
func PendingCode(u *User, p CodePurpose) *Code {
	if u == nil || u.Human == nil {
		return nil
	}
	return u.Human.Codes[p]
}

// CheckCode checks a code for p, given as its MAC. Correct: the code is
// consumed and the failed attempts reset (the caller records the change the
// code allows, in the same write: without an event of its own nothing is
// stored). Wrong: the attempt is counted and recorded, and at maxAttempts (0 =
// no limit) the user is locked, in the same events. A locked or deactivated
// user says so only to someone with the right code; a wrong one is refused
// without being counted, as a password check does. The returned error is the
// answer; events may come with it (a counted failure must be written).
func CheckCode(u *User, p CodePurpose, mac []byte, now time.Time, maxAttempts uint64, by Actor) ([]event.Event, CheckOutcome, error) {
	evs, ok := codeEvents[p]
	if !ok {
		return nil, CheckRefused, errCodePurpose
	}
	if err := human(u); err != nil {
		return nil, CheckRefused, err
	}
	c := u.Human.Codes[p]
	if c == nil {
		return nil, CheckRefused, codeNotFound[p]
	}
	correct := subtle.ConstantTimeCompare(c.MAC, mac) == 1
	if err := codeState(u); err != nil {
		if correct {
			return nil, CheckRefused, err
		}
		return nil, CheckRefused, ErrCodeInvalid
	}
	if c.Expired(now) {
		return nil, CheckRefused, ErrCodeExpired
	}
	if correct {
		delete(u.Human.Codes, p)
		u.Human.FailedOTPAttempts = 0
		return nil, CheckOK, nil
	}
	u.Human.FailedOTPAttempts++
	out := []event.Event{u.record(evs.failed, by, map[string]any{"attempt": u.Human.FailedOTPAttempts})}
	if maxAttempts > 0 && uint64(u.Human.FailedOTPAttempts) >= maxAttempts {
		out = append(out, u.lock(by, "lockout policy"))
		return out, CheckWrongLocked, ErrCodeInvalid
	}
	return out, CheckWrong, ErrCodeInvalid
}

// dropCodes ends every pending code (a lock or deactivation).
func (u *User) dropCodes() {
	if u.Human != nil {
		u.Human.Codes = nil
	}
}

// CodeNotFound is the answer for a purpose's missing code (each purpose has
// ZITADEL's own id).
func CodeNotFound(p CodePurpose) error { return codeNotFound[p] }
