package login_test

import (
	"context"
	"encoding/json"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
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
		apiID, apiSecret := apiApp(e, r)
		alice := e.importHuman("alice", false, "ORG_USER_MANAGER")
		bob := e.importHuman("bob", false)

		b := wardentest.NewBrowser(t)
		// The full login name user@org-domain.
		s := signIn(b, e, r, "alice@warden.localhost", password)
		// (Profile claims are in userinfo; the ID token carries them only when
		// the app asks for idTokenUserinfoAssertion, as in ZITADEL.)
		if s.Subject != alice {
			t.Fatalf("ID token subject %q, want %s", s.Subject, alice)
		}
		if s.Token.RefreshToken == "" {
			t.Fatal("no refresh token for offline_access")
		}
		// userinfo, through go-oidc.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ui, err := r.Provider.UserInfo(ctx, oauth2.StaticTokenSource(s.Token))
		if err != nil || ui.Email != "alice@example.com" || ui.Subject != alice {
			t.Fatalf("userinfo: %+v %v", ui, err)
		}
		// Warden's API with the access token: alice manages the org's users.
		e.must(e.do("POST", "/management/v1/users/"+bob+"/_lock", s.Token.AccessToken, "{}"), 200)
		if st := e.userState(bob); st != "USER_STATE_LOCKED" {
			t.Fatalf("bob is %s", st)
		}
		// Introspection by a resource server of the same project.
		in := e.introspect(apiID, apiSecret, s.Token.AccessToken)
		if in["active"] != true || in["sub"] != alice {
			t.Fatalf("introspection: %v", in)
		}
		// Refresh rotates: the new pair works, the old refresh token is spent.
		nt, err := r.Refresh(s.Token.RefreshToken)
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if nt.RefreshToken == "" || nt.RefreshToken == s.Token.RefreshToken || nt.AccessToken == s.Token.AccessToken {
			t.Fatal("refresh did not rotate the tokens")
		}
		if st, _ := e.userinfo(nt.AccessToken); st != 200 {
			t.Fatalf("userinfo with the refreshed token: %d", st)
		}
		// A spent refresh token presented again has leaked: it is refused, and
		// what it was rotated into dies with it.
		if _, err := r.Refresh(s.Token.RefreshToken); !isInvalidGrant(err) {
			t.Fatalf("second use of a refresh token: %v, want invalid_grant", err)
		}
		if st, _ := e.userinfo(nt.AccessToken); st != 401 {
			t.Fatalf("userinfo with the replayed family's token: %d, want 401", st)
		}
		if _, err := r.Refresh(nt.RefreshToken); !isInvalidGrant(err) {
			t.Fatalf("refresh with the replayed family's token: %v, want invalid_grant", err)
		}

		// The browser session signs the next flow in at once, without forms.
		v := b.Get(r.Srv.URL + "/start")
		if s2 := r.AtCallback(b.T, v); s2.Subject != alice {
			t.Fatalf("session sign-in as %s", s2.Subject)
		}
		// A plain user name works when it is unique.
		b2 := wardentest.NewBrowser(t)
		e.must(e.admin("POST", "/management/v1/users/"+bob+"/_unlock", "{}"), 200)
		if s3 := signIn(b2, e, r, "bob", password); s3.Subject != bob {
			t.Fatalf("signed in as %s, want bob", s3.Subject)
		}
	})
}

// tokensDead asserts every credential of a sign-in is refused.
func tokensDead(t *testing.T, e *env, r *wardentest.RP, s *wardentest.SignIn, apiID, apiSecret, userID string) {
	t.Helper()
	if st := e.do("GET", "/management/v1/users/"+userID, s.Token.AccessToken, "").Status; st != 401 {
		t.Errorf("API with the access token: %d, want 401", st)
	}
	if in := e.introspect(apiID, apiSecret, s.Token.AccessToken); in["active"] != false {
		t.Errorf("introspection: %v, want active false", in)
	}
	if st, _ := e.userinfo(s.Token.AccessToken); st != 401 {
		t.Errorf("userinfo: %d, want 401", st)
	}
	if _, err := r.Refresh(s.Token.RefreshToken); !isInvalidGrant(err) {
		t.Errorf("refresh: %v, want invalid_grant", err)
	}
}

// tokensLive asserts a sign-in's access token works everywhere.
func tokensLive(t *testing.T, e *env, s *wardentest.SignIn, apiID, apiSecret, userID string) {
	t.Helper()
	e.must(e.do("GET", "/management/v1/users/"+userID, s.Token.AccessToken, ""), 200)
	if in := e.introspect(apiID, apiSecret, s.Token.AccessToken); in["active"] != true {
		t.Fatalf("introspection: %v", in)
	}
	if st, _ := e.userinfo(s.Token.AccessToken); st != 200 {
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
		apiID, apiSecret := apiApp(e, r)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				id := e.importHuman("carol-"+c.name, false, "ORG_USER_MANAGER")
				b := wardentest.NewBrowser(t)
				s := signIn(b, e, r, "carol-"+c.name, password)
				tokensLive(t, e, s, apiID, apiSecret, id)
				// A second client-side sign-in through the session, still valid.
				if s2 := r.AtCallback(b.T, b.Get(r.Srv.URL+"/start")); s2.Subject != id {
					t.Fatal("session sign-in failed")
				}

				e.must(e.admin("POST", "/management/v1/users/"+id+"/"+c.revoke, "{}"), 200)
				tokensDead(t, e, r, s, apiID, apiSecret, id)
				codes := r.Codes()
				v := b.Get(r.Srv.URL + "/start")
				onLogin(t, v, e)
				if v.Status != http.StatusForbidden || !strings.Contains(v.Text(), c.text) {
					t.Fatalf("login page with the old session: %d %q, want 403 and %q", v.Status, v.Text(), c.text)
				}
				if r.Codes() != codes {
					t.Fatal("the RP got a code for a revoked user")
				}
				// The password does not help either.
				v = b.Get(r.Srv.URL + "/start")
				v = b.Submit(v, 0, nil) // "use another account": ends the session
				v = b.Submit(v, 0, map[string]string{"loginName": "carol-" + c.name})
				v = b.Submit(v, 0, map[string]string{"password": password})
				if v.Status != http.StatusForbidden || !strings.Contains(v.Text(), c.text) {
					t.Fatalf("password sign-in of a revoked user: %d %q", v.Status, v.Text())
				}

				e.must(e.admin("POST", "/management/v1/users/"+id+"/"+c.restore, "{}"), 200)
				tokensDead(t, e, r, s, apiID, apiSecret, id)
				// The old session stays dead: the user-name form, not a sign-in.
				v = b.Get(r.Srv.URL + "/start")
				onLogin(t, v, e)
				if v.Status != 200 || !strings.Contains(v.Body, `name="loginName"`) {
					t.Fatalf("after %s: %d %q, want the user-name form", c.restore, v.Status, v.Text())
				}
				if r.Codes() != codes {
					t.Fatal("the RP got a code from a dead session")
				}
				s3 := signIn(b, e, r, "carol-"+c.name, password)
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
	b := wardentest.NewBrowser(t)
	signIn(b, e, r, "dana", password)
	u, _ := url.Parse(e.base + "/ui/")
	var cookie string
	for _, c := range b.C.Jar.Cookies(u) {
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
