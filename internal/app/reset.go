package app

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/msgtext"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// The codes that lead to a password (ZITADEL's semantics): a reset code
// (v2 PasswordReset, v1 SendHumanResetPasswordNotification, the login page's
// "forgot password"), an initialization code (v1: sent when a user is made
// without a password, and on ResendHumanInitialization) and an invitation
// (v2 CreateInviteCode). Each is issued in a write of the user (issueCode) and
// redeemed in one (useCode), where the redemption and the new password commit
// together.

// The login page's paths the default links point at (ZITADEL login v1's).
const (
	PasswordInitPath = "/ui/login/password/init" // a reset code and a new password
	UserInitPath     = "/ui/login/user/init"     // an initialization or invitation code and a first password
)

// defaultLink is the URL template of a code's link when the caller gave none:
// the login page on the public URL. Invitations say so, as the page redeems
// another code for them.
func (a *App) defaultLink(path string, invite bool) string {
	l := a.PublicURL() + path + "?userID={{.UserID}}&code={{.Code}}&orgID={{.OrgID}}"
	if invite {
		l += "&invite=true"
	}
	return l
}

// ResetRequest says how a reset code reaches its user.
type ResetRequest struct {
	Return      bool   // answer the code instead of sending it (v2 return_code)
	SMS         bool   // send it to the user's phone, not the e-mail address
	URLTemplate string // the link ("" = the login page's)
}

// RequestPasswordReset issues a password reset code for the user (v2
// PasswordReset, v1 SendHumanResetPasswordNotification): with user.write in
// the user's org, or by the user itself (v2). The answer's code is set only
// for r.Return.
func (a *App) RequestPasswordReset(ctx context.Context, s Scope, userID string, r ResetRequest) (*user.User, string, error) {
	g, err := a.authorize(ctx, s, UseRequestPasswordReset)
	if err != nil {
		return nil, "", err
	}
	if err := checkID(userID, errUserIDMissing); err != nil {
		return nil, "", err
	}
	if r.URLTemplate != "" {
		if err := CheckURLTemplate(r.URLTemplate); err != nil {
			return nil, "", err
		}
	}
	tmpl := r.URLTemplate
	if tmpl == "" {
		tmpl = a.defaultLink(PasswordInitPath, false)
	}
	notification := "email"
	if r.SMS {
		notification = "sms"
	}
	var plain string
	u, err := a.writeUser(ctx, func(ctx context.Context, tx store.Reader) (*user.User, error) {
		return a.loadSelfOrForChange(ctx, tx, g, userID)
	}, func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error) {
		if err := user.ResetAllowed(u); err != nil {
			return nil, err
		}
		target := u.Human.Email
		if r.SMS {
			if target = u.Human.Phone; target == "" {
				return nil, user.ErrPhoneNotFound
			}
		}
		payload := map[string]any{"notificationType": notification}
		if r.URLTemplate != "" {
			payload["urlTemplate"] = r.URLTemplate
		}
		code, ev, err := a.issueCode(ctx, tx, u, user.CodePassword, target, CodeDelivery{Return: r.Return, URLTemplate: tmpl, Payload: payload}, actor(g.Caller))
		plain = code
		return []event.Event{ev}, err
	})
	if err != nil {
		return nil, "", err
	}
	return u, plain, nil
}

// loadSelfOrForChange is the user a command of the user itself or of an
// administrator changes: the caller's own user needs no permission (the rule
// says Self), anyone else's needs it, with the escalation rule.
func (a *App) loadSelfOrForChange(ctx context.Context, tx store.Reader, g granted, userID string) (*user.User, error) {
	if g.rule.Self && g.Caller != nil && g.Caller.UserID == userID {
		u, err := tx.User(ctx, userID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, user.ErrGetNotFound
		}
		return u, err
	}
	return a.loadForChange(ctx, tx, g, userID, user.ErrGetNotFound)
}

// SetPasswordWithCode sets a password with a reset code (v2 SetPassword's
// verification_code): the code is the proof, so any authenticated caller
// may, as in ZITADEL.
func (a *App) SetPasswordWithCode(ctx context.Context, s Scope, userID, code, password string) (*user.User, error) {
	g, err := a.authorize(ctx, s, UseSetPasswordWithCode)
	if err != nil {
		return nil, err
	}
	return a.passwordByCode(ctx, userID, user.CodePassword, code, password, actor(g.Caller).UserID)
}

// ResetPasswordByCode is the login page's reset: the code and the new
// password, from a browser without a session.
func (a *App) ResetPasswordByCode(ctx context.Context, userID, code, password string) (*user.User, error) {
	return a.passwordByCode(ctx, userID, user.CodePassword, code, password, userID)
}

// InitPasswordByCode is the login page's first password: an initialization
// code (v1) or, when invite, an invitation (v2), and the password.
func (a *App) InitPasswordByCode(ctx context.Context, userID, code, password string, invite bool) (*user.User, error) {
	p := user.CodeInit
	if invite {
		p = user.CodeInvite
	}
	return a.passwordByCode(ctx, userID, p, code, password, userID)
}

// errCodeMissing is what a redemption without a code answers.
var errCodeMissing = user.ErrCodeInvalid

// passwordByCode redeems a code of purpose p and sets password in the same
// write. The password is measured and hashed before (the hash is slow and
// the write may run again), and only when the user has a code of p pending,
// so a request without one costs no hash slot.
func (a *App) passwordByCode(ctx context.Context, userID string, p user.CodePurpose, code, password, by string) (*user.User, error) {
	if err := checkID(userID, errUserIDMissing); err != nil {
		return nil, err
	}
	if code == "" || len(code) > 256 {
		return nil, errCodeMissing
	}
	if err := checkPasswordRules(password); err != nil {
		return nil, err
	}
	u, err := a.store.User(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, user.ErrGetNotFound
	}
	if err != nil {
		return nil, storeErr(err)
	}
	if u.State == user.StateDeleted {
		return nil, user.ErrGetNotFound
	}
	if user.PendingCode(u, p) == nil {
		return nil, user.CodeNotFound(p) // nothing to redeem: no hash
	}
	if err := checkNewPassword(ctx, a.store, u.OrgID, password); err != nil {
		return nil, err
	}
	hash, err := a.hashPassword(ctx, password)
	if err != nil {
		return nil, err
	}
	load := func(ctx context.Context, tx store.Reader) (*user.User, error) { return tx.User(ctx, userID) }
	return a.useCode(ctx, load, p, code, user.Actor{UserID: by}, func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error) {
		by := user.Actor{UserID: by, At: store.Now()}
		var evs []event.Event
		switch p {
		case user.CodeInit:
			evs = user.AcceptInit(u, by)
		case user.CodeInvite:
			evs = user.AcceptInvite(u, by)
		}
		pw, err := a.passwordSet(ctx, tx, u, hash, false, by)
		return append(evs, pw...), err
	})
}

// passwordSet is the one place a password is set: user.SetPassword, and the
// password-change notice (message PasswordChange to the user's e-mail) in
// the same write when the notification policy in force for the user's org
// asks for it.
func (a *App) passwordSet(ctx context.Context, tx store.Tx, u *user.User, hash string, changeRequired bool, by user.Actor) ([]event.Event, error) {
	ev, err := user.SetPassword(u, hash, changeRequired, by)
	if err != nil {
		return nil, err
	}
	pol, err := notificationPolicy(ctx, tx, u.OrgID)
	if err != nil {
		return nil, err
	}
	if pol.PasswordChange && u.Human.Email != "" {
		if err := a.queueUserMessage(ctx, tx, u, msgtext.PasswordChange, false, u.Human.Email, a.userMessageArgs(ctx, tx, u)); err != nil {
			return nil, err
		}
	}
	return []event.Event{ev}, nil
}

// InviteRequest says how an invitation reaches its user.
type InviteRequest struct {
	Return          bool
	URLTemplate     string // "" = the login page's
	ApplicationName string // "" = Warden
}

// CreateInviteCode issues an invitation (v2 CreateInviteCode) to a user
// without a password: with user.write in the user's org. The code is
// answered only for r.Return.
func (a *App) CreateInviteCode(ctx context.Context, s Scope, userID string, r InviteRequest) (*user.User, string, error) {
	g, err := a.authorize(ctx, s, UseCreateInviteCode)
	if err != nil {
		return nil, "", err
	}
	if err := checkID(userID, errUserIDMissing); err != nil {
		return nil, "", err
	}
	if r.URLTemplate != "" {
		if err := CheckURLTemplate(r.URLTemplate); err != nil {
			return nil, "", err
		}
	}
	if err := checkText("application name", r.ApplicationName, false); err != nil {
		return nil, "", err
	}
	return a.invite(ctx, g, userID, r, false)
}

// ResendInviteCode issues a new invitation in place of one that was sent
// (not returned), with its link and application name.
func (a *App) ResendInviteCode(ctx context.Context, s Scope, userID string) (*user.User, error) {
	g, err := a.authorize(ctx, s, UseResendInviteCode)
	if err != nil {
		return nil, err
	}
	if err := checkID(userID, errUserIDMissing); err != nil {
		return nil, err
	}
	u, _, err := a.invite(ctx, g, userID, InviteRequest{}, true)
	return u, err
}

func (a *App) invite(ctx context.Context, g granted, userID string, r InviteRequest, resend bool) (*user.User, string, error) {
	var plain string
	u, err := a.changeUser(ctx, g, userID, user.ErrGetNotFound, func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error) {
		if err := user.InviteAllowed(u); err != nil {
			return nil, err
		}
		if resend {
			prev := user.PendingCode(u, user.CodeInvite)
			if prev == nil || prev.Returned {
				return nil, user.CodeNotFound(user.CodeInvite)
			}
			r.URLTemplate, r.ApplicationName = prev.URLTemplate, prev.ApplicationName
		}
		tmpl, name := r.URLTemplate, r.ApplicationName
		if tmpl == "" {
			tmpl = a.defaultLink(UserInitPath, true)
		}
		if name == "" {
			name = "Warden"
		}
		payload := map[string]any{"applicationName": name}
		if r.URLTemplate != "" {
			payload["urlTemplate"] = r.URLTemplate
		}
		d := CodeDelivery{Return: r.Return, URLTemplate: tmpl, ApplicationName: name, Payload: payload}
		code, ev, err := a.issueCode(ctx, tx, u, user.CodeInvite, u.Human.Email, d, actor(g.Caller))
		if err != nil {
			return nil, err
		}
		// What a resend finds is the caller's template, not the default.
		u.Human.Codes[user.CodeInvite].URLTemplate = r.URLTemplate
		plain = code
		return []event.Event{ev}, nil
	})
	if err != nil {
		return nil, "", err
	}
	return u, plain, nil
}

// VerifyInviteCode accepts an invitation without setting a password (v2
// VerifyInviteCode): the e-mail address is verified. The code is the proof.
func (a *App) VerifyInviteCode(ctx context.Context, s Scope, userID, code string) (*user.User, error) {
	g, err := a.authorize(ctx, s, UseVerifyInviteCode)
	if err != nil {
		return nil, err
	}
	if err := checkID(userID, errUserIDMissing); err != nil {
		return nil, err
	}
	if code == "" || len(code) > 256 {
		return nil, errCodeMissing
	}
	by := actor(g.Caller)
	load := func(ctx context.Context, tx store.Reader) (*user.User, error) {
		u, err := tx.User(ctx, userID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, user.ErrGetNotFound
		}
		return u, err
	}
	return a.useCode(ctx, load, user.CodeInvite, code, by, func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error) {
		return user.AcceptInvite(u, user.Actor{UserID: by.UserID, At: store.Now()}), nil
	})
}

// ResendInitialization issues a new initialization code to an INITIAL user
// (v1 ResendHumanInitialization), first changing its e-mail address when
// email is given and differs.
func (a *App) ResendInitialization(ctx context.Context, s Scope, userID, email string) (*user.User, error) {
	g, err := a.authorize(ctx, s, UseResendInitialization)
	if err != nil {
		return nil, err
	}
	if err := checkID(userID, errUserIDMissing); err != nil {
		return nil, err
	}
	email = strings.TrimSpace(email)
	if email != "" {
		if err := checkText("email", email, true); err != nil {
			return nil, err
		}
		if !strings.Contains(email, "@") || strings.ContainsAny(email, " \t\r\n") {
			return nil, errEmailInvalid
		}
	}
	return a.changeUser(ctx, g, userID, user.ErrGetNotFound, func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error) {
		if err := user.InitAllowed(u); err != nil {
			return nil, err
		}
		by := actor(g.Caller)
		var evs []event.Event
		if email != "" && email != u.Human.Email {
			ch, err := user.ChangeEmail(u, email, false, by)
			if err != nil {
				return nil, err
			}
			evs = append(evs, ch...)
		}
		ev, err := a.issueInitCode(ctx, tx, u, by)
		return append(evs, ev), err
	})
}

// issueInitCode sends u an initialization code with the login page's link.
func (a *App) issueInitCode(ctx context.Context, tx store.Tx, u *user.User, by user.Actor) (event.Event, error) {
	_, ev, err := a.issueCode(ctx, tx, u, user.CodeInit, u.Human.Email, CodeDelivery{URLTemplate: a.defaultLink(UserInitPath, false)}, by)
	return ev, err
}

// ForgotPassword is the login page's "forgot password": it sends the user a
// reset code with the login page's link, which continues the auth request
// authRequestID ("" = none) once the new password is set. No caller: the
// page answers alike whatever happens here, so the error is for the log.
func (a *App) ForgotPassword(ctx context.Context, userID, authRequestID string) error {
	if err := checkID(userID, errUserIDMissing); err != nil {
		return err
	}
	tmpl := a.defaultLink(PasswordInitPath, false)
	if authRequestID != "" {
		if err := checkID(authRequestID, ErrFlowState); err != nil {
			return err
		}
		tmpl += "&authRequestID=" + url.QueryEscape(authRequestID) // no braces survive the escaping
	}
	_, err := a.writeUser(ctx, func(ctx context.Context, tx store.Reader) (*user.User, error) {
		u, err := tx.User(ctx, userID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, user.ErrGetNotFound
		}
		return u, err
	}, func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error) {
		if err := user.ResetAllowed(u); err != nil {
			return nil, err
		}
		d := CodeDelivery{URLTemplate: tmpl, Payload: map[string]any{"notificationType": "email", "login": true}}
		_, ev, err := a.issueCode(ctx, tx, u, user.CodePassword, u.Human.Email, d, user.Actor{UserID: u.ID})
		return []event.Event{ev}, err
	})
	return err
}
