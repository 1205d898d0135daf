package securitytest

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
)

// oauthPost posts a form to a token-family endpoint with client credentials
// in Basic auth and decodes the JSON answer.
func oauthPost(t testing.TB, e *env, path string, form url.Values, user, pass string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", e.Base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(pass))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// jwtParts splits a compact JWS into its decoded header and claims.
func jwtParts(t testing.TB, tok string) (header, claims map[string]any) {
	t.Helper()
	p := strings.Split(tok, ".")
	if len(p) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(p[i])
		if err != nil || json.Unmarshal(raw, dst) != nil {
			t.Fatalf("JWT part %d: %v", i, err)
		}
	}
	return header, claims
}

func b64json(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// signRS256 makes a compact JWS of header and claims with key.
func signRS256(t testing.TB, header, claims map[string]any, key *rsa.PrivateKey) string {
	t.Helper()
	h := map[string]any{}
	for k, v := range header {
		h[k] = v
	}
	h["alg"] = "RS256"
	in := b64json(h) + "." + b64json(claims)
	sum := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func signHS256(header, claims map[string]any, secret []byte) string {
	h := map[string]any{}
	for k, v := range header {
		h[k] = v
	}
	h["alg"] = "HS256"
	in := b64json(h) + "." + b64json(claims)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(in))
	return in + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func withClaims(claims map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range claims {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// providerKey is the provider's private signing key with that kid, read from
// the store and unsealed with the master key (a test may; an attacker may not).
func providerKey(t testing.TB, e *env, kid string) *rsa.PrivateKey {
	t.Helper()
	arts, _, err := e.Store.ListArtifacts(context.Background(), store.ArtifactQuery{Kind: oauth.KindSigningKey, Page: store.Page{Limit: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range arts {
		var k oauth.SigningKey
		if err := json.Unmarshal(a.Data, &k); err != nil || k.ID != kid {
			continue
		}
		der, err := e.App.OpenSecret(oauth.KindSigningKey, a.ID, k.Sealed)
		if err != nil {
			t.Fatalf("signing key %s: %v", kid, err)
		}
		priv, err := x509.ParsePKCS1PrivateKey(der)
		if err != nil {
			t.Fatal(err)
		}
		return priv
	}
	t.Fatalf("no signing key %s in the store", kid)
	return nil
}

// TestForgedJWTsRefused: an anonymous client that holds one genuine JWT
// access token (its own) and the provider's published keys cannot make
// Warden accept a forged one: alg "none", HS256 keyed with the public key in
// any encoding, a key of its own under an unknown kid, under the real kid or
// embedded in the header, a changed payload, a token past its exp, or one
// with another issuer (even when signed with the real key). Each is refused
// alike at the API (401), at userinfo (401) and by introspection
// (active: false), while the genuine token and a faithful re-signing of it are
// accepted, so the refusals are about the forgery.
func TestForgedJWTsRefused(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{AttemptsPerMinute: -1})
		f := newFixtures(e)
		orgID := e.Boot.Instance.DefaultOrgID
		bot := f.admin(t, orgID, "POST", v1+"/users/machine", `{"userName":"jwtbot","name":"JWT bot","accessTokenType":"ACCESS_TOKEN_TYPE_JWT"}`).Str("userId")
		e.Grant(t, orgID, bot, "ORG_OWNER_VIEWER")
		sec := f.admin(t, orgID, "PUT", v1+"/users/"+bot+"/secret", `{}`)
		proj := f.project(t, orgID)
		api := f.admin(t, orgID, "POST", v1+"/projects/"+proj+"/apps/api", `{"name":"rs","authMethodType":"API_AUTH_METHOD_TYPE_BASIC"}`)
		status, tr := oauthPost(t, e, "/oauth/v2/token", url.Values{"grant_type": {"client_credentials"},
			"scope": {"openid urn:zitadel:iam:org:project:id:zitadel:aud urn:zitadel:iam:org:project:id:" + proj + ":aud"}},
			sec.Str("clientId"), sec.Str("clientSecret"))
		real, _ := tr["access_token"].(string)
		if status != 200 || strings.Count(real, ".") != 2 {
			t.Fatalf("client credentials: %d %v", status, tr)
		}
		header, claims := jwtParts(t, real)
		kid, _ := header["kid"].(string)
		key := providerKey(t, e, kid)

		// What an attacker has: the published key set.
		resp, err := http.Get(e.Base + "/oauth/v2/keys")
		if err != nil {
			t.Fatal(err)
		}
		jwks, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var set struct {
			Keys []map[string]any `json:"keys"`
		}
		if err := json.Unmarshal(jwks, &set); err != nil || len(set.Keys) == 0 {
			t.Fatalf("key set %s: %v", jwks, err)
		}
		var jwk []byte
		for _, k := range set.Keys {
			if k["kid"] == kid {
				jwk, _ = json.Marshal(k)
			}
		}
		pkix, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
		pkcs1 := x509.MarshalPKCS1PublicKey(&key.PublicKey)
		pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})
		rsaPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: pkcs1})
		mine, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		mineJWK := map[string]any{"kty": "RSA", "kid": "attacker", "use": "sig", "alg": "RS256",
			"n": base64.RawURLEncoding.EncodeToString(mine.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(mine.E)).Bytes())}

		introspect := func(tok string) bool {
			t.Helper()
			st, in := oauthPost(t, e, "/oauth/v2/introspect", url.Values{"token": {tok}}, api.Str("clientId"), api.Str("clientSecret"))
			if st != 200 {
				t.Fatalf("introspection: %d %v", st, in)
			}
			return in["active"] == true
		}
		check := func(name, tok string, want bool) {
			t.Helper()
			apiStatus := e.Do(t, "GET", v1+"/orgs/me", tok, "").Status
			req, _ := http.NewRequest("GET", e.Base+"/oidc/v1/userinfo", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			r, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			r.Body.Close()
			active := introspect(tok)
			if want {
				if apiStatus != 200 || r.StatusCode != 200 || !active {
					t.Errorf("%s: API %d, userinfo %d, introspection active %v; want it accepted", name, apiStatus, r.StatusCode, active)
				}
				return
			}
			if apiStatus != 401 || r.StatusCode != 401 || active {
				t.Errorf("FORGERY ACCEPTED %s: API %d, userinfo %d, introspection active %v; want 401, 401, false", name, apiStatus, r.StatusCode, active)
			}
		}

		check("the genuine token", real, true)
		check("the genuine claims re-signed with the provider's key", signRS256(t, header, claims, key), true)

		now := time.Now().Unix()
		hdr := func(kv ...any) map[string]any { return withClaims(header, kv...) }
		parts := strings.Split(real, ".")
		for name, tok := range map[string]string{
			"alg none":                   b64json(hdr("alg", "none")) + "." + parts[1] + ".",
			"alg None":                   b64json(hdr("alg", "None")) + "." + parts[1] + ".",
			"alg NONE, no kid":           b64json(map[string]any{"alg": "NONE", "typ": "JWT"}) + "." + parts[1] + ".",
			"alg none, genuine sig":      b64json(hdr("alg", "none")) + "." + parts[1] + "." + parts[2],
			"HS256, PEM public key":      signHS256(header, claims, pubPEM),
			"HS256, PEM without newline": signHS256(header, claims, []byte(strings.TrimSpace(string(pubPEM)))),
			"HS256, PKCS#1 PEM":          signHS256(header, claims, rsaPEM),
			"HS256, DER public key":      signHS256(header, claims, pkix),
			"HS256, the JWK":             signHS256(header, claims, jwk),
			"HS256, the key set":         signHS256(header, claims, jwks),
			"HS256, the modulus":         signHS256(header, claims, key.N.Bytes()),
			"own key, unknown kid":       signRS256(t, hdr("kid", "attacker"), claims, mine),
			"own key, no kid":            signRS256(t, map[string]any{"typ": "JWT"}, claims, mine),
			"own key, the real kid":      signRS256(t, header, claims, mine),
			"own key embedded as jwk":    signRS256(t, hdr("kid", "attacker", "jwk", mineJWK), claims, mine),
			"own key by jku":             signRS256(t, hdr("kid", "attacker", "jku", "http://127.0.0.1:1/keys"), claims, mine),
			"payload changed, sig kept":  b64json(header) + "." + b64json(withClaims(claims, "sub", e.Boot.AdminID)) + "." + parts[2],
			"signature stripped":         parts[0] + "." + parts[1] + ".",
			"expired":                    signRS256(t, header, withClaims(claims, "exp", now-3600, "iat", now-7200, "nbf", now-7200), key),
			"wrong issuer":               signRS256(t, header, withClaims(claims, "iss", "https://evil.example"), key),
			"issuer with a slash":        signRS256(t, header, withClaims(claims, "iss", e.Base+"/"), key),
			"no issuer":                  signRS256(t, header, withClaims(claims, "iss", nil), key),
			"another subject":            signRS256(t, header, withClaims(claims, "sub", e.Boot.AdminID), key),
			"unknown token id":           signRS256(t, header, withClaims(claims, "jti", "forged-id"), key),
		} {
			check(name, tok, false)
		}
	})
}
