package login

import (
	"errors"
	"net/http"
	"strings"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/oidc"
	"github.com/warden-id/warden/internal/user"
)

// The device flow's pages (RFC 8628). The person types the code a device
// shows (or follows verification_uri_complete, which prefills it); a known
// code starts a sign-in bound to this browser, which goes through the usual
// steps — session, user name, password, lockout, consent — and then ends here,
// at a page naming the app and what it asks for, where the person allows or
// denies the device. Wrong codes drain the same per-address bucket as wrong
// passwords, and one of their own.

const (
	pathDevice        = oidc.LoginDevicePath
	pathDeviceApprove = pathDevice + "/approve"
	maxUserCode       = 32
)

// Texts of the device pages; tests match them.
const (
	TextUnknownCode    = "That code is unknown or has expired. Check the code your device shows, or start again on the device."
	TextDeviceAllowed  = "Your device is signed in. You can return to it and close this window."
	TextDeviceDenied   = "You denied the device. It will not be signed in."
	TextDeviceHandled  = "This device sign-in was already allowed or denied, or has expired. Start again on the device."
	TextSignInAgain    = "Your sign-in has ended. Start again on the device."
	titleDevice        = "Sign in a device"
	titleDeviceApprove = "Allow this device?"
)

// device shows the user-code form.
func (h *handler) device(w http.ResponseWriter, r *http.Request) {
	code := clip(r.URL.Query().Get("user_code"), maxUserCode)
	if n := app.NormalizeUserCode(code); n != "" {
		code = n
	}
	h.render(w, r, http.StatusOK, "device", page{Title: titleDevice, UserCode: code}, "")
}

// postDevice starts the sign-in for the code typed. A miss costs a throttle
// token, as a wrong password does; a hit costs nothing.
func (h *handler) postDevice(w http.ResponseWriter, r *http.Request) {
	if !h.parse(w, r) {
		return
	}
	typed := strings.TrimSpace(r.PostForm.Get("user_code"))
	p := page{Title: titleDevice, UserCode: clip(typed, maxUserCode)}
	if typed == "" {
		p.Error = "Enter the code your device shows."
		h.render(w, r, http.StatusOK, "device", p, "")
		return
	}
	ip := clientIP(r, h.opts.TrustedProxies)
	refund, ok := h.reserve(r, "ip:"+ip, "device:"+ip)
	if !ok {
		h.message(w, r, http.StatusTooManyRequests, page{Title: "Too many attempts", Error: TextThrottled})
		return
	}
	id, err := h.prov.DeviceSignIn(r.Context(), clip(typed, maxUserCode), browser(r))
	switch {
	case err == nil:
		refund()
		http.Redirect(w, r, basePath+"?authRequestID="+urlQueryEscape(id), http.StatusSeeOther)
	case errors.Is(err, oauth.ErrDeviceNotFound):
		p.Error = TextUnknownCode
		h.render(w, r, http.StatusOK, "device", p, "")
	default:
		refund()
		h.internal(w, r, "device sign-in", err)
	}
}

// deviceApprove shows what the device's app asks for, to the user who signed in.
func (h *handler) deviceApprove(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	dp, err := h.prov.DeviceApproval(ctx, clip(r.URL.Query().Get("authRequestID"), maxTokenLen+1), browser(r))
	if err != nil {
		h.deviceError(w, r, err)
		return
	}
	cl, err := h.app.Client(ctx, dp.ClientID)
	if err != nil {
		h.internal(w, r, "device: client", err)
		return
	}
	name := ""
	if u, err := h.app.Store().User(ctx, dp.UserID); err == nil {
		name = u.UserName
		if o, err := h.app.Store().Org(ctx, u.OrgID); err == nil {
			name = h.app.LoginName(u, o)
		}
	}
	h.render(w, r, http.StatusOK, "device-approve", page{Title: titleDeviceApprove, AuthRequestID: dp.AuthRequestID,
		LoginName: name, AppName: cl.AppName, OrgName: cl.OrgName, Scopes: dp.Scopes}, "")
}

// postDeviceApprove records the decision.
func (h *handler) postDeviceApprove(w http.ResponseWriter, r *http.Request) {
	if !h.parse(w, r) {
		return
	}
	allow := r.PostForm.Get("decision") == "allow"
	id := clip(r.PostForm.Get("authRequestID"), maxTokenLen+1)
	if err := h.prov.DecideDevice(r.Context(), id, browser(r), allow); err != nil {
		h.deviceError(w, r, err)
		return
	}
	if allow {
		h.message(w, r, http.StatusOK, page{Title: "Device signed in", Message: TextDeviceAllowed})
		return
	}
	h.message(w, r, http.StatusOK, page{Title: "Device denied", Error: TextDeviceDenied})
}

// denyDevice answers a denial at the API consent step of a device sign-in.
func (h *handler) denyDevice(w http.ResponseWriter, r *http.Request, ar *oidc.LoginRequest) {
	if err := h.prov.DecideDevice(r.Context(), ar.ID, browser(r), false); err != nil {
		h.deviceError(w, r, err)
		return
	}
	h.message(w, r, http.StatusOK, page{Title: "Device denied", Error: TextDeviceDenied})
}

// deviceError answers a refused approval step.
func (h *handler) deviceError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, user.ErrLocked):
		h.message(w, r, http.StatusForbidden, page{Title: "You cannot sign in", Error: TextLocked, ShowLogout: true})
	case errors.Is(err, user.ErrNotActive):
		h.message(w, r, http.StatusForbidden, page{Title: "You cannot sign in", Error: TextInactive, ShowLogout: true})
	case errors.Is(err, oidc.ErrNotAllowedOrg):
		h.message(w, r, http.StatusForbidden, page{Title: "You cannot sign in", Error: TextNotAllowedOrg, ShowLogout: true})
	case errors.Is(err, fail.Unauthenticated):
		h.message(w, r, http.StatusForbidden, page{Title: "Sign-in ended", Error: TextSignInAgain})
	case errors.Is(err, oauth.ErrDeviceHandled), errors.Is(err, oauth.ErrDeviceExpired), errors.Is(err, oauth.ErrDeviceNotFound):
		h.message(w, r, http.StatusBadRequest, page{Title: "Device sign-in ended", Error: TextDeviceHandled})
	default:
		h.flowError(w, r, err)
	}
}
