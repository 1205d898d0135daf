package login_test

import (
	"context"
	"encoding/json"
	"github.com/warden-id/warden/internal/store/testdb"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/store"
	"golang.org/x/oauth2"
)

// introspect asks Warden about a token as the API app.
func (e *env) introspect(clientID, secret, token string) map[string]any {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.base+"/oauth/v2/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		e.t.Fatalf("introspection: %d %s", resp.StatusCode, raw)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		e.t.Fatalf("introspection: %v: %s", err, raw)
	}
	return m
}

// userinfo calls the userinfo endpoint with an access token.
func (e *env) userinfo(token string) (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.base+"/oidc/v1/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// TestRelyingPartySignIn: a real relying party (x/oauth2 + go-oidc, code flow
// with PKCE S256) signs a user in through the login forms, then uses what it
// got: the verified ID token, userinfo, Warden's API, introspection by an API
// app, and a rotating refresh token.
func TestRelyingPartySignIn(t *testing.T) {
	eachEngine(t, func(t *testing.T, open func(testing.TB) store.Store) {
		e := startEnv(t, open(t), login.Options{})
		r := newRP(e)
		apiID, apiSecret := r.apiApp(e)
		alice := e.importHuman("alice", false, "ORG_USER_MANAGER")
		bob := e.importHuman("bob", false)

		b := newBrowser(t)
		// The full login name user@org-domain.
		s := b.signIn(e, r, "alice@warden.localhost", password)
		// (Profile claims are in userinfo; the ID token carries them only when
		// the app asks for idTokenUserinfoAssertion, as in ZITADEL.)
		if s.subject != alice {
			t.Fatalf("ID token subject %q, want %s", s.subject, alice)
		}
		if s.token.RefreshToken == "" {
			t.Fatal("no refresh token for offline_access")
		}
		// userinfo, through go-oidc.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ui, err := r.provider.UserInfo(ctx, oauth2.StaticTokenSource(s.token))
		if err != nil || ui.Email != "alice@example.com" || ui.Subject != alice {
			t.Fatalf("userinfo: %+v %v", ui, err)
		}
		// Warden's API with the access token: alice manages the org's users.
		e.must(e.do("POST", "/management/v1/users/"+bob+"/_lock", s.token.AccessToken, "{}"), 200)
		if st := e.userState(bob); st != "USER_STATE_LOCKED" {
			t.Fatalf("bob is %s", st)
		}
		// Introspection by a resource server of the same project.
		in := e.introspect(apiID, apiSecret, s.token.AccessToken)
		if in["active"] != true || in["sub"] != alice {
			t.Fatalf("introspection: %v", in)
		}
		// Refresh rotates: the new pair works, the old refresh token is spent.
		nt, err := r.refresh(s.token.RefreshToken)
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if nt.RefreshToken == "" || nt.RefreshToken == s.token.RefreshToken || nt.AccessToken == s.token.AccessToken {
			t.Fatal("refresh did not rotate the tokens")
		}
		if st, _ := e.userinfo(nt.AccessToken); st != 200 {
			t.Fatalf("userinfo with the refreshed token: %d", st)
		}
		// A spent refresh token presented again has leaked: it is refused, and
		// what it was rotated into dies with it.
		if _, err := r.refresh(s.token.RefreshToken); !isInvalidGrant(err) {
			t.Fatalf("second use of a refresh token: %v, want invalid_grant", err)
		}
		if st, _ := e.userinfo(nt.AccessToken); st != 401 {
			t.Fatalf("userinfo with the replayed family's token: %d, want 401", st)
		}
		if _, err := r.refresh(nt.RefreshToken); !isInvalidGrant(err) {
			t.Fatalf("refresh with the replayed family's token: %v, want invalid_grant", err)
		}

		// The browser session signs the next flow in at once, without forms.
		v := b.get(r.srv.URL + "/start")
		if s2 := b.atCallback(r, v); s2.subject != alice {
			t.Fatalf("session sign-in as %s", s2.subject)
		}
		// A plain user name works when it is unique.
		b2 := newBrowser(t)
		e.must(e.admin("POST", "/management/v1/users/"+bob+"/_unlock", "{}"), 200)
		if s3 := b2.signIn(e, r, "bob", password); s3.subject != bob {
			t.Fatalf("signed in as %s, want bob", s3.subject)
		}
	})
}

// tokensDead asserts every credential of a sign-in is refused.
func tokensDead(t *testing.T, e *env, r *rp, s *signIn, apiID, apiSecret, userID string) {
	t.Helper()
	if st := e.do("GET", "/management/v1/users/"+userID, s.token.AccessToken, "").status; st != 401 {
		t.Errorf("API with the access token: %d, want 401", st)
	}
	if in := e.introspect(apiID, apiSecret, s.token.AccessToken); in["active"] != false {
		t.Errorf("introspection: %v, want active false", in)
	}
	if st, _ := e.userinfo(s.token.AccessToken); st != 401 {
		t.Errorf("userinfo: %d, want 401", st)
	}
	if _, err := r.refresh(s.token.RefreshToken); !isInvalidGrant(err) {
		t.Errorf("refresh: %v, want invalid_grant", err)
	}
}

// tokensLive asserts a sign-in's access token works everywhere.
func tokensLive(t *testing.T, e *env, s *signIn, apiID, apiSecret, userID string) {
	t.Helper()
	e.must(e.do("GET", "/management/v1/users/"+userID, s.token.AccessToken, ""), 200)
	if in := e.introspect(apiID, apiSecret, s.token.AccessToken); in["active"] != true {
		t.Fatalf("introspection: %v", in)
	}
	if st, _ := e.userinfo(s.token.AccessToken); st != 200 {
		t.Fatalf("userinfo: %d", st)
	}
}

// TestLockEndsEverything: a lock (and a deactivation) kills the user's access
// token, refresh token and browser session at once; the login page says why
// instead of completing a new flow; lifting it revives nothing, and a fresh
// sign-in works.
func TestLockEndsEverything(t *testing.T) {
	cases := []struct {
		name, revoke, restore, text string
	}{
		{"lock", "_lock", "_unlock", login.TextLocked},
		{"deactivate", "_deactivate", "_reactivate", login.TextInactive},
	}
	eachEngine(t, func(t *testing.T, open func(testing.TB) store.Store) {
		e := startEnv(t, open(t), login.Options{})
		r := newRP(e)
		apiID, apiSecret := r.apiApp(e)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				id := e.importHuman("carol-"+c.name, false, "ORG_USER_MANAGER")
				b := newBrowser(t)
				s := b.signIn(e, r, "carol-"+c.name, password)
				tokensLive(t, e, s, apiID, apiSecret, id)
				// A second client-side sign-in through the session, still valid.
				if s2 := b.atCallback(r, b.get(r.srv.URL+"/start")); s2.subject != id {
					t.Fatal("session sign-in failed")
				}

				e.must(e.admin("POST", "/management/v1/users/"+id+"/"+c.revoke, "{}"), 200)
				tokensDead(t, e, r, s, apiID, apiSecret, id)
				codes := r.codeCount()
				v := b.get(r.srv.URL + "/start")
				v.onLogin(t, e)
				if v.status != http.StatusForbidden || !strings.Contains(v.text(), c.text) {
					t.Fatalf("login page with the old session: %d %q, want 403 and %q", v.status, v.text(), c.text)
				}
				if r.codeCount() != codes {
					t.Fatal("the RP got a code for a revoked user")
				}
				// The password does not help either.
				v = b.get(r.srv.URL + "/start")
				v = b.submit(v, 0, nil) // "use another account": ends the session
				v = b.submit(v, 0, map[string]string{"loginName": "carol-" + c.name})
				v = b.submit(v, 0, map[string]string{"password": password})
				if v.status != http.StatusForbidden || !strings.Contains(v.text(), c.text) {
					t.Fatalf("password sign-in of a revoked user: %d %q", v.status, v.text())
				}

				e.must(e.admin("POST", "/management/v1/users/"+id+"/"+c.restore, "{}"), 200)
				tokensDead(t, e, r, s, apiID, apiSecret, id)
				// The old session stays dead: the user-name form, not a sign-in.
				v = b.get(r.srv.URL + "/start")
				v.onLogin(t, e)
				if v.status != 200 || !strings.Contains(v.body, `name="loginName"`) {
					t.Fatalf("after %s: %d %q, want the user-name form", c.restore, v.status, v.text())
				}
				if r.codeCount() != codes {
					t.Fatal("the RP got a code from a dead session")
				}
				s3 := b.signIn(e, r, "carol-"+c.name, password)
				tokensLive(t, e, s3, apiID, apiSecret, id)
			})
		}
	})
}

// TestOldSessionCookieAfterUnlock: a session cookie from before a lock, kept
// aside while the browser has none, is dead after the unlock too.
func TestOldSessionCookieAfterUnlock(t *testing.T) {
	e := startEnv(t, testdb.SQLite(t), login.Options{})
	r := newRP(e)
	id := e.importHuman("dana", false)
	b := newBrowser(t)
	b.signIn(e, r, "dana", password)
	u, _ := url.Parse(e.base + "/ui/")
	var cookie string
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "warden_session" {
			cookie = c.Value
		}
	}
	if cookie == "" {
		t.Fatal("no session cookie")
	}
	ctx := context.Background()
	if _, _, err := e.app.SessionUser(ctx, cookie); err != nil {
		t.Fatalf("session: %v", err)
	}
	e.must(e.admin("POST", "/management/v1/users/"+id+"/_lock", "{}"), 200)
	if _, _, err := e.app.SessionUser(ctx, cookie); err == nil {
		t.Fatal("session valid after lock")
	}
	e.must(e.admin("POST", "/management/v1/users/"+id+"/_unlock", "{}"), 200)
	if _, _, err := e.app.SessionUser(ctx, cookie); err == nil {
		t.Fatal("session valid after unlock")
	}
}
