// Package secretgen holds the instance's secret generators: how long the codes
// Warden sends (init, e-mail and phone verification, password reset, one-time
// passwords ...) are, which characters they use and how long they stay valid;
// and the generation itself. Pure: no store, no clock of its own.
package secretgen

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// Type is a generator type, numbered as ZITADEL's settings.v1.SecretGeneratorType.
type Type int32

const (
	TypeUnspecified       Type = 0
	TypeInitCode          Type = 1
	TypeVerifyEmailCode   Type = 2
	TypeVerifyPhoneCode   Type = 3
	TypePasswordResetCode Type = 4
	TypePasswordlessInit  Type = 5
	TypeAppSecret         Type = 6
	TypeOTPSMS            Type = 7
	TypeOTPEmail          Type = 8
)

// Types are the served types in ZITADEL's order (the list answers in it).
var Types = []Type{TypeInitCode, TypeVerifyEmailCode, TypeVerifyPhoneCode, TypePasswordResetCode,
	TypePasswordlessInit, TypeAppSecret, TypeOTPSMS, TypeOTPEmail}

// names are ZITADEL's domain names of the types, which its events carry.
var names = map[Type]string{
	TypeInitCode:          "init_code",
	TypeVerifyEmailCode:   "verify_email_code",
	TypeVerifyPhoneCode:   "verify_phone_code",
	TypePasswordResetCode: "password_reset_code",
	TypePasswordlessInit:  "passwordless_init_code",
	TypeAppSecret:         "app_secret",
	TypeOTPSMS:            "otp_sms",
	TypeOTPEmail:          "otp_email",
}

// Valid says whether t is a served type.
func (t Type) Valid() bool { _, ok := names[t]; return ok }

// String is ZITADEL's name of the type ("" for an unknown one).
func (t Type) String() string { return names[t] }

// Config is one generator's configuration.
type Config struct {
	Length              uint32        `json:"length"`
	Expiry              time.Duration `json:"expiry"` // 0: the code does not expire
	IncludeLowerLetters bool          `json:"includeLowerLetters"`
	IncludeUpperLetters bool          `json:"includeUpperLetters"`
	IncludeDigits       bool          `json:"includeDigits"`
	IncludeSymbols      bool          `json:"includeSymbols"`
}

// MaxLength bounds a code: longer ones are no safer and only cost storage and
// mail size.
const MaxLength = 512

var (
	// ErrLength: a length of 0 or above MaxLength.
	ErrLength = errors.New("secret generator length out of range")
	// ErrAlphabet: no character class chosen.
	ErrAlphabet = errors.New("secret generator includes no characters")
	// ErrExpiry: a negative expiry.
	ErrExpiry = errors.New("secret generator expiry is negative")
)

// Validate checks a configuration an administrator sets.
func (c Config) Validate() error {
	switch {
	case c.Length < 1 || c.Length > MaxLength:
		return fmt.Errorf("%w: %d (1..%d)", ErrLength, c.Length, MaxLength)
	case c.Expiry < 0:
		return ErrExpiry
	case c.alphabet() == "":
		return ErrAlphabet
	}
	return nil
}

// Default is ZITADEL's built-in configuration of a type (its defaults.yaml).
func Default(t Type) Config {
	upperDigits := func(n uint32, exp time.Duration) Config {
		return Config{Length: n, Expiry: exp, IncludeUpperLetters: true, IncludeDigits: true}
	}
	switch t {
	case TypeInitCode:
		return upperDigits(6, 72*time.Hour)
	case TypeVerifyEmailCode, TypeVerifyPhoneCode, TypePasswordResetCode:
		return upperDigits(6, time.Hour)
	case TypePasswordlessInit:
		return Config{Length: 12, Expiry: time.Hour, IncludeLowerLetters: true, IncludeUpperLetters: true, IncludeDigits: true}
	case TypeAppSecret:
		return Config{Length: 64, IncludeLowerLetters: true, IncludeUpperLetters: true, IncludeDigits: true}
	case TypeOTPSMS, TypeOTPEmail:
		return Config{Length: 8, Expiry: 5 * time.Minute, IncludeDigits: true}
	}
	return Config{}
}

// The character classes. Symbols are those that survive a URL, a mail and a
// phone keyboard without escaping trouble.
const (
	lower   = "abcdefghijklmnopqrstuvwxyz"
	upper   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digits  = "0123456789"
	symbols = "~!@#$^&*()_+`-={}|[]:<>?,./"
)

func (c Config) alphabet() string {
	var a string
	if c.IncludeLowerLetters {
		a += lower
	}
	if c.IncludeUpperLetters {
		a += upper
	}
	if c.IncludeDigits {
		a += digits
	}
	if c.IncludeSymbols {
		a += symbols
	}
	return a
}

// Generate returns a fresh code: Length characters drawn uniformly from the
// chosen classes with crypto/rand (rand.Int rejects out-of-range draws, so
// there is no modulo bias).
func Generate(c Config) (string, error) {
	if err := c.Validate(); err != nil {
		return "", err
	}
	a := c.alphabet()
	n := big.NewInt(int64(len(a)))
	out := make([]byte, c.Length)
	for i := range out {
		k, err := rand.Int(rand.Reader, n)
		if err != nil {
			return "", fmt.Errorf("secret generator: %w", err)
		}
		out[i] = a[k.Int64()]
	}
	return string(out), nil
}

// Expired says whether a code created at created under expiry has expired at
// now; an expiry of 0 never expires. The instant of expiry itself counts as
// expired.
func Expired(created time.Time, expiry time.Duration, now time.Time) bool {
	if expiry <= 0 {
		return false
	}
	return !now.Before(created.Add(expiry))
}
