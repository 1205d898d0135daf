// Package msgtext holds the texts of the messages Warden sends (init code,
// e-mail and phone verification, one-time passwords by SMS and e-mail,
// password reset and change, domain claimed, passwordless registration,
// invite), their built-in defaults, the languages a custom text may be set
// in, the check of a
// text an administrator sets, and the renderer that fills ZITADEL's
// placeholders ({{.UserName}}, {{.Code}}, {{.URL}} ...). Pure.
//
// A custom text may hold placeholders and nothing else of Go's template
// language: no if/range/with/template/block/define, no functions, no
// variables, no pipelines. The renderer does not execute templates at all; it
// walks the parsed text and escapes every piece (the administrator's words and
// the user's values alike) for HTML.
package msgtext

import (
	"errors"
	"fmt"
	"html"
	"strings"
	"text/template/parse"
	"unicode/utf8"
)

// Type is a message type, named as ZITADEL's domain message types.
type Type string

const (
	InitCode                 Type = "InitCode"
	VerifyEmail              Type = "VerifyEmail"
	VerifyPhone              Type = "VerifyPhone"
	VerifySMSOTP             Type = "VerifySMSOTP"
	VerifyEmailOTP           Type = "VerifyEmailOTP"
	PasswordReset            Type = "PasswordReset"
	PasswordChange           Type = "PasswordChange"
	DomainClaimed            Type = "DomainClaimed"
	PasswordlessRegistration Type = "PasswordlessRegistration"
	InviteUser               Type = "InviteUser"
)

// Types are the served message types.
var Types = []Type{InitCode, PasswordReset, VerifyEmail, VerifyPhone, VerifySMSOTP, VerifyEmailOTP, DomainClaimed, PasswordlessRegistration, PasswordChange, InviteUser}

// Valid says whether t is a served type.
func (t Type) Valid() bool {
	for _, x := range Types {
		if x == t {
			return true
		}
	}
	return false
}

// Text is one message in one language: ZITADEL's seven fields.
type Text struct {
	Title      string `json:"title"`
	PreHeader  string `json:"preHeader"`
	Subject    string `json:"subject"`
	Greeting   string `json:"greeting"`
	Text       string `json:"text"`
	ButtonText string `json:"buttonText"`
	FooterText string `json:"footerText"`
}

func (t *Text) fields() []*string {
	return []*string{&t.Title, &t.PreHeader, &t.Subject, &t.Greeting, &t.Text, &t.ButtonText, &t.FooterText}
}

var fieldNames = []string{"title", "pre_header", "subject", "greeting", "text", "button_text", "footer_text"}

// Keys are ZITADEL's names of the seven fields in its custom text events
// (domain.MessageTitle ... domain.MessageFooterText), in the order of Values.
var Keys = []string{"Title", "PreHeader", "Subject", "Greeting", "Text", "ButtonText", "Footer"}

// Values are the seven fields in the order of Keys.
func (t Text) Values() []string {
	return []string{t.Title, t.PreHeader, t.Subject, t.Greeting, t.Text, t.ButtonText, t.FooterText}
}

// IsZero says whether every field is empty.
func (t Text) IsZero() bool { return t == Text{} }

// Placeholders are the values a text may name, as ZITADEL's templates do.
var Placeholders = []string{
	"UserName", "FirstName", "LastName", "NickName", "DisplayName", "PreferredLoginName", "LoginNames",
	"LastEmail", "VerifiedEmail", "LastPhone", "VerifiedPhone", "PreferredLanguage", "Gender",
	"Code", "URL", "Expiry", "Domain", "OrgName", "ApplicationName",
	// ZITADEL's one-time password and domain-claimed templates name these.
	"OTP", "VerifyURL", "Username", "TempUsername",
}

// Args are the values a message is rendered with; keys are Placeholders.
type Args map[string]string

// MaxFieldLen bounds one field of a custom text (bytes).
const MaxFieldLen = 8000

var (
	// ErrTemplate: a field uses template syntax beyond a placeholder.
	ErrTemplate = errors.New("message text may hold only placeholders such as {{.UserName}}")
	// ErrPlaceholder: a placeholder Warden does not know.
	ErrPlaceholder = errors.New("unknown placeholder")
	// ErrField: a field too long, not UTF-8, or holding a NUL.
	ErrField = errors.New("message text field too long or not valid text")
)

func known(name string) bool {
	for _, p := range Placeholders {
		if p == name {
			return true
		}
	}
	return false
}

// piece is a part of a parsed field: literal text, or a placeholder's name.
type piece struct {
	text        string
	placeholder string
}

// compile parses one field into pieces, refusing anything but text and
// {{.Placeholder}} actions.
func compile(src string) ([]piece, error) {
	if !strings.Contains(src, "{{") {
		return []piece{{text: src}}, nil
	}
	// Parse without any functions: a function call fails to parse already.
	trees, err := parse.Parse("t", src, "{{", "}}")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTemplate, err)
	}
	if len(trees) != 1 { // {{define}} or {{block}} adds trees
		return nil, ErrTemplate
	}
	root := trees["t"]
	if root == nil || root.Root == nil {
		return nil, ErrTemplate
	}
	var out []piece
	for _, n := range root.Root.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			out = append(out, piece{text: string(n.Text)})
		case *parse.ActionNode:
			name, err := placeholderOf(n)
			if err != nil {
				return nil, err
			}
			out = append(out, piece{placeholder: name})
		default: // if, range, with, template, break, continue, comments
			return nil, fmt.Errorf("%w: %s", ErrTemplate, n.String())
		}
	}
	return out, nil
}

func placeholderOf(n *parse.ActionNode) (string, error) {
	p := n.Pipe
	if p == nil || len(p.Decl) > 0 || p.IsAssign || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return "", fmt.Errorf("%w: %s", ErrTemplate, n.String())
	}
	f, ok := p.Cmds[0].Args[0].(*parse.FieldNode)
	if !ok || len(f.Ident) != 1 {
		return "", fmt.Errorf("%w: %s", ErrTemplate, n.String())
	}
	if !known(f.Ident[0]) {
		return "", fmt.Errorf("%w: %s", ErrPlaceholder, f.Ident[0])
	}
	return f.Ident[0], nil
}

// Validate checks a text an administrator sets: every field within
// MaxFieldLen, valid UTF-8 without NUL, and only known placeholders. The
// error names the field.
func (t Text) Validate() error {
	for i, f := range t.fields() {
		if len(*f) > MaxFieldLen || !utf8.ValidString(*f) || strings.ContainsRune(*f, 0) {
			return fmt.Errorf("%s: %w", fieldNames[i], ErrField)
		}
		if _, err := compile(*f); err != nil {
			return fmt.Errorf("%s: %w", fieldNames[i], err)
		}
	}
	return nil
}

// Rendered is a message ready for a layout: every field HTML-escaped.
type Rendered Text

// Render fills t's placeholders from args. Every literal piece and every
// value is HTML-escaped, so neither an administrator's text nor a user's name
// can add markup; a placeholder without a value renders empty.
func Render(t Text, args Args) (Rendered, error) {
	out := t
	for i, f := range out.fields() {
		ps, err := compile(*f)
		if err != nil {
			return Rendered{}, fmt.Errorf("%s: %w", fieldNames[i], err)
		}
		var b strings.Builder
		for _, p := range ps {
			if p.placeholder != "" {
				b.WriteString(html.EscapeString(args[p.placeholder]))
			} else {
				b.WriteString(html.EscapeString(p.text))
			}
		}
		*f = b.String()
	}
	return Rendered(out), nil
}

// Merge returns custom with its empty fields taken from def, as ZITADEL fills
// a partly customised text from the default; with more texts, each field is
// the first non-empty one in the order given.
func Merge(custom Text, defs ...Text) Text {
	out := custom
	for _, def := range defs {
		d := def.fields()
		for i, f := range out.fields() {
			if *f == "" {
				*f = *d[i]
			}
		}
	}
	return out
}
