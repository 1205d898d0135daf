// Package project holds projects and their applications — the OAuth2/OIDC clients
// that sign users in through Warden. Stored as store.Artifact records (kinds
// KindProject, KindApp), the app's client id as the artifact's lookup key.
package project

import "time"

// Artifact kinds.
const (
	KindProject = "project"
	KindApp     = "app"
)

// Project groups applications of one org.
type Project struct {
	ID    string `json:"id"`
	OrgID string `json:"orgId"`
	Name  string `json:"name"`
	// CreatorID is the user who created the project: with project.create it
	// may read and change this project and its apps, and no other.
	CreatorID string `json:"creatorId,omitempty"`
	// RoleAssertion asks for the user's roles of this project in userinfo
	// (and, by the app's flags, in tokens) without a role scope. RoleCheck
	// admits to its apps only users with a grant on it; HasProjectCheck only
	// users whose org has one (authz.go). PrivateLabeling is zitadel's
	// PrivateLabelingSetting number, kept for the API.
	RoleAssertion   bool      `json:"roleAssertion,omitempty"`
	RoleCheck       bool      `json:"roleCheck,omitempty"`
	HasProjectCheck bool      `json:"hasProjectCheck,omitempty"`
	PrivateLabeling int       `json:"privateLabeling,omitempty"`
	State           int       `json:"state,omitempty"` // StateActive or StateInactive; 0 = active
	Sequence        uint64    `json:"sequence"`
	CreatedAt       time.Time `json:"createdAt"`
	ChangedAt       time.Time `json:"changedAt"`
}

// AppKind tells OIDC apps (sign users in) from API apps (resource servers that
// introspect tokens).
type AppKind string

const (
	AppOIDC AppKind = "oidc"
	AppAPI  AppKind = "api"
)

// OIDC app types (zitadel.app.v1.OIDCAppType numbers).
const (
	TypeWeb       = 0
	TypeUserAgent = 1
	TypeNative    = 2
)

// Auth methods (zitadel.app.v1.OIDCAuthMethodType numbers).
const (
	AuthBasic         = 0
	AuthPost          = 1
	AuthNone          = 2
	AuthPrivateKeyJWT = 3
)

// Grant types (zitadel.app.v1.OIDCGrantType numbers).
const (
	GrantAuthorizationCode = 0
	GrantImplicit          = 1
	GrantRefreshToken      = 2
	GrantDeviceCode        = 3
	GrantTokenExchange     = 4
)

// Access token types (zitadel.app.v1.OIDCTokenType numbers).
const (
	TokenBearer = 0
	TokenJWT    = 1
)

// App is an application of a project.
type App struct {
	ID        string  `json:"id"`
	ProjectID string  `json:"projectId"`
	OrgID     string  `json:"orgId"`
	Name      string  `json:"name"`
	Kind      AppKind `json:"kind"`
	ClientID  string  `json:"clientId"`
	// SecretHash is the SHA-256 of the generated client secret (hex); empty for
	// public clients. Secrets are 256 random bits, so a fast hash is as safe as a
	// password hash here and keeps client authentication cheap.
	SecretHash             string   `json:"secretHash,omitempty"`
	RedirectURIs           []string `json:"redirectUris,omitempty"`
	PostLogoutRedirectURIs []string `json:"postLogoutRedirectUris,omitempty"`
	ResponseTypes          []int    `json:"responseTypes,omitempty"` // 0 code, 1 id_token, 2 id_token token
	GrantTypes             []int    `json:"grantTypes,omitempty"`
	AppType                int      `json:"appType"`
	AuthMethod             int      `json:"authMethod"` // OIDC: Auth*; API: 0 basic, 1 private_key_jwt
	DevMode                bool     `json:"devMode,omitempty"`
	AccessTokenType        int      `json:"accessTokenType"`
	IDTokenUserinfo        bool     `json:"idTokenUserinfo,omitempty"`
	// The project roles in the ID token and in a JWT access token
	// (ZITADEL's id_token_role_assertion, access_token_role_assertion).
	IDTokenRoleAssertion     bool          `json:"idTokenRoleAssertion,omitempty"`
	AccessTokenRoleAssertion bool          `json:"accessTokenRoleAssertion,omitempty"`
	ClockSkew                time.Duration `json:"clockSkew,omitempty"`
	// Trusted apps receive Warden's own API audience without asking the user:
	// Warden's built-in clients and apps an IAM owner made or approved. A change
	// of the app's configuration by anyone else withdraws the trust.
	Trusted   bool      `json:"trusted,omitempty"`
	Sequence  uint64    `json:"sequence"`
	CreatedAt time.Time `json:"createdAt"`
	ChangedAt time.Time `json:"changedAt"`
}
