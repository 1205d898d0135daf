package app

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
	"google.golang.org/grpc/codes"
)

// Verifying e-mail addresses and phone numbers with codes, as ZITADEL does:
// a new unverified address gets a code (sent in a mail, or for a phone an
// SMS, through the outbox in the change's write; or answered to the caller
// with v2's return_code, and then nothing is sent), a code can be sent
// again, and the right code verifies the address the code was sent to.
// Who may: an administrator with user.write in the user's org; in v2 also
// the user itself (ZITADEL's checkPermissionUpdateUser), except that only an
// administrator may set an address verified outright; in the Auth API the
// signed-in user on itself. The login page's link verifies for whoever holds
// the code (VerifyEmailLink).

// ContactCode says how the verification code of an address reaches its user.
type ContactCode struct {
	// Return: answer the code to the caller (v2's return_code); nothing is sent.
	Return bool
	// URLTemplate is the link of the mail (v2's send_code.url_template, with
	// ZITADEL's placeholders); "" = the login page's verification link.
	URLTemplate string
}

// VerificationPath is the login page that verifies an e-mail address from
// the link in the mail (ZITADEL's login v1 path).
const VerificationPath = "/ui/login/mail/verification"

func (c ContactCode) check() error {
	if c.URLTemplate == "" {
		return nil
	}
	return CheckURLTemplate(c.URLTemplate)
}

// verificationURL is the link the mail carries: the caller's template, else
// the login page with the user, its org and the code.
func (a *App) verificationURL(ctx context.Context, r store.Reader, u *user.User, code, tmpl string) (string, error) {
	if tmpl == "" {
		q := url.Values{"userID": {u.ID}, "code": {code}, "orgID": {u.OrgID}}
		return a.PublicURL() + VerificationPath + "?" + q.Encode(), nil
	}
	args := a.userMessageArgs(ctx, r, u)
	vals := map[string]string{"UserID": u.ID, "OrgID": u.OrgID, "Code": code, "LoginName": args["PreferredLoginName"],
		"DisplayName": args["DisplayName"], "PreferredLanguage": args["PreferredLanguage"], "LastEmail": args["LastEmail"]}
	return renderURLTemplate(tmpl, vals)
}

// prepareVerification draws u's verification code for p (CodeEmail,
// CodePhone) and records it on u; send queues its message in a write (a
// no-op when c.Return). plain is the code when c.Return, else "".
func (a *App) prepareVerification(ctx context.Context, r store.Reader, u *user.User, p user.CodePurpose, c ContactCode, by user.Actor) (plain string, ev event.Event, send func(context.Context, store.Tx) error, err error) {
	target := u.Human.Email
	if p == user.CodePhone {
		target = u.Human.Phone
	}
	payload := map[string]any{}
	if c.URLTemplate != "" {
		payload["urlTemplate"] = c.URLTemplate
	}
	code, ev, err := a.makeCode(ctx, r, u, p, target, CodeDelivery{Return: c.Return, Payload: payload}, by)
	if err != nil {
		return "", event.Event{}, nil, err
	}
	if c.Return {
		return code, ev, func(context.Context, store.Tx) error { return nil }, nil
	}
	return "", ev, func(ctx context.Context, tx store.Tx) error {
		d := CodeDelivery{}
		if p == user.CodeEmail {
			if d.URL, err = a.verificationURL(ctx, tx, u, code, c.URLTemplate); err != nil {
				return err
			}
		}
		return a.sendCode(ctx, tx, u, p, target, code, d)
	}, nil
}

// issueVerification is prepareVerification and its sending, in tx. A phone
// code's message has no link, so it is issueCode's.
func (a *App) issueVerification(ctx context.Context, tx store.Tx, u *user.User, p user.CodePurpose, c ContactCode, by user.Actor) (string, event.Event, error) {
	if p == user.CodePhone {
		return a.issueCode(ctx, tx, u, p, u.Human.Phone, CodeDelivery{Return: c.Return, Payload: map[string]any{}}, by)
	}
	plain, ev, send, err := a.prepareVerification(ctx, tx, u, p, c, by)
	if err != nil {
		return "", event.Event{}, err
	}
	return plain, ev, send(ctx, tx)
}

// ownOrLoader is the loader of a change under use: for an AsCaller use case
// the caller itself; for a use case the user itself may do (Rule.Self) and
// the caller names itself without an org context (v2), its own user;
// otherwise loadForChange's (the permission in the scope). self says the
// caller acts on itself without needing the permission.
func (a *App) ownOrLoader(ctx context.Context, s Scope, use Use, userID string) (userLoader, func(u *user.User) bool, error) {
	g, err := a.authorize(ctx, s, use)
	if err != nil {
		return nil, nil, err
	}
	may := func(u *user.User) bool { return g.Caller.Can(g.perm(), u.OrgID) }
	if g.rule.Where == AsCaller {
		return func(ctx context.Context, tx store.Reader) (*user.User, error) {
			u, err := tx.User(ctx, g.Caller.UserID)
			if errors.Is(err, store.ErrNotFound) {
				return nil, fail.Unauthenticated
			}
			return u, err
		}, func(*user.User) bool { return false }, nil
	}
	if err := checkID(userID, errUserIDMissing); err != nil {
		return nil, nil, err
	}
	if g.rule.Self && !g.inOrgContext() && g.Caller != nil && g.Caller.UserID == userID {
		return func(ctx context.Context, tx store.Reader) (*user.User, error) {
			u, err := tx.User(ctx, userID)
			if errors.Is(err, store.ErrNotFound) || err == nil && u.State == user.StateDeleted {
				return nil, user.ErrChangeNotFound
			}
			return u, err
		}, may, nil
	}
	return func(ctx context.Context, tx store.Reader) (*user.User, error) {
		return a.loadForChange(ctx, tx, g, userID, user.ErrChangeNotFound)
	}, may, nil
}

// SetEmail sets a human's e-mail address (v2 SetEmail; v1 UpdateHumanEmail
// and the console through UpdateEmail; Auth v1 SetMyEmail): verified outright
// when verified (an administrator only), else unverified with a new code
// delivered as c says. The answer carries the code when c.Return.
func (a *App) SetEmail(ctx context.Context, s Scope, use Use, userID, email string, verified bool, c ContactCode) (*user.User, string, error) {
	email = strings.TrimSpace(email)
	if err := checkText("email", email, true); err != nil {
		return nil, "", err
	}
	if !strings.Contains(email, "@") || strings.ContainsAny(email, " \t\r\n") {
		return nil, "", errEmailInvalid
	}
	return a.setContact(ctx, s, use, userID, user.CodeEmail, email, verified, c)
}

// SetPhone sets a human's phone number, as SetEmail does (v2 SetPhone; v1
// UpdateHumanPhone through UpdatePhone; Auth v1 SetMyPhone); its code goes
// out as a text message.
func (a *App) SetPhone(ctx context.Context, s Scope, use Use, userID, phone string, verified bool, c ContactCode) (*user.User, string, error) {
	phone = strings.TrimSpace(phone)
	if err := checkText("phone", phone, true); err != nil {
		return nil, "", err
	}
	if !phoneLike(phone) {
		return nil, "", errPhoneInvalid
	}
	c.URLTemplate = "" // a text message carries no link
	return a.setContact(ctx, s, use, userID, user.CodePhone, phone, verified, c)
}

func (a *App) setContact(ctx context.Context, s Scope, use Use, userID string, p user.CodePurpose, value string, verified bool, c ContactCode) (*user.User, string, error) {
	if err := c.check(); err != nil {
		return nil, "", err
	}
	load, may, err := a.ownOrLoader(ctx, s, use, userID)
	if err != nil {
		return nil, "", err
	}
	var plain string
	u, err := a.writeUser(ctx, load, func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error) {
		plain = ""
		if verified && s.Caller != nil && s.Caller.UserID == u.ID && !may(u) {
			return nil, fail.PermissionDenied // only an administrator sets an address verified
		}
		by := actor(s.Caller)
		var evs []event.Event
		var err error
		if p == user.CodePhone {
			evs, err = user.ChangePhone(u, value, verified, by)
		} else {
			evs, err = user.ChangeEmail(u, value, verified, by)
		}
		if err != nil || verified {
			return evs, err
		}
		code, ev, err := a.issueVerification(ctx, tx, u, p, c, by)
		if err != nil {
			return nil, err
		}
		plain = code
		return append(evs, ev), nil
	})
	if err != nil {
		return nil, "", err
	}
	return u, plain, nil
}

// Resend says which precondition a new code for an address has.
type Resend int

const (
	// SendNew: v2 SendEmailCode, a new code whatever is pending.
	SendNew Resend = iota
	// ResendPending: v2 Resend…Code, only while a code is pending.
	ResendPending
	// ResendUnverified: v1 Resend…Verification, only while the address is unverified.
	ResendUnverified
)

// SendVerificationCode issues a new verification code for the user's e-mail
// address (p = CodeEmail) or phone number (CodePhone), replacing any pending
// one, delivered as c says.
func (a *App) SendVerificationCode(ctx context.Context, s Scope, use Use, userID string, p user.CodePurpose, when Resend, c ContactCode) (*user.User, string, error) {
	if p != user.CodeEmail && p != user.CodePhone {
		return nil, "", fail.Internal
	}
	if p == user.CodePhone {
		c.URLTemplate = ""
	}
	if err := c.check(); err != nil {
		return nil, "", err
	}
	load, _, err := a.ownOrLoader(ctx, s, use, userID)
	if err != nil {
		return nil, "", err
	}
	var plain string
	u, err := a.writeUser(ctx, load, func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error) {
		plain = ""
		var err error
		switch when {
		case ResendPending:
			err = user.HasPendingCode(u, p)
		case ResendUnverified:
			err = user.CanResendVerification(u, p)
		default:
			if err = user.CanResendVerification(u, p); errors.Is(err, user.ErrEmailAlreadyVerified) || errors.Is(err, user.ErrPhoneAlreadyVerified) {
				err = nil // v2 sends a code to a verified address too
			}
		}
		if err != nil {
			return nil, err
		}
		code, ev, err := a.issueVerification(ctx, tx, u, p, c, actor(s.Caller))
		if err != nil {
			return nil, err
		}
		plain = code
		return []event.Event{ev}, nil
	})
	if err != nil {
		return nil, "", err
	}
	return u, plain, nil
}

// VerifyContact checks a verification code for the user's e-mail address or
// phone number (v2 VerifyEmail/VerifyPhone, v1's VerifyMy…): right, it
// verifies the address and is spent; wrong, it is counted toward the lockout
// policy's max_otp_attempts (user.CheckCode).
func (a *App) VerifyContact(ctx context.Context, s Scope, use Use, userID string, p user.CodePurpose, code string) (*user.User, error) {
	if p != user.CodeEmail && p != user.CodePhone {
		return nil, fail.Internal
	}
	if code = strings.TrimSpace(code); code == "" {
		return nil, errCodeEmpty
	}
	if err := checkText("verification code", code, true); err != nil {
		return nil, err
	}
	load, _, err := a.ownOrLoader(ctx, s, use, userID)
	if err != nil {
		return nil, err
	}
	return a.useCode(ctx, load, p, code, actor(s.Caller), func(_ context.Context, _ store.Tx, u *user.User) ([]event.Event, error) {
		ev, err := user.VerifiedBy(u, p, actor(s.Caller))
		if err != nil {
			return nil, err
		}
		return []event.Event{ev}, nil
	})
}

// VerifyEmailLink verifies an e-mail address from the link in the mail (the
// login page, signed out): whoever holds the code may. Every refusal — a
// wrong, used or expired code, an unknown, locked or deactivated user — is
// ErrCodeInvalid, so the page tells nothing about the user; a wrong code is
// still counted toward the lockout policy.
func (a *App) VerifyEmailLink(ctx context.Context, userID, code string) error {
	code = strings.TrimSpace(code)
	if code == "" {
		return errCodeEmpty
	}
	if checkID(userID, errUserIDMissing) != nil || checkText("verification code", code, true) != nil {
		return user.ErrCodeInvalid
	}
	by := user.Actor{UserID: userID, At: store.Now()}
	_, err := a.useCode(ctx, func(ctx context.Context, tx store.Reader) (*user.User, error) {
		u, err := tx.User(ctx, userID)
		if errors.Is(err, store.ErrNotFound) || err == nil && (u.State == user.StateDeleted || u.Human == nil) {
			return nil, user.ErrCodeInvalid
		}
		return u, err
	}, user.CodeEmail, code, by, func(_ context.Context, _ store.Tx, u *user.User) ([]event.Event, error) {
		ev, err := user.VerifiedBy(u, user.CodeEmail, by)
		if err != nil {
			return nil, err
		}
		return []event.Event{ev}, nil
	})
	if fe, ok := fail.As(err); ok && (fe.Code == codes.InvalidArgument || fe.Code == codes.FailedPrecondition || fe.Code == codes.NotFound) {
		return user.ErrCodeInvalid // one answer for every refusal: the page tells nothing about the user
	}
	return err
}
