package login_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/wardentest"
	"golang.org/x/oauth2"
)

// deviceEnv is a Warden whose device flow polls every second (devices may
// not ask more often than once a second: intervals are whole seconds).
func deviceEnv(t testing.TB, st store.Store, lifetime time.Duration, opts login.Options) *env {
	t.Helper()
	logs := &syncBuffer{}
	in := wardentest.Start(t, st, wardentest.Options{Login: &opts,
		AppOptions: []app.Option{app.WithDeviceConfig(app.DeviceConfig{Lifetime: lifetime, PollInterval: time.Second})}})
	return &env{t: t, in: in, base: in.Base, token: in.Boot.Token, app: in.App, store: st, prov: in.Provider,
		orgID: in.Boot.Instance.DefaultOrgID, logs: logs}
}

// deviceClient registers a native app (auth method none) with the device
// and refresh grants, and returns an x/oauth2 client of it whose endpoints
// come from discovery.
func deviceClient(e *env, grants ...string) *oauth2.Config {
	e.t.Helper()
	if grants == nil {
		grants = []string{"OIDC_GRANT_TYPE_DEVICE_CODE", "OIDC_GRANT_TYPE_REFRESH_TOKEN"}
	}
	gs, _ := json.Marshal(grants)
	pid := e.must(e.admin("POST", "/management/v1/projects", `{"name":"TV `+time.Now().Format("150405.000000")+`"}`), 200).Str("id")
	body := `{"name":"Living room TV","grantTypes":` + string(gs) + `,"appType":"OIDC_APP_TYPE_NATIVE","authMethodType":"OIDC_AUTH_METHOD_TYPE_NONE"`
	if !strings.Contains(string(gs), "AUTHORIZATION_CODE") {
		body += `}`
	} else {
		body += `,"redirectUris":["http://127.0.0.1/cb"],"devMode":true}`
	}
	a := e.must(e.admin("POST", "/management/v1/projects/"+pid+"/apps/oidc", body), 200)
	d := discovery(e)
	return &oauth2.Config{ClientID: a.Str("clientId"), Scopes: []string{"openid", "profile", "offline_access"},
		Endpoint: oauth2.Endpoint{DeviceAuthURL: d.DeviceAuth, TokenURL: d.Token, AuthStyle: oauth2.AuthStyleInParams}}
}

type discovered struct {
	DeviceAuth string   `json:"device_authorization_endpoint"`
	Token      string   `json:"token_endpoint"`
	Grants     []string `json:"grant_types_supported"`
}

func discovery(e *env) discovered {
	e.t.Helper()
	resp, err := http.Get(e.base + "/.well-known/openid-configuration")
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var d discovered
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		e.t.Fatal(err)
	}
	return d
}

// poll is one raw token request with a device code.
func poll(e *env, c *oauth2.Config, deviceCode string) wardentest.TokenReply {
	e.t.Helper()
	return e.in.TokenPost(e.t, "/oauth/v2/token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"},
		"device_code": {deviceCode}, "client_id": {c.ClientID}}, "", "")
}

func oauthErr(r wardentest.TokenReply) string { s, _ := r.Body["error"].(string); return s }

// toApproval takes browser b from the verification URI through the user
// code form and the sign-in to the device's approval page.
func toApproval(t testing.TB, b *wardentest.Browser, da *oauth2.DeviceAuthResponse, loginName string) *wardentest.View {
	t.Helper()
	v := b.Get(da.VerificationURIComplete)
	if !strings.HasSuffix(v.URL.Path, "/ui/login/device") || v.Forms[v.FormWith(t, "user_code")].Fields.Get("user_code") != da.UserCode {
		t.Fatalf("verification_uri_complete: want the prefilled code form, at %s: %s", v.URL, v.Text())
	}
	v = b.Submit(v, v.FormWith(t, "user_code"), nil)
	if _, ok := v.Forms[0].Fields["password"]; !ok {
		v = b.Submit(v, v.FormWith(t, "loginName"), map[string]string{"loginName": loginName})
	}
	v = b.Submit(v, v.FormWith(t, "password"), map[string]string{"password": password})
	if !strings.HasSuffix(v.URL.Path, "/ui/login/device/approve") {
		t.Fatalf("want the approval page, at %s (%d): %s", v.URL, v.Status, v.Text())
	}
	return v
}

// decide submits the approval page's form with allow or deny.
func decide(t testing.TB, b *wardentest.Browser, v *wardentest.View, decision string) *wardentest.View {
	t.Helper()
	return b.Submit(v, v.FormWith(t, "decision"), map[string]string{"decision": decision})
}

var userCodeShape = regexp.MustCompile(`^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$`)

// TestDeviceFlow: a device (x/oauth2's RFC 8628 client) gets codes from the
// endpoint discovery names, polls while a person signs in on another screen
// with the user code and allows it, and gets tokens once — ID token, access
// token for userinfo, refresh token — which a lock then kills.
func TestDeviceFlow(t *testing.T) {
	eachEngine(t, func(t *testing.T, open func(testing.TB) store.Store) {
		e := deviceEnv(t, open(t), 2*time.Minute, login.Options{})
		d := discovery(e)
		if d.DeviceAuth != e.base+"/oauth/v2/device_authorization" {
			t.Fatalf("discovery names %q", d.DeviceAuth)
		}
		found := false
		for _, g := range d.Grants {
			found = found || g == "urn:ietf:params:oauth:grant-type:device_code"
		}
		if !found {
			t.Fatalf("grant_types_supported %v lacks device_code", d.Grants)
		}
		c := deviceClient(e)
		alice := e.importHuman("alice", false)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		da, err := c.DeviceAuth(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !userCodeShape.MatchString(da.UserCode) || da.VerificationURI != e.base+"/device" ||
			da.VerificationURIComplete != e.base+"/device?user_code="+da.UserCode || da.Interval != 1 ||
			time.Until(da.Expiry) < 110*time.Second || len(da.DeviceCode) < 22 {
			t.Fatalf("device authorization %+v", da)
		}
		type result struct {
			tok *oauth2.Token
			err error
		}
		got := make(chan result, 1)
		go func() {
			tok, err := c.DeviceAccessToken(ctx, da)
			got <- result{tok, err}
		}()
		b := wardentest.NewBrowser(t)
		v := toApproval(t, b, da, "alice")
		if !strings.Contains(v.Text(), "Living room TV") || !strings.Contains(v.Text(), "offline_access") ||
			!strings.Contains(v.Text(), "alice@") {
			t.Fatalf("the approval page names neither app, scopes nor user: %s", v.Text())
		}
		select {
		case r := <-got:
			t.Fatalf("tokens before the approval: %+v %v", r.tok, r.err)
		case <-time.After(1500 * time.Millisecond): // at least one pending poll
		}
		v = decide(t, b, v, "allow")
		if !strings.Contains(v.Text(), login.TextDeviceAllowed) {
			t.Fatalf("after allow: %s", v.Text())
		}
		r := <-got
		if r.err != nil {
			t.Fatal(r.err)
		}
		if r.tok.RefreshToken == "" || r.tok.Extra("id_token") == nil {
			t.Fatalf("want refresh and ID tokens: %+v", r.tok)
		}
		status, info := e.userinfo(r.tok.AccessToken)
		if status != 200 || info["sub"] != alice {
			t.Fatalf("userinfo %d %v", status, info)
		}
		// Redeemed once: the same device code again gets nothing.
		if rep := poll(e, c, da.DeviceCode); rep.Status != 400 || oauthErr(rep) != "invalid_grant" {
			t.Fatalf("replayed device code: %d %v", rep.Status, rep.Body)
		}
		// The same issuing path as every grant: a lock ends these tokens.
		e.must(e.admin("POST", "/management/v1/users/"+alice+"/_lock", "{}"), 200)
		if status, _ := e.userinfo(r.tok.AccessToken); status != 401 {
			t.Fatalf("userinfo after the lock: %d", status)
		}
		if _, err := c.TokenSource(ctx, &oauth2.Token{RefreshToken: r.tok.RefreshToken}).Token(); !isInvalidGrant(err) {
			t.Fatalf("refresh after the lock: %v", err)
		}
	})
}

// TestDevicePollAnswers: authorization_pending until someone decides,
// slow_down for a poll within the interval, access_denied once denied,
// expired_token once the lifetime ends; a code of one client is no grant for
// another.
func TestDevicePollAnswers(t *testing.T) {
	eachEngine(t, func(t *testing.T, open func(testing.TB) store.Store) {
		e := deviceEnv(t, open(t), 2*time.Minute, login.Options{})
		c, other := deviceClient(e), deviceClient(e)
		e.importHuman("bob", false)
		da, err := c.DeviceAuth(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if rep := poll(e, c, da.DeviceCode); oauthErr(rep) != "authorization_pending" {
			t.Fatalf("first poll: %d %v", rep.Status, rep.Body)
		}
		if rep := poll(e, c, da.DeviceCode); rep.Status != 400 || oauthErr(rep) != "slow_down" {
			t.Fatalf("poll within the interval: %d %v", rep.Status, rep.Body)
		}
		time.Sleep(1100 * time.Millisecond)
		if rep := poll(e, c, da.DeviceCode); oauthErr(rep) != "authorization_pending" {
			t.Fatalf("poll after the interval: %d %v", rep.Status, rep.Body)
		}
		if rep := poll(e, other, da.DeviceCode); oauthErr(rep) != "invalid_grant" {
			t.Fatalf("another client's poll: %d %v", rep.Status, rep.Body)
		}
		if rep := poll(e, c, "not-a-device-code"); oauthErr(rep) != "invalid_grant" {
			t.Fatalf("unknown device code: %d %v", rep.Status, rep.Body)
		}
		// Codes come only from a POST (RFC 8628 3.1).
		if resp, err := http.Get(e.base + "/oauth/v2/device_authorization?client_id=" + url.QueryEscape(c.ClientID)); err != nil {
			t.Fatal(err)
		} else if resp.Body.Close(); resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("GET device authorization: %d", resp.StatusCode)
		}
		b := wardentest.NewBrowser(t)
		v := decide(t, b, toApproval(t, b, da, "bob"), "deny")
		if !strings.Contains(v.Text(), login.TextDeviceDenied) {
			t.Fatalf("after deny: %s", v.Text())
		}
		time.Sleep(1100 * time.Millisecond)
		if rep := poll(e, c, da.DeviceCode); oauthErr(rep) != "access_denied" {
			t.Fatalf("poll after deny: %d %v", rep.Status, rep.Body)
		}
		// x/oauth2 stops at access_denied.
		if _, err := c.DeviceAccessToken(context.Background(), da); !isOAuthErr(err, "access_denied") {
			t.Fatalf("x/oauth2 after deny: %v", err)
		}

		// A lifetime of 5 s: reach the approval page in time, decide too late.
		short := deviceEnv(t, open(t), 5*time.Second, login.Options{})
		sc := deviceClient(short)
		short.importHuman("bob", false)
		da, err = sc.DeviceAuth(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		b = wardentest.NewBrowser(t)
		v = toApproval(t, b, da, "bob")
		time.Sleep(time.Until(da.Expiry) + 200*time.Millisecond)
		if w := decide(t, b, v, "allow"); w.Status != 400 || !strings.Contains(w.Text(), login.TextDeviceHandled) {
			t.Fatalf("allow after the lifetime: %d %s", w.Status, w.Text())
		}
		if rep := poll(short, sc, da.DeviceCode); rep.Status != 400 || oauthErr(rep) != "expired_token" {
			t.Fatalf("poll after the lifetime: %d %v", rep.Status, rep.Body)
		}
		// Nor can anyone start a sign-in with its user code any more.
		b = wardentest.NewBrowser(t)
		v = b.Get(da.VerificationURIComplete)
		v = b.Submit(v, v.FormWith(t, "user_code"), nil)
		if !strings.Contains(v.Text(), login.TextUnknownCode) {
			t.Fatalf("expired user code: %s", v.Text())
		}
	})
}

func isOAuthErr(err error, code string) bool {
	var re *oauth2.RetrieveError
	return errors.As(err, &re) && re.ErrorCode == code
}

// TestDeviceCodeRedeemedOnce: of eight parallel polls of an approved device
// code, exactly one gets tokens.
func TestDeviceCodeRedeemedOnce(t *testing.T) {
	eachEngine(t, func(t *testing.T, open func(testing.TB) store.Store) {
		e := deviceEnv(t, open(t), 2*time.Minute, login.Options{})
		c := deviceClient(e)
		e.importHuman("carol", false)
		da, err := c.DeviceAuth(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		b := wardentest.NewBrowser(t)
		decide(t, b, toApproval(t, b, da, "carol"), "allow")
		var (
			wg             sync.WaitGroup
			mu             sync.Mutex
			tokens, grants int
		)
		start := make(chan struct{})
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				rep := poll(e, c, da.DeviceCode)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case rep.Status == 200 && rep.AccessToken() != "":
					tokens++
				case oauthErr(rep) == "invalid_grant":
					grants++
				default:
					t.Errorf("poll: %d %v", rep.Status, rep.Body)
				}
			}()
		}
		close(start)
		wg.Wait()
		if tokens != 1 || grants != 7 {
			t.Fatalf("%d polls got tokens, %d invalid_grant; want 1 and 7", tokens, grants)
		}
	})
}

// TestDeviceLockedUserRefused: a user locked before the approval cannot
// allow the device; one locked after it, before the device redeems, gives the
// device nothing — not even after the unlock.
func TestDeviceLockedUserRefused(t *testing.T) {
	eachEngine(t, func(t *testing.T, open func(testing.TB) store.Store) {
		e := deviceEnv(t, open(t), 2*time.Minute, login.Options{})
		c := deviceClient(e)
		dave := e.importHuman("dave", false)
		da, err := c.DeviceAuth(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		b := wardentest.NewBrowser(t)
		v := toApproval(t, b, da, "dave")
		e.must(e.admin("POST", "/management/v1/users/"+dave+"/_lock", "{}"), 200)
		v = decide(t, b, v, "allow")
		if v.Status != 403 || !strings.Contains(v.Text(), login.TextLocked) {
			t.Fatalf("allow by a locked user: %d %s", v.Status, v.Text())
		}
		if rep := poll(e, c, da.DeviceCode); oauthErr(rep) != "authorization_pending" {
			t.Fatalf("poll after the refused approval: %d %v", rep.Status, rep.Body)
		}
		e.must(e.admin("POST", "/management/v1/users/"+dave+"/_unlock", "{}"), 200)

		// Approved, then locked before the device polls.
		da, err = c.DeviceAuth(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		b = wardentest.NewBrowser(t)
		decide(t, b, toApproval(t, b, da, "dave"), "allow")
		e.must(e.admin("POST", "/management/v1/users/"+dave+"/_lock", "{}"), 200)
		if rep := poll(e, c, da.DeviceCode); rep.Status != 400 || oauthErr(rep) != "invalid_grant" {
			t.Fatalf("poll after the lock: %d %v", rep.Status, rep.Body)
		}
		e.must(e.admin("POST", "/management/v1/users/"+dave+"/_unlock", "{}"), 200)
		time.Sleep(1100 * time.Millisecond)
		if rep := poll(e, c, da.DeviceCode); rep.Status != 400 || oauthErr(rep) != "invalid_grant" {
			t.Fatalf("poll after the unlock: %d %v", rep.Status, rep.Body)
		}
	})
}

// TestDeviceUserCodesThrottled: wrong user codes drain the address's
// bucket like wrong passwords; once empty, even the right code waits.
func TestDeviceUserCodesThrottled(t *testing.T) {
	eachEngine(t, func(t *testing.T, open func(testing.TB) store.Store) {
		e := deviceEnv(t, open(t), 2*time.Minute, login.Options{AttemptsPerMinute: 1, AttemptBurst: 3,
			UserAttemptsPerMinute: 1, UserAttemptBurst: 3})
		c := deviceClient(e)
		da, err := c.DeviceAuth(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		b := wardentest.NewBrowser(t)
		v := b.Get(e.base + "/device")
		form := v.FormWith(t, "user_code")
		for i, code := range []string{"BCDF-GHJK", "bcdfghjm", "XXXX-XXXX"} {
			if code == da.UserCode {
				continue
			}
			w := b.Submit(v, form, map[string]string{"user_code": code})
			if w.Status != 200 || !strings.Contains(w.Text(), login.TextUnknownCode) {
				t.Fatalf("wrong code %d: %d %s", i, w.Status, w.Text())
			}
		}
		w := b.Submit(v, form, map[string]string{"user_code": da.UserCode})
		if w.Status != 429 || !strings.Contains(w.Text(), login.TextThrottled) {
			t.Fatalf("after three misses: %d %s", w.Status, w.Text())
		}
	})
}

// TestDeviceSignInBoundToBrowser: the sign-in a user code starts belongs to
// the browser that typed it. Another browser — signed in as another user —
// can neither continue it nor approve the device with it, and nothing
// posted without the page's CSRF token counts.
func TestDeviceSignInBoundToBrowser(t *testing.T) {
	eachEngine(t, func(t *testing.T, open func(testing.TB) store.Store) {
		e := deviceEnv(t, open(t), 2*time.Minute, login.Options{})
		c := deviceClient(e)
		e.importHuman("erin", false)
		e.importHuman("mallory", false)
		da, err := c.DeviceAuth(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		victim := wardentest.NewBrowser(t)
		v := toApproval(t, victim, da, "erin")
		id := v.Forms[v.FormWith(t, "decision")].Fields.Get("authRequestID")

		// Mallory signs in her own browser through a device flow of her own.
		attacker := wardentest.NewBrowser(t)
		own, err := c.DeviceAuth(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		ownApproval := toApproval(t, attacker, own, "mallory")
		for _, u := range []string{e.base + "/ui/login?authRequestID=" + id, e.base + "/ui/login/device/approve?authRequestID=" + id} {
			if w := attacker.Get(u); w.Status != 403 || !strings.Contains(w.Text(), login.TextOtherBrowser) {
				t.Fatalf("%s from another browser: %d %s", u, w.Status, w.Text())
			}
		}
		// Her own page's CSRF token with the victim's request id.
		w := attacker.Submit(ownApproval, ownApproval.FormWith(t, "decision"), map[string]string{"decision": "allow", "authRequestID": id})
		if w.Status != 403 || !strings.Contains(w.Text(), login.TextOtherBrowser) {
			t.Fatalf("approval of another browser's sign-in: %d %s", w.Status, w.Text())
		}
		// Typing the victim's code in her own browser starts a sign-in of her
		// own, which the session completes — and which names her, not erin.
		w = attacker.Get(e.base + "/device?user_code=" + url.QueryEscape(da.UserCode))
		w = attacker.Submit(w, w.FormWith(t, "user_code"), nil)
		if !strings.HasSuffix(w.URL.Path, "/device/approve") || !strings.Contains(w.Text(), "mallory@") || strings.Contains(w.Text(), "erin@") {
			t.Fatalf("the victim's code in another browser: %s %s", w.URL, w.Text())
		}
		attackerApproval := w

		// CSRF: the victim's forms without their token, or with a token of
		// another browser, do nothing.
		for _, form := range []url.Values{
			{"authRequestID": {id}, "decision": {"allow"}},
			{"authRequestID": {id}, "decision": {"allow"}, "csrf": {ownApproval.Forms[ownApproval.FormWith(t, "decision")].Fields.Get("csrf")}},
		} {
			if w := victim.Post(e.base+"/ui/login/device/approve", form); w.Status != 403 || !strings.Contains(w.Text(), login.TextCSRF) {
				t.Fatalf("approval without this browser's CSRF token: %d %s", w.Status, w.Text())
			}
		}
		if w := victim.Post(e.base+"/ui/login/device", url.Values{"user_code": {da.UserCode}}); w.Status != 403 || !strings.Contains(w.Text(), login.TextCSRF) {
			t.Fatalf("user code without the CSRF token: %d %s", w.Status, w.Text())
		}
		if rep := poll(e, c, da.DeviceCode); oauthErr(rep) != "authorization_pending" {
			t.Fatalf("the victim's device after the attempts: %d %v", rep.Status, rep.Body)
		}
		// The victim allows; the device is then decided for good.
		if w := decide(t, victim, v, "allow"); !strings.Contains(w.Text(), login.TextDeviceAllowed) {
			t.Fatalf("the victim's approval: %d %s", w.Status, w.Text())
		}
		if w := decide(t, attacker, attackerApproval, "deny"); w.Status != 400 || !strings.Contains(w.Text(), login.TextDeviceHandled) {
			t.Fatalf("a second decision: %d %s", w.Status, w.Text())
		}
		time.Sleep(1100 * time.Millisecond)
		if rep := poll(e, c, da.DeviceCode); rep.Status != 200 || rep.AccessToken() == "" {
			t.Fatalf("the victim's device after its approval: %d %v", rep.Status, rep.Body)
		}
	})
}

// TestDeviceGrantRequired: only apps with the device grant start the flow,
// and a confidential one only with its secret.
func TestDeviceGrantRequired(t *testing.T) {
	eachEngine(t, func(t *testing.T, open func(testing.TB) store.Store) {
		e := deviceEnv(t, open(t), 2*time.Minute, login.Options{})
		c := deviceClient(e, "OIDC_GRANT_TYPE_AUTHORIZATION_CODE")
		if _, err := c.DeviceAuth(context.Background()); !isOAuthErr(err, "unauthorized_client") {
			t.Fatalf("an app without the grant: %v", err)
		}
		rep := e.in.TokenPost(t, "/oauth/v2/token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"},
			"device_code": {"x"}, "client_id": {c.ClientID}}, "", "")
		if oauthErr(rep) != "unauthorized_client" {
			t.Fatalf("token request of an app without the grant: %d %v", rep.Status, rep.Body)
		}

		pid := e.must(e.admin("POST", "/management/v1/projects", `{"name":"Confidential TV"}`), 200).Str("id")
		a := e.must(e.admin("POST", "/management/v1/projects/"+pid+"/apps/oidc", `{"name":"kiosk",
			"grantTypes":["OIDC_GRANT_TYPE_DEVICE_CODE"],"appType":"OIDC_APP_TYPE_WEB","authMethodType":"OIDC_AUTH_METHOD_TYPE_BASIC"}`), 200)
		conf := oauth2.Config{ClientID: a.Str("clientId"), Endpoint: oauth2.Endpoint{DeviceAuthURL: e.base + "/oauth/v2/device_authorization",
			TokenURL: e.base + "/oauth/v2/token", AuthStyle: oauth2.AuthStyleInHeader}}
		if _, err := conf.DeviceAuth(context.Background()); !isOAuthErr(err, "invalid_client") {
			t.Fatalf("a confidential app without its secret: %v", err)
		}
		// x/oauth2 sends the device authorization request's fields only.
		if _, err := conf.DeviceAuth(context.Background(), oauth2.SetAuthURLParam("client_secret", "wrong")); !isOAuthErr(err, "invalid_client") {
			t.Fatalf("a confidential app with a wrong secret: %v", err)
		}
		if rep := e.in.TokenPost(t, "/oauth/v2/device_authorization", url.Values{}, conf.ClientID, "wrong"); rep.Status != 401 {
			t.Fatalf("a wrong secret in the Basic header: %d %v", rep.Status, rep.Body)
		}
		conf.ClientSecret = a.Str("clientSecret")
		if rep := e.in.TokenPost(t, "/oauth/v2/device_authorization", url.Values{}, conf.ClientID, conf.ClientSecret); rep.Status != 200 {
			t.Fatalf("the secret in the Basic header: %d %v", rep.Status, rep.Body)
		}
		da, err := conf.DeviceAuth(context.Background(), oauth2.SetAuthURLParam("client_secret", conf.ClientSecret))
		if err != nil {
			t.Fatalf("a confidential app with its secret: %v", err)
		}
		// Polling needs the secret too.
		if rep := poll(e, &conf, da.DeviceCode); rep.Status != 401 || oauthErr(rep) != "invalid_client" {
			t.Fatalf("poll without the secret: %d %v", rep.Status, rep.Body)
		}
		rep = e.in.TokenPost(t, "/oauth/v2/token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"},
			"device_code": {da.DeviceCode}}, conf.ClientID, conf.ClientSecret)
		if oauthErr(rep) != "authorization_pending" {
			t.Fatalf("poll with the secret: %d %v", rep.Status, rep.Body)
		}
	})
}
