package login

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/user"
	"google.golang.org/grpc/codes"
)

// Forgotten passwords and the codes mails carry (app/reset.go):
//
//	GET  /ui/login/password/reset[?authRequestID=…]   ask the login name
//	POST /ui/login/password/reset                     send a code, if the account exists; the same answer either way
//	GET  /ui/login/password/init?userID=…&code=…      the code (prefilled) and a new password (ZITADEL login v1's path)
//	POST /ui/login/password/init                      set it; with the mail's auth request, the sign-in goes on
//
// The answer to the name is the same page, at once, for an existing, missing,
// locked or uninitialised account: the lookup and the code are made after the
// answer, so neither the page nor its timing says which accounts exist.
const (
	pathForgot       = basePath + "/password/reset"
	pathPasswordInit = app.PasswordInitPath
	pathUserInit     = app.UserInitPath
)

// Texts a person sees; tests match them.
const (
	TextResetSent   = "If an account with this login name exists, we sent a code to its e-mail address. Open the link in the mail, or enter the code here."
	TextCodeWrong   = "The code is wrong or has expired. Ask for a new one."
	TextPasswordSet = "Your password is set. Go back to your application and sign in."
	TextMismatch    = "The two passwords do not match."
)

// forgotTimeout bounds the work a "forgot password" does after its answer.
const forgotTimeout = 30 * time.Second

func (h *handler) forgot(w http.ResponseWriter, r *http.Request) {
	p := page{Title: "Reset your password", AuthRequestID: clip(r.URL.Query().Get("authRequestID"), maxTokenLen)}
	if p.AuthRequestID != "" {
		if ar, err := h.prov.AuthRequest(r.Context(), p.AuthRequestID, browser(r)); err == nil {
			p.LoginName = ar.LoginName
		} else {
			p.AuthRequestID = ""
		}
	}
	h.render(w, r, http.StatusOK, "forgot", p, "")
}

// postForgot answers the same for every name and sends the code afterwards.
func (h *handler) postForgot(w http.ResponseWriter, r *http.Request) {
	if !h.parse(w, r) {
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("loginName"))
	arID := clip(r.PostForm.Get("authRequestID"), maxTokenLen)
	if name == "" || len(name) > maxLoginName {
		h.render(w, r, http.StatusOK, "forgot", page{Title: "Reset your password", AuthRequestID: arID,
			LoginName: clip(name, maxLoginName), Error: "Enter your user name."}, "")
		return
	}
	// Every request costs an attempt of the address and of the name (a
	// bucket of its own, so mails cannot drain a victim's sign-in).
	if _, ok := h.reserve(r, "ip:"+clientIP(r, h.opts.TrustedProxies), "reset:"+strings.ToLower(name)); !ok {
		h.message(w, r, http.StatusTooManyRequests, page{Title: "Too many attempts", Error: TextThrottled})
		return
	}
	orgID := ""
	if arID != "" {
		if ar, err := h.prov.AuthRequest(r.Context(), arID, browser(r)); err == nil {
			orgID = ar.OrgID
		} else {
			arID = "" // not this browser's: the link starts no sign-in
		}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), forgotTimeout)
	go func() {
		defer cancel()
		u, err := h.app.FindLoginUserIn(ctx, orgID, name)
		if err == nil {
			err = h.app.ForgotPassword(ctx, u.ID, arID)
		}
		if err != nil && !isQuietReset(err) {
			h.log.ErrorContext(ctx, "login: forgot password", "err", err)
		}
	}()
	h.message(w, r, http.StatusOK, page{Title: "Check your e-mail", Message: TextResetSent})
}

// isQuietReset: what a forgotten password's request may meet without anyone
// to tell (no such account, or none that can have a reset).
func isQuietReset(err error) bool {
	for _, e := range []error{user.ErrGetNotFound, app.ErrLoginNameAmbiguous, user.ErrLocked, user.ErrNotActive,
		user.ErrNotHuman, user.ErrNotInitialised, context.Canceled} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// codeForm shows the code and new-password form a mail's link opens.
func (h *handler) codeForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := h.codePage(r.URL.Path, clip(q.Get("userID"), maxTokenLen), clip(q.Get("code"), maxTokenLen),
		clip(q.Get("authRequestID"), maxTokenLen), q.Get("invite") == "true")
	h.render(w, r, http.StatusOK, "setpassword", p, h.redirectOf(r, p.AuthRequestID))
}

// redirectOf is the redirect URI of this browser's auth request id ("" if
// none): a form that goes on with the sign-in may be redirected there.
func (h *handler) redirectOf(r *http.Request, id string) string {
	if id == "" {
		return ""
	}
	ar, err := h.prov.AuthRequest(r.Context(), id, browser(r))
	if err != nil {
		return ""
	}
	return ar.RedirectURI
}

func (h *handler) codePage(path, userID, code, arID string, invite bool) page {
	p := page{Title: "Choose a new password", Action: pathPasswordInit, UserID: userID, Code: code, AuthRequestID: arID}
	if strings.TrimSuffix(path, "/") == pathUserInit {
		p.Title, p.Action, p.Invite = "Choose your password", pathUserInit, invite
	}
	return p
}

// postCode redeems the code with the new password; wrong codes drain the
// address's attempts like wrong passwords (and count toward the lockout
// policy's max_otp_attempts).
func (h *handler) postCode(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if !h.parse(w, r) {
		return
	}
	f := r.PostForm
	p := h.codePage(r.URL.Path, clip(f.Get("userID"), maxTokenLen), clip(strings.TrimSpace(f.Get("code")), maxTokenLen),
		clip(f.Get("authRequestID"), maxTokenLen), f.Get("invite") == "true")
	newPW, confirm := f.Get("newPassword"), f.Get("confirmPassword")
	if newPW != confirm {
		p.Error = TextMismatch
		h.render(w, r, http.StatusOK, "setpassword", p, h.redirectOf(r, p.AuthRequestID))
		return
	}
	if len(newPW) > maxPassword {
		newPW = newPW[:maxPassword] // the rules refuse it below
	}
	refund, ok := h.reserve(r, "ip:"+clientIP(r, h.opts.TrustedProxies), "code:"+p.UserID)
	if !ok {
		h.message(w, r, http.StatusTooManyRequests, page{Title: "Too many attempts", Error: TextThrottled})
		return
	}
	var (
		u   *user.User
		err error
	)
	if p.UserID == "" || p.Code == "" {
		p.Error = TextCodeWrong
		h.render(w, r, http.StatusOK, "setpassword", p, h.redirectOf(r, p.AuthRequestID))
		return
	}
	if p.Action == pathUserInit {
		u, err = h.app.InitPasswordByCode(ctx, p.UserID, p.Code, newPW, p.Invite)
	} else {
		u, err = h.app.ResetPasswordByCode(ctx, p.UserID, p.Code, newPW)
	}
	switch {
	case err == nil:
		refund()
	case errors.Is(err, user.ErrLocked):
		refund() // the code was right
		h.message(w, r, http.StatusForbidden, page{Title: "You cannot sign in", Error: TextLocked})
		return
	case errors.Is(err, user.ErrNotActive):
		refund()
		h.message(w, r, http.StatusForbidden, page{Title: "You cannot sign in", Error: TextInactive})
		return
	case isCodeRefusal(err):
		p.Error = TextCodeWrong
		h.render(w, r, http.StatusOK, "setpassword", p, h.redirectOf(r, p.AuthRequestID))
		return
	default:
		refund()
		if fe, ok := fail.As(err); ok && fe.Code == codes.InvalidArgument {
			p.Error = fe.Message + "." // the complexity policy's words
			h.render(w, r, http.StatusOK, "setpassword", p, h.redirectOf(r, p.AuthRequestID))
			return
		}
		h.internal(w, r, "set password by code", err)
		return
	}
	if p.AuthRequestID != "" {
		if ar, err := h.prov.AuthRequest(ctx, p.AuthRequestID, browser(r)); err == nil && !ar.Authenticated {
			h.signedIn(w, r, ar, u, u.CredentialEpoch, time.Now(), "new")
			return
		}
	}
	h.message(w, r, http.StatusOK, page{Title: "Password set", Message: TextPasswordSet})
}

// isCodeRefusal: the code does not open this account (wrong, expired, none
// pending, no such user) — one answer for all.
func isCodeRefusal(err error) bool {
	if errors.Is(err, user.ErrCodeInvalid) || errors.Is(err, user.ErrCodeExpired) || errors.Is(err, user.ErrGetNotFound) || errors.Is(err, user.ErrNotHuman) {
		return true
	}
	for _, p := range []user.CodePurpose{user.CodePassword, user.CodeInit, user.CodeInvite} {
		if errors.Is(err, user.CodeNotFound(p)) {
			return true
		}
	}
	return false
}
