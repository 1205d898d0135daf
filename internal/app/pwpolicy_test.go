package app

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/policy"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/user"
	"google.golang.org/grpc/codes"
)

// TestComplexityOnEveryPasswordPath: the default policy (8, upper, lower,
// number, symbol) refuses a weak password with ZITADEL's id on each path that
// sets a plain one, and nothing is written; a hashed import is not measured.
func TestComplexityOnEveryPasswordPath(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		const weak, strong = "no-upper-case-1", "Strong-Pass-1"
		human := func(name, pw string) (*user.User, error) {
			return a.AddHuman(ctx, admin, NewHuman{UserName: name, Profile: user.Human{Email: name + "@example.com"}, Password: pw})
		}
		users := func() int {
			p, err := a.store.ListUsers(ctx, store.UserQuery{})
			if err != nil {
				t.Fatal(err)
			}
			return len(p.Users)
		}
		before := users()
		if _, err := human("weak", weak); !errors.Is(err, policy.ErrPasswordNoUpper) {
			t.Fatalf("AddHuman: %v, want COMMA-VoaRj", err)
		}
		if n := users(); n != before {
			t.Fatalf("a refused user was written: %d users, were %d", n, before)
		}
		if _, err := human("short", "Sh0rt!"); !errors.Is(err, policy.ErrPasswordTooShort) {
			t.Fatalf("AddHuman short: %v, want COMMA-HuJf6", err)
		}
		// A hashed import carries no plain text to measure.
		_, err := a.AddHuman(ctx, admin, NewHuman{UserName: "imported", Profile: user.Human{Email: "i@example.com"},
			HashedPassword: "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"})
		if err != nil {
			t.Fatalf("hashed import: %v", err)
		}
		u, err := human("alice", strong)
		if err != nil {
			t.Fatal(err)
		}
		seq := u.Sequence
		if _, err := a.SetPassword(ctx, admin, u.ID, "NoNumber-Here", false, false); !errors.Is(err, policy.ErrPasswordNoNumber) {
			t.Fatalf("SetPassword: %v, want COMMA-ZBv4H", err)
		}
		if _, err := a.ChangePassword(ctx, admin.Caller, u.ID, strong, "NoSymbol1234", false); !errors.Is(err, policy.ErrPasswordNoSymbol) {
			t.Fatalf("ChangePassword: %v, want COMMA-ZDLwA", err)
		}
		self := &Caller{UserID: u.ID, OrgID: u.OrgID}
		if _, err := a.UpdateMyPassword(ctx, Scope{Caller: self}, strong, "NO-LOWER-1"); !errors.Is(err, policy.ErrPasswordNoLower) {
			t.Fatalf("UpdateMyPassword: %v, want COMMA-co3Xw", err)
		}
		ticket, err := a.StartPasswordChange(ctx, u.ID, "ar-1", u.CredentialEpoch)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.FinishPasswordChange(ctx, ticket, "ar-1", weak); !errors.Is(err, policy.ErrPasswordNoUpper) {
			t.Fatalf("login password change: %v, want COMMA-VoaRj", err)
		}
		if got, _ := a.store.User(ctx, u.ID); got.Sequence != seq {
			t.Fatalf("refused passwords wrote events: sequence %d → %d", seq, got.Sequence)
		}
		// The refusals cost no attempt: the new password is measured first.
		if got, _ := a.store.User(ctx, u.ID); got.Human.FailedPasswordAttempts != 0 {
			t.Fatalf("failed attempts %d", got.Human.FailedPasswordAttempts)
		}
		// The user's own change checks the old password as a sign-in does.
		if _, err := a.UpdateMyPassword(ctx, Scope{Caller: self}, "Wrong-Pass-1", "Newer-Pass-2"); !errors.Is(err, user.ErrWrongPassword) {
			t.Fatalf("UpdateMyPassword with a wrong old password: %v", err)
		}
		if _, err := a.UpdateMyPassword(ctx, Scope{Caller: self}, strong, "Newer-Pass-2"); err != nil {
			t.Fatalf("UpdateMyPassword: %v", err)
		}
		if _, err := a.CheckPassword(ctx, u.ID, "Newer-Pass-2"); err != nil {
			t.Fatalf("the new password: %v", err)
		}
	})
}

// TestComplexityPolicyLifecycle: an org's own policy overrides the instance
// default, which overrides the built-in one; reset returns to the default;
// each write is an event of its aggregate; ZITADEL's ids for the refusals.
func TestComplexityPolicyLifecycle(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		p, isDefault, err := a.PasswordComplexityPolicy(ctx, admin, false)
		if err != nil || !isDefault || !p.Same(policy.DefaultComplexity()) {
			t.Fatalf("built-in default: %+v %v %v", p, isDefault, err)
		}
		lax := policy.Complexity{MinLength: 4}
		_, err = a.ChangePasswordComplexityPolicy(ctx, admin, lax, PolicyUpdate)
		wantErr(t, err, errComplexityMissing)
		_, err = a.ChangePasswordComplexityPolicy(ctx, admin, lax, PolicyReset)
		wantErr(t, err, errComplexityResetMissing)
		_, err = a.ChangePasswordComplexityPolicy(ctx, admin, policy.Complexity{MinLength: 73}, PolicyAdd)
		wantErr(t, err, policy.ErrMinLengthNotAllowed)
		added, err := a.ChangePasswordComplexityPolicy(ctx, admin, lax, PolicyAdd)
		if err != nil || added.OrgID != admin.OrgID || added.Sequence == 0 {
			t.Fatalf("add: %+v %v", added, err)
		}
		_, err = a.ChangePasswordComplexityPolicy(ctx, admin, lax, PolicyAdd)
		wantErr(t, err, errComplexityExists)
		_, err = a.ChangePasswordComplexityPolicy(ctx, admin, lax, PolicyUpdate)
		wantErr(t, err, errComplexityNotChanged)
		// The org's own policy is what its passwords meet now.
		u, err := a.AddHuman(ctx, admin, NewHuman{UserName: "lax", Profile: user.Human{Email: "lax@example.com"}, Password: "abcd"})
		if err != nil {
			t.Fatalf("a password the org's own policy allows: %v", err)
		}
		// Another org follows the instance default, which an administrator sets.
		other, err := a.AddOrg(ctx, admin.Caller, "Other")
		if err != nil {
			t.Fatal(err)
		}
		strict := policy.Complexity{MinLength: 12, HasLowercase: true, HasUppercase: true, HasNumber: true, HasSymbol: true}
		_, d, err := a.UpdateInstanceComplexityPolicy(ctx, admin.Caller, strict)
		if err != nil || d.Sequence == 0 {
			t.Fatalf("instance default: %+v %v", d, err)
		}
		_, _, err = a.UpdateInstanceComplexityPolicy(ctx, admin.Caller, strict)
		wantErr(t, err, errInstanceComplexityNotChanged)
		_, _, err = a.UpdateInstanceComplexityPolicy(ctx, admin.Caller, policy.Complexity{})
		wantErr(t, err, errInstanceComplexityMinLength)
		os := OrgScope(admin.Caller, other.ID)
		if _, err := a.AddHuman(ctx, os, NewHuman{UserName: "o1", Profile: user.Human{Email: "o1@example.com"}, Password: "Strong-Pa1!"}); !errors.Is(err, policy.ErrPasswordTooShort) {
			t.Fatalf("the instance default in another org: %v", err)
		}
		if p, isDefault, _ := a.PasswordComplexityPolicy(ctx, os, false); !isDefault || p.MinLength != 12 {
			t.Fatalf("other org: %+v %v", p, isDefault)
		}
		if p, _, _ := a.PasswordComplexityPolicy(ctx, admin, true); p.MinLength != 12 {
			t.Fatalf("GetDefault: %+v", p)
		}
		if p, isDefault, _ := a.MyPasswordComplexityPolicy(ctx, Scope{Caller: &Caller{UserID: u.ID, OrgID: u.OrgID}}); isDefault || p.MinLength != 4 {
			t.Fatalf("my policy: %+v %v", p, isDefault)
		}
		// Reset: the org inherits the instance default again.
		reset, err := a.ChangePasswordComplexityPolicy(ctx, admin, policy.Complexity{}, PolicyReset)
		if err != nil || reset.OrgID != "" || reset.MinLength != 12 || reset.Sequence <= added.Sequence {
			t.Fatalf("reset: %+v %v", reset, err)
		}
		if _, err := a.SetPassword(ctx, admin, u.ID, "abcd", false, false); !errors.Is(err, policy.ErrPasswordTooShort) {
			t.Fatalf("after the reset: %v", err)
		}
		var types []string
		evs, err := a.store.Events(ctx, store.EventQuery{AggregateType: event.AggregateOrg, AggregateID: admin.OrgID})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.Type == event.ComplexityPolicyAdded || e.Type == event.ComplexityPolicyRemoved {
				types = append(types, e.Type)
			}
		}
		slices.Sort(types)
		if !slices.Equal(types, []string{event.ComplexityPolicyAdded, event.ComplexityPolicyRemoved}) {
			t.Fatalf("org events %v", types)
		}
		iid, err := a.InstanceID(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ievs, err := a.store.Events(ctx, store.EventQuery{AggregateType: event.AggregateInstance, AggregateID: iid})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(ievs, func(e event.Event) bool { return e.Type == event.InstanceComplexityPolicyChanged }) {
			t.Fatalf("no %s among the instance's events", event.InstanceComplexityPolicyChanged)
		}
	})
}

// TestPasswordPolicyAttackers: another org's owner cannot read or change my
// org's policies, a user without policy.write (a user manager) cannot change
// them, and only an instance administrator sets the instance defaults.
func TestPasswordPolicyAttackers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		other, err := a.AddOrg(ctx, admin.Caller, "Other")
		if err != nil {
			t.Fatal(err)
		}
		owner, ownerAuth := patCaller(t, a, OrgScope(admin.Caller, other.ID), "owner")
		if _, err := a.ChangeMember(ctx, OrgScope(admin.Caller, other.ID), owner.UserID, []string{"ORG_OWNER"}, MemberAdd); err != nil {
			t.Fatal(err)
		}
		um, umAuth := patCaller(t, a, admin, "usermanager")
		if _, err := a.ChangeMember(ctx, admin, um.UserID, []string{"ORG_USER_MANAGER"}, MemberAdd); err != nil {
			t.Fatal(err)
		}
		mine := func(c *Caller) Scope { return OrgScope(c, admin.OrgID) }
		for name, try := range map[string]func() error{
			"other owner adds": func() error {
				_, err := a.ChangePasswordComplexityPolicy(ctx, mine(ownerAuth()), policy.Complexity{MinLength: 1}, PolicyAdd)
				return err
			},
			"other owner reads": func() error { _, _, err := a.PasswordComplexityPolicy(ctx, mine(ownerAuth()), false); return err },
			"other owner ages": func() error {
				_, err := a.ChangePasswordAgePolicy(ctx, mine(ownerAuth()), policy.Age{MaxAgeDays: 1}, PolicyAdd)
				return err
			},
			"user manager adds": func() error {
				_, err := a.ChangePasswordComplexityPolicy(ctx, mine(umAuth()), policy.Complexity{MinLength: 1}, PolicyAdd)
				return err
			},
			"user manager ages": func() error {
				_, err := a.ChangePasswordAgePolicy(ctx, mine(umAuth()), policy.Age{MaxAgeDays: 1}, PolicyAdd)
				return err
			},
			"org owner sets instance": func() error {
				_, _, err := a.UpdateInstanceComplexityPolicy(ctx, ownerAuth(), policy.Complexity{MinLength: 1})
				return err
			},
			"org owner sets lockout": func() error { _, _, err := a.UpdateInstanceLockoutPolicy(ctx, ownerAuth(), 1, 1); return err },
			"org owner sets age": func() error {
				_, _, err := a.UpdateInstanceAgePolicy(ctx, ownerAuth(), policy.Age{MaxAgeDays: 1})
				return err
			},
		} {
			if err := try(); err == nil {
				t.Errorf("%s: allowed", name)
			} else {
				wantCode(t, err, codes.PermissionDenied)
			}
		}
		// The user manager reads them (policy.read), as in ZITADEL.
		if _, _, err := a.PasswordComplexityPolicy(ctx, mine(umAuth()), false); err != nil {
			t.Fatalf("user manager reads: %v", err)
		}
		if p, isDefault, _ := a.PasswordComplexityPolicy(ctx, admin, false); !isDefault || !p.Same(policy.DefaultComplexity()) {
			t.Fatalf("policy changed: %+v", p)
		}
		if p, _ := a.InstanceLockoutPolicy(ctx, admin.Caller); p.MaxPasswordAttempts != policy.Default().MaxPasswordAttempts {
			t.Fatalf("lockout changed: %+v", p)
		}
	})
}

// TestPasswordPolicyConcurrentUpdates: of concurrent adds exactly one wins and
// the rest see it exists; concurrent updates of the instance default resolve
// as if serial (each sequence once, the last one's settings stored).
func TestPasswordPolicyConcurrentUpdates(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		const n = 16
		var wg sync.WaitGroup
		errs := make([]error, n)
		seqs := make([]uint64, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = a.ChangePasswordComplexityPolicy(ctx, admin, policy.Complexity{MinLength: uint64(i + 1)}, PolicyAdd)
				_, d, err := a.UpdateInstanceAgePolicy(ctx, admin.Caller, policy.Age{MaxAgeDays: uint64(100 + i)})
				if err != nil {
					t.Errorf("instance age %d: %v", i, err)
					return
				}
				seqs[i] = d.Sequence
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, errComplexityExists):
				t.Errorf("add: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d adds won", won)
		}
		seen := map[uint64]bool{}
		var last uint64
		var lastDays uint64
		for i, s := range seqs {
			if seen[s] {
				t.Fatalf("sequence %d twice", s)
			}
			seen[s] = true
			if s > last {
				last, lastDays = s, uint64(100+i)
			}
		}
		p, err := a.InstanceAgePolicy(ctx, admin.Caller)
		if err != nil || p.MaxAgeDays != lastDays || p.Sequence != last {
			t.Fatalf("instance age %+v, want the last write (%d days at %d): %v", p, lastDays, last, err)
		}
	})
}

// TestAgeAndInstanceLockout: the age policy is stored and served like the
// complexity policy; the instance's default lockout policy is the one an org
// without its own follows at sign-in.
func TestAgeAndInstanceLockout(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		if p, isDefault, err := a.PasswordAgePolicy(ctx, admin, false); err != nil || !isDefault || p.MaxAgeDays != 0 {
			t.Fatalf("default age: %+v %v %v", p, isDefault, err)
		}
		if _, err := a.ChangePasswordAgePolicy(ctx, admin, policy.Age{MaxAgeDays: 90, ExpireWarnDays: 7}, PolicyAdd); err != nil {
			t.Fatal(err)
		}
		_, err := a.ChangePasswordAgePolicy(ctx, admin, policy.Age{MaxAgeDays: 90, ExpireWarnDays: 7}, PolicyUpdate)
		wantErr(t, err, errAgeNotChanged)
		if p, isDefault, _ := a.PasswordAgePolicy(ctx, admin, false); isDefault || p.MaxAgeDays != 90 || p.ExpireWarnDays != 7 {
			t.Fatalf("own age: %+v", p)
		}
		if _, err := a.ChangePasswordAgePolicy(ctx, admin, policy.Age{}, PolicyReset); err != nil {
			t.Fatal(err)
		}
		_, err = a.ChangePasswordAgePolicy(ctx, admin, policy.Age{}, PolicyReset)
		wantErr(t, err, errAgeResetMissing)

		// The instance default lockout: 2 wrong passwords lock a user of an
		// org without its own policy.
		if _, _, err := a.UpdateInstanceLockoutPolicy(ctx, admin.Caller, 2, 0); err != nil {
			t.Fatal(err)
		}
		_, _, err = a.UpdateInstanceLockoutPolicy(ctx, admin.Caller, 2, 0)
		wantErr(t, err, errInstanceLockoutNotChanged)
		if p, isDefault, _ := a.LockoutPolicy(ctx, admin); !isDefault || p.MaxPasswordAttempts != 2 {
			t.Fatalf("org's lockout: %+v %v", p, isDefault)
		}
		u, err := a.AddHuman(ctx, admin, NewHuman{UserName: "bob", Profile: user.Human{Email: "bob@example.com"}, Password: "Strong-Pass-1"})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			_, _ = a.CheckPassword(ctx, u.ID, "Wrong-Pass-1")
		}
		if got, _ := a.store.User(ctx, u.ID); got.State != user.StateLocked {
			t.Fatalf("state %v after 2 wrong passwords under the instance default", got.State)
		}
	})
}

// TestBootstrapPasswordMeetsDefault: the one-time password bootstrap prints
// is one the default complexity policy accepts, so the first sign-in's forced
// change can begin with it.
func TestBootstrapPasswordMeetsDefault(t *testing.T) {
	for range 500 {
		pw, err := oneTimePassword()
		if err != nil {
			t.Fatal(err)
		}
		if err := policy.DefaultComplexity().Check(pw); err != nil || len(pw) != 16 {
			t.Fatalf("%q: %v", pw, err)
		}
	}
}
