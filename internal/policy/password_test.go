package policy

import (
	"errors"
	"testing"
	"time"
)

func TestComplexityCheck(t *testing.T) {
	def := DefaultComplexity()
	lax := Complexity{MinLength: 3}
	for _, c := range []struct {
		p        Complexity
		password string
		want     error
	}{
		{def, "Secr3t-Pass", nil},
		{def, "Sh0rt!", ErrPasswordTooShort},
		{def, "SECR3T-PASS", ErrPasswordNoLower},
		{def, "secr3t-pass", ErrPasswordNoUpper},
		{def, "Secret-Pass", ErrPasswordNoNumber},
		{def, "Secr3tPass1", ErrPasswordNoSymbol},
		{def, "Secr3tPässe", nil},          // a non-ASCII letter counts as a symbol, as in ZITADEL
		{def, "Ab1-", ErrPasswordTooShort}, // the length is checked first
		{def, "Ab1-äöü", nil},              // 7 runes, 10 bytes: long enough, bytes are counted
		{lax, "abc", nil},
		{lax, "ab", ErrPasswordTooShort},
		{Complexity{MinLength: 1, HasSymbol: true}, "aaaa", ErrPasswordNoSymbol},
	} {
		if err := c.p.Check(c.password); !errors.Is(err, c.want) && !(err == nil && c.want == nil) {
			t.Errorf("%+v.Check(%q) = %v, want %v", c.p, c.password, err, c.want)
		}
	}
}

func TestComplexityValid(t *testing.T) {
	for n, ok := range map[uint64]bool{0: false, 1: true, 8: true, 72: true, 73: false} {
		if err := (Complexity{MinLength: n}).Valid(); (err == nil) != ok {
			t.Errorf("min length %d: %v", n, err)
		}
	}
	if err := DefaultComplexity().Valid(); err != nil {
		t.Error(err)
	}
}

func TestAgeExpired(t *testing.T) {
	set := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	p := Age{MaxAgeDays: 30}
	for _, c := range []struct {
		p       Age
		changed time.Time
		now     time.Time
		want    bool
	}{
		{p, set, set.AddDate(0, 0, 29), false},
		{p, set, set.AddDate(0, 0, 30).Add(-time.Second), false},
		{p, set, set.AddDate(0, 0, 30), true},
		{Age{}, set, set.AddDate(10, 0, 0), false},     // no maximum age
		{p, time.Time{}, set.AddDate(10, 0, 0), false}, // no known change time
	} {
		if got := c.p.Expired(c.changed, c.now); got != c.want {
			t.Errorf("%+v.Expired(%v, %v) = %v", c.p, c.changed, c.now, got)
		}
	}
}
