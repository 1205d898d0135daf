package securitytest

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/sqlite"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
	"github.com/zitadel/oidc/v3/pkg/crypto"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// TestDatabaseCopyYieldsNoLiveToken plays someone holding a copy of the
// database (or a backup): after a sign-in at a relying party (with a refresh),
// a console sign-in, a PAT, a machine secret and key, and a client-credentials
// token, no row of any table holds a bearer value, a password, a cookie or a
// private key, and the stored token key does not open the RP's access token.
func TestDatabaseCopyYieldsNoLiveToken(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		st := open(t)
		e := start(t, st, login.Options{})
		secrets := map[string]string{"admin PAT": e.Boot.Token, "bootstrap one-time password": e.Boot.HumanPassword,
			"imported password": Password}

		// A person signs in at a relying party and refreshes once.
		name := "copy-victim"
		e.human("", name)
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		b := wardentest.NewBrowser(t)
		si := rp.SignIn(t, b, name, Password)
		secrets["RP access token"] = si.Token.AccessToken
		secrets["RP refresh token"] = si.Token.RefreshToken
		secrets["RP ID token"] = si.IDToken
		secrets["login session cookie"] = b.Cookie(e.Base+"/ui/", "warden_session")
		secrets["browser binding cookie"] = b.Cookie(e.Base+"/", "warden_browser")
		refreshed, err := rp.Refresh(si.Token.RefreshToken)
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		secrets["refreshed access token"] = refreshed.AccessToken
		secrets["refreshed refresh token"] = refreshed.RefreshToken
		if idt, _ := refreshed.Extra("id_token").(string); idt != "" {
			secrets["refreshed ID token"] = idt
		}

		// The administrator signs into the console (with the forced change).
		c := wardentest.NewBrowser(t)
		v := c.Get(e.Base + "/ui/console")
		v = c.Submit(v, v.FormWith(t, "loginName"), map[string]string{"loginName": e.Boot.HumanLogin})
		v = c.Submit(v, v.FormWith(t, "password"), map[string]string{"password": e.Boot.HumanPassword})
		const newPassword = "Console-Owner-77"
		v = c.Submit(v, v.FormWith(t, "newPassword"), map[string]string{"newPassword": newPassword, "confirmPassword": newPassword})
		if v.Status != 200 || !strings.HasPrefix(v.URL.Path, "/ui/console") {
			t.Fatalf("console sign-in ended at %s (%d): %s", v.URL, v.Status, v.Text())
		}
		secrets["changed password"] = newPassword
		consoleCookie := c.Cookie(e.Base+"/ui/console/", "warden_console")
		secrets["console cookie"] = consoleCookie
		secrets["console's login session cookie"] = c.Cookie(e.Base+"/ui/", "warden_session")
		// What the console keeps for that cookie: only the cookie's holder may see it.
		sess, err := e.App.ConsoleSessionOf(context.Background(), consoleCookie)
		if err != nil || sess.AccessToken == "" || sess.IDToken == "" {
			t.Fatalf("console session: %+v %v", sess, err)
		}
		secrets["console's access token"] = sess.AccessToken
		secrets["console's ID token"] = sess.IDToken

		// Credentials an administrator issues.
		m := e.AddMachine(t, "", "copy-robot")
		secrets["PAT"] = e.AddPAT(t, m)
		sec := wardentest.Must(t, e.Admin(t, "PUT", "/management/v1/users/"+m+"/secret", `{}`), 200)
		secrets["machine secret"] = sec.Str("clientSecret")
		key := wardentest.Must(t, e.Admin(t, "POST", "/management/v1/users/"+m+"/keys", `{"type":"KEY_TYPE_JSON"}`), 200)
		if kf, err := base64.StdEncoding.DecodeString(key.Str("keyDetails")); err != nil || !bytes.Contains(kf, []byte("PRIVATE KEY")) {
			t.Fatalf("machine key file without a private key: %v %s", err, key.Raw)
		}
		secrets["client-credentials token"] = clientCredentials(t, e, sec.Str("clientId"), sec.Str("clientSecret"))

		// A device waiting for its user (RFC 8628): its device and user codes.
		dp := wardentest.Must(t, e.Admin(t, "POST", "/management/v1/projects", `{"name":"copy devices"}`), 200).Str("id")
		dev := wardentest.Must(t, e.Admin(t, "POST", "/management/v1/projects/"+dp+"/apps/oidc", `{"name":"tv",
			"grantTypes":["OIDC_GRANT_TYPE_DEVICE_CODE"],"appType":"OIDC_APP_TYPE_NATIVE","authMethodType":"OIDC_AUTH_METHOD_TYPE_NONE"}`), 200)
		da := e.TokenPost(t, "/oauth/v2/device_authorization", url.Values{"client_id": {dev.Str("clientId")}, "scope": {"openid"}}, "", "")
		secrets["device code"], _ = da.Body["device_code"].(string)
		// The user code is short (8 letters of 20): searched in its own row
		// only, where a chance match in unrelated random text cannot happen.
		userCode, _ := da.Body["user_code"].(string)
		for what, s := range secrets {
			if len(s) < 8 {
				t.Fatalf("%s is empty or short: %q", what, s)
			}
		}

		cells := testdb.Raw(t, st)
		corpus := searchable(cells)
		for what, s := range secrets {
			for _, form := range forms(s) {
				if bytes.Contains(corpus, form) {
					t.Errorf("the database holds the %s", what)
				}
			}
		}
		if bytes.Contains(corpus, []byte("PRIVATE KEY")) {
			t.Error("the database holds a PEM private key")
		}
		if dev := artifactData(t, cells, oauth.KindDeviceAuth); len(dev) == 0 || len(userCode) != 9 ||
			bytes.Contains(dev, []byte(userCode)) || bytes.Contains(dev, []byte(strings.ReplaceAll(userCode, "-", ""))) {
			t.Errorf("the device authorization row holds its user code %q (or is missing): %s", userCode, dev)
		}
		for _, blob := range blobs(cells) {
			if _, err := x509.ParsePKCS1PrivateKey(blob); err == nil {
				t.Error("the database holds a DER (PKCS#1) private key")
			}
			if _, err := x509.ParsePKCS8PrivateKey(blob); err == nil {
				t.Error("the database holds a DER (PKCS#8) private key")
			}
		}
		// The embedded store's files themselves, free pages and WAL included.
		if s, ok := st.(*sqlite.Store); ok {
			for _, f := range []string{s.Path(), s.Path() + "-wal"} {
				raw, err := os.ReadFile(f)
				if err != nil {
					continue
				}
				for what, s := range secrets {
					if bytes.Contains(raw, []byte(s)) {
						t.Errorf("%s holds the %s", f, what)
					}
				}
				if bytes.Contains(raw, []byte("PRIVATE KEY")) {
					t.Errorf("%s holds a PEM private key", f)
				}
			}
		}

		// The token key row, taken as a key in any way, opens no access token.
		data := artifactData(t, cells, oauth.KindCryptoKey)
		if len(data) == 0 {
			t.Fatal("no crypto_key row in the dump")
		}
		for i := 0; i+32 <= len(data); i++ {
			var k [32]byte
			copy(k[:], data[i:i+32])
			for _, tok := range []string{si.Token.AccessToken, refreshed.AccessToken, sess.AccessToken} {
				if plain, err := op.NewAES256GCMCrypto(k, "").Decrypt(tok); err == nil {
					t.Errorf("the crypto_key row (bytes %d..%d) decrypts an access token: %q", i, i+32, plain)
				}
			}
		}
	})
}

// TestOpaqueTokenAESGCMOnly plays someone who forges an opaque access token
// with AES-CFB (unauthenticated, malleable) under the real token key: the API,
// userinfo and introspection refuse it, while the same plaintext sealed with
// AES-256-GCM under that key is accepted (so the key was right).
func TestOpaqueTokenAESGCMOnly(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		st := open(t)
		e := start(t, st, login.Options{})
		// An org owner, so that the API answers 200 to a token it accepts.
		e.Grant(t, "", e.human("", "cfb-victim"), "ORG_OWNER")
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		si := rp.SignIn(t, wardentest.NewBrowser(t), "cfb-victim", Password)
		ctx := context.Background()

		arts, _, err := st.ListArtifacts(ctx, store.ArtifactQuery{Kind: oauth.KindAccessToken, UserID: si.Subject, Page: store.Page{Limit: 10}})
		if err != nil || len(arts) != 1 {
			t.Fatalf("access tokens of %s: %d %v", si.Subject, len(arts), err)
		}
		plain := arts[0].ID + ":" + si.Subject
		key := tokenKey(t, e, st)

		//lint:ignore SA1019 AES-CFB is the attack under test
		cfb, err := crypto.EncryptAES(plain, string(key[:]))
		if err != nil {
			t.Fatal(err)
		}
		gcm, err := op.NewAES256GCMCrypto(key, "").Encrypt(plain)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, token string
			ok          bool
		}{{"issued", si.Token.AccessToken, true}, {"AES-GCM under the key", gcm, true}, {"AES-CFB under the key", cfb, false}} {
			if got := e.Do(t, "GET", "/management/v1/orgs/me", tc.token, ""); (got.Status == 200) != tc.ok {
				t.Errorf("%s token at the API: %d %s", tc.name, got.Status, got.Raw)
			}
			if got := bearerGet(t, e.Base+"/oidc/v1/userinfo", tc.token); (got == 200) != tc.ok {
				t.Errorf("%s token at userinfo: %d", tc.name, got)
			}
			if got := introspect(t, e, rp, tc.token); got != tc.ok {
				t.Errorf("%s token at introspection: active=%v", tc.name, got)
			}
		}
	})
}

// tokenKey is the opaque-token key as the server holds it: the crypto_key
// artifact, opened with the master key when it is sealed.
func tokenKey(t *testing.T, e *env, st store.Store) [32]byte {
	t.Helper()
	art, err := st.ArtifactByKey(context.Background(), oauth.KindCryptoKey, "current")
	if err != nil {
		t.Fatal(err)
	}
	raw := art.Data
	if len(raw) != 32 {
		if raw, err = e.App.MasterKey().Open(art.Data, []byte(art.Kind+"/"+art.ID)); err != nil {
			t.Fatalf("open crypto key: %v", err)
		}
	}
	var k [32]byte
	if copy(k[:], raw) != 32 {
		t.Fatalf("crypto key of %d bytes", len(raw))
	}
	return k
}

func clientCredentials(t *testing.T, e *env, clientID, secret string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", e.Base+"/oauth/v2/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"},
		"scope": {"openid urn:zitadel:iam:org:project:id:zitadel:aud"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 || out.AccessToken == "" {
		t.Fatalf("client credentials: %d %v", resp.StatusCode, err)
	}
	return out.AccessToken
}

func bearerGet(t *testing.T, u, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// introspect asks the RP's client whether token is active.
func introspect(t *testing.T, e *env, rp *wardentest.RP, token string) bool {
	t.Helper()
	req, _ := http.NewRequest("POST", e.Base+"/oauth/v2/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(rp.Config.ClientID), url.QueryEscape(rp.Config.ClientSecret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Active bool `json:"active"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("introspect: %d %v", resp.StatusCode, err)
	}
	return out.Active
}

// searchable is every stored value, and inside JSON values every string and
// what it base64-decodes to, so a secret kept as []byte in JSON is found too.
func searchable(cells []testdb.Cell) []byte {
	var b bytes.Buffer
	for _, c := range cells {
		b.Write(c.Value)
		b.WriteByte(0)
		for _, s := range jsonStrings(c.Value) {
			b.WriteString(s)
			b.WriteByte(0)
			if d, ok := unbase64(s); ok {
				b.Write(d)
				b.WriteByte(0)
			}
		}
	}
	return b.Bytes()
}

// blobs is every stored value and every base64 string inside JSON, decoded.
func blobs(cells []testdb.Cell) [][]byte {
	var out [][]byte
	for _, c := range cells {
		out = append(out, c.Value)
		for _, s := range jsonStrings(c.Value) {
			if d, ok := unbase64(s); ok {
				out = append(out, d)
			}
		}
	}
	return out
}

func jsonStrings(raw []byte) []string {
	raw = bytes.TrimLeft(raw, "\x01") // PostgreSQL's binary jsonb starts with its version
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			out = append(out, v)
		case []any:
			for _, x := range v {
				walk(x)
			}
		case map[string]any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return out
}

func unbase64(s string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if d, err := enc.DecodeString(s); err == nil {
			return d, true
		}
	}
	return nil, false
}

// forms are the ways a secret could be kept: as presented, and the bytes its
// base64url text stands for.
func forms(s string) [][]byte {
	out := [][]byte{[]byte(s)}
	if d, err := base64.RawURLEncoding.DecodeString(s); err == nil && len(d) >= 16 {
		out = append(out, d)
	}
	return out
}

// artifactData is the data column of the artifact row of kind.
func artifactData(t *testing.T, cells []testdb.Cell, kind string) []byte {
	t.Helper()
	rows := map[int]map[string][]byte{}
	for _, c := range cells {
		if c.Table != "artifacts" {
			continue
		}
		if rows[c.Row] == nil {
			rows[c.Row] = map[string][]byte{}
		}
		rows[c.Row][c.Column] = c.Value
	}
	for _, r := range rows {
		if string(r["kind"]) == kind {
			return r["data"]
		}
	}
	return nil
}
