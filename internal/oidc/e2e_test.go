package oidc_test

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/wardentest"
)

// End-to-end tests of the provider: a whole Warden on loopback (API, provider,
// login page) on each engine, driven over HTTP as clients drive it.

const password = "Correct-Horse-1"

func start(t testing.TB, st store.Store) *wardentest.Instance {
	t.Helper()
	return wardentest.Start(t, st, wardentest.Options{Login: &login.Options{}})
}

func unique(prefix string) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// defaultOrg returns the id, name and primary domain of the administrator's org.
func defaultOrg(t testing.TB, in *wardentest.Instance) (id, name, domain string) {
	t.Helper()
	r := wardentest.Must(t, in.Admin(t, "GET", "/management/v1/orgs/me", ""), 200)
	return r.Str("org", "id"), r.Str("org", "name"), r.Str("org", "primaryDomain")
}

// apiApp adds an API app (basic auth) to a project and returns its client id and secret.
func apiApp(t testing.TB, in *wardentest.Instance, projectID string) (string, string) {
	t.Helper()
	a := wardentest.Must(t, in.Admin(t, "POST", "/management/v1/projects/"+projectID+"/apps/api",
		`{"name":"`+unique("rs")+`","authMethodType":"API_AUTH_METHOD_TYPE_BASIC"}`), 200)
	return a.Str("clientId"), a.Str("clientSecret")
}

// project creates a project as the administrator and returns its id.
func project(t testing.TB, in *wardentest.Instance) string {
	t.Helper()
	return wardentest.Must(t, in.Admin(t, "POST", "/management/v1/projects", `{"name":"`+unique("p")+`"}`), 200).Str("id")
}

// answer is a decoded HTTP answer of a token-family endpoint.
type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (a answer) str(k string) string { s, _ := a.body[k].(string); return s }

// post posts a form, with Basic client authentication when user is set.
func post(t testing.TB, in *wardentest.Instance, path string, form url.Values, user, pass string) answer {
	t.Helper()
	req, _ := http.NewRequest("POST", in.Base+path, strings.NewReader(form.Encode()))
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
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &a.body)
	return a
}

// get sends a GET with a bearer token and decodes the JSON answer.
func get(t testing.TB, in *wardentest.Instance, path, token string) answer {
	t.Helper()
	r := in.Do(t, "GET", path, token, "")
	return answer{status: r.Status, body: r.Body, raw: r.Raw}
}

// verifiedClaims checks a JWT's signature against the provider's published
// keys and returns its claims; it fails the test for anything else.
func verifiedClaims(t testing.TB, in *wardentest.Instance, tok string) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	payload, err := gooidc.NewRemoteKeySet(ctx, in.Base+"/oauth/v2/keys").VerifySignature(ctx, tok)
	if err != nil {
		t.Fatalf("JWT does not verify with the published keys: %v (%.40s…)", err, tok)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// isJWT tells whether tok has the shape of a compact JWS.
func isJWT(tok string) bool {
	p := strings.Split(tok, ".")
	if len(p) != 3 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(p[1])
	return err == nil
}

// wantClaims fails for every claim of want that got lacks or holds otherwise.
func wantClaims(t testing.TB, what string, got map[string]any, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if s, _ := got[k].(string); s != v {
			t.Errorf("%s: claim %s = %v, want %q", what, k, got[k], v)
		}
	}
}

// jwtProfile asks for a token with an assertion signed by the machine user's
// key, for the given scope.
func jwtProfile(t testing.TB, in *wardentest.Instance, m wardentest.MachineCreds, scope string) answer {
	t.Helper()
	block, _ := pem.Decode([]byte(m.KeyPEM))
	if block == nil {
		t.Fatal("key file without a PEM key")
	}
	priv, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: priv}, (&jose.SignerOptions{}).WithHeader("kid", m.KeyID))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	assertion, err := jwt.Signed(sig).Claims(jwt.Claims{Issuer: m.UserID, Subject: m.UserID, Audience: jwt.Audience{in.Base},
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Minute))}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return post(t, in, "/oauth/v2/token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"},
		"assertion": {assertion}, "scope": {scope}}, "", "")
}
