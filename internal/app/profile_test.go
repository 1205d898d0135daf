package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/user"
	"google.golang.org/grpc/codes"
)

func addTestHuman(t *testing.T, a *App, s Scope, name string) *user.User {
	t.Helper()
	u, err := a.AddHuman(context.Background(), s, NewHuman{UserName: name, Password: "Correct-Horse-1",
		Profile: user.Human{FirstName: "First", LastName: "Last", Email: name + "@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestUpdateProfileAndHistory: an administrator changes a locked user's
// profile, e-mail and phone (verified: no code goes to a locked user); the events are ZITADEL's, in the
// user's history, and an unchanged profile is refused without a write.
func TestUpdateProfileAndHistory(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		u := addTestHuman(t, a, admin, "ada")
		if _, err := a.ChangeState(ctx, admin, u.ID, user.OpLock); err != nil {
			t.Fatal(err)
		}
		p := user.Profile{FirstName: "Augusta", LastName: "King", NickName: "Ada", DisplayName: "Ada King", PreferredLanguage: "en", Gender: 1}
		if _, err := a.UpdateProfile(ctx, admin, UseUpdateHumanProfile, u.ID, p); err != nil {
			t.Fatalf("profile of a locked user: %v", err)
		}
		if _, err := a.UpdateProfile(ctx, admin, UseUpdateHumanProfile, u.ID, p); !errors.Is(err, user.ErrProfileNotChanged) {
			t.Fatalf("unchanged profile: %v", err)
		}
		if _, err := a.UpdateEmail(ctx, admin, u.ID, "augusta@example.com", true); err != nil {
			t.Fatal(err)
		}
		// An unverified number needs a code, which a locked user cannot get.
		if _, err := a.UpdatePhone(ctx, admin, u.ID, "+41 79 123 45 67", false); !errors.Is(err, user.ErrLocked) {
			t.Fatalf("unverified phone of a locked user: %v", err)
		}
		if _, err := a.UpdatePhone(ctx, admin, u.ID, "+41 79 123 45 67", true); err != nil {
			t.Fatal(err)
		}
		if _, err := a.UpdateEmail(ctx, admin, u.ID, "not-an-address", true); !errors.Is(err, errEmailInvalid) {
			t.Fatalf("bad e-mail: %v", err)
		}
		if _, err := a.UpdatePhone(ctx, admin, u.ID, "call me", true); !errors.Is(err, errPhoneInvalid) {
			t.Fatalf("bad phone: %v", err)
		}
		if _, err := a.RemovePhone(ctx, admin, UseRemoveHumanPhone, u.ID); err != nil {
			t.Fatal(err)
		}
		got, _, err := a.GetUser(ctx, admin, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		h := got.Human
		if h.FirstName != "Augusta" || h.DisplayName != "Ada King" || h.Gender != 1 || h.Email != "augusta@example.com" || !h.EmailVerified || h.Phone != "" || got.State != user.StateLocked {
			t.Fatalf("stored %+v (state %v)", h, got.State)
		}
		evs, err := a.UserChanges(ctx, admin, u.ID, storeAsc())
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, e := range evs {
			types = append(types, e.Type)
		}
		want := []string{event.HumanAdded, event.UserLocked, event.HumanProfileChanged, event.HumanEmailChanged,
			event.HumanEmailVerified, event.HumanPhoneChanged, event.HumanPhoneVerified, event.HumanPhoneRemoved}
		if fmt.Sprint(types) != fmt.Sprint(want) {
			t.Fatalf("history %v, want %v", types, want)
		}
		if _, err := a.UpdateProfile(ctx, admin, UseUpdateHumanProfile, u.ID, user.Profile{LastName: "x"}); !errors.Is(err, user.ErrFirstNameEmpty) {
			t.Fatalf("first name missing: %v", err)
		}
	})
}

// TestProfileAttackers: another org's user manager cannot change my user
// (NotFound in its org context, PermissionDenied in mine), a member without
// user.write cannot, and UpdateMyProfile changes only the caller.
func TestProfileAttackers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		other, err := a.AddOrg(ctx, admin.Caller, "Other")
		if err != nil {
			t.Fatal(err)
		}
		victim := addTestHuman(t, a, admin, "victim")
		self := addTestHuman(t, a, admin, "self")
		foreignMgr := &Caller{UserID: "mgr", OrgID: other.ID, roles: map[string][]string{other.ID: {"ORG_USER_MANAGER"}}}
		viewer := &Caller{UserID: self.ID, OrgID: admin.OrgID, roles: map[string][]string{admin.OrgID: {"ORG_OWNER_VIEWER"}}}
		p := user.Profile{FirstName: "Evil", LastName: "Mallory"}
		for name, s := range map[string]Scope{
			"other org's manager, own context": {Caller: foreignMgr, OrgID: other.ID},
			"other org's manager, my context":  {Caller: foreignMgr, OrgID: admin.OrgID},
			"viewer":                           {Caller: viewer, OrgID: admin.OrgID},
		} {
			for op, try := range map[string]func() error{
				"profile":  func() error { _, err := a.UpdateProfile(ctx, s, UseUpdateHumanProfile, victim.ID, p); return err },
				"username": func() error { _, err := a.UpdateUserName(ctx, s, UseUpdateUserName, victim.ID, "evil"); return err },
				"email":    func() error { _, err := a.UpdateEmail(ctx, s, victim.ID, "evil@example.com", true); return err },
				"phone":    func() error { _, err := a.UpdatePhone(ctx, s, victim.ID, "+1 555 0100", true); return err },
			} {
				err := try()
				fe, ok := fail.As(err)
				if !ok || (fe.Code != codes.NotFound && fe.Code != codes.PermissionDenied) {
					t.Fatalf("%s %s: %v", name, op, err)
				}
			}
		}
		// The caller's own: the victim (named nowhere) is untouched.
		if _, err := a.UpdateProfile(ctx, Scope{Caller: viewer, OrgID: admin.OrgID}, UseUpdateMyProfile, victim.ID, p); err != nil {
			t.Fatal(err)
		}
		v, _, _ := a.GetUser(ctx, admin, victim.ID)
		me, _, _ := a.GetUser(ctx, admin, self.ID)
		if v.Human.FirstName != "First" || v.Sequence != victim.Sequence || me.Human.FirstName != "Evil" {
			t.Fatalf("victim %+v, self %+v", v.Human, me.Human)
		}
	})
}

// TestConcurrentRenamesOneWins: renames of several users to one name in one
// org: exactly one wins, the others are AlreadyExists; another org may use it.
func TestConcurrentRenamesOneWins(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		const n = 8
		users := make([]*user.User, n)
		for i := range users {
			users[i] = addTestHuman(t, a, admin, fmt.Sprintf("u%d", i))
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range users {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = a.UpdateUserName(ctx, admin, UseUpdateUserName, users[i].ID, "wanted")
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case errors.Is(err, user.ErrUserNameTaken):
			default:
				t.Fatalf("rename: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d renames won, want 1 (%v)", won, errs)
		}
		if ok, err := a.IsUserUnique(ctx, admin, "wanted"); err != nil || ok {
			t.Fatalf("IsUserUnique(wanted) = %v, %v", ok, err)
		}
		if ok, err := a.IsUserUnique(ctx, admin, "free"); err != nil || !ok {
			t.Fatalf("IsUserUnique(free) = %v, %v", ok, err)
		}
		other, err := a.AddOrg(ctx, admin.Caller, "Other")
		if err != nil {
			t.Fatal(err)
		}
		inOther := Scope{Caller: admin.Caller, OrgID: other.ID}
		ou := addTestHuman(t, a, inOther, "someone")
		if _, err := a.UpdateUserName(ctx, inOther, UseUpdateUserName, ou.ID, "wanted"); err != nil {
			t.Fatalf("the name in another org: %v", err)
		}
	})
}

func storeAsc() store.EventQuery { return store.EventQuery{Asc: true} }

// TestListUserMemberships: an org's user manager lists the memberships of a
// user of its org; another org's user manager and a member without
// user.membership.read cannot.
func TestListUserMemberships(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		other, err := a.AddOrg(ctx, admin.Caller, "Other")
		if err != nil {
			t.Fatal(err)
		}
		u := addTestHuman(t, a, admin, "member")
		if _, err := a.ChangeMember(ctx, admin, u.ID, []string{"ORG_OWNER_VIEWER"}, MemberAdd); err != nil {
			t.Fatal(err)
		}
		mgr := &Caller{UserID: "mgr", OrgID: admin.OrgID, roles: map[string][]string{admin.OrgID: {"ORG_USER_MANAGER"}}}
		ms, total, err := a.ListUserMemberships(ctx, Scope{Caller: mgr, OrgID: admin.OrgID}, u.ID, MembershipQuery{})
		if err != nil || total != 1 || len(ms) != 1 || ms[0].Org == nil || ms[0].Org.ID != admin.OrgID || ms[0].Roles[0] != "ORG_OWNER_VIEWER" {
			t.Fatalf("memberships %+v (%d): %v", ms, total, err)
		}
		foreign := &Caller{UserID: "f", OrgID: other.ID, roles: map[string][]string{other.ID: {"ORG_USER_MANAGER"}}}
		if _, _, err := a.ListUserMemberships(ctx, Scope{Caller: foreign, OrgID: other.ID}, u.ID, MembershipQuery{}); !errors.Is(err, user.ErrGetNotFound) {
			t.Fatalf("another org's manager in its org: %v", err)
		}
		if _, _, err := a.ListUserMemberships(ctx, Scope{Caller: foreign, OrgID: admin.OrgID}, u.ID, MembershipQuery{}); !errors.Is(err, fail.PermissionDenied) {
			t.Fatalf("another org's manager in this org: %v", err)
		}
		reader := &Caller{UserID: "r", OrgID: admin.OrgID, roles: map[string][]string{admin.OrgID: {"ORG_USER_READ"}}}
		if _, _, err := a.ListUserMemberships(ctx, Scope{Caller: reader, OrgID: admin.OrgID}, u.ID, MembershipQuery{}); !errors.Is(err, fail.PermissionDenied) {
			t.Fatalf("a reader without user.membership.read: %v", err)
		}
	})
}
