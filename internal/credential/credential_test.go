package credential

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

func TestPasswordRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckHashFormat(h); err != nil {
		t.Fatal(err)
	}
	if !VerifyPassword(h, "correct horse") || VerifyPassword(h, "wrong horse") {
		t.Fatal("argon2id verify wrong")
	}
	h2, _ := HashPassword("correct horse")
	if h == h2 {
		t.Fatal("same salt twice")
	}
}

func TestImportedBcrypt(t *testing.T) {
	b, _ := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	if err := CheckHashFormat(string(b)); err != nil {
		t.Fatal(err)
	}
	if !VerifyPassword(string(b), "pw") || VerifyPassword(string(b), "px") {
		t.Fatal("bcrypt verify wrong")
	}
	for _, bad := range []string{"", "plain", "$argon2id$v=19$m=1,t=1,p=1$AAAA$AAAA", "$2a$xx", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5"} {
		if CheckHashFormat(bad) == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestTokens(t *testing.T) {
	tok, h := NewToken()
	if len(tok) < 40 || !bytes.Equal(h, HashToken(tok)) {
		t.Fatal("token hash mismatch")
	}
	tok2, _ := NewToken()
	if tok == tok2 {
		t.Fatal("repeated token")
	}
	now := time.Now()
	p := PAT{Epoch: 2, Expiration: now.Add(time.Hour)}
	if !p.Valid(now) || p.Valid(now.Add(2*time.Hour)) || !(&PAT{}).Valid(now.Add(1000*time.Hour)) {
		t.Fatal("validity wrong")
	}
}

// TestHashImportCannotExhaustSignIn: an imported hash whose parameters exceed
// the limits is refused with ErrHashTooCostly, and one that is stored anyway
// (imported before the limits) matches nothing and is never computed — a
// verification of it returns at once.
func TestHashImportCannotExhaustSignIn(t *testing.T) {
	const salt, key = "c2FsdHNhbHRzYWx0c2FsdA", "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
	argon := func(m, t, p int) string {
		return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", m, t, p, salt, key)
	}
	bcryptCost := func(cost int) string { // a well-formed bcrypt hash of any cost, computed at cost 4
		b, _ := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
		return fmt.Sprintf("%s%02d%s", b[:4], cost, b[6:])
	}
	for _, h := range []string{argon(MaxArgonMemory, MaxArgonTime, MaxArgonThreads), argon(8, 1, 1), bcryptCost(MaxBcryptCost), bcryptCost(4)} {
		if err := CheckHashFormat(h); err != nil {
			t.Errorf("%s: %v, want accepted", h, err)
		}
	}
	for _, h := range []string{
		argon(1<<20, 16, 255), argon(MaxArgonMemory+1, 1, 1), argon(64*1024, MaxArgonTime+1, 1), argon(64*1024, 1, MaxArgonThreads+1),
		argon(1<<32-1, 1, 1), bcryptCost(31), bcryptCost(MaxBcryptCost + 1),
	} {
		if err := CheckHashFormat(h); !errors.Is(err, ErrHashTooCostly) {
			t.Errorf("%s: %v, want ErrHashTooCostly", h, err)
		}
		start := time.Now()
		if VerifyPassword(h, "pw") {
			t.Errorf("%s verified", h)
		}
		if d := time.Since(start); d > 50*time.Millisecond {
			t.Errorf("%s: verification took %v: the hash was computed", h, d)
		}
	}
}

func TestNeedsRehash(t *testing.T) {
	own, _ := HashPassword("pw")
	b, _ := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	weaker := "$argon2id$v=19$m=8192,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5"
	if NeedsRehash(own) || !NeedsRehash(string(b)) || !NeedsRehash(weaker) || !NeedsRehash("") {
		t.Fatal("NeedsRehash wrong")
	}
}

func TestHashFormatIsStrict(t *testing.T) {
	good, _ := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	own, _ := HashPassword("pw")
	for _, bad := range []string{
		string(good[:59]) + "\x00",                                // a NUL where the hash's last character was
		string(good) + "x",                                        // too long
		strings.Replace(own, "m=65536", "m=065536", 1),            // leading zero
		strings.Replace(own, "p=2", "p=2x", 1),                    // trailing garbage after a number
		strings.Replace(own, "v=19", "v=19x", 1),                  // garbage after the version
		strings.Replace(own, "m=65536,t=3,p=2", "m=65536,t=3", 1), // a parameter missing
		"$argon2id$v=19$m=65536,t=3,p=2$" + strings.Repeat("A", 600) + "$AAAAAAAAAAAAAAAAAAAAAA", // too long
		own[:len(own)-10] + "\n" + own[len(own)-10:],                                             // base64 would skip the newline
	} {
		if CheckHashFormat(bad) == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func FuzzCheckHashFormat(f *testing.F) {
	h, _ := HashPassword("x")
	f.Add(h)
	f.Add("$2a$10$abcdefghijklmnopqrstuuJx3WQ3Zd2x7S0qAQ3hEw9H3XQfW2s5K")
	// The limits and just past them: accepted ones are verified by the fuzz
	// body, so they stay at the cheap end of what the limits allow.
	f.Add("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5")
	f.Add("$argon2id$v=19$m=8,t=10,p=16$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5")
	f.Add("$argon2id$v=19$m=262145,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5")
	f.Add("$argon2id$v=19$m=8,t=11,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5")
	f.Add("$argon2id$v=19$m=8,t=1,p=17$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5")
	f.Add("$argon2id$v=19$m=1048576,t=16,p=255$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5")
	f.Add("$2a$04$abcdefghijklmnopqrstuuJx3WQ3Zd2x7S0qAQ3hEw9H3XQfW2s5K")
	f.Add("$2a$15$abcdefghijklmnopqrstuuJx3WQ3Zd2x7S0qAQ3hEw9H3XQfW2s5K")
	f.Add("$2a$31$abcdefghijklmnopqrstuuJx3WQ3Zd2x7S0qAQ3hEw9H3XQfW2s5K")
	f.Fuzz(func(t *testing.T, s string) {
		err := CheckHashFormat(s)
		if err == nil {
			VerifyPassword(s, "x") // must not panic or allocate unbounded memory
			if len(s) > maxHashLen {
				t.Fatalf("accepted a %d-character hash", len(s))
			}
		}
		if err == nil {
			for _, r := range s {
				if r < 0x21 || r > 0x7e {
					t.Fatalf("accepted a hash with %U", r) // it would reach the store
				}
			}
		}
	})
}
