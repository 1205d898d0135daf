package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/user"
	"google.golang.org/grpc/codes"
)

// TestUserIDsSafeAndUnambiguous: a chosen user id is letters, digits, '_',
// '-' and '.' only; it may not be a machine user's name, nor a machine user's
// name another user's id.
func TestUserIDsSafeAndUnambiguous(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		for _, bad := range []string{"a/b", "..", ".", "a?b", "a#b", "a\x00b", "a b", "a%2Fb", "ü", "a\\b", strings.Repeat("x", MaxIDLen+1)} {
			_, err := a.AddMachine(ctx, admin, NewMachine{UserID: bad, UserName: "m-" + fmt.Sprint(len(bad)), Name: "m"})
			wantCode(t, err, codes.InvalidArgument)
			_, err = a.AddHuman(ctx, admin, NewHuman{UserID: bad, UserName: "h", Profile: user.Human{Email: "h@example.com"}})
			wantCode(t, err, codes.InvalidArgument)
		}
		for _, good := range []string{"svc_1", "a.b-c", "...", strings.Repeat("x", MaxIDLen)} {
			if _, err := a.AddMachine(ctx, admin, NewMachine{UserID: good, UserName: "ok-" + good[:min(len(good), 20)], Name: "m"}); err != nil {
				t.Errorf("%q: %v", good, err)
			}
		}
		other, err := a.AddOrg(ctx, admin.Caller, "Other")
		if err != nil {
			t.Fatal(err)
		}
		inOther := Scope{Caller: admin.Caller, OrgID: other.ID}
		victim, err := a.AddMachine(ctx, admin, NewMachine{UserName: "billing", Name: "billing"})
		if err != nil {
			t.Fatal(err)
		}
		// An id equal to another org's machine user name, human or machine.
		_, err = a.AddMachine(ctx, inOther, NewMachine{UserID: "billing", UserName: "x", Name: "x"})
		wantCode(t, err, codes.AlreadyExists)
		_, err = a.AddHuman(ctx, inOther, NewHuman{UserID: "billing", UserName: "y", Profile: user.Human{Email: "y@example.com"}})
		wantCode(t, err, codes.AlreadyExists)
		// A machine user name equal to another user's id.
		_, err = a.AddMachine(ctx, inOther, NewMachine{UserName: victim.ID, Name: "z"})
		wantCode(t, err, codes.AlreadyExists)
		if _, err := a.store.User(ctx, "billing"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("user written: %v", err)
		}
		// A user may still be its own name.
		if _, err := a.AddMachine(ctx, admin, NewMachine{UserID: "same", UserName: "same", Name: "same"}); err != nil {
			t.Fatal(err)
		}
	})
}
