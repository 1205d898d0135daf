package app

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/user"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
	"google.golang.org/grpc/codes"
)

// testApp is an App over a fresh store with a bootstrapped instance and the
// administrator as caller, in the default org.
func testApp(t *testing.T, open testdb.Opener, opts ...Option) (*App, Scope) {
	t.Helper()
	a := New(open(t), slog.New(slog.NewTextHandler(io.Discard, nil)), "localhost", opts...)
	boot, err := a.Bootstrap(context.Background(), "Test", func(string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	c := &Caller{UserID: boot.AdminID, OrgID: boot.Instance.DefaultOrgID,
		roles: map[string][]string{org.InstanceScope: {"IAM_OWNER"}}}
	return a, Scope{Caller: c, OrgID: c.OrgID}
}

func wantCode(t *testing.T, err error, code codes.Code) {
	t.Helper()
	fe, ok := fail.As(err)
	if !ok || fe.Code != code {
		t.Fatalf("error %v, want code %v", err, code)
	}
}

// TestHashImportCannotExhaustSignIn: hashes beyond the import limits are
// refused, and a password check waits for a hash slot only while its context
// lives (and at most the configured wait).
func TestHashImportCannotExhaustSignIn(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, sc := testApp(t, open, WithHashSlots(1, 300*time.Millisecond))
		ctx := context.Background()
		const salt, key = "c2FsdHNhbHRzYWx0c2FsdA", "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
		for i, h := range []string{
			"$argon2id$v=19$m=1048576,t=16,p=255$" + salt + "$" + key,
			"$2a$31$abcdefghijklmnopqrstuuJx3WQ3Zd2x7S0qAQ3hEw9H3XQfW2s5K",
		} {
			_, err := a.AddHuman(ctx, sc, NewHuman{UserName: fmt.Sprintf("dos%d", i), Profile: user.Human{Email: "d@example.com"}, HashedPassword: h})
			wantCode(t, err, codes.InvalidArgument)
			if !strings.Contains(err.Error(), "exceed the limits") {
				t.Errorf("unclear message: %v", err)
			}
		}
		u, err := a.AddHuman(ctx, sc, NewHuman{UserName: "ann", Profile: user.Human{Email: "ann@example.com"}, Password: "Correct-Horse-1"})
		if err != nil {
			t.Fatal(err)
		}

		release, err := a.hash.acquire(ctx) // every slot taken
		if err != nil {
			t.Fatal(err)
		}
		for name, mk := range map[string]func() (context.Context, context.CancelFunc){
			"deadline": func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, 50*time.Millisecond) },
			"cancel": func() (context.Context, context.CancelFunc) {
				c, cancel := context.WithCancel(ctx)
				time.AfterFunc(50*time.Millisecond, cancel)
				return c, cancel
			},
			"wait": func() (context.Context, context.CancelFunc) { return ctx, func() {} }, // only the App's own bound
		} {
			c, cancel := mk()
			start := time.Now()
			_, err := a.CheckPassword(c, u.ID, "Correct-Horse-1")
			cancel()
			if !errors.Is(err, ErrPasswordBusy) {
				t.Errorf("%s: %v, want ErrPasswordBusy", name, err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("%s: returned after %v", name, d)
			}
			if err := a.CheckUnknownUserPassword(c, "x"); !errors.Is(err, ErrPasswordBusy) {
				t.Errorf("%s: unknown user: %v", name, err)
			}
		}
		if _, err := a.AddHuman(ctx, sc, NewHuman{UserName: "bob", Profile: user.Human{Email: "bob@example.com"}, Password: "Correct-Horse-1"}); !errors.Is(err, ErrPasswordBusy) {
			t.Errorf("hashing a new password: %v, want ErrPasswordBusy", err)
		}
		release()
		if _, err := a.CheckPassword(ctx, u.ID, "Correct-Horse-1"); err != nil {
			t.Fatalf("with a free slot: %v", err)
		}
	})
}

// TestImportedHashIsRehashed: the first correct sign-in replaces an imported
// hash (bcrypt, or argon2id with other parameters) with the server's own
// argon2id and records user.human.password.hash.updated; later sign-ins and
// wrong passwords change nothing.
func TestImportedHashIsRehashed(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, sc := testApp(t, open)
		ctx := context.Background()
		const pw = "Correct-Horse-1"
		b, _ := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
		for i, h := range []string{string(b), argonHash(pw, 8192, 1, 1)} {
			u, err := a.AddHuman(ctx, sc, NewHuman{UserName: fmt.Sprintf("imp%d", i), Profile: user.Human{Email: "i@example.com"}, HashedPassword: h})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.CheckPassword(ctx, u.ID, "wrong-password"); !errors.Is(err, user.ErrWrongPassword) {
				t.Fatal(err)
			}
			if got, _ := a.store.User(ctx, u.ID); got.Human.PasswordHash != h {
				t.Fatal("a wrong password changed the hash")
			}
			for range 2 {
				if _, err := a.CheckPassword(ctx, u.ID, pw); err != nil {
					t.Fatal(err)
				}
			}
			got, _ := a.store.User(ctx, u.ID)
			if got.Human.PasswordHash == h || credential.NeedsRehash(got.Human.PasswordHash) || !credential.VerifyPassword(got.Human.PasswordHash, pw) {
				t.Fatalf("hash not upgraded to the server's argon2id: %s", got.Human.PasswordHash)
			}
			evs, err := a.store.Events(ctx, store.EventQuery{AggregateType: event.AggregateUser, AggregateID: u.ID, Asc: true})
			if err != nil {
				t.Fatal(err)
			}
			var types []string
			for _, e := range evs {
				types = append(types, e.Type)
				if strings.Contains(string(e.Payload), "argon2") || strings.Contains(string(e.Payload), "$2a$") {
					t.Errorf("event %s carries a hash: %s", e.Type, e.Payload)
				}
			}
			want := []string{event.HumanAdded, event.PasswordCheckFailed, event.PasswordCheckOK, event.PasswordHashUpdated, event.PasswordCheckOK}
			if strings.Join(types, " ") != strings.Join(want, " ") {
				t.Fatalf("events %v, want %v", types, want)
			}
			if got.Sequence != uint64(len(want)) {
				t.Fatalf("sequence %d, want %d", got.Sequence, len(want))
			}
		}
	})
}

// argonHash is an argon2id PHC hash of pw with the given parameters.
func argonHash(pw string, m, t uint32, p uint8) string {
	salt := []byte("saltsaltsaltsalt")
	key := argon2.IDKey([]byte(pw), salt, t, m, p, 32)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", m, t, p,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}
