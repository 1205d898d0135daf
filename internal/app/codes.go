package app

import (
	"context"
	"html"
	"strings"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/msgtext"
	"github.com/warden-id/warden/internal/secretgen"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// The use of one-time codes (the rules are user.AddCode and user.CheckCode):
// a code is drawn from its secret generator, stored only as a MAC under a key
// derived from the master key (so a copy of the database is no list of
// codes, and a short code cannot be brute-forced offline from it), and either
// queued in the outbox in the same write or answered to the caller
// (return_code). Checking it happens in a write too, so the change it allows
// and its consumption commit together.

// codeGenerator is the secret generator each purpose draws from. Invitations
// use the initialization code's, as ZITADEL's defaults give both the same
// shape (ZITADEL's invite generator is not configurable through the API).
var codeGenerator = map[user.CodePurpose]secretgen.Type{
	user.CodeEmail:    secretgen.TypeVerifyEmailCode,
	user.CodePhone:    secretgen.TypeVerifyPhoneCode,
	user.CodePassword: secretgen.TypePasswordResetCode,
	user.CodeInit:     secretgen.TypeInitCode,
	user.CodeInvite:   secretgen.TypeInitCode,
}

// codeMessage is the message type each purpose is sent with.
var codeMessage = map[user.CodePurpose]msgtext.Type{
	user.CodeEmail:    msgtext.VerifyEmail,
	user.CodePhone:    msgtext.VerifyPhone,
	user.CodePassword: msgtext.PasswordReset,
	user.CodeInit:     msgtext.InitCode,
	user.CodeInvite:   msgtext.InviteUser,
}

// codeMAC is a code's stored form, bound to its user and purpose: a code of
// one user or purpose never checks for another.
func (a *App) codeMAC(userID string, p user.CodePurpose, code string) []byte {
	return a.keys.MAC("user-code", userID, string(p), code)
}

// CodeDelivery says how an issued code reaches its user.
type CodeDelivery struct {
	// Return: answer the code to the caller instead of sending it.
	Return bool
	// URL is the link the message carries ({{.URL}}); "" = none. It may
	// contain the code: it is rendered once, into the sealed outbox row.
	URL string
	// URLTemplate, when set, is the link instead of URL: a URL template
	// (CheckURLTemplate) rendered with the user's values and the code drawn
	// here. It is kept with the code, for a resend.
	URLTemplate string
	// ApplicationName fills {{.ApplicationName}}.
	ApplicationName string
	// Payload adds fields to the code's event (ZITADEL's urlTemplate, …).
	Payload map[string]any
}

// issueCode draws a code for p, stores its MAC on u, and sends it to target
// (the e-mail address, or for a phone code the number) through the outbox
// in tx, unless d.Return asks for it back. It returns the plain code (only
// for the caller to answer when d.Return; otherwise ""), and the event to
// record with the write.
func (a *App) issueCode(ctx context.Context, tx store.Tx, u *user.User, p user.CodePurpose, target string, d CodeDelivery, by user.Actor) (string, event.Event, error) {
	plain, ev, err := a.makeCode(ctx, tx, u, p, target, d, by)
	if err != nil {
		return "", event.Event{}, err
	}
	if d.Return {
		return plain, ev, nil
	}
	return "", ev, a.sendCode(ctx, tx, u, p, target, plain, d)
}

// makeCode is issueCode's first half, for a user not yet stored (a new
// user's codes are on it when it is inserted): the code drawn and its MAC on
// u. It returns the plain code, which sendCode (in the insert's write) sends
// unless d.Return.
func (a *App) makeCode(ctx context.Context, r store.Reader, u *user.User, p user.CodePurpose, target string, d CodeDelivery, by user.Actor) (string, event.Event, error) {
	cfg, err := codeConfig(ctx, r, p)
	if err != nil {
		return "", event.Event{}, err
	}
	plain, err := secretgen.Generate(cfg)
	if err != nil {
		return "", event.Event{}, err
	}
	now := store.Now()
	c := user.Code{MAC: a.codeMAC(u.ID, p, plain), Target: target, CreatedAt: now, Expiry: cfg.Expiry, Returned: d.Return,
		URLTemplate: d.URLTemplate, ApplicationName: d.ApplicationName}
	ev, err := user.AddCode(u, p, c, by, d.Payload)
	if err != nil {
		return "", event.Event{}, err
	}
	return plain, ev, nil
}

// sendCode renders the purpose's message with plain (and d's link) and
// queues it to target in tx.
func (a *App) sendCode(ctx context.Context, tx store.Tx, u *user.User, p user.CodePurpose, target, plain string, d CodeDelivery) error {
	cfg, err := codeConfig(ctx, tx, p)
	if err != nil {
		return err
	}
	args := a.userMessageArgs(ctx, tx, u)
	if d.URLTemplate != "" {
		vals := map[string]string{"UserID": u.ID, "OrgID": u.OrgID, "Code": plain, "LoginName": args["PreferredLoginName"],
			"DisplayName": args["DisplayName"], "PreferredLanguage": args["PreferredLanguage"], "LastEmail": args["LastEmail"],
			"ApplicationName": d.ApplicationName}
		if d.URL, err = renderURLTemplate(d.URLTemplate, vals); err != nil {
			return err
		}
	}
	args["Code"], args["URL"], args["ApplicationName"] = plain, strings.ReplaceAll(d.URL, "\n", ""), d.ApplicationName
	args["Expiry"] = cfg.Expiry.String()
	return a.queueUserMessage(ctx, tx, u, codeMessage[p], p == user.CodePhone, target, args)
}

func codeConfig(ctx context.Context, r store.Reader, p user.CodePurpose) (secretgen.Config, error) {
	t, ok := codeGenerator[p]
	if !ok {
		return secretgen.Config{}, errGeneratorType
	}
	g, _, err := secretGenerator(ctx, r, t)
	return g.Config, err
}

// userMessageArgs are the placeholders every message to u may use.
func (a *App) userMessageArgs(ctx context.Context, r store.Reader, u *user.User) msgtext.Args {
	args := msgtext.Args{"UserName": u.UserName}
	if h := u.Human; h != nil {
		args["FirstName"], args["LastName"], args["NickName"], args["DisplayName"] = h.FirstName, h.LastName, h.NickName, h.DisplayName
		args["PreferredLanguage"], args["LastEmail"], args["LastPhone"] = h.PreferredLanguage, h.Email, h.Phone
		if h.EmailVerified {
			args["VerifiedEmail"] = h.Email
		}
		if h.PhoneVerified {
			args["VerifiedPhone"] = h.Phone
		}
		if args["DisplayName"] == "" {
			args["DisplayName"] = strings.TrimSpace(h.FirstName + " " + h.LastName)
		}
	}
	if o, err := r.Org(ctx, u.OrgID); err == nil {
		args["OrgName"] = o.Name
		args["PreferredLoginName"] = a.LoginName(u, o)
	}
	if args["PreferredLoginName"] == "" {
		args["PreferredLoginName"] = u.UserName
	}
	return args
}

// queueUserMessage renders message t in u's language and queues it in tx: as
// a text message to phone when sms, else as a mail to the address to.
func (a *App) queueUserMessage(ctx context.Context, tx store.Tx, u *user.User, t msgtext.Type, sms bool, to string, args msgtext.Args) error {
	lang := ""
	if u.Human != nil {
		lang = u.Human.PreferredLanguage
	}
	txt, err := messageText(ctx, tx, u.OrgID, t, lang)
	if err != nil {
		return err
	}
	r, err := msgtext.Render(txt, args)
	if err != nil {
		return err
	}
	if sms {
		_, err = a.queueSMS(ctx, tx, SMS{To: to, Text: html.UnescapeString(r.Text)})
		return err
	}
	_, err = a.queueMail(ctx, tx, Mail{To: to, Subject: html.UnescapeString(r.Subject), Text: mailText(r), HTML: mailHTML(r, args["URL"])})
	return err
}

// mailText is the plain-text part: the rendered fields unescaped (they were
// escaped for HTML) and the link on a line of its own.
func mailText(r msgtext.Rendered) string {
	var b strings.Builder
	for _, f := range []string{r.Greeting, r.Text, r.FooterText} {
		if f != "" {
			b.WriteString(html.UnescapeString(f))
			b.WriteString("\n\n")
		}
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// mailHTML is the HTML part. Every field is already escaped by the renderer;
// the link is escaped here and offered only for http(s).
func mailHTML(r msgtext.Rendered, url string) string {
	var b strings.Builder
	b.WriteString("<!doctype html><html><head><meta charset=\"utf-8\"><title>" + r.Title + "</title></head><body>")
	if r.PreHeader != "" {
		b.WriteString(`<div style="display:none">` + r.PreHeader + `</div>`)
	}
	for _, f := range []string{r.Greeting, r.Text} {
		if f != "" {
			b.WriteString("<p>" + f + "</p>")
		}
	}
	if url != "" && (strings.HasPrefix(url, "https://") || strings.HasPrefix(url, "http://")) {
		label := r.ButtonText
		if label == "" {
			label = html.EscapeString(url)
		}
		b.WriteString(`<p><a href="` + html.EscapeString(url) + `">` + label + `</a></p>`)
	}
	if r.FooterText != "" {
		b.WriteString("<p><small>" + r.FooterText + "</small></p>")
	}
	b.WriteString("</body></html>")
	return b.String()
}

// useCode checks code for p on the user load finds and, if it is right, lets
// apply make the change it allows in the same write (apply must record at
// least one event: the change, e.g. user.human.email.verified). A wrong code
// is counted and recorded, and locks the user at the lockout policy's
// max_otp_attempts; the answer is then the code's error.
func (a *App) useCode(ctx context.Context, load userLoader, p user.CodePurpose, code string, by user.Actor, apply userDecision) (*user.User, error) {
	var answer error
	locked := false
	u, err := a.writeUser(ctx, load, func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error) {
		answer, locked = nil, false // the decision may run again after a conflict
		pol, err := lockoutPolicy(ctx, tx, u.OrgID)
		if err != nil {
			return nil, err
		}
		evs, outcome, cerr := user.CheckCode(u, p, a.codeMAC(u.ID, p, code), store.Now(), pol.MaxOTPAttempts, user.Actor{UserID: by.UserID, At: store.Now()})
		if outcome != user.CheckOK {
			answer, locked = cerr, outcome == user.CheckWrongLocked
			return evs, nil
		}
		return apply(ctx, tx, u)
	})
	if err != nil {
		return nil, err
	}
	if locked {
		a.log.WarnContext(ctx, "user locked by lockout policy after wrong codes", "user", u.ID)
		a.obs.UserLocked(LockCausePolicy)
	}
	if answer != nil {
		return nil, answer
	}
	return u, nil
}
