package login_test

import (
	"context"
	"errors"
	"github.com/warden-id/warden/internal/wardentest"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// storeEventCounts counts a user's events by type, straight from the store.
func storeEventCounts(t *testing.T, e *env, id string) map[string]int {
	t.Helper()
	evs, err := e.store.Events(context.Background(), store.EventQuery{AggregateType: event.AggregateUser, AggregateID: id, Asc: true, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, ev := range evs {
		out[ev.Type]++
	}
	return out
}

// TestLockoutPolicyThroughLoginPage: with max 3, the third wrong password locks
// the user (state and history); the page tells no attempts left, and shows the
// lock only to someone who gives the right password.
func TestLockoutPolicyThroughLoginPage(t *testing.T) {
	eachEngine(t, func(t *testing.T, open func(testing.TB) store.Store) {
		e := startEnv(t, open(t), login.Options{})
		e.setLockout(3)
		r := newRP(e)
		id := e.importHuman("erin", false)
		b := wardentest.NewBrowser(t)
		v := toPassword(b, e, r, "erin")
		for i := range 4 {
			v = b.Submit(v, 0, map[string]string{"password": "wrong-password"})
			if v.Status != 200 || !strings.Contains(v.Text(), login.TextWrongPassword) || strings.Contains(v.Text(), "remaining") {
				t.Fatalf("attempt %d: %d %q", i+1, v.Status, v.Text())
			}
		}
		if st := e.userState(id); st != "USER_STATE_LOCKED" {
			t.Fatalf("state %s, want locked", st)
		}
		ev := e.eventCounts(id)
		if ev[event.PasswordCheckFailed] != 3 || ev[event.UserLocked] != 1 {
			t.Fatalf("history %v, want 3 failed checks and 1 lock", ev)
		}
		// The right password no longer helps, and records nothing.
		v = toPassword(b, e, r, "erin")
		v = b.Submit(v, 0, map[string]string{"password": password})
		if v.Status != http.StatusForbidden || !strings.Contains(v.Text(), login.TextLocked) {
			t.Fatalf("right password of a locked user: %d %q", v.Status, v.Text())
		}
		if ev := e.eventCounts(id); ev[event.PasswordCheckFailed] != 3 || ev[event.PasswordCheckOK] != 0 {
			t.Fatalf("history after a locked attempt: %v", ev)
		}
	})
}

// TestLockoutAtomic: 50 parallel wrong guesses against max 3 record exactly 3
// failures and one lock, through the app (and 20 through the login page);
// every guess gets the wrong-password answer, the lock included.
func TestLockoutAtomic(t *testing.T) {
	eachEngine(t, func(t *testing.T, open func(testing.TB) store.Store) {
		e := startEnv(t, open(t), login.Options{AttemptsPerMinute: -1})
		e.setLockout(3)
		ctx := context.Background()

		t.Run("app", func(t *testing.T) {
			id := e.importHuman("frank", false)
			var wg sync.WaitGroup
			var mu sync.Mutex
			locked, wrong := 0, 0
			for range 50 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res, err := e.app.CheckPassword(ctx, id, "wrong-password")
					mu.Lock()
					defer mu.Unlock()
					if res != nil && res.Locked {
						locked++
					}
					if errors.Is(err, user.ErrWrongPassword) {
						wrong++ // a locked account answers a wrong password alike
					} else {
						t.Errorf("check: %v", err)
					}
				}()
			}
			wg.Wait()
			if locked != 1 || wrong != 50 {
				t.Fatalf("%d checks answered wrong and %d locked, want 50 and 1", wrong, locked)
			}
			if ev := storeEventCounts(t, e, id); ev[event.PasswordCheckFailed] != 3 || ev[event.UserLocked] != 1 {
				t.Fatalf("history %v", ev)
			}
			if st := e.userState(id); st != "USER_STATE_LOCKED" {
				t.Fatalf("state %s", st)
			}
		})

		t.Run("http", func(t *testing.T) {
			id := e.importHuman("gina", false)
			r := newRP(e)
			b := wardentest.NewBrowser(t)
			v := toPassword(b, e, r, "gina")
			var wg sync.WaitGroup
			var mu sync.Mutex
			statuses := map[int]int{}
			const n = 20 // each attempt costs a password hash; 20 is plenty to race
			f := v.Forms[0].Fields
			f.Set("password", "wrong-password")
			// Hashes queue for the CPUs; on a busy machine that takes a while.
			slow := &http.Client{Jar: b.C.Jar, Timeout: 5 * time.Minute}
			for range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					resp, err := slow.PostForm(e.base+"/ui/login/password", f)
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						t.Errorf("post: %v", err)
						return
					}
					resp.Body.Close()
					statuses[resp.StatusCode]++
				}()
			}
			wg.Wait()
			if statuses[200] != n {
				t.Fatalf("statuses %v: want %d wrong-password pages (the lock shows only to the right password)", statuses, n)
			}
			if ev := e.eventCounts(id); ev[event.PasswordCheckFailed] != 3 || ev[event.UserLocked] != 1 {
				t.Fatalf("history %v", ev)
			}
			if st := e.userState(id); st != "USER_STATE_LOCKED" {
				t.Fatalf("state %s", st)
			}
		})

		t.Run("reset", func(t *testing.T) {
			id := e.importHuman("hank", false)
			wrong := func(n int) {
				t.Helper()
				for range n {
					if _, err := e.app.CheckPassword(ctx, id, "wrong-password"); !errors.Is(err, user.ErrWrongPassword) {
						t.Fatalf("wrong password: %v", err)
					}
				}
			}
			// A correct password resets the count.
			wrong(2)
			if _, err := e.app.CheckPassword(ctx, id, password); err != nil {
				t.Fatal(err)
			}
			wrong(2)
			if st := e.userState(id); st != "USER_STATE_ACTIVE" {
				t.Fatalf("state %s after 2+2 wrong with a right one between", st)
			}
			// An unlock resets it.
			e.must(e.admin("POST", "/management/v1/users/"+id+"/_lock", "{}"), 200)
			e.must(e.admin("POST", "/management/v1/users/"+id+"/_unlock", "{}"), 200)
			wrong(2)
			if st := e.userState(id); st != "USER_STATE_ACTIVE" {
				t.Fatalf("state %s after unlock and 2 wrong", st)
			}
			res, err := e.app.CheckPassword(ctx, id, "wrong-password")
			if !errors.Is(err, user.ErrWrongPassword) || res == nil || !res.Locked {
				t.Fatalf("third wrong password: %+v %v, want the lock", res, err)
			}
		})
	})
}
