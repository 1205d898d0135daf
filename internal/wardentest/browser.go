package wardentest

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// Browser is a scripted browser: a cookie jar, redirects followed, and the
// forms of each page parsed so a test can fill and submit them as a person
// would. Two Browsers share nothing, like two people's machines.
type Browser struct {
	T testing.TB
	C *http.Client
}

// NewBrowser returns a browser with an empty cookie jar.
func NewBrowser(t testing.TB) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{T: t, C: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// View is the page a browser ended up on.
type View struct {
	Status int
	URL    *url.URL
	Header http.Header
	Body   string
	Forms  []Form
}

// Form is one HTML form: its action and its named fields (empty ones as "";
// of several buttons of one name, the last).
type Form struct {
	Action string
	Fields url.Values
}

// Get follows redirects to a page.
func (b *Browser) Get(u string) *View {
	b.T.Helper()
	resp, err := b.C.Get(u)
	if err != nil {
		b.T.Fatal(err)
	}
	return b.read(resp)
}

// First makes one request without following a redirect and returns the
// response's status and Location (empty if none); cookies are kept.
func (b *Browser) First(method, u string, form url.Values) (int, string) {
	b.T.Helper()
	c := *b.C
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		b.T.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		b.T.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if loc != "" {
		if to, err := resp.Request.URL.Parse(loc); err == nil {
			loc = to.String()
		}
	}
	return resp.StatusCode, loc
}

// Submit posts form i of v with the given fields set (others as the page had them).
func (b *Browser) Submit(v *View, i int, set map[string]string) *View {
	b.T.Helper()
	if i >= len(v.Forms) {
		b.T.Fatalf("page %s has %d forms, want form %d:\n%s", v.URL, len(v.Forms), i, v.Text())
	}
	f := v.Forms[i]
	vals := url.Values{}
	for k, vs := range f.Fields {
		vals[k] = append([]string(nil), vs...)
	}
	for k, s := range set {
		vals.Set(k, s)
	}
	to, err := v.URL.Parse(f.Action)
	if err != nil {
		b.T.Fatal(err)
	}
	return b.Post(to.String(), vals)
}

// Post sends a form and follows redirects.
func (b *Browser) Post(u string, vals url.Values) *View {
	b.T.Helper()
	resp, err := b.C.PostForm(u, vals)
	if err != nil {
		b.T.Fatal(err)
	}
	return b.read(resp)
}

// FormWith returns the index of the first form of v that has a field named
// field, or fails the test.
func (v *View) FormWith(t testing.TB, field string) int {
	t.Helper()
	for i, f := range v.Forms {
		if _, ok := f.Fields[field]; ok {
			return i
		}
	}
	t.Fatalf("no form with field %q at %s: %s", field, v.URL, v.Text())
	return -1
}

// Cookie returns the value of the browser's cookie name for u ("" if none).
func (b *Browser) Cookie(u, name string) string {
	pu, err := url.Parse(u)
	if err != nil {
		b.T.Fatal(err)
	}
	for _, c := range b.C.Jar.Cookies(pu) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func (b *Browser) read(resp *http.Response) *View {
	b.T.Helper()
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.T.Fatal(err)
	}
	v := &View{Status: resp.StatusCode, URL: resp.Request.URL, Header: resp.Header, Body: string(raw)}
	v.Forms = parseForms(v.Body)
	return v
}

func parseForms(body string) []Form {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return nil
	}
	var forms []Form
	var cur *Form
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
				forms = append(forms, Form{Action: action, Fields: url.Values{}})
				cur = &forms[len(forms)-1]
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
				cur = nil
				return
			case "input", "button":
				if cur != nil {
					name, _ := attr("name")
					val, hasVal := attr("value")
					switch {
					case name == "":
					case hasVal:
						cur.Fields.Set(name, val)
					case n.Data == "input" && !cur.Fields.Has(name):
						cur.Fields.Set(name, "") // an empty field the person fills in
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

// Text is the page's visible text with white space collapsed.
func (v *View) Text() string {
	doc, err := html.Parse(strings.NewReader(v.Body))
	if err != nil {
		return v.Body
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
