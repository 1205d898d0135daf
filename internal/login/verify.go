package login

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/warden-id/warden/internal/app"
)

// The e-mail verification page, where the link in a verification mail leads
// (ZITADEL's login v1 path, app.VerificationPath): it shows a form with the
// code prefilled, and the form's post (CSRF-checked, no script) verifies the
// address. It needs no sign-in: whoever holds the code may. A wrong code, an
// expired one, another user's and an unknown user all answer the same, and
// each miss costs a token of the address's throttle bucket, as a wrong
// password does.

const (
	pathVerifyEmail = app.VerificationPath
	maxVerifyCode   = 64
)

// Texts of the verification page; tests match them.
const (
	TextEmailVerified = "Your e-mail address is verified. You can close this window."
	TextVerifyFailed  = "That code does not verify an e-mail address. It may be wrong, used or expired: ask for a new one."
	TextVerifyEmpty   = "Enter the code from the mail."
	titleVerifyEmail  = "Verify your e-mail address"
)

// verifyEmail shows the form, prefilled from the link.
func (h *handler) verifyEmail(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	h.render(w, r, http.StatusOK, "verify", page{Title: titleVerifyEmail,
		UserID: clip(q.Get("userID"), app.MaxIDLen), UserCode: clip(q.Get("code"), maxVerifyCode)}, "")
}

// postVerifyEmail verifies the address with the code posted.
func (h *handler) postVerifyEmail(w http.ResponseWriter, r *http.Request) {
	if !h.parse(w, r) {
		return
	}
	userID := strings.TrimSpace(r.PostForm.Get("userID"))
	code := strings.TrimSpace(r.PostForm.Get("code"))
	p := page{Title: titleVerifyEmail, UserID: clip(userID, app.MaxIDLen), UserCode: clip(code, maxVerifyCode)}
	if code == "" || userID == "" {
		p.Error = TextVerifyEmpty
		h.render(w, r, http.StatusOK, "verify", p, "")
		return
	}
	ip := clientIP(r, h.opts.TrustedProxies)
	refund, ok := h.reserve(r, "ip:"+ip, "verify:"+ip)
	if !ok {
		h.message(w, r, http.StatusTooManyRequests, page{Title: "Too many attempts", Error: TextThrottled})
		return
	}
	err := h.app.VerifyEmailLink(r.Context(), clip(userID, app.MaxIDLen+1), clip(code, maxVerifyCode+1))
	switch {
	case err == nil:
		refund()
		h.message(w, r, http.StatusOK, page{Title: "E-mail address verified", Message: TextEmailVerified})
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		refund()
		h.internal(w, r, "verify e-mail", err)
	case isCodeRefusal(err):
		p.Error = TextVerifyFailed
		h.render(w, r, http.StatusBadRequest, "verify", p, "")
	default:
		refund()
		h.internal(w, r, "verify e-mail", err)
	}
}
