package oidc

import (
	"errors"
	"net/http"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/fail"
	httphelper "github.com/zitadel/oidc/v3/pkg/http"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

const introspectPath = "/oauth/v2/introspect"

// introspect answers RFC 7662 token introspection the way ZITADEL does, for
// access tokens and PATs alike (zitadel-go's middleware introspects PATs): an
// active token carries iss, iat, nbf, exp, jti, client_id, scope, aud and the
// user's claims for its scopes; any token that is not usable by this client is
// {"active":false}. A client that does not authenticate gets an RFC 6749
// section 5.2 JSON error, 401 invalid_client, where the library answers
// text/plain.
func (p *Provider) introspect(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	clientID, authenticated, err := op.ClientIDFromRequest(r, p.op)
	if err != nil || !authenticated {
		var oe *zoidc.Error
		if errors.As(err, &oe) && oe.ErrorType == zoidc.ServerError {
			p.storage.log.ErrorContext(ctx, "oidc: introspection client authentication", "err", err)
			httphelper.MarshalJSONWithStatus(w, zoidc.ErrServerError(), http.StatusInternalServerError)
			return
		}
		if _, _, basic := r.BasicAuth(); basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="warden"`)
		}
		httphelper.MarshalJSONWithStatus(w, zoidc.ErrInvalidClient().WithDescription("client authentication failed"), http.StatusUnauthorized)
		return
	}
	token := r.Form.Get("token")
	if token == "" {
		httphelper.MarshalJSONWithStatus(w, zoidc.ErrInvalidRequest().WithDescription("token missing"), http.StatusBadRequest)
		return
	}
	resp := new(zoidc.IntrospectionResponse)
	ti, err := p.storage.app.Introspect(ctx, clientID, token)
	if err != nil {
		if !errors.Is(err, fail.Unauthenticated) {
			// Never the client's business; it learns only that the token is not active.
			p.storage.log.ErrorContext(ctx, "oidc: introspection", "err", err)
		}
		httphelper.MarshalJSON(w, resp)
		return
	}
	info := new(zoidc.UserInfo)
	p.storage.fillUserinfo(ctx, info, ti.User, ti.Scopes)
	// The roles of the introspecting client's project, read now.
	if err := p.storage.roleClaims(ctx, info.AppendClaims, ti.User.ID, ti.Scopes, clientID, app.ClaimsIntrospection); err != nil {
		p.storage.log.ErrorContext(ctx, "oidc: introspection role claims", "err", err)
		httphelper.MarshalJSON(w, new(zoidc.IntrospectionResponse))
		return
	}
	resp.SetUserInfo(info)
	resp.Active = true
	resp.Scope = ti.Scopes
	resp.ClientID = ti.ClientID
	resp.TokenType = zoidc.BearerToken
	resp.Expiration = zoidc.FromTime(ti.Expiry)
	resp.IssuedAt = zoidc.FromTime(ti.IssuedAt)
	resp.NotBefore = zoidc.FromTime(ti.IssuedAt)
	resp.Audience = ti.Audience
	resp.Issuer = p.issuer
	resp.JWTID = ti.TokenID
	w.Header().Set("Cache-Control", "no-store")
	httphelper.MarshalJSON(w, resp)
}
