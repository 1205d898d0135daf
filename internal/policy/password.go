package policy

import "time"

// KindComplexity and KindAge are the artifact kinds of the password policies;
// as with the lockout policy the artifact id is the org id, or InstanceID.
const (
	KindComplexity = "password_complexity_policy"
	KindAge        = "password_age_policy"
)

// MaxMinLength is the longest minimum length a complexity policy may ask
// (ZITADEL's limit: bcrypt reads no further than 72 bytes).
const MaxMinLength = 72

// Stored is what every stored policy carries beside its settings.
type Stored struct {
	Sequence  uint64    `json:"sequence"`
	CreatedAt time.Time `json:"createdAt"`
	ChangedAt time.Time `json:"changedAt"`
	OrgID     string    `json:"orgId,omitempty"` // empty: the instance default
}

// Complexity says what a new password must contain.
type Complexity struct {
	MinLength    uint64 `json:"minLength"`
	HasLowercase bool   `json:"hasLowercase"`
	HasUppercase bool   `json:"hasUppercase"`
	HasNumber    bool   `json:"hasNumber"`
	HasSymbol    bool   `json:"hasSymbol"`
	Stored
}

// DefaultComplexity is ZITADEL's default instance policy: 8 characters with
// a lower and an upper case letter, a digit and a symbol.
func DefaultComplexity() Complexity {
	return Complexity{MinLength: 8, HasLowercase: true, HasUppercase: true, HasNumber: true, HasSymbol: true}
}

// Valid refuses a policy no password could be measured by.
func (p Complexity) Valid() error {
	if p.MinLength == 0 || p.MinLength > MaxMinLength {
		return ErrMinLengthNotAllowed
	}
	return nil
}

// Same tells whether q asks what p asks.
func (p Complexity) Same(q Complexity) bool {
	return p.MinLength == q.MinLength && p.HasLowercase == q.HasLowercase && p.HasUppercase == q.HasUppercase &&
		p.HasNumber == q.HasNumber && p.HasSymbol == q.HasSymbol
}

// Check is the one decision whether a plain password satisfies the policy.
// The length is counted in bytes and a symbol is anything but an ASCII letter
// or digit, as in ZITADEL, so both answer alike for the same password; the
// first unmet rule is the error, in ZITADEL's order.
func (p Complexity) Check(password string) error {
	var lower, upper, digit, symbol bool
	for _, r := range password {
		switch {
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= '0' && r <= '9':
			digit = true
		default:
			symbol = true
		}
	}
	switch {
	case p.MinLength != 0 && uint64(len(password)) < p.MinLength:
		return ErrPasswordTooShort.Msgf("Password must be at least %d characters", p.MinLength)
	case p.HasLowercase && !lower:
		return ErrPasswordNoLower
	case p.HasUppercase && !upper:
		return ErrPasswordNoUpper
	case p.HasNumber && !digit:
		return ErrPasswordNoNumber
	case p.HasSymbol && !symbol:
		return ErrPasswordNoSymbol
	}
	return nil
}

// Age says how long a password lasts: after MaxAgeDays (0 = for ever) it has
// to be changed; ExpireWarnDays before that the user is told.
type Age struct {
	MaxAgeDays     uint64 `json:"maxAgeDays"`
	ExpireWarnDays uint64 `json:"expireWarnDays"`
	Stored
}

// DefaultAge is ZITADEL's default: passwords do not expire.
func DefaultAge() Age { return Age{} }

// Same tells whether q asks what p asks.
func (p Age) Same(q Age) bool {
	return p.MaxAgeDays == q.MaxAgeDays && p.ExpireWarnDays == q.ExpireWarnDays
}

// Expired tells whether a password set at changed is too old at now. A
// password with no known change time (set before Warden kept one) does not
// expire by this rule.
func (p Age) Expired(changed, now time.Time) bool {
	if p.MaxAgeDays == 0 || changed.IsZero() {
		return false
	}
	return !now.Before(changed.Add(time.Duration(p.MaxAgeDays) * 24 * time.Hour))
}
