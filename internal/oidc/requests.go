package oidc

import (
	"time"

	"github.com/warden-id/warden/internal/oauth"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
)

// authRequest adapts a stored oauth.AuthRequest (its scopes as granted) to
// op.AuthRequest.
type authRequest struct {
	r        oauth.AuthRequest
	audience []string
}

func (a *authRequest) GetID() string          { return a.r.ID }
func (a *authRequest) GetACR() string         { return "" }
func (a *authRequest) GetAMR() []string       { return a.r.AMR }
func (a *authRequest) GetAudience() []string  { return a.audience }
func (a *authRequest) GetAuthTime() time.Time { return a.r.AuthTime }
func (a *authRequest) GetClientID() string    { return a.r.ClientID }
func (a *authRequest) GetNonce() string       { return a.r.Nonce }
func (a *authRequest) GetRedirectURI() string { return a.r.RedirectURI }
func (a *authRequest) GetScopes() []string    { return a.r.Scopes }
func (a *authRequest) GetState() string       { return a.r.State }
func (a *authRequest) GetSubject() string     { return a.r.UserID }
func (a *authRequest) Done() bool             { return a.r.Done }
func (a *authRequest) GetResponseType() zoidc.ResponseType {
	return zoidc.ResponseType(a.r.ResponseType)
}
func (a *authRequest) GetResponseMode() zoidc.ResponseMode {
	return zoidc.ResponseMode(a.r.ResponseMode)
}
func (a *authRequest) GetCodeChallenge() *zoidc.CodeChallenge {
	if a.r.CodeChallenge == "" {
		return nil
	}
	return &zoidc.CodeChallenge{Challenge: a.r.CodeChallenge, Method: zoidc.CodeChallengeMethod(a.r.CodeChallengeMethod)}
}

// refreshRequest adapts a stored refresh token to op.RefreshTokenRequest.
type refreshRequest struct {
	t oauth.RefreshToken
}

func (r *refreshRequest) GetAMR() []string            { return r.t.AMR }
func (r *refreshRequest) GetAudience() []string       { return r.t.Audience }
func (r *refreshRequest) GetAuthTime() time.Time      { return r.t.AuthTime }
func (r *refreshRequest) GetClientID() string         { return r.t.ClientID }
func (r *refreshRequest) GetScopes() []string         { return r.t.Scopes }
func (r *refreshRequest) GetSubject() string          { return r.t.UserID }
func (r *refreshRequest) SetCurrentScopes(s []string) { r.t.Scopes = s }

// clientCredentialsRequest is a machine user's token request.
type clientCredentialsRequest struct {
	userID   string
	clientID string // as presented: the user name or the user id
	scopes   []string
	audience []string
	epoch    uint64
}

func (c *clientCredentialsRequest) GetSubject() string    { return c.userID }
func (c *clientCredentialsRequest) GetAudience() []string { return c.audience }
func (c *clientCredentialsRequest) GetScopes() []string   { return c.scopes }
