package app

import (
	"errors"
	"testing"
)

func TestURLTemplate(t *testing.T) {
	got, err := renderURLTemplate("https://example.com/verify?userID={{.UserID}}&code={{.Code}}&orgID={{.OrgID}}",
		map[string]string{"UserID": "1", "Code": "A&B", "OrgID": "2"})
	if err != nil || got != "https://example.com/verify?userID=1&code=A%26B&orgID=2" {
		t.Fatalf("%q %v", got, err)
	}
	for tmpl, want := range map[string]error{
		"{{":                        errURLTemplateParse,
		"{{.Foo}}":                  errURLTemplateField,
		"{{.Code | printf \"%s\"}}": errURLTemplateParse, // no function is defined
		"{{if .Code}}x{{end}}":      errURLTemplateField,
		"{{$x := .Code}}{{$x}}":     errURLTemplateField,
		"{{template \"a\"}}":        errURLTemplateField,
		"{{define \"a\"}}x{{end}}":  errURLTemplateParse,
		"{{printf \"%s\" .UserID}}": errURLTemplateParse,
		"{{.UserID.Foo}}":           errURLTemplateField,
		"https://example.com/{{.}}": errURLTemplateField,
	} {
		if _, err := renderURLTemplate(tmpl, nil); !errors.Is(err, want) {
			t.Errorf("%q: %v, want %v", tmpl, err, want)
		}
	}
}

func FuzzURLTemplate(f *testing.F) {
	f.Add("https://example.com/?c={{.Code}}")
	f.Add("{{if .Code}}{{end}}")
	f.Fuzz(func(t *testing.T, tmpl string) {
		_, _ = renderURLTemplate(tmpl, map[string]string{"Code": "x"})
	})
}
