package securitytest

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/oidc"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
)

// TestNoSecretInDebugLog: someone who reads the server's log — at debug level,
// with an access line per request — finds no credential in it: no password
// (right, wrong or new), no authorization code, no access, refresh or ID
// token, no PAT, no client secret, no machine or app key, no JWT or client
// assertion, no cookie or CSRF token of the login page or the console, after
// sign-in, a forced password change, the code exchange, refresh (and a
// replayed refresh), userinfo, introspection (by secret and by assertion),
// revocation, sign-out, PATs, client credentials, the JWT profile grant, app
// keys, the console's sign-in, tokens and secrets, and the device flow's
// codes and tokens.
func TestNoSecretInDebugLog(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{AttemptsPerMinute: -1})
		// What libraries log past Warden's logger (slog's and log's defaults:
		// zitadel/oidc's request errors, say) counts too.
		prev := slog.Default()
		slog.SetDefault(slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
		defer slog.SetDefault(prev)
		f := newFixtures(e)
		var secrets []string
		keep := func(what string, s ...string) {
			for _, v := range s {
				if len(v) < 8 {
					t.Fatalf("%s: no secret to look for (%q)", what, v)
				}
				secrets = append(secrets, v)
			}
		}
		orgID := e.Boot.Instance.DefaultOrgID
		keep("admin PAT", e.Boot.Token)
		keep("first password", e.Boot.HumanPassword)

		// Humans: one plain, one that must change its password.
		e.human("", "ann")
		const wrong, changed = "Wrong-Guess-7781", "Changed-Pass-4412"
		keep("passwords", Password, wrong, changed)
		f.admin(t, "", "POST", v1+"/users/human/_import", `{"userName":"cara","profile":{"firstName":"C","lastName":"L"},`+
			`"email":{"email":"cara@example.com","isEmailVerified":true},"password":"`+Password+`","passwordChangeRequired":true}`)

		// Code flow by hand, so the code is seen: a wrong password first.
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		keep("the RP's client secret", rp.Config.ClientSecret)
		b := wardentest.NewBrowser(t)
		au, verifier := rp.AuthURL("st")
		keep("PKCE verifier", verifier)
		v := b.Get(au)
		keep("browser binding cookie", b.Cookie(e.Base+"/ui/login/", oidc.BrowserCookie))
		keep("login CSRF token", v.Forms[v.FormWith(t, "csrf")].Fields.Get("csrf"))
		v = b.Submit(v, v.FormWith(t, "loginName"), map[string]string{"loginName": "ann"})
		v = b.Submit(v, v.FormWith(t, "password"), map[string]string{"password": wrong})
		v = b.Submit(v, v.FormWith(t, "password"), map[string]string{"password": Password})
		code := v.URL.Query().Get("code")
		keep("code", code)
		keep("login session cookie", b.Cookie(e.Base+"/ui/login/", oidc.SessionCookie))
		tok, err := rp.Exchange(code, verifier)
		if err != nil {
			t.Fatal(err)
		}
		idToken, _ := tok.Extra("id_token").(string)
		keep("tokens", tok.AccessToken, tok.RefreshToken, idToken)
		if _, err := rp.Exchange(code, verifier); err == nil {
			t.Error("a code was redeemed twice")
		}
		fresh, err := rp.Refresh(tok.RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		keep("refreshed tokens", fresh.AccessToken, fresh.RefreshToken)
		if _, err := rp.Refresh(tok.RefreshToken); err == nil {
			t.Error("a refresh token was used twice")
		}
		get := func(path, token string) int {
			req, _ := http.NewRequest("GET", e.Base+path, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		get("/oidc/v1/userinfo", fresh.AccessToken)
		get(v1+"/orgs/me", fresh.AccessToken)

		// Forced change at sign-in.
		bc := wardentest.NewBrowser(t)
		au, _ = rp.AuthURL("c")
		v = bc.Get(au)
		v = bc.Submit(v, v.FormWith(t, "loginName"), map[string]string{"loginName": "cara"})
		v = bc.Submit(v, v.FormWith(t, "password"), map[string]string{"password": Password})
		keep("password change ticket", v.Forms[v.FormWith(t, "ticket")].Fields.Get("ticket"))
		bc.Submit(v, v.FormWith(t, "ticket"), map[string]string{"newPassword": changed, "confirmPassword": changed})

		// An API app introspects; tokens are revoked; the browser signs out.
		proj := f.project(t, orgID)
		api := f.admin(t, orgID, "POST", v1+"/projects/"+proj+"/apps/api", `{"name":"rs","authMethodType":"API_AUTH_METHOD_TYPE_BASIC"}`)
		keep("API app secret", api.Str("clientSecret"))
		for _, tk := range []string{fresh.AccessToken, tok.AccessToken, "not-a-token-at-all"} {
			oauthPost(t, e, "/oauth/v2/introspect", url.Values{"token": {tk}}, api.Str("clientId"), api.Str("clientSecret"))
		}
		oauthPost(t, e, "/oauth/v2/introspect", url.Values{"token": {fresh.AccessToken}}, api.Str("clientId"), "wrong-"+api.Str("clientSecret"))
		oauthPost(t, e, "/oauth/v2/revoke", url.Values{"token": {fresh.RefreshToken}, "token_type_hint": {"refresh_token"}}, rp.ClientID, rp.Config.ClientSecret)
		get("/oidc/v1/userinfo", fresh.AccessToken)
		b.Get(e.Base + "/oidc/v1/end_session?id_token_hint=" + url.QueryEscape(idToken) + "&client_id=" + url.QueryEscape(rp.ClientID))

		// A machine user: PAT, client secret, client credentials, JWT profile.
		bot := f.machine(t, orgID)
		e.Grant(t, orgID, bot, "ORG_OWNER_VIEWER")
		pat := f.pat(t, orgID, bot)
		keep("PAT", pat)
		get(v1+"/orgs/me", pat)
		sec := f.admin(t, orgID, "PUT", v1+"/users/"+bot+"/secret", `{}`)
		keep("machine secret", sec.Str("clientSecret"))
		_, cc := oauthPost(t, e, "/oauth/v2/token", url.Values{"grant_type": {"client_credentials"},
			"scope": {"openid urn:zitadel:iam:org:project:id:zitadel:aud"}}, sec.Str("clientId"), sec.Str("clientSecret"))
		ccTok, _ := cc["access_token"].(string)
		keep("client credentials token", ccTok)
		get(v1+"/orgs/me", ccTok)
		oauthPost(t, e, "/oauth/v2/token", url.Values{"grant_type": {"client_credentials"}}, sec.Str("clientId"), "wrong-"+sec.Str("clientSecret"))
		key := f.admin(t, orgID, "POST", v1+"/users/"+bot+"/keys", `{"type":"KEY_TYPE_JSON"}`)
		raw, _ := base64.StdEncoding.DecodeString(key.Str("keyDetails"))
		var kf struct {
			KeyID string `json:"keyId"`
			Key   string `json:"key"`
		}
		if err := json.Unmarshal(raw, &kf); err != nil {
			t.Fatal(err)
		}
		blk, _ := pem.Decode([]byte(kf.Key))
		priv, err := x509.ParsePKCS1PrivateKey(blk.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		keep("machine key", key.Str("keyDetails"), base64.StdEncoding.EncodeToString(blk.Bytes)[:64])
		sig, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: priv}, (&jose.SignerOptions{}).WithHeader("kid", kf.KeyID))
		now := time.Now()
		assertion, _ := jwt.Signed(sig).Claims(jwt.Claims{Issuer: bot, Subject: bot, Audience: jwt.Audience{e.Base},
			IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Minute))}).Serialize()
		keep("JWT assertion", assertion)
		_, jp := oauthPost(t, e, "/oauth/v2/token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"},
			"assertion": {assertion}, "scope": {"openid urn:zitadel:iam:org:project:id:zitadel:aud"}}, "", "")
		jpTok, _ := jp["access_token"].(string)
		keep("JWT profile token", jpTok)
		get(v1+"/orgs/me", jpTok)

		// An API app on private_key_jwt: its key file and client assertions,
		// accepted and refused.
		kp, ka := f.keyApp(t, orgID)
		ak := f.admin(t, orgID, "POST", v1+"/projects/"+kp+"/apps/"+ka+"/keys", `{"type":"KEY_TYPE_JSON"}`)
		akRaw, _ := base64.StdEncoding.DecodeString(ak.Str("keyDetails"))
		var akf wardentest.AppKeyFile
		if err := json.Unmarshal(akRaw, &akf); err != nil {
			t.Fatal(err)
		}
		akBlk, _ := pem.Decode([]byte(akf.Key))
		keep("app key", ak.Str("keyDetails"), base64.StdEncoding.EncodeToString(akBlk.Bytes)[:64])
		good := e.Assertion(t, akf, nil)
		late := e.Assertion(t, akf, func(c *jwt.Claims) { c.Expiry = jwt.NewNumericDate(time.Now().Add(-time.Minute)) })
		keep("client assertions", good, late)
		for _, a := range []string{good, late} {
			oauthPost(t, e, "/oauth/v2/introspect", wardentest.WithAssertion(url.Values{"token": {jpTok}}, a), "", "")
		}

		// The console: sign-in, a PAT and a secret made there, sign-out.
		root := e.human("", "root")
		f.instanceRole(t, root, "IAM_OWNER")
		cb := wardentest.NewBrowser(t)
		consoleSignIn(t, e, cb, "root", Password)
		cookie := cb.Cookie(e.Base+"/ui/console/", "warden_console")
		sess, err := e.App.ConsoleSessionOf(context.Background(), cookie)
		if err != nil {
			t.Fatal(err)
		}
		keep("console session", cookie, sess.AccessToken, sess.CSRF)
		if sess.IDToken != "" {
			keep("console ID token", sess.IDToken)
		}
		cv := cb.Post(e.Base+"/ui/console/users/"+bot+"/pats", url.Values{"csrf": {sess.CSRF}})
		if m := patRE.FindStringSubmatch(cv.Body); m != nil {
			keep("console PAT", m[1])
		} else {
			t.Errorf("no token on the console's PAT page: %s", cv.Text())
		}
		cv = cb.Post(e.Base+"/ui/console/users/"+bot+"/secret", url.Values{"csrf": {sess.CSRF}})
		if m := secretRE.FindStringSubmatch(cv.Body); m != nil {
			keep("console client secret", m[1])
		} else {
			t.Errorf("no secret on the console's secret page: %s", cv.Text())
		}
		cb.Post(e.Base+"/ui/console/signout", url.Values{"csrf": {sess.CSRF}})

		// The device flow (RFC 8628): codes, a wrong user code, the sign-in,
		// polls before and after the approval, and a replayed device code.
		dp := f.admin(t, "", "POST", v1+"/projects", `{"name":"devices"}`).Str("id")
		dev := f.admin(t, "", "POST", v1+"/projects/"+dp+"/apps/oidc", `{"name":"tv","grantTypes":["OIDC_GRANT_TYPE_DEVICE_CODE"],`+
			`"appType":"OIDC_APP_TYPE_NATIVE","authMethodType":"OIDC_AUTH_METHOD_TYPE_NONE"}`).Str("clientId")
		da := e.TokenPost(t, "/oauth/v2/device_authorization", url.Values{"client_id": {dev}, "scope": {"openid"}}, "", "")
		deviceCode, _ := da.Body["device_code"].(string)
		userCode, _ := da.Body["user_code"].(string)
		keep("device code", deviceCode)
		keep("user code", userCode)
		devicePoll := func() wardentest.TokenReply {
			return e.TokenPost(t, "/oauth/v2/token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"},
				"device_code": {deviceCode}, "client_id": {dev}}, "", "")
		}
		devicePoll()
		devicePoll() // slow_down
		bd := wardentest.NewBrowser(t)
		dv := bd.Get(e.Base + "/device?user_code=" + url.QueryEscape(userCode))
		bd.Submit(dv, dv.FormWith(t, "user_code"), map[string]string{"user_code": "BCDF-BCDF"})
		dv = bd.Submit(dv, dv.FormWith(t, "user_code"), nil)
		dv = bd.Submit(dv, dv.FormWith(t, "loginName"), map[string]string{"loginName": "ann"})
		dv = bd.Submit(dv, dv.FormWith(t, "password"), map[string]string{"password": Password})
		bd.Submit(dv, dv.FormWith(t, "decision"), map[string]string{"decision": "allow"})
		if r := devicePoll(); r.Status != 200 {
			t.Fatalf("device token: %d %v", r.Status, r.Body)
		} else {
			keep("device access token", r.AccessToken())
			if idt, _ := r.Body["id_token"].(string); idt != "" {
				keep("device ID token", idt)
			}
		}
		devicePoll() // replayed

		logs := e.logs.String()
		if !strings.Contains(logs, "level=DEBUG") || !strings.Contains(logs, "msg=request") {
			t.Fatalf("the log is not at debug level:\n%.2000s", logs)
		}
		for _, s := range secrets {
			for _, form := range []string{s, url.QueryEscape(s), strings.TrimRight(s, "=")} {
				if i := strings.Index(logs, form); i >= 0 {
					lo := strings.LastIndex(logs[:i], "\n") + 1
					hi := i + strings.Index(logs[i:]+"\n", "\n")
					t.Errorf("a secret (%.12s…) is in the log: %s", s, logs[lo:hi])
					break
				}
			}
		}
		for _, word := range []string{"Bearer ", "Basic ", "password=", "client_secret=", "refresh_token=", "code_verifier="} {
			if strings.Contains(logs, word) {
				t.Errorf("the log mentions %q", word)
			}
		}
		t.Logf("%d secrets looked for in %d bytes of log", len(secrets), len(logs))
	})
}

var (
	patRE    = regexp.MustCompile(`<code class="secret" id="token">([^<]+)</code>`)
	secretRE = regexp.MustCompile(`<code class="secret" id="secret">([^<]+)</code>`)
)
