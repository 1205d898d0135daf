package wardentest

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// APIScope puts Warden's own API in a token's audience.
const APIScope = "openid urn:zitadel:iam:org:project:id:zitadel:aud"

// MachineCreds are a machine user's client secret and key file.
type MachineCreds struct {
	UserID, ClientID, Secret string
	KeyID, KeyPEM            string
}

// NewMachineCreds issues a client secret and a key for a machine user, as the
// administrator.
func (in *Instance) NewMachineCreds(t testing.TB, userID string) MachineCreds {
	t.Helper()
	sec := Must(t, in.Admin(t, "PUT", "/management/v1/users/"+userID+"/secret", `{}`), 200)
	key := Must(t, in.Admin(t, "POST", "/management/v1/users/"+userID+"/keys", `{"type":"KEY_TYPE_JSON"}`), 200)
	raw, _ := base64.StdEncoding.DecodeString(key.Str("keyDetails"))
	var kf struct {
		KeyID string `json:"keyId"`
		Key   string `json:"key"`
	}
	if err := json.Unmarshal(raw, &kf); err != nil {
		t.Fatalf("key file: %v", err)
	}
	return MachineCreds{UserID: userID, ClientID: sec.Str("clientId"), Secret: sec.Str("clientSecret"), KeyID: kf.KeyID, KeyPEM: kf.Key}
}

// TokenReply is a token endpoint's answer.
type TokenReply struct {
	Status int
	Body   map[string]any
}

// AccessToken is the reply's access token ("" if none).
func (r TokenReply) AccessToken() string { s, _ := r.Body["access_token"].(string); return s }

// TokenPost posts a form to a token-type endpoint, with basic client
// authentication when clientID is set.
func (in *Instance) TokenPost(t testing.TB, path string, form url.Values, clientID, secret string) TokenReply {
	t.Helper()
	req, _ := http.NewRequest("POST", in.Base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if clientID != "" {
		req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := TokenReply{Status: resp.StatusCode}
	_ = json.Unmarshal(raw, &r.Body)
	return r
}

// ClientCredentials asks for a token with the machine user's secret.
func (in *Instance) ClientCredentials(t testing.TB, m MachineCreds) TokenReply {
	t.Helper()
	return in.TokenPost(t, "/oauth/v2/token", url.Values{"grant_type": {"client_credentials"}, "scope": {APIScope}}, m.ClientID, m.Secret)
}

// JWTProfile asks for a token with an assertion signed by the machine user's key.
func (in *Instance) JWTProfile(t testing.TB, m MachineCreds) TokenReply {
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
	return in.TokenPost(t, "/oauth/v2/token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"},
		"assertion": {assertion}, "scope": {APIScope}}, "", "")
}
