package wardentest

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/url"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// AppKeyFile is an application key file as AddAppKey hands it out.
type AppKeyFile struct {
	Type     string `json:"type"`
	KeyID    string `json:"keyId"`
	Key      string `json:"key"`
	AppID    string `json:"appId"`
	ClientID string `json:"clientId"`
	Raw      []byte `json:"-"` // the file as received
}

// PrivateKey is the file's RSA key.
func (f AppKeyFile) PrivateKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	block, _ := pem.Decode([]byte(f.Key))
	if block == nil {
		t.Fatal("key file without a PEM key")
	}
	priv, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

// AddAppKey adds a JSON key (body "" = no expiration) to an app as the
// bootstrap administrator and returns its key file.
func (in *Instance) AddAppKey(t testing.TB, projectID, appID, body string) AppKeyFile {
	t.Helper()
	if body == "" {
		body = `{"type":"KEY_TYPE_JSON"}`
	}
	r := Must(t, in.Admin(t, "POST", "/management/v1/projects/"+projectID+"/apps/"+appID+"/keys", body), 200)
	raw, err := base64.StdEncoding.DecodeString(r.Str("keyDetails"))
	if err != nil {
		t.Fatalf("keyDetails: %v", err)
	}
	var f AppKeyFile
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("key file: %v", err)
	}
	f.Raw = raw
	if f.KeyID != r.Str("id") {
		t.Fatalf("key file names key %s, the answer %s", f.KeyID, r.Str("id"))
	}
	return f
}

// Assertion is an RFC 7523 client assertion for f's client, signed RS256
// with f's key under its kid: iss = sub = client id, aud = in.Base, a fresh
// jti, valid for a minute. edit may change the claims before signing.
func (in *Instance) Assertion(t testing.TB, f AppKeyFile, edit func(*jwt.Claims)) string {
	t.Helper()
	now := time.Now()
	c := jwt.Claims{Issuer: f.ClientID, Subject: f.ClientID, Audience: jwt.Audience{in.Base}, ID: randomString(),
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Minute))}
	if edit != nil {
		edit(&c)
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: f.PrivateKey(t)}, (&jose.SignerOptions{}).WithHeader("kid", f.KeyID))
	if err != nil {
		t.Fatal(err)
	}
	a, err := jwt.Signed(sig).Claims(c).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// WithAssertion adds a client assertion to a form.
func WithAssertion(form url.Values, assertion string) url.Values {
	out := url.Values{}
	for k, v := range form {
		out[k] = v
	}
	out.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
	out.Set("client_assertion", assertion)
	return out
}
