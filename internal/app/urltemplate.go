package app

import (
	"net/url"
	"strings"
	"text/template/parse"
)

// A URL template is a caller's link for a code's message (v2 SendEmailCode's
// url_template, PasswordReset's, CreateInviteCode's …): ZITADEL's Go-template
// placeholders such as {{.UserID}} and {{.Code}}. ZITADEL executes it as a
// template; Warden accepts placeholders only (no functions, pipelines or
// actions), so a caller's template can do nothing but substitute, and
// escapes each value for a URL query (identical for ZITADEL's alphanumeric
// codes and ids; a code with symbols stays one parameter).

// urlTemplateFields are the placeholders a URL template may use (ZITADEL's).
var urlTemplateFields = map[string]bool{
	"UserID": true, "OrgID": true, "Code": true, "CodeID": true, "LoginName": true, "DisplayName": true,
	"PreferredLanguage": true, "LastEmail": true, "AuthRequestID": true, "ApplicationName": true,
}

// maxURLTemplate bounds a template: it ends up in every message.
const maxURLTemplate = 2048

// CheckURLTemplate refuses a template Warden would not render, at the request
// (before any code is made), with ZITADEL's ids.
func CheckURLTemplate(tmpl string) error {
	_, err := urlTemplateNodes(tmpl)
	return err
}

func urlTemplateNodes(tmpl string) ([]parse.Node, error) {
	if len(tmpl) > maxURLTemplate {
		return nil, errURLTemplateParse
	}
	trees, err := parse.Parse("url", tmpl, "{{", "}}")
	if err != nil {
		return nil, errURLTemplateParse
	}
	t := trees["url"]
	if len(trees) != 1 || t == nil || t.Root == nil {
		return nil, errURLTemplateParse
	}
	for _, n := range t.Root.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
		case *parse.ActionNode:
			if _, ok := urlTemplateField(n); !ok {
				return nil, errURLTemplateField
			}
		default:
			return nil, errURLTemplateField
		}
	}
	return t.Root.Nodes, nil
}

// urlTemplateField is the one field an action names, if that is all it does.
func urlTemplateField(a *parse.ActionNode) (string, bool) {
	if a.Pipe == nil || len(a.Pipe.Decl) != 0 || len(a.Pipe.Cmds) != 1 || len(a.Pipe.Cmds[0].Args) != 1 {
		return "", false
	}
	f, ok := a.Pipe.Cmds[0].Args[0].(*parse.FieldNode)
	if !ok || len(f.Ident) != 1 || !urlTemplateFields[f.Ident[0]] {
		return "", false
	}
	return f.Ident[0], true
}

// renderURLTemplate fills tmpl's placeholders from vals (query-escaped).
func renderURLTemplate(tmpl string, vals map[string]string) (string, error) {
	nodes, err := urlTemplateNodes(tmpl)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, n := range nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			b.Write(n.Text)
		case *parse.ActionNode:
			name, _ := urlTemplateField(n)
			b.WriteString(url.QueryEscape(vals[name]))
		}
	}
	return b.String(), nil
}
