package wardentest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// RP is a relying party on its own loopback listener: /start sends the browser
// to Warden (authorization code + PKCE S256), /callback exchanges the code,
// verifies the ID token and records who signed in.
type RP struct {
	T         testing.TB
	Srv       *httptest.Server
	Provider  *gooidc.Provider
	Verifier  *gooidc.IDTokenVerifier
	Config    oauth2.Config
	ProjectID string
	ClientID  string

	mu      sync.Mutex
	pending map[string][2]string // state → {PKCE verifier, nonce}
	last    *SignIn
	codes   int // callbacks that carried a code
}

// SignIn is what the RP got from one completed flow.
type SignIn struct {
	Token   *oauth2.Token
	Subject string
	Email   string // the ID token's email claim, if any
	IDToken string
}

// RPOptions shape the app the RP registers.
type RPOptions struct {
	// Token creates the project and app; "" = the bootstrap administrator.
	Token string
	// OrgID is the x-zitadel-orgid the project and app are made in ("" = the creator's org).
	OrgID string
	// Scopes the RP asks for; nil = openid, profile, email, offline_access and
	// Warden's API audience.
	Scopes []string
}

// DefaultScopes are the scopes an RP asks for unless told otherwise.
var DefaultScopes = []string{gooidc.ScopeOpenID, "profile", "email", gooidc.ScopeOfflineAccess, "urn:zitadel:iam:org:project:id:zitadel:aud"}

// NewRP registers an OIDC web app (client secret + PKCE, code and refresh
// grants, dev mode for the http loopback redirect) in a new project and starts the RP.
func NewRP(t testing.TB, in *Instance, o RPOptions) *RP {
	t.Helper()
	r := &RP{T: t, pending: map[string][2]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/start", r.start)
	mux.HandleFunc("/callback", r.callback)
	r.Srv = httptest.NewServer(mux)
	t.Cleanup(r.Srv.Close)
	tok := o.Token
	if tok == "" {
		tok = in.Boot.Token
	}
	h := map[string]string{}
	if o.OrgID != "" {
		h["x-zitadel-orgid"] = o.OrgID
	}
	r.ProjectID = Must(t, in.DoHeaders(t, "POST", "/management/v1/projects", tok, `{"name":"RP `+randomString()[:6]+`"}`, h), 200).Str("id")
	app := Must(t, in.DoHeaders(t, "POST", "/management/v1/projects/"+r.ProjectID+"/apps/oidc", tok, `{"name":"web",
		"redirectUris":["`+r.Srv.URL+`/callback"],
		"postLogoutRedirectUris":["`+r.Srv.URL+`/logged-out"],
		"responseTypes":["OIDC_RESPONSE_TYPE_CODE"],
		"grantTypes":["OIDC_GRANT_TYPE_AUTHORIZATION_CODE","OIDC_GRANT_TYPE_REFRESH_TOKEN"],
		"appType":"OIDC_APP_TYPE_WEB","authMethodType":"OIDC_AUTH_METHOD_TYPE_BASIC","devMode":true}`, h), 200)
	r.ClientID = app.Str("clientId")
	secret := app.Str("clientSecret")
	if r.ClientID == "" || secret == "" {
		t.Fatalf("app without client id or secret: %s", app.Raw)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := gooidc.NewProvider(ctx, in.Base)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	scopes := o.Scopes
	if scopes == nil {
		scopes = DefaultScopes
	}
	r.Provider = p
	r.Verifier = p.Verifier(&gooidc.Config{ClientID: r.ClientID})
	r.Config = oauth2.Config{ClientID: r.ClientID, ClientSecret: secret, Endpoint: p.Endpoint(),
		RedirectURL: r.Srv.URL + "/callback", Scopes: scopes}
	return r
}

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// StartURL is where a browser begins a sign-in at this RP.
func (r *RP) StartURL() string { return r.Srv.URL + "/start" }

// AuthURL builds an authorization request by hand and returns it with the
// PKCE verifier, for tests that play the flow step by step.
func (r *RP) AuthURL(state string) (authURL, verifier string) {
	verifier = oauth2.GenerateVerifier()
	return r.Config.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), verifier
}

// Exchange redeems a code with its verifier.
func (r *RP) Exchange(code, verifier string) (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return r.Config.Exchange(ctx, code, oauth2.VerifierOption(verifier))
}

// Refresh uses a refresh token once.
func (r *RP) Refresh(refreshToken string) (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return r.Config.TokenSource(ctx, &oauth2.Token{RefreshToken: refreshToken, Expiry: time.Now().Add(-time.Hour)}).Token()
}

// Revoke posts form to the revocation endpoint as this RP's client and
// returns the status.
func (r *RP) Revoke(t testing.TB, in *Instance, form url.Values) int {
	t.Helper()
	return in.TokenPost(t, "/oauth/v2/revoke", form, r.Config.ClientID, r.Config.ClientSecret).Status
}

func (r *RP) start(w http.ResponseWriter, req *http.Request) {
	state, nonce, verifier := randomString(), randomString(), oauth2.GenerateVerifier()
	r.mu.Lock()
	r.pending[state] = [2]string{verifier, nonce}
	r.mu.Unlock()
	http.Redirect(w, req, r.Config.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), gooidc.Nonce(nonce)), http.StatusFound)
}

func (r *RP) callback(w http.ResponseWriter, req *http.Request) {
	q := req.URL.Query()
	if e := q.Get("error"); e != "" {
		http.Error(w, "error from provider: "+e+": "+q.Get("error_description"), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	pend, ok := r.pending[q.Get("state")]
	delete(r.pending, q.Get("state"))
	r.codes++
	r.mu.Unlock()
	if !ok {
		http.Error(w, "unknown state", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(req.Context(), 10*time.Second)
	defer cancel()
	tok, err := r.Config.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(pend[0]))
	if err != nil {
		http.Error(w, "exchange: "+err.Error(), http.StatusBadGateway)
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := r.Verifier.Verify(ctx, raw)
	if err != nil {
		http.Error(w, "id token: "+err.Error(), http.StatusBadGateway)
		return
	}
	if idt.Nonce != pend[1] {
		http.Error(w, "nonce mismatch", http.StatusBadGateway)
		return
	}
	var claims struct {
		Email string `json:"email"`
	}
	_ = idt.Claims(&claims)
	r.mu.Lock()
	r.last = &SignIn{Token: tok, Subject: idt.Subject, Email: claims.Email, IDToken: raw}
	r.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!doctype html><html lang=en><title>RP</title><p id=result>signed in as %s</p></html>", idt.Subject)
}

// Last returns and clears the latest sign-in.
func (r *RP) Last() *SignIn {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.last
	r.last = nil
	return s
}

// Codes counts the callbacks that reached the RP without an error.
func (r *RP) Codes() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.codes
}

// AtCallback asserts that v is the RP's callback page after a sign-in and
// returns what the RP got.
func (r *RP) AtCallback(t testing.TB, v *View) *SignIn {
	t.Helper()
	if v.Status != 200 || !strings.HasPrefix(v.URL.String(), r.Srv.URL+"/callback") || !strings.Contains(v.Body, "signed in as") {
		t.Fatalf("want the RP's callback page, at %s (%d): %s", v.URL, v.Status, v.Text())
	}
	s := r.Last()
	if s == nil {
		t.Fatal("the RP recorded no sign-in")
	}
	return s
}

// SignIn runs a whole flow in b through Warden's login forms (user name, then
// password) and returns what the RP got.
func (r *RP) SignIn(t testing.TB, b *Browser, loginName, password string) *SignIn {
	t.Helper()
	v := b.Get(r.StartURL())
	v = b.Submit(v, v.FormWith(t, "loginName"), map[string]string{"loginName": loginName})
	v = b.Submit(v, v.FormWith(t, "password"), map[string]string{"password": password})
	return r.AtCallback(t, v)
}
