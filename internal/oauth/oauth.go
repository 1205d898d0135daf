// Package oauth holds the stored forms of Warden's OAuth2/OIDC artifacts: auth
// requests, access and refresh tokens, browser sessions, signing keys and
// device authorizations (whose state transitions live here too, device.go). Each is
// kept as a store.Artifact with the JSON of these types; tokens carry the user's
// credential epoch so that a lock kills them for good.
package oauth

import "time"

// Artifact kinds.
const (
	KindAuthRequest  = "auth_request"
	KindAccessToken  = "access_token"
	KindRefreshToken = "refresh_token"
	KindSession      = "login_session"
	KindSigningKey   = "signing_key"
	KindCryptoKey    = "crypto_key" // the AES key of opaque access tokens, sealed with the master key; Key "current"
	// KindConsent records that a user let a client act on Warden's API for them
	// (id = ConsentID(user, client)).
	KindConsent = "api_consent"
)

// ConsentID is the artifact id of a user's consent for a client.
func ConsentID(userID, clientID string) string { return userID + "/" + clientID }

// APIAudienceScope is ZITADEL's reserved scope that puts the server's own API in
// a token's audience, so the token may call the management API.
const APIAudienceScope = "urn:zitadel:iam:org:project:id:zitadel:aud"

// AuthRequest is an authorization request between /authorize and the code
// exchange. It only ever moves forward: a login name is chosen (and may be
// chosen again) until a user is authenticated; an authenticated request may
// wait for consent, then it is Done; a done request issues one code, which one
// token request redeems. A step that would move it back is refused, so a
// finished sign-in can neither change its user nor complete twice.
type AuthRequest struct {
	ID                  string   `json:"id"`
	ClientID            string   `json:"clientId"`
	RedirectURI         string   `json:"redirectUri"`
	Scopes              []string `json:"scopes"`
	State               string   `json:"state,omitempty"`
	Nonce               string   `json:"nonce,omitempty"`
	ResponseType        string   `json:"responseType"`
	ResponseMode        string   `json:"responseMode,omitempty"`
	CodeChallenge       string   `json:"codeChallenge,omitempty"`
	CodeChallengeMethod string   `json:"codeChallengeMethod,omitempty"`
	Prompt              []string `json:"prompt,omitempty"`
	LoginHint           string   `json:"loginHint,omitempty"`
	MaxAge              *uint    `json:"maxAge,omitempty"`
	// BrowserHash is the SHA-256 of the binding cookie of the browser that
	// called /authorize; every later step must come from that browser.
	BrowserHash string `json:"browserHash"`
	// LoginName is what the person typed at the user-name step; it is resolved
	// to a user only at the password step, so that step answers alike for
	// every name.
	LoginName     string    `json:"loginName,omitempty"`
	UserID        string    `json:"userId,omitempty"` // the authenticated user
	Authenticated bool      `json:"authenticated,omitempty"`
	AuthTime      time.Time `json:"authTime,omitempty"`
	AMR           []string  `json:"amr,omitempty"`
	Done          bool      `json:"done,omitempty"`
	CodeIssued    bool      `json:"codeIssued,omitempty"`
	Epoch         uint64    `json:"epoch,omitempty"` // user's credential epoch at sign-in
	// OrgID is the organisation an org scope (ScopeOrgIDPrefix,
	// ScopeOrgDomainPrefix) restricts the sign-in to; "" = any.
	OrgID string `json:"orgId,omitempty"`
	// DeviceAuth is set for the sign-in of a device flow: the id of the
	// DeviceAuthorization it approves or denies. Such a request never issues
	// a code; it ends at the login page's approval step.
	DeviceAuth string    `json:"deviceAuth,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
}

// AccessToken is an issued access token (opaque or JWT; the JWT's jti is ID).
type AccessToken struct {
	ID         string    `json:"id"`
	UserID     string    `json:"userId"`
	ClientID   string    `json:"clientId"`
	Scopes     []string  `json:"scopes,omitempty"`
	Audience   []string  `json:"audience,omitempty"`
	Expiration time.Time `json:"expiration"`
	Epoch      uint64    `json:"epoch"`
	RefreshID  string    `json:"refreshId,omitempty"`
	Family     string    `json:"family,omitempty"` // of the refresh token it came with
	// IssuedAt is when the token was made (introspection's iat and nbf); for
	// tokens from before it was kept, their expiry less the access lifetime.
	IssuedAt time.Time `json:"issuedAt,omitempty"`
}

// RefreshToken is an issued refresh token; the artifact's key is the SHA-256 of
// the token, which rotates on every use.
type RefreshToken struct {
	ID         string    `json:"id"`
	UserID     string    `json:"userId"`
	ClientID   string    `json:"clientId"`
	Scopes     []string  `json:"scopes,omitempty"`
	Audience   []string  `json:"audience,omitempty"`
	AuthTime   time.Time `json:"authTime"`
	AMR        []string  `json:"amr,omitempty"`
	Expiration time.Time `json:"expiration"`
	Epoch      uint64    `json:"epoch"`
	AccessID   string    `json:"accessId,omitempty"`
	// Family is the id of the first token of a rotation chain. A rotated token
	// is kept as Used until it expires: presenting it again means it leaked,
	// and the whole family is revoked (RFC 9700 4.14.2).
	Family string `json:"family,omitempty"`
	Used   bool   `json:"used,omitempty"`
}

// FamilyID is the token's rotation family (tokens from before families existed
// are their own).
func (t *RefreshToken) FamilyID() string {
	if t.Family != "" {
		return t.Family
	}
	return t.ID
}

// Session is a browser's sign-in at the login page (cookie → SHA-256 → key).
type Session struct {
	ID       string    `json:"id"`
	UserID   string    `json:"userId"`
	AuthTime time.Time `json:"authTime"`
	Epoch    uint64    `json:"epoch"`
}

// SigningKey is an RSA key pair for tokens. Keys are published from creation and
// used for signing only from NotBefore, so every node's JWKS knows a key before
// any token signed with it exists.
type SigningKey struct {
	ID        string `json:"id"`
	Algorithm string `json:"alg"`
	// Sealed is the private key (PKCS#1 DER) sealed with the master key for
	// this artifact ("signing_key/<id>").
	Sealed []byte `json:"sealedKey,omitempty"`
	// PrivatePEM is how versions before the master key kept the private key,
	// in clear; the provider seals such keys in place at start.
	PrivatePEM string    `json:"privateKey,omitempty"`
	NotBefore  time.Time `json:"notBefore"`
	NotAfter   time.Time `json:"notAfter"` // signing stops; kept published until tokens expire
	CreatedAt  time.Time `json:"createdAt"`
}
