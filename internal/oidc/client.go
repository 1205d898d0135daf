package oidc

import (
	"time"

	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/project"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// loginPath is where the authorize endpoint sends the browser to sign in.
const loginPath = "/ui/login"

// appClient is an OIDC or API application as the OP sees it.
type appClient struct{ app *project.App }

func (c appClient) GetID() string                    { return c.app.ClientID }
func (c appClient) RedirectURIs() []string           { return c.app.RedirectURIs }
func (c appClient) PostLogoutRedirectURIs() []string { return c.app.PostLogoutRedirectURIs }
func (c appClient) LoginURL(id string) string        { return loginPath + "?authRequestID=" + id }
func (c appClient) IDTokenLifetime() time.Duration   { return time.Hour }
func (c appClient) DevMode() bool                    { return c.app.DevMode }
func (c appClient) ClockSkew() time.Duration         { return c.app.ClockSkew }
func (c appClient) IDTokenUserinfoClaimsAssertion() bool {
	return c.app.IDTokenUserinfo
}

func (c appClient) ApplicationType() op.ApplicationType {
	switch c.app.AppType {
	case project.TypeUserAgent:
		return op.ApplicationTypeUserAgent
	case project.TypeNative:
		return op.ApplicationTypeNative
	}
	return op.ApplicationTypeWeb
}

func (c appClient) AuthMethod() zoidc.AuthMethod {
	if c.app.Kind == project.AppAPI {
		if c.app.AuthMethod == 1 {
			return zoidc.AuthMethodPrivateKeyJWT
		}
		return zoidc.AuthMethodBasic
	}
	switch c.app.AuthMethod {
	case project.AuthPost:
		return zoidc.AuthMethodPost
	case project.AuthNone:
		return zoidc.AuthMethodNone
	case project.AuthPrivateKeyJWT:
		return zoidc.AuthMethodPrivateKeyJWT
	}
	return zoidc.AuthMethodBasic
}

func (c appClient) ResponseTypes() []zoidc.ResponseType {
	var out []zoidc.ResponseType
	for _, t := range c.app.ResponseTypes {
		switch t {
		case 0:
			out = append(out, zoidc.ResponseTypeCode)
		case 1:
			out = append(out, zoidc.ResponseTypeIDTokenOnly)
		case 2:
			out = append(out, zoidc.ResponseTypeIDToken)
		}
	}
	if len(out) == 0 {
		out = []zoidc.ResponseType{zoidc.ResponseTypeCode}
	}
	return out
}

func (c appClient) GrantTypes() []zoidc.GrantType {
	var out []zoidc.GrantType
	for _, g := range c.app.GrantTypes {
		switch g {
		case project.GrantAuthorizationCode:
			out = append(out, zoidc.GrantTypeCode)
		case project.GrantImplicit:
			out = append(out, zoidc.GrantTypeImplicit)
		case project.GrantRefreshToken:
			out = append(out, zoidc.GrantTypeRefreshToken)
		case project.GrantDeviceCode:
			out = append(out, zoidc.GrantTypeDeviceCode)
		case project.GrantTokenExchange:
			out = append(out, zoidc.GrantTypeTokenExchange)
		}
	}
	if len(out) == 0 {
		out = []zoidc.GrantType{zoidc.GrantTypeCode}
	}
	return out
}

func (c appClient) AccessTokenType() op.AccessTokenType {
	if c.app.AccessTokenType == project.TokenJWT {
		return op.AccessTokenTypeJWT
	}
	return op.AccessTokenTypeBearer
}

func (c appClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

func (c appClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// IsScopeAllowed admits the reserved scopes Warden serves beside the standard
// ones: project audiences, the resource owner and the org restriction. Other
// urn:zitadel: scopes are left out of the request, and of a refresh that
// repeats them (Provider.Handler).
func (c appClient) IsScopeAllowed(scope string) bool { return oauth.ServedScope(scope) }

// machineTokenJWT is zitadel.user.v1.AccessTokenType ACCESS_TOKEN_TYPE_JWT, a
// machine user's choice of JWT access tokens (0 = opaque bearer tokens).
const machineTokenJWT = 1

// machineClient is a machine user authenticating with its own secret
// (client credentials grant).
type machineClient struct {
	clientID  string // as presented: the user name or the user id
	tokenType int
}

func (c machineClient) GetID() string                       { return c.clientID }
func (c machineClient) RedirectURIs() []string              { return nil }
func (c machineClient) PostLogoutRedirectURIs() []string    { return nil }
func (c machineClient) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c machineClient) AuthMethod() zoidc.AuthMethod        { return zoidc.AuthMethodBasic }
func (c machineClient) ResponseTypes() []zoidc.ResponseType { return nil }
func (c machineClient) GrantTypes() []zoidc.GrantType {
	return []zoidc.GrantType{zoidc.GrantTypeClientCredentials}
}
func (c machineClient) LoginURL(string) string               { return "" }
func (c machineClient) IDTokenLifetime() time.Duration       { return time.Hour }
func (c machineClient) DevMode() bool                        { return false }
func (c machineClient) ClockSkew() time.Duration             { return 0 }
func (c machineClient) IDTokenUserinfoClaimsAssertion() bool { return false }
func (c machineClient) IsScopeAllowed(scope string) bool     { return oauth.ServedScope(scope) }
func (c machineClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c machineClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c machineClient) AccessTokenType() op.AccessTokenType {
	if c.tokenType == machineTokenJWT {
		return op.AccessTokenTypeJWT
	}
	return op.AccessTokenTypeBearer
}
