package credential

import (
	"bytes"
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

func FuzzCheckHashFormat(f *testing.F) {
	h, _ := HashPassword("x")
	f.Add(h)
	f.Add("$2a$10$abcdefghijklmnopqrstuuJx3WQ3Zd2x7S0qAQ3hEw9H3XQfW2s5K")
	f.Fuzz(func(t *testing.T, s string) {
		if CheckHashFormat(s) == nil {
			VerifyPassword(s, "x") // must not panic or allocate unbounded memory
		}
	})
}
