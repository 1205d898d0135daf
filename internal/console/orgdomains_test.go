package console_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/warden-id/warden/internal/console"
	"github.com/warden-id/warden/internal/store/testdb"
)

const pathDomains = "/ui/console/organisation/domains"

// domainsOf is what the API says of the domains of orgID: name →
// "verified,primary,validation type" (none: empty), sorted by name.
func (e *env) domainsOf(orgID string) string {
	e.t.Helper()
	r := e.apiIn(orgID, "POST", "/management/v1/orgs/me/domains/_search", `{"query":{"asc":true}}`)
	res, _ := r.body["result"].([]any)
	out := ""
	for _, x := range res {
		m, _ := x.(map[string]any)
		typ, _ := m["validationType"].(string)
		out += fmt.Sprintf("%v:%v,%v,%s ", m["domainName"], m["isVerified"] == true, m["isPrimary"] == true, strings.TrimPrefix(typ, "DOMAIN_VALIDATION_TYPE_"))
	}
	return out
}

// validateByAPI adds domain d to orgID and proves it over HTTP on the
// challenge server, through the API.
func (e *env) validateByAPI(orgID, d string) {
	e.t.Helper()
	e.apiIn(orgID, "POST", "/management/v1/orgs/me/domains", `{"domain":"`+d+`"}`)
	tok := e.apiIn(orgID, "POST", "/management/v1/orgs/me/domains/"+d+"/validation/_generate", `{"type":"DOMAIN_VALIDATION_TYPE_HTTP"}`).str("token")
	e.challenges.Publish(d, tok)
	e.apiIn(orgID, "POST", "/management/v1/orgs/me/domains/"+d+"/validation/_validate", `{}`)
}

var challengeTokenRE = regexp.MustCompile(`id="challenge-token">([^<]+)<`)

// challengeToken is the token a generation's answer shows.
func challengeToken(t testing.TB, p page) string {
	t.Helper()
	m := challengeTokenRE.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("%s: no validation token in:\n%s", p.url, p.body)
	}
	return html.UnescapeString(m[1])
}

// TestOrgDomains: with plain form posts, on both engines, the administrator
// sees the org's generated domain verified and primary, adds a domain (bad
// names and the instance's subdomains answered beside the form), generates a
// DNS validation (the TXT record shown; the check fails in plain words, no
// resolver answering) and an HTTP one (the file's URL and the token shown
// once, never on a later page), validates it against the loopback HTTPS
// challenge server (first unpublished: refused beside the row), makes it
// primary, and removes another domain through the confirmation page — the
// primary one cannot be — each checked through the API.
func TestOrgDomains(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		e := startEnvOn(t, open(t))
		b := e.newBrowser()
		b.signIn(e.adminLogin, e.adminPassword, newAdminPassword)
		b.get("/ui/console/organisation").must(t, 200, `id="primary-domain">warden.localhost<`, `id="domains-link"`)
		b.get(pathDomains).must(t, 200, "Domains of Warden", `<tr id="domain-warden.localhost">`, "VERIFIED", "PRIMARY", `id="add-domain"`)
		if strings.Contains(b.last.body, `id="remove-warden.localhost"`) || strings.Contains(b.last.body, `id="primary-warden.localhost"`) {
			t.Fatal("the primary domain is offered for removal or as primary")
		}

		add := func(d string) page { return b.post(pathDomains, url.Values{"csrf": {b.csrf()}, "domain": {d}}) }
		add("not a domain").must(t, http.StatusBadRequest, `id="add-error"`, "Enter a domain name such as login.example.com", `value="not a domain"`)
		add("other.localhost").must(t, http.StatusBadRequest, `id="add-error"`, "A subdomain of the instance domain is an organisation&#39;s generated domain")
		add(" Login.Example.com ").must(t, 200, "The domain is added.", `<tr id="domain-login.example.com">`, "NOT VERIFIED",
			`id="generate-login.example.com"`)
		add("login.example.com").must(t, http.StatusConflict, `id="add-error"`, "Could not add this domain: the organisation has this domain already.")
		add("old.example.org").must(t, 200, "The domain is added.")
		if got := e.domainsOf(e.orgID); got != "login.example.com:false,false, old.example.org:false,false, warden.localhost:true,true, " {
			t.Fatalf("the API's domains after the adds: %s", got)
		}

		d := "/organisation/domains/login.example.com"
		post := func(path string, f url.Values) page {
			if f == nil {
				f = url.Values{}
			}
			f.Set("csrf", b.csrf())
			return b.post("/ui/console"+path, f)
		}
		post(d+"/primary", nil).must(t, http.StatusConflict, `id="row-error"`, "Could not make this domain primary: the domain is not verified yet.")
		post(d+"/validate", nil).must(t, http.StatusConflict, `id="row-error"`, "Could not validate this domain: generate a validation first.")
		post(d+"/validation", url.Values{"type": {"smtp"}}).must(t, http.StatusBadRequest, `id="row-error"`, "Choose HTTP or DNS.")

		p := post(d+"/validation", url.Values{"type": {"dns"}}).
			must(t, 200, `id="challenge"`, `id="challenge-name">_zitadel-challenge.login.example.com<`, "shown only this once")
		dnsToken := challengeToken(t, p)
		post(d+"/validate", nil).must(t, http.StatusConflict, `id="row-error"`, "Could not validate this domain: no DNS resolver answered for the challenge record.")

		p = post(d+"/validation", url.Values{"type": {"http"}}).
			must(t, 200, `id="challenge-url">https://login.example.com/.well-known/zitadel-challenge/`, `id="challenge-validate"`)
		token := challengeToken(t, p)
		if token == dnsToken || !strings.Contains(p.body, "/.well-known/zitadel-challenge/"+token+".txt") {
			t.Fatalf("the HTTP validation's token %q (the DNS one was %q) is not in its URL", token, dnsToken)
		}
		later := b.get(pathDomains).must(t, 200, "HTTP (pending)", `id="validate-login.example.com"`)
		if strings.Contains(later.body, token) || strings.Contains(later.body, `id="challenge"`) {
			t.Fatal("the validation token is shown again on a later page")
		}
		if got := e.domainsOf(e.orgID); !strings.HasPrefix(got, "login.example.com:false,false,HTTP ") {
			t.Fatalf("the API's domains after the generation: %s", got)
		}
		post(d+"/validate", nil).must(t, http.StatusConflict, `id="row-error"`, "Could not validate this domain: the challenge URL answered 404.")
		e.challenges.Publish("login.example.com", token)
		post(d+"/validate", nil).must(t, 200, "The domain is verified", `id="primary-login.example.com"`)
		if got := e.domainsOf(e.orgID); !strings.HasPrefix(got, "login.example.com:true,false,HTTP ") {
			t.Fatalf("the API's domains after the validation: %s", got)
		}
		post(d+"/validate", nil).must(t, http.StatusConflict, "the domain is verified already")
		post(d+"/primary", nil).must(t, 200, "The domain is the primary one", `id="remove-warden.localhost"`)
		if got := e.api("GET", "/management/v1/orgs/me", "").str("org", "primaryDomain"); got != "login.example.com" {
			t.Fatalf("the API's primary domain: %q", got)
		}
		b.get("/ui/console/organisation").must(t, 200, `id="primary-domain">login.example.com<`)

		// Removal: through the confirmation page; never the primary domain.
		b.get(pathDomains+"/old.example.org/confirm").must(t, 200, "Remove the domain old.example.org?")
		b.post(pathDomains+"/old.example.org/remove", b.last.hidden()).must(t, 200, "The domain is removed.")
		if got := e.domainsOf(e.orgID); strings.Contains(got, "old.example.org") {
			t.Fatalf("the API's domains after the removal: %s", got)
		}
		b.get(pathDomains+"/old.example.org/confirm").must(t, http.StatusNotFound, "The organisation has no such domain.")
		b.get(pathDomains+"/login.example.com/confirm").must(t, 200, "Remove the domain login.example.com?", "another organisation may verify it")
		b.post(pathDomains+"/login.example.com/remove", b.last.hidden()).
			must(t, http.StatusConflict, `id="error"`, "the primary domain cannot be removed; make another domain primary first")
		if got := e.domainsOf(e.orgID); got != "login.example.com:true,true,HTTP warden.localhost:true,false, " {
			t.Fatalf("the API's domains at the end: %s", got)
		}
	})
}

// TestOrgDomainsAttackers: on both engines, an ORG_OWNER_VIEWER (org.read
// only) sees the domains without a single form or action that writes, and
// its forged posts with the session's valid CSRF token — adding a domain,
// generating and validating a validation whose token is published, making a
// domain primary, removing one — and the removal's confirmation page are
// refused with 403 (the challenge is never fetched); the owner of another org
// cannot switch into the org, finds none of its domains in its own context
// (404), and cannot verify the org's verified domain for itself, though it
// publishes the token; the administrator's posts without the CSRF token are
// refused. Nothing changes, as the API sees it.
func TestOrgDomainsAttackers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		e := startEnvOn(t, open(t))
		e.importHuman("vera", "ORG_OWNER_VIEWER")
		acme := e.api("POST", "/management/v1/orgs", `{"name":"Acme"}`).str("id")
		e.importHumanIn(acme, "olaf", "ORG_OWNER")
		e.validateByAPI(e.orgID, "shop.example.com")
		e.apiIn(e.orgID, "POST", "/management/v1/orgs/me/domains", `{"domain":"pend.example.com"}`)
		pendToken := e.apiIn(e.orgID, "POST", "/management/v1/orgs/me/domains/pend.example.com/validation/_generate", `{"type":"DOMAIN_VALIDATION_TYPE_HTTP"}`).str("token")
		e.challenges.Publish("pend.example.com", pendToken) // a forged validate would pass, were it allowed
		before, acmeBefore := e.domainsOf(e.orgID), e.domainsOf(acme)

		v := e.newBrowser()
		v.signInAt(pathDomains, "vera", password, "")
		p := v.must200(pathDomains, "shop.example.com", "pend.example.com", "HTTP (pending)")
		for _, s := range []string{`action="` + pathDomains, "/confirm", `id="add-domain"`, `name="type"`} {
			if strings.Contains(p.body, s) {
				t.Fatalf("the domains page offers %q to an ORG_OWNER_VIEWER", s)
			}
		}
		csrf := v.csrf()
		for _, f := range []struct {
			path  string
			form  url.Values
			refus string
		}{
			{pathDomains, url.Values{"domain": {"evil.example.org"}}, "add this domain"},
			{pathDomains + "/pend.example.com/validation", url.Values{"type": {"http"}}, "generate a validation for this domain"},
			{pathDomains + "/pend.example.com/validate", nil, "validate this domain"},
			{pathDomains + "/shop.example.com/primary", nil, "make this domain primary"},
			{pathDomains + "/shop.example.com/remove", nil, "remove this domain"},
		} {
			form := url.Values{"csrf": {csrf}}
			for k, vs := range f.form {
				form[k] = vs
			}
			v.post(f.path, form).must(t, http.StatusForbidden, "You do not have permission to "+f.refus+".")
		}
		v.get(pathDomains+"/shop.example.com/confirm").must(t, http.StatusForbidden, "You do not have permission to remove domains.")
		if hits := e.challenges.Hits("pend.example.com"); hits != 0 {
			t.Fatalf("the viewer's forged validation reached the challenge server %d times", hits)
		}

		// The owner of another org: its context is its own org.
		o := e.newBrowser()
		o.signInAt(pathDomains, "olaf", password, "")
		o.get(pathDomains).must(t, 200, "Domains of Acme", "acme.localhost")
		oc := o.csrf()
		o.post("/ui/console/org", url.Values{"csrf": {oc}, "orgId": {e.orgID}, "back": {pathDomains}}).must(t, http.StatusForbidden)
		for _, path := range []string{"/shop.example.com/remove", "/shop.example.com/primary", "/pend.example.com/validate", "/pend.example.com/validation"} {
			o.post(pathDomains+path, url.Values{"csrf": {oc}, "type": {"http"}}).must(t, http.StatusNotFound, "The organisation has no such domain.")
		}
		// Proving the other org's verified domain for Acme fails at the end.
		o.post(pathDomains, url.Values{"csrf": {oc}, "domain": {"shop.example.com"}}).must(t, 200, "The domain is added.")
		tok := challengeToken(t, o.post(pathDomains+"/shop.example.com/validation", url.Values{"csrf": {oc}, "type": {"http"}}).must(t, 200))
		e.challenges.Publish("shop.example.com", tok)
		o.post(pathDomains+"/shop.example.com/validate", url.Values{"csrf": {oc}}).
			must(t, http.StatusConflict, `id="row-error"`, "Could not validate this domain: another organisation has verified this domain.")
		if got := e.domainsOf(acme); got != "acme.localhost:true,true, shop.example.com:false,false,HTTP " {
			t.Fatalf("Acme's domains after its owner's attempt: %s (before: %s)", got, acmeBefore)
		}

		// The administrator's own posts without the CSRF token.
		a := e.newBrowser()
		a.signInAt(pathDomains, e.adminLogin, e.adminPassword, newAdminPassword)
		for _, path := range []string{"", "/shop.example.com/remove", "/pend.example.com/validate", "/shop.example.com/primary"} {
			a.post(pathDomains+path, url.Values{"domain": {"csrf.example.org"}}).must(t, http.StatusForbidden, console.TextCSRF)
			a.post(pathDomains+path, url.Values{"csrf": {"forged-" + strings.Repeat("x", 40)}, "domain": {"csrf.example.org"}}).
				must(t, http.StatusForbidden, console.TextCSRF)
		}
		if after := e.domainsOf(e.orgID); after != before {
			t.Fatalf("the refused posts changed the org's domains:\nbefore %s\nafter  %s", before, after)
		}
		if hits := e.challenges.Hits("pend.example.com"); hits != 0 {
			t.Fatalf("a refused post reached the challenge server %d times", hits)
		}
	})
}

// must200 gets path and checks it answers 200 with every text.
func (b *browser) must200(path string, texts ...string) page {
	b.t.Helper()
	return b.get(path).must(b.t, 200, texts...)
}

// TestBrowserOrgDomains drives headless Chromium, on both engines: from the
// organisation page to its domains, add a domain, generate an HTTP
// validation (the token shown), publish it on the challenge server, validate
// from the shown instructions and make the domain primary.
func TestBrowserOrgDomains(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		e := startEnvOn(t, open(t))
		c := newChrome(t)
		c.do("open the console", chromedp.Navigate(e.base+"/ui/console"))
		c.signIn(e.adminLogin, e.adminPassword, newAdminPassword)
		c.do("the organisation", chromedp.Navigate(e.base+"/ui/console/organisation"), chromedp.WaitVisible(chromedp.CSS("#domains-link")))
		c.do("its domains", chromedp.Click(chromedp.CSS("#domains-link")), chromedp.WaitVisible(chromedp.CSS("#add-domain")))
		c.do("add a domain",
			chromedp.SendKeys(chromedp.CSS("#domain-name"), "Auth.Example.org"),
			chromedp.Click(chromedp.CSS("#add-domain")),
			chromedp.WaitVisible(chromedp.CSS(`[id="generate-auth.example.org"]`)))
		if n := c.text("notice", "#notice"); !strings.Contains(n, "The domain is added") {
			t.Fatalf("notice after the add: %q", n)
		}
		c.do("generate an HTTP validation",
			chromedp.Click(chromedp.CSS(`[id="generate-auth.example.org"]`)),
			chromedp.WaitVisible(chromedp.CSS("#challenge-token")))
		token := c.text("the token", "#challenge-token")
		if u := c.text("the URL", "#challenge-url"); u != "https://auth.example.org/.well-known/zitadel-challenge/"+token+".txt" {
			t.Fatalf("the challenge URL %q for token %q", u, token)
		}
		e.challenges.Publish("auth.example.org", token)
		c.do("validate", chromedp.Click(chromedp.CSS("#challenge-validate")), chromedp.WaitVisible(chromedp.CSS(`[id="primary-auth.example.org"]`)))
		c.do("make it primary", chromedp.Click(chromedp.CSS(`[id="primary-auth.example.org"]`)), chromedp.WaitVisible(chromedp.CSS(`[id="remove-warden.localhost"]`)))
		if n := c.text("notice", "#notice"); !strings.Contains(n, "primary") {
			t.Fatalf("notice after set primary: %q", n)
		}
		if got := e.api("GET", "/management/v1/orgs/me", "").str("org", "primaryDomain"); got != "auth.example.org" {
			t.Fatalf("the API's primary domain: %q", got)
		}
		if got := e.domainsOf(e.orgID); !strings.HasPrefix(got, "auth.example.org:true,true,HTTP ") {
			t.Fatalf("the API's domains: %s", got)
		}
	})
}
