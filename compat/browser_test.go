package compat

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// browser is a scripted browser for the login page: a cookie jar and the
// forms of the page it is on. It follows redirects, as a browser does.
type browser struct {
	t    testing.TB
	c    *http.Client
	page string
	at   *url.URL
}

func newBrowser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, c: &http.Client{Jar: jar}}
}

func (b *browser) do(req *http.Request) int {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	b.page, b.at = string(raw), resp.Request.URL
	return resp.StatusCode
}

func (b *browser) get(u string) int {
	b.t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	return b.do(req)
}

// submit fills the page's form that has the field named want and posts it.
func (b *browser) submit(want string, set map[string]string) int {
	b.t.Helper()
	action, fields := b.form(want)
	if action == "" {
		b.t.Fatalf("no form with %q at %s: %.300s", want, b.at, b.page)
	}
	for k, v := range set {
		fields.Set(k, v)
	}
	req, _ := http.NewRequest("POST", b.at.ResolveReference(&url.URL{Path: action}).String(), strings.NewReader(fields.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// form returns the action and fields of the page's first form holding a field
// named want.
func (b *browser) form(want string) (string, url.Values) {
	doc, err := html.Parse(strings.NewReader(b.page))
	if err != nil {
		return "", nil
	}
	var action string
	var fields url.Values
	var walk func(n *html.Node, in *url.Values) bool
	walk = func(n *html.Node, in *url.Values) bool {
		attr := func(k string) string {
			for _, a := range n.Attr {
				if a.Key == k {
					return a.Val
				}
			}
			return ""
		}
		if n.Type == html.ElementNode && n.Data == "form" {
			vals := url.Values{}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c, &vals)
			}
			if vals.Has(want) {
				action, fields = attr("action"), vals
				return true
			}
			return false
		}
		if n.Type == html.ElementNode && n.Data == "input" && in != nil && attr("name") != "" {
			in.Set(attr("name"), attr("value"))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if walk(c, in) {
				return true
			}
		}
		return false
	}
	walk(doc, nil)
	return action, fields
}

// signIn follows start (an app's sign-in link) through Warden's login page
// with the user name and password, and returns the status of the page it ends on.
func (b *browser) signIn(start, loginName, password string) int {
	b.t.Helper()
	if st := b.get(start); st != 200 {
		b.t.Fatalf("start %s: %d at %s: %.300s", start, st, b.at, b.page)
	}
	b.submit("loginName", map[string]string{"loginName": loginName})
	return b.submit("password", map[string]string{"password": password})
}
