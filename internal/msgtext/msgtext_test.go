package msgtext

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDefaultsAreValidAndFallBack(t *testing.T) {
	for _, lang := range Languages {
		for _, typ := range Types {
			d := Default(typ, lang)
			if d.Text == "" || d.Subject == "" && typ != VerifySMSOTP { // an SMS has its text only, as ZITADEL's
				t.Errorf("%s %s: empty default", lang, typ)
			}
			if err := d.Validate(); err != nil {
				t.Errorf("%s %s: %v", lang, typ, err)
			}
		}
	}
	if Default(PasswordReset, "fr") != Default(PasswordReset, "en") {
		t.Error("no fallback to English")
	}
	if Default(PasswordReset, "de-CH") != Default(PasswordReset, "de") || Default(PasswordReset, "DE") != Default(PasswordReset, "de") {
		t.Error("region or case not ignored")
	}
	if !InviteUser.Valid() || Type("Nope").Valid() {
		t.Error("Valid")
	}
}

func TestRenderFillsAndEscapes(t *testing.T) {
	txt := Text{Subject: "Code for {{.UserName}}", Text: "Hi <b>{{.DisplayName}}</b>, code {{.Code}}, link {{.URL}}, {{.Expiry}}"}
	r, err := Render(txt, Args{"UserName": "ann", "DisplayName": `<script>alert(1)</script>`, "Code": "ABC123", "URL": `https://x.example/?a=1&b="2"`})
	if err != nil {
		t.Fatal(err)
	}
	if r.Subject != "Code for ann" {
		t.Errorf("subject %q", r.Subject)
	}
	want := "Hi &lt;b&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;/b&gt;, code ABC123, link https://x.example/?a=1&amp;b=&#34;2&#34;, "
	if r.Text != want {
		t.Errorf("text\n %q\nwant %q", r.Text, want)
	}
	// A value that looks like a placeholder is a value, not a template.
	r, _ = Render(Text{Text: "{{.UserName}}"}, Args{"UserName": "{{.Code}}"})
	if r.Text != "{{.Code}}" {
		t.Errorf("value re-expanded: %q", r.Text)
	}
}

// TestCustomTextCannotRunTemplateActions: everything of the template language
// beyond a known placeholder is refused, at Validate and at Render.
func TestCustomTextCannotRunTemplateActions(t *testing.T) {
	for _, src := range []string{
		`{{range .LoginNames}}x{{end}}`,
		`{{if .Code}}x{{end}}`,
		`{{with .Code}}{{.}}{{end}}`,
		`{{template "x"}}`,
		`{{define "x"}}y{{end}}`,
		`{{block "x" .}}y{{end}}`,
		`{{call .URL}}`,
		`{{printf "%s" .Code}}`,
		`{{html .Code}}`,
		`{{.Code | printf "%s"}}`,
		`{{$x := .Code}}{{$x}}`,
		`{{$}}`,
		`{{.}}`,
		`{{.Code.Len}}`,
		`{{"literal"}}`,
		`{{.Secret}}`,
		`{{.Code`,
		`{{/* comment */}}{{range}}`,
	} {
		if err := (Text{Text: src}).Validate(); err == nil {
			t.Errorf("%q accepted", src)
		} else if !errors.Is(err, ErrTemplate) && !errors.Is(err, ErrPlaceholder) {
			t.Errorf("%q: %v", src, err)
		}
		if _, err := Render(Text{Greeting: src}, nil); err == nil {
			t.Errorf("%q rendered", src)
		}
	}
	if err := (Text{Text: strings.Repeat("x", MaxFieldLen+1)}).Validate(); !errors.Is(err, ErrField) {
		t.Errorf("long field: %v", err)
	}
	if err := (Text{Title: "a\x00b"}).Validate(); !errors.Is(err, ErrField) || !strings.Contains(err.Error(), "title") {
		t.Errorf("NUL: %v", err)
	}
	if err := (Text{Text: "Hello {{ .UserName }}, {{.Code}} {not a template}"}).Validate(); err != nil {
		t.Errorf("plain placeholders refused: %v", err)
	}
}

func TestMerge(t *testing.T) {
	m := Merge(Text{Subject: "Mine"}, Default(InitCode, "en"))
	if m.Subject != "Mine" || m.Text != Default(InitCode, "en").Text {
		t.Errorf("%+v", m)
	}
}

// FuzzRender: whatever an administrator writes, Validate and Render agree,
// Render never panics, and its output holds no unescaped markup.
func FuzzRender(f *testing.F) {
	for _, s := range []string{"Hi {{.UserName}}", "{{range .X}}{{end}}", "<a href='{{.URL}}'>", "{{", "}}{{.Code}}{{", `{{template "t"}}`} {
		f.Add(s, "<b>&\"'")
	}
	f.Fuzz(func(t *testing.T, src, value string) {
		txt := Text{Text: src}
		verr := txt.Validate()
		r, rerr := Render(txt, Args{"UserName": value, "Code": value, "URL": value})
		if (rerr == nil) != (verr == nil) && len(src) <= MaxFieldLen && !strings.ContainsRune(src, 0) && utf8.ValidString(src) {
			t.Fatalf("Validate %v, Render %v", verr, rerr)
		}
		if rerr == nil && strings.ContainsAny(r.Text, "<>\"'") {
			t.Fatalf("unescaped markup in %q", r.Text)
		}
	})
}

func TestCanonicalLanguage(t *testing.T) {
	for in, want := range map[string]string{"de": "de", "DE": "de", "zh_tw": "zh-TW", "zh-TW": "zh-TW", "en-us": "en-US", "sr-Latn": "sr-latn", "es-419": "es-419"} {
		if got, ok := Canonical(in); !ok || got != want {
			t.Errorf("Canonical(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "-", "de-", "d", "de--CH", "de CH", "<b>", "de\x00", strings.Repeat("a", MaxLanguageLen+1), "verylonglang"} {
		if got, ok := Canonical(in); ok {
			t.Errorf("Canonical(%q) = %q, accepted", in, got)
		}
	}
	if !IsSettable("zh-TW") || !IsSettable("fr") || IsSettable("xx") || IsSettable("de-CH") {
		t.Error("IsSettable")
	}
	for _, l := range Languages {
		if !IsSettable(l) {
			t.Errorf("built-in language %s not settable", l)
		}
	}
}
