package server_test

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

const apiScope = "openid urn:zitadel:iam:org:project:id:zitadel:aud"

// tokenReply is a decoded answer of a token-family endpoint.
type tokenReply struct {
	status int
	body   map[string]any
}

// tokenPost posts a form to the token-family endpoints and decodes the JSON answer.
func (e *env) tokenPost(path string, form url.Values, user, pass string) tokenReply {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(pass))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := tokenReply{status: resp.StatusCode}
	_ = json.Unmarshal(raw, &out.body)
	return out
}

// machineCreds is a machine user with every credential kind Warden issues.
type machineCreds struct {
	id, clientID, secret string
	keyID, keyPEM        string
}

func (e *env) newMachineCreds(name string) machineCreds {
	e.t.Helper()
	id, _ := e.machineWithToken(name, "ORG_USER_MANAGER")
	sec := e.must(e.admin("PUT", "/management/v1/users/"+id+"/secret", `{}`), 200)
	key := e.must(e.admin("POST", "/management/v1/users/"+id+"/keys", `{"type":"KEY_TYPE_JSON"}`), 200)
	raw, err := base64.StdEncoding.DecodeString(key.str("keyDetails"))
	if err != nil {
		e.t.Fatalf("key details: %v %s", err, key.raw)
	}
	var kf struct {
		KeyID  string `json:"keyId"`
		Key    string `json:"key"`
		UserID string `json:"userId"`
	}
	if err := json.Unmarshal(raw, &kf); err != nil || kf.UserID != id {
		e.t.Fatalf("key file %s: %v", raw, err)
	}
	return machineCreds{id: id, clientID: sec.str("clientId"), secret: sec.str("clientSecret"), keyID: kf.KeyID, keyPEM: kf.Key}
}

func (e *env) clientCredentials(m machineCreds) tokenReply {
	return e.tokenPost("/oauth/v2/token", url.Values{"grant_type": {"client_credentials"}, "scope": {apiScope}}, m.clientID, m.secret)
}

// jwtProfile runs the RFC 7523 grant with an assertion signed by the machine key.
func (e *env) jwtProfile(m machineCreds) tokenReply {
	e.t.Helper()
	block, _ := pem.Decode([]byte(m.keyPEM))
	priv, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		e.t.Fatal(err)
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: priv}, (&jose.SignerOptions{}).WithHeader("kid", m.keyID))
	if err != nil {
		e.t.Fatal(err)
	}
	now := time.Now()
	assertion, err := jwt.Signed(sig).Claims(jwt.Claims{Issuer: m.id, Subject: m.id, Audience: jwt.Audience{e.base},
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Minute))}).Serialize()
	if err != nil {
		e.t.Fatal(err)
	}
	return e.tokenPost("/oauth/v2/token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"},
		"assertion": {assertion}, "scope": {apiScope}}, "", "")
}

func tokenOf(t *testing.T, r tokenReply) string {
	t.Helper()
	tok, _ := r.body["access_token"].(string)
	if r.status != 200 || tok == "" {
		t.Fatalf("token request: %d %v", r.status, r.body)
	}
	return tok
}

// TestMachineGrantsAndLock: client credentials, JWT profile and PATs all work for
// an active machine user, and after a lock or deactivation every credential and
// every token issued before is refused — API, userinfo, introspection, grants —
// and stays refused after the unlock or reactivation.
func TestMachineGrantsAndLock(t *testing.T) {
	for _, tc := range []struct{ name, kill, revive string }{
		{"lock", "_lock", "_unlock"}, {"deactivate", "_deactivate", "_reactivate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := startEnv(t, engines(t)["sqlite"](t))
			target := e.importHuman("target")
			m := e.newMachineCreds("bot")
			// An API app introspects; ask for its project in the audience too.
			proj := e.must(e.admin("POST", "/management/v1/projects", `{"name":"api"}`), 200).str("id")
			api := e.must(e.admin("POST", "/management/v1/projects/"+proj+"/apps/api", `{"name":"rs","authMethodType":"API_AUTH_METHOD_TYPE_BASIC"}`), 200)
			apiID, apiSecret := api.str("clientId"), api.str("clientSecret")

			ccTok := tokenOf(t, e.clientCredentials(m))
			jwtTok := tokenOf(t, e.jwtProfile(m))
			introspect := func(tok string) bool {
				r := e.tokenPost("/oauth/v2/introspect", url.Values{"token": {tok}}, apiID, apiSecret)
				if r.status != 200 {
					t.Fatalf("introspect: %d %v", r.status, r.body)
				}
				return r.body["active"] == true
			}
			userinfo := func(tok string) int { return e.do("GET", "/oidc/v1/userinfo", tok, "").status }
			for name, tok := range map[string]string{"client credentials": ccTok, "jwt profile": jwtTok} {
				e.must(e.do("POST", "/management/v1/users/"+target+"/_lock", tok, "{}"), 200)
				e.must(e.do("POST", "/management/v1/users/"+target+"/_unlock", tok, "{}"), 200)
				if userinfo(tok) != 200 {
					t.Fatalf("%s: userinfo refused while active", name)
				}
			}
			// Introspection needs the API app's project in the audience.
			projTok := tokenOf(t, e.tokenPost("/oauth/v2/token", url.Values{"grant_type": {"client_credentials"},
				"scope": {apiScope + " urn:zitadel:iam:org:project:id:" + proj + ":aud"}}, m.clientID, m.secret))
			if !introspect(projTok) {
				t.Fatal("introspection inactive for a live token")
			}
			if introspect(ccTok) {
				t.Fatal("introspection active for a token not meant for the API app")
			}

			e.must(e.admin("POST", "/management/v1/users/"+m.id+"/"+tc.kill, "{}"), 200)
			// Tokens are derived from a grant: dead at the lock and for good.
			tokensDead := func(phase string) {
				t.Helper()
				for name, tok := range map[string]string{"client credentials": ccTok, "jwt profile": jwtTok, "project": projTok} {
					if r := e.do("GET", "/management/v1/users/"+target, tok, ""); r.status != 401 {
						t.Fatalf("%s: %s token on the API: %d", phase, name, r.status)
					}
					if s := userinfo(tok); s != 401 {
						t.Fatalf("%s: %s token at userinfo: %d", phase, name, s)
					}
				}
				if introspect(projTok) {
					t.Fatalf("%s: introspection still active", phase)
				}
			}
			tokensDead("after " + tc.kill)
			// The secret and the key an administrator issued are suspended...
			if r := e.clientCredentials(m); r.status == 200 {
				t.Fatalf("after %s: client credentials granted: %v", tc.kill, r.body)
			}
			if r := e.jwtProfile(m); r.status == 200 {
				t.Fatalf("after %s: JWT profile granted: %v", tc.kill, r.body)
			}
			e.must(e.admin("POST", "/management/v1/users/"+m.id+"/"+tc.revive, "{}"), 200)
			tokensDead("after " + tc.revive)
			// ...and work again after the unlock or reactivation, with no re-provisioning.
			tok := tokenOf(t, e.clientCredentials(m))
			e.must(e.do("GET", "/management/v1/users/"+target, tok, ""), 200)
			tokenOf(t, e.jwtProfile(m))
			// Fresh credentials work too.
			fresh := e.newMachineCredsFor(m.id)
			tokenOf(t, e.clientCredentials(fresh))
			tokenOf(t, e.jwtProfile(fresh))
		})
	}
}

// newMachineCredsFor issues a new secret and key for an existing machine user.
func (e *env) newMachineCredsFor(id string) machineCreds {
	e.t.Helper()
	sec := e.must(e.admin("PUT", "/management/v1/users/"+id+"/secret", `{}`), 200)
	key := e.must(e.admin("POST", "/management/v1/users/"+id+"/keys", `{"type":"KEY_TYPE_JSON"}`), 200)
	raw, _ := base64.StdEncoding.DecodeString(key.str("keyDetails"))
	var kf struct {
		KeyID string `json:"keyId"`
		Key   string `json:"key"`
	}
	if err := json.Unmarshal(raw, &kf); err != nil {
		e.t.Fatal(err)
	}
	return machineCreds{id: id, clientID: sec.str("clientId"), secret: sec.str("clientSecret"), keyID: kf.KeyID, keyPEM: kf.Key}
}
