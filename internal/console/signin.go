package console

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/warden-id/warden/internal/app"
	"golang.org/x/oauth2"
)

// signIn starts the authorization code flow with PKCE. The state, the
// verifier and the return path ride in a short-lived HttpOnly cookie, so an
// abandoned sign-in leaves nothing in the store.
func (h *handler) signIn(w http.ResponseWriter, r *http.Request) {
	state, verifier := randomToken(), oauth2.GenerateVerifier()
	next := localPath(r.URL.Query().Get("next"))
	h.setCookie(w, signInCookie, state+"."+verifier+"."+base64.RawURLEncoding.EncodeToString([]byte(next)), int(signInTTL/time.Second))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, h.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), http.StatusSeeOther)
}

// callback finishes the sign-in: it checks the state, exchanges the code (with
// the verifier) at the token endpoint, authenticates the access token as the
// API would, and starts a console session.
func (h *handler) callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	c, err := r.Cookie(signInCookie)
	if err != nil {
		h.render(w, r, http.StatusBadRequest, "message", &view{Title: "Sign-in expired",
			Error: "This sign-in was not started here or took too long.", SignInLink: true})
		return
	}
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 || subtle.ConstantTimeCompare([]byte(parts[0]), []byte(q.Get("state"))) != 1 {
		h.render(w, r, http.StatusBadRequest, "message", &view{Title: "Sign-in expired",
			Error: "This sign-in was not started here or took too long.", SignInLink: true})
		return
	}
	h.clearCookie(w, signInCookie)
	verifier := parts[1]
	nextRaw, _ := base64.RawURLEncoding.DecodeString(parts[2])
	if e := q.Get("error"); e != "" {
		text := "The sign-in did not complete (" + clip(e, 60) + ")."
		if d := q.Get("error_description"); d != "" {
			text = "The sign-in did not complete: " + clip(d, 200) + "."
		}
		h.render(w, r, http.StatusUnauthorized, "message", &view{Title: "Not signed in", Error: text, SignInLink: true})
		return
	}
	code := q.Get("code")
	if code == "" || len(code) > 2000 {
		h.render(w, r, http.StatusBadRequest, "message", &view{Title: "Not signed in", Error: "The sign-in returned no code.", SignInLink: true})
		return
	}
	if h.opts.HTTPClient != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, h.opts.HTTPClient)
	}
	tok, err := h.oauth.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		h.log.WarnContext(ctx, "console: code exchange failed", "err", err)
		h.render(w, r, http.StatusBadGateway, "message", &view{Title: "Not signed in",
			Error: "Warden's sign-in service did not accept the sign-in. Try again.", SignInLink: true})
		return
	}
	caller, err := h.app.Authenticate(ctx, tok.AccessToken)
	if err != nil {
		status, text := h.errorText(r, err, "sign in")
		h.render(w, r, status, "message", &view{Title: "Not signed in", Error: text, SignInLink: true})
		return
	}
	expires := time.Now().Add(maxSessionTTL)
	if !tok.Expiry.IsZero() && tok.Expiry.Before(expires) {
		expires = tok.Expiry
	}
	if old, err := r.Cookie(sessionCookie); err == nil {
		// Replaced by this sign-in; a fresh cookie value also rules out fixation.
		if err := h.app.EndConsoleSession(ctx, old.Value); err != nil {
			h.log.WarnContext(ctx, "console: end replaced session", "err", err)
		}
	}
	idToken, _ := tok.Extra("id_token").(string)
	cookie, err := h.app.CreateConsoleSession(ctx, app.ConsoleSession{UserID: caller.UserID, AccessToken: tok.AccessToken,
		IDToken: idToken, CSRF: randomToken()}, expires)
	if err != nil {
		h.internal(w, r, "create console session", err)
		return
	}
	h.setCookie(w, sessionCookie, cookie, int(time.Until(expires)/time.Second))
	http.Redirect(w, r, localPath(string(nextRaw)), http.StatusSeeOther)
}

// signOut ends the console session and then the sign-in at the provider
// (which ends the login page's session and the console's tokens).
func (h *handler) signOut(w http.ResponseWriter, r *http.Request, rq *request) {
	if err := h.app.EndConsoleSession(r.Context(), rq.cookie); err != nil {
		h.internal(w, r, "end console session", err)
		return
	}
	h.clearCookie(w, sessionCookie)
	v := url.Values{"client_id": {ClientID}, "post_logout_redirect_uri": {h.issuer + pathSignedOut}}
	if rq.sess.IDToken != "" {
		v.Set("id_token_hint", rq.sess.IDToken)
	}
	http.Redirect(w, r, h.issuer+"/oidc/v1/end_session?"+v.Encode(), http.StatusSeeOther)
}

func (h *handler) signedOut(w http.ResponseWriter, r *http.Request) {
	// A stale cookie would only lead back to sign-in; drop it anyway.
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := h.app.EndConsoleSession(r.Context(), c.Value); err != nil {
			h.log.WarnContext(r.Context(), "console: end session", "err", err)
		}
		h.clearCookie(w, sessionCookie)
	}
	h.render(w, r, http.StatusOK, "message", &view{Title: "Signed out", Message: "You are signed out of the Warden console.", SignInLink: true})
}
