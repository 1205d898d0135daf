package secretgen

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDefaultsValidAndAsZITADEL(t *testing.T) {
	for _, typ := range Types {
		if err := Default(typ).Validate(); err != nil {
			t.Errorf("%s: %v", typ, err)
		}
	}
	if d := Default(TypeInitCode); d.Length != 6 || d.Expiry != 72*time.Hour || !d.IncludeUpperLetters || !d.IncludeDigits || d.IncludeLowerLetters || d.IncludeSymbols {
		t.Errorf("init code default %+v", d)
	}
	if d := Default(TypeOTPSMS); d.Length != 8 || d.Expiry != 5*time.Minute || !d.IncludeDigits || d.IncludeUpperLetters {
		t.Errorf("otp sms default %+v", d)
	}
	if d := Default(TypeAppSecret); d.Length != 64 || d.Expiry != 0 {
		t.Errorf("app secret default %+v", d)
	}
	if TypeUnspecified.Valid() || Type(99).Valid() || !TypeOTPEmail.Valid() {
		t.Error("Valid")
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		c    Config
		want error
	}{
		{Config{Length: 0, IncludeDigits: true}, ErrLength},
		{Config{Length: MaxLength + 1, IncludeDigits: true}, ErrLength},
		{Config{Length: 6}, ErrAlphabet},
		{Config{Length: 6, IncludeDigits: true, Expiry: -time.Second}, ErrExpiry},
		{Config{Length: 6, IncludeSymbols: true}, nil},
	} {
		if err := tc.c.Validate(); !errors.Is(err, tc.want) {
			t.Errorf("%+v: %v, want %v", tc.c, err, tc.want)
		}
	}
}

func TestGenerateUsesOnlyTheChosenClasses(t *testing.T) {
	for _, tc := range []struct {
		c     Config
		allow string
	}{
		{Config{Length: 200, IncludeDigits: true}, digits},
		{Config{Length: 200, IncludeUpperLetters: true, IncludeDigits: true}, upper + digits},
		{Config{Length: 200, IncludeLowerLetters: true}, lower},
		{Config{Length: 200, IncludeSymbols: true}, symbols},
	} {
		code, err := Generate(tc.c)
		if err != nil {
			t.Fatal(err)
		}
		if len(code) != 200 {
			t.Fatalf("length %d", len(code))
		}
		if i := strings.IndexFunc(code, func(r rune) bool { return !strings.ContainsRune(tc.allow, r) }); i >= 0 {
			t.Errorf("%+v: %q outside %q", tc.c, code[i], tc.allow)
		}
	}
	if _, err := Generate(Config{Length: 6}); !errors.Is(err, ErrAlphabet) {
		t.Errorf("no alphabet: %v", err)
	}
}

// TestGenerateIsUniform: 36 characters drawn 72 000 times; each should come
// about 2000 times. A modulo-biased draw from a byte (256 % 36 = 4) would
// favour the first four by 1/64, far below this bound, so the bound catches
// gross faults (a fixed or truncated alphabet); the unbiased draw is rand.Int's.
func TestGenerateIsUniform(t *testing.T) {
	counts := map[rune]int{}
	for range 200 {
		code, err := Generate(Config{Length: 360, IncludeUpperLetters: true, IncludeDigits: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range code {
			counts[r]++
		}
	}
	if len(counts) != 36 {
		t.Fatalf("%d distinct characters, want 36", len(counts))
	}
	for r, n := range counts {
		if n < 1700 || n > 2300 {
			t.Errorf("%q drawn %d times, want about 2000", r, n)
		}
	}
	a, _ := Generate(Default(TypePasswordlessInit))
	b, _ := Generate(Default(TypePasswordlessInit))
	if a == b {
		t.Error("two codes alike")
	}
}

func TestExpired(t *testing.T) {
	c := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if Expired(c, time.Hour, c.Add(59*time.Minute)) {
		t.Error("expired early")
	}
	if !Expired(c, time.Hour, c.Add(time.Hour)) {
		t.Error("not expired at the instant")
	}
	if Expired(c, 0, c.Add(1000*time.Hour)) {
		t.Error("no expiry expired")
	}
}
