package login_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/net/html"
	"golang.org/x/oauth2"
)

// scopes the relying party asks for.
var scopes = []string{gooidc.ScopeOpenID, "profile", "email", gooidc.ScopeOfflineAccess, "urn:zitadel:iam:org:project:id:zitadel:aud"}

// rp is a relying party on its own loopback listener: /start sends the browser
// to Warden (authorization code + PKCE S256), /callback exchanges the code,
// verifies the ID token and says who signed in.
type rp struct {
	t        testing.TB
	srv      *httptest.Server
	provider *gooidc.Provider
	verifier *gooidc.IDTokenVerifier
	cfg      oauth2.Config

	projectID string

	mu      sync.Mutex
	pending map[string][2]string // state → {PKCE verifier, nonce}
	last    *signIn              // the latest completed sign-in
	codes   int                  // callbacks that carried a code
}

// signIn is what the RP got from one completed flow.
type signIn struct {
	token   *oauth2.Token
	subject string
	email   string
	idToken string
}

// newRP registers an OIDC app (client secret + PKCE, code and refresh grants)
// in a new project through the management API and starts the RP.
func newRP(e *env) *rp {
	e.t.Helper()
	r := &rp{t: e.t, pending: map[string][2]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/start", r.start)
	mux.HandleFunc("/callback", r.callback)
	r.srv = httptest.NewServer(mux)
	e.t.Cleanup(r.srv.Close)

	r.projectID = e.must(e.admin("POST", "/management/v1/projects", `{"name":"Relying Party"}`), 200).str("id")
	app := e.must(e.admin("POST", "/management/v1/projects/"+r.projectID+"/apps/oidc", `{"name":"web",
		"redirectUris":["`+r.srv.URL+`/callback"],
		"responseTypes":["OIDC_RESPONSE_TYPE_CODE"],
		"grantTypes":["OIDC_GRANT_TYPE_AUTHORIZATION_CODE","OIDC_GRANT_TYPE_REFRESH_TOKEN"],
		"appType":"OIDC_APP_TYPE_WEB","authMethodType":"OIDC_AUTH_METHOD_TYPE_BASIC","devMode":true}`), 200)
	clientID, secret := app.str("clientId"), app.str("clientSecret")
	if clientID == "" || secret == "" {
		e.t.Fatalf("app without client id or secret: %s", app.raw)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := gooidc.NewProvider(ctx, e.base)
	if err != nil {
		e.t.Fatalf("discovery: %v", err)
	}
	r.provider = p
	r.verifier = p.Verifier(&gooidc.Config{ClientID: clientID})
	r.cfg = oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: p.Endpoint(),
		RedirectURL: r.srv.URL + "/callback", Scopes: scopes}
	return r
}

// apiApp adds an API app (a resource server with a secret) to the RP's project.
func (r *rp) apiApp(e *env) (string, string) {
	e.t.Helper()
	a := e.must(e.admin("POST", "/management/v1/projects/"+r.projectID+"/apps/api",
		`{"name":"resource","authMethodType":"API_AUTH_METHOD_TYPE_BASIC"}`), 200)
	return a.str("clientId"), a.str("clientSecret")
}

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (r *rp) start(w http.ResponseWriter, req *http.Request) {
	state, nonce, verifier := randomString(), randomString(), oauth2.GenerateVerifier()
	r.mu.Lock()
	r.pending[state] = [2]string{verifier, nonce}
	r.mu.Unlock()
	http.Redirect(w, req, r.cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), gooidc.Nonce(nonce)), http.StatusFound)
}

func (r *rp) callback(w http.ResponseWriter, req *http.Request) {
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
	tok, err := r.cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(pend[0]))
	if err != nil {
		http.Error(w, "exchange: "+err.Error(), http.StatusBadGateway)
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := r.verifier.Verify(ctx, raw)
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
	r.last = &signIn{token: tok, subject: idt.Subject, email: claims.Email, idToken: raw}
	r.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!doctype html><html lang=en><title>RP</title><p id=result>signed in as %s</p></html>", idt.Subject)
}

// lastSignIn returns and clears the latest sign-in.
func (r *rp) lastSignIn() *signIn {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.last
	r.last = nil
	return s
}

func (r *rp) codeCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.codes
}

// refresh uses a refresh token once.
func (r *rp) refresh(refreshToken string) (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return r.cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: refreshToken, Expiry: time.Now().Add(-time.Hour)}).Token()
}

// isInvalidGrant tells whether a token endpoint error is invalid_grant.
func isInvalidGrant(err error) bool {
	var re *oauth2.RetrieveError
	return errors.As(err, &re) && re.ErrorCode == "invalid_grant"
}

// --- a scripted browser: cookie jar + HTML form parsing ---

type browser struct {
	t testing.TB
	c *http.Client
}

func newBrowser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// view is a page the browser ended up on.
type view struct {
	status int
	url    *url.URL
	header http.Header
	body   string
	forms  []form
}

type form struct {
	action string
	fields url.Values // hidden fields and fields with a value
}

func (b *browser) get(u string) *view {
	b.t.Helper()
	resp, err := b.c.Get(u)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.read(resp)
}

// submit posts form i of v with extra fields set.
func (b *browser) submit(v *view, i int, set map[string]string) *view {
	b.t.Helper()
	if i >= len(v.forms) {
		b.t.Fatalf("page %s has %d forms, want form %d:\n%s", v.url, len(v.forms), i, v.body)
	}
	f := v.forms[i]
	vals := url.Values{}
	for k, vs := range f.fields {
		vals[k] = append([]string(nil), vs...)
	}
	for k, s := range set {
		vals.Set(k, s)
	}
	to, err := v.url.Parse(f.action)
	if err != nil {
		b.t.Fatal(err)
	}
	resp, err := b.c.PostForm(to.String(), vals)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.read(resp)
}

func (b *browser) read(resp *http.Response) *view {
	b.t.Helper()
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	v := &view{status: resp.StatusCode, url: resp.Request.URL, header: resp.Header, body: string(raw)}
	v.forms = parseForms(v.body)
	return v
}

func parseForms(body string) []form {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return nil
	}
	var forms []form
	var cur *form
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			attr := func(k string) (string, bool) {
				for _, a := range n.Attr {
					if a.Key == k {
						return a.Val, true
					}
				}
				return "", false
			}
			switch n.Data {
			case "form":
				action, _ := attr("action")
				forms = append(forms, form{action: action, fields: url.Values{}})
				cur = &forms[len(forms)-1]
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
				cur = nil
				return
			case "input":
				if cur != nil {
					name, _ := attr("name")
					val, hasVal := attr("value")
					if name != "" && hasVal {
						cur.fields.Set(name, val)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return forms
}

// text is the page's visible text with white space collapsed.
func (v *view) text() string {
	doc, err := html.Parse(strings.NewReader(v.body))
	if err != nil {
		return v.body
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "style" || n.Data == "script") {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return strings.Join(strings.Fields(b.String()), " ")
}

// onLogin asserts the browser is on one of Warden's login pages.
func (v *view) onLogin(t testing.TB, e *env) {
	t.Helper()
	if !strings.HasPrefix(v.url.String(), e.base+"/ui/login") {
		t.Fatalf("at %s (status %d), want Warden's login page: %s", v.url, v.status, v.text())
	}
}

// toPassword starts a flow at the RP and submits the user name.
func (b *browser) toPassword(e *env, r *rp, loginName string) *view {
	b.t.Helper()
	v := b.get(r.srv.URL + "/start")
	v.onLogin(b.t, e)
	if v.status != 200 || !strings.Contains(v.body, `name="loginName"`) {
		b.t.Fatalf("want the user-name form, got %d: %s", v.status, v.text())
	}
	v = b.submit(v, 0, map[string]string{"loginName": loginName})
	if v.status != 200 || !strings.Contains(v.body, `name="password"`) {
		b.t.Fatalf("want the password form, got %d: %s", v.status, v.text())
	}
	return v
}

// signIn runs a whole flow and returns what the RP got.
func (b *browser) signIn(e *env, r *rp, loginName, pw string) *signIn {
	b.t.Helper()
	v := b.toPassword(e, r, loginName)
	v = b.submit(v, 0, map[string]string{"password": pw})
	return b.atCallback(r, v)
}

// atCallback asserts the flow ended at the RP's callback with a sign-in.
func (b *browser) atCallback(r *rp, v *view) *signIn {
	b.t.Helper()
	if v.status != 200 || !strings.HasPrefix(v.url.String(), r.srv.URL+"/callback") || !strings.Contains(v.body, "signed in as") {
		b.t.Fatalf("want the RP's callback page, at %s (%d): %s", v.url, v.status, v.text())
	}
	s := r.lastSignIn()
	if s == nil {
		b.t.Fatal("the RP recorded no sign-in")
	}
	return s
}
