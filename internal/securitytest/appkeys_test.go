package securitytest

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
)

// pkjwtAPIApp adds an API app that authenticates with private_key_jwt to a
// project and returns its id.
func pkjwtAPIApp(t testing.TB, e *env, projectID string) string {
	t.Helper()
	return wardentest.Must(t, e.Admin(t, "POST", "/management/v1/projects/"+projectID+"/apps/api",
		`{"name":"rs-`+randomSuffix()+`","authMethodType":"API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"}`), 200).Str("appId")
}

func randomSuffix() string { return strings.ReplaceAll(time.Now().Format("150405.000000000"), ".", "") }

// forged are client assertions for f that must never authenticate it; other
// is a key file of another app and machine a machine user's key (its JWT
// profile key).
func forged(t testing.TB, e *env, f, other wardentest.AppKeyFile, machine wardentest.MachineCreds) map[string]string {
	t.Helper()
	claims := func(edit func(*jwt.Claims)) map[string]any {
		var m map[string]any
		tok := e.Assertion(t, f, edit)
		raw, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
		_ = json.Unmarshal(raw, &m)
		return m
	}
	body, _ := json.Marshal(claims(nil))
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"`+f.KeyID+`"}`)) + "." +
		base64.RawURLEncoding.EncodeToString(body) + "."
	der, err := x509.MarshalPKIXPublicKey(&f.PrivateKey(t).PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	hs, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: pubPEM}, (&jose.SignerOptions{}).WithHeader("kid", f.KeyID))
	if err != nil {
		t.Fatal(err)
	}
	hs256, err := jwt.Signed(hs).Claims(claims(nil)).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	// The other app's key, its kid, our client id.
	otherKey := other
	otherKey.ClientID = f.ClientID
	// Our kid, signed by the other app's key.
	stolenKid := other
	stolenKid.KeyID, stolenKid.ClientID = f.KeyID, f.ClientID
	// A machine user's JWT profile key as client credentials.
	mk := wardentest.AppKeyFile{KeyID: machine.KeyID, Key: machine.KeyPEM, ClientID: machine.UserID}
	unknownKid := f
	unknownKid.KeyID = "123456789012345678"
	return map[string]string{
		"alg none":                            none,
		"HS256 keyed with the public key":     hs256,
		"another app's key under its kid":     e.Assertion(t, otherKey, nil),
		"another app's key under our kid":     e.Assertion(t, stolenKid, nil),
		"an unknown kid":                      e.Assertion(t, unknownKid, nil),
		"a machine user's key":                e.Assertion(t, mk, nil),
		"expired":                             e.Assertion(t, f, func(c *jwt.Claims) { c.Expiry = jwt.NewNumericDate(time.Now().Add(-time.Minute)) }),
		"issued two hours ago, exp far ahead": e.Assertion(t, f, func(c *jwt.Claims) { c.IssuedAt = jwt.NewNumericDate(time.Now().Add(-2 * time.Hour)) }),
		"issued in the future": e.Assertion(t, f, func(c *jwt.Claims) {
			c.IssuedAt = jwt.NewNumericDate(time.Now().Add(time.Hour))
			c.Expiry = jwt.NewNumericDate(time.Now().Add(2 * time.Hour))
		}),
		"without iat":              e.Assertion(t, f, func(c *jwt.Claims) { c.IssuedAt = nil }),
		"another audience":         e.Assertion(t, f, func(c *jwt.Claims) { c.Audience = jwt.Audience{"https://elsewhere.example"} }),
		"sub is not the client":    e.Assertion(t, f, func(c *jwt.Claims) { c.Subject = machine.UserID }),
		"signature of another JWT": strings.Join(strings.Split(e.Assertion(t, f, nil), ".")[:2], ".") + "." + strings.Split(e.Assertion(t, other, nil), ".")[2],
		"garbage":                  "not.a.jwt",
	}
}

// refusedClient fails unless an answer is 401 invalid_client that says nothing more.
func refusedClient(t testing.TB, what string, st int, body map[string]any) {
	t.Helper()
	if st != 401 || body["error"] != "invalid_client" {
		t.Errorf("%s: %d %v, want 401 invalid_client", what, st, body)
	}
	for k := range body {
		if k != "error" && k != "error_description" {
			t.Errorf("%s: the answer says %s = %v", what, k, body[k])
		}
	}
}

// TestPrivateKeyJWTClientAuth (issue 9, item 4): an app whose auth method is
// private_key_jwt authenticates at the token, introspection and revocation
// endpoints with an assertion signed by one of its keys, and with nothing
// else: a forged assertion (alg none, HS256 keyed with the public key, another
// app's key, a machine user's key, wrong claims), a removed or expired key,
// the key of an app no longer on private_key_jwt, or of a removed app, gets
// 401 invalid_client — and leaves the code it tried to redeem unspent.
func TestPrivateKeyJWTClientAuth(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{})
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		webID, _, _ := strings.Cut(rp.ClientID, "@")
		wardentest.Must(t, e.Admin(t, "PUT", "/management/v1/projects/"+rp.ProjectID+"/apps/"+webID+"/oidc_config", `{
			"redirectUris":["`+rp.Config.RedirectURL+`"],"responseTypes":["OIDC_RESPONSE_TYPE_CODE"],
			"grantTypes":["OIDC_GRANT_TYPE_AUTHORIZATION_CODE","OIDC_GRANT_TYPE_REFRESH_TOKEN"],
			"appType":"OIDC_APP_TYPE_WEB","authMethodType":"OIDC_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT","devMode":true}`), 200)
		web := e.AddAppKey(t, rp.ProjectID, webID, "")
		apiID := pkjwtAPIApp(t, e, rp.ProjectID)
		api := e.AddAppKey(t, rp.ProjectID, apiID, "")
		bot := e.AddMachine(t, "", "bot")
		machine := e.NewMachineCreds(t, bot)
		e.human("", "carol")

		// The old secret is gone with the switch to private_key_jwt.
		b := wardentest.NewBrowser(t)
		f := begin(t, b, rp)
		_, cb := f.password(t, b, "carol", Password)
		code := f.code(t, b, cb)
		exchange := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rp.Config.RedirectURL},
			"code_verifier": {f.verifier}}
		if st, body := oauthPost(t, e, "/oauth/v2/token", exchange, rp.ClientID, rp.Config.ClientSecret); st == 200 {
			t.Fatalf("the app's old client secret redeemed the code: %v", body)
		}
		for name, a := range forged(t, e, web, api, machine) {
			st, body := oauthPost(t, e, "/oauth/v2/token", wardentest.WithAssertion(exchange, a), "", "")
			refusedClient(t, "token, "+name, st, body)
		}
		wrongType := wardentest.WithAssertion(exchange, e.Assertion(t, web, nil))
		wrongType.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
		st, body := oauthPost(t, e, "/oauth/v2/token", wrongType, "", "")
		refusedClient(t, "token, another assertion type", st, body)

		// The code is still unspent: the app's own assertion redeems it.
		st, tok := oauthPost(t, e, "/oauth/v2/token", wardentest.WithAssertion(exchange, e.Assertion(t, web, nil)), "", "")
		access, _ := tok["access_token"].(string)
		refresh, _ := tok["refresh_token"].(string)
		if st != 200 || access == "" || refresh == "" {
			t.Fatalf("code exchange with the app's assertion: %d %v", st, tok)
		}
		refreshForm := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}
		for name, a := range forged(t, e, web, api, machine) {
			st, body := oauthPost(t, e, "/oauth/v2/token", wardentest.WithAssertion(refreshForm, a), "", "")
			refusedClient(t, "refresh, "+name, st, body)
		}
		st, tok = oauthPost(t, e, "/oauth/v2/token", wardentest.WithAssertion(refreshForm, e.Assertion(t, web, nil)), "", "")
		if st != 200 || tok["refresh_token"] == nil {
			t.Fatalf("refresh with the app's assertion: %d %v", st, tok)
		}
		refresh = tok["refresh_token"].(string)
		access = tok["access_token"].(string)

		// Introspection: the API app of the project, by its key.
		introspect := url.Values{"token": {access}}
		for name, a := range forged(t, e, api, web, machine) {
			st, body := oauthPost(t, e, "/oauth/v2/introspect", wardentest.WithAssertion(introspect, a), "", "")
			refusedClient(t, "introspection, "+name, st, body)
		}
		st, body = oauthPost(t, e, "/oauth/v2/introspect", wardentest.WithAssertion(introspect, e.Assertion(t, api, nil)), "", "")
		if st != 200 || body["active"] != true || body["sub"] == nil {
			t.Fatalf("introspection with the API app's assertion: %d %v", st, body)
		}

		// Revocation: forged assertions revoke nothing; the app's own does.
		revoke := url.Values{"token": {refresh}, "token_type_hint": {"refresh_token"}}
		for name, a := range forged(t, e, web, api, machine) {
			st, body := oauthPost(t, e, "/oauth/v2/revoke", wardentest.WithAssertion(revoke, a), "", "")
			refusedClient(t, "revocation, "+name, st, body)
		}
		refreshForm.Set("refresh_token", refresh)
		if st, body := oauthPost(t, e, "/oauth/v2/revoke", wardentest.WithAssertion(revoke, e.Assertion(t, web, nil)), "", ""); st != 200 {
			t.Fatalf("revocation with the app's assertion: %d %v", st, body)
		}
		if st, body := oauthPost(t, e, "/oauth/v2/token", wardentest.WithAssertion(refreshForm, e.Assertion(t, web, nil)), "", ""); st == 200 {
			t.Fatalf("a revoked refresh token still works: %v", body)
		}

		ok := func(f wardentest.AppKeyFile) (int, map[string]any) {
			return oauthPost(t, e, "/oauth/v2/introspect", wardentest.WithAssertion(introspect, e.Assertion(t, f, nil)), "", "")
		}
		// An expired key.
		exp := time.Now().Add(1500 * time.Millisecond).UTC().Format(time.RFC3339Nano)
		short := e.AddAppKey(t, rp.ProjectID, apiID, `{"type":"KEY_TYPE_JSON","expirationDate":"`+exp+`"}`)
		if st, body := ok(short); st != 200 {
			t.Fatalf("a key before its expiration: %d %v", st, body)
		}
		time.Sleep(time.Until(time.Now().Add(1600 * time.Millisecond)))
		st, body = ok(short)
		refusedClient(t, "an expired key", st, body)

		// A removed key; the app's other key still works.
		second := e.AddAppKey(t, rp.ProjectID, apiID, "")
		wardentest.Must(t, e.Admin(t, "DELETE", "/management/v1/projects/"+rp.ProjectID+"/apps/"+apiID+"/keys/"+second.KeyID, ""), 200)
		st, body = ok(second)
		refusedClient(t, "a removed key", st, body)
		if st, body := ok(api); st != 200 {
			t.Fatalf("the app's remaining key: %d %v", st, body)
		}

		// An app no longer on private_key_jwt.
		wardentest.Must(t, e.Admin(t, "PUT", "/management/v1/projects/"+rp.ProjectID+"/apps/"+apiID+"/api_config",
			`{"authMethodType":"API_AUTH_METHOD_TYPE_BASIC"}`), 200)
		st, body = ok(api)
		refusedClient(t, "the key of an app switched to basic", st, body)

		// A removed app: its keys go with it.
		wardentest.Must(t, e.Admin(t, "DELETE", "/management/v1/projects/"+rp.ProjectID+"/apps/"+webID, ""), 200)
		if _, err := e.Store.Artifact(t.Context(), "app_key", web.KeyID); err == nil {
			t.Fatal("a removed app's key is still stored")
		}
		st, body = oauthPost(t, e, "/oauth/v2/token", wardentest.WithAssertion(refreshForm, e.Assertion(t, web, nil)), "", "")
		refusedClient(t, "the key of a removed app", st, body)
	})
}

// TestAppKeysOnlyByProjectWriters (issue 9, item 4): an app key is a
// credential of the app, so only who may change the app may add or remove
// one: an org owner of another org (in its own org context, or naming the
// victim's), a viewer and a user manager of the app's own org, and a project
// creator on another creator's project all fail, and the app's keys stay as
// they were.
func TestAppKeysOnlyByProjectWriters(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{})
		victimOrg := e.Boot.Instance.DefaultOrgID
		proj := wardentest.Must(t, e.Admin(t, "POST", "/management/v1/projects", `{"name":"victim"}`), 200).Str("id")
		appID := pkjwtAPIApp(t, e, proj)
		key := e.AddAppKey(t, proj, appID, "")
		keys := "/management/v1/projects/" + proj + "/apps/" + appID + "/keys"

		caller := func(orgID, role string) string {
			id := e.AddMachine(t, orgID, "m-"+randomSuffix())
			e.Grant(t, orgID, id, role)
			return wardentest.Must(t, e.DoHeaders(t, "POST", "/management/v1/users/"+id+"/pats", e.Boot.Token, `{}`,
				map[string]string{"x-zitadel-orgid": orgID}), 200).Str("token")
		}
		other := e.AddOrg(t, "attackers")
		foreign := caller(other, "ORG_OWNER")
		viewer := caller(victimOrg, "ORG_OWNER_VIEWER")
		userManager := caller(victimOrg, "ORG_USER_MANAGER")
		creator := caller(victimOrg, "ORG_PROJECT_CREATOR")
		own := map[string]string{"x-zitadel-orgid": victimOrg}
		for _, tc := range []struct {
			who, token string
			h          map[string]string
			write      int // the answer to adding or removing a key
			read       int // the answer to listing or reading keys
		}{
			{"another org's owner, in its own org", foreign, nil, 404, 404},
			{"another org's owner, naming the victim's org", foreign, own, 403, 403},
			{"a viewer of the org", viewer, nil, 403, 200},
			{"a user manager of the org", userManager, nil, 403, 403},
			{"a project creator, on a project it did not create", creator, nil, 403, 403},
		} {
			if r := e.DoHeaders(t, "POST", keys, tc.token, `{"type":"KEY_TYPE_JSON"}`, tc.h); r.Status != tc.write || r.Str("keyDetails") != "" {
				t.Errorf("%s adds a key: %d %s, want %d", tc.who, r.Status, r.Raw, tc.write)
			}
			if r := e.DoHeaders(t, "DELETE", keys+"/"+key.KeyID, tc.token, "", tc.h); r.Status != tc.write {
				t.Errorf("%s removes the key: %d %s, want %d", tc.who, r.Status, r.Raw, tc.write)
			}
			if r := e.DoHeaders(t, "POST", keys+"/_search", tc.token, `{}`, tc.h); r.Status != tc.read {
				t.Errorf("%s lists the keys: %d %s, want %d", tc.who, r.Status, r.Raw, tc.read)
			}
			if r := e.DoHeaders(t, "GET", keys+"/"+key.KeyID, tc.token, "", tc.h); r.Status != tc.read {
				t.Errorf("%s reads the key: %d %s, want %d", tc.who, r.Status, r.Raw, tc.read)
			}
		}
		list := wardentest.Must(t, e.Admin(t, "POST", keys+"/_search", `{}`), 200)
		if res, _ := list.Body["result"].([]any); len(res) != 1 {
			t.Fatalf("the app's keys after the attempts: %s", list.Raw)
		}
		// The project creator does add keys to an app of its own project.
		mine := wardentest.Must(t, e.Do(t, "POST", "/management/v1/projects", creator, `{"name":"mine"}`), 200).Str("id")
		myApp := wardentest.Must(t, e.Do(t, "POST", "/management/v1/projects/"+mine+"/apps/api", creator,
			`{"name":"rs","authMethodType":"API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"}`), 200).Str("appId")
		if r := e.Do(t, "POST", "/management/v1/projects/"+mine+"/apps/"+myApp+"/keys", creator, `{"type":"KEY_TYPE_JSON"}`); r.Status != 200 || r.Str("keyDetails") == "" {
			t.Fatalf("the creator adds a key to its own app: %d %s", r.Status, r.Raw)
		}
	})
}
