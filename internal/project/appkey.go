package project

import "time"

// KindAppKey is the artifact kind of application keys.
const KindAppKey = "app_key"

// AppKey is the public half of an app's key pair for private_key_jwt client
// authentication (RFC 7523 client assertions). Warden generates the pair and
// hands out the private key once, in the key file; it never stores it.
type AppKey struct {
	ID        string `json:"id"`
	AppID     string `json:"appId"`
	ProjectID string `json:"projectId"`
	OrgID     string `json:"orgId"`
	// ClientID is the app's client id when the key was made: an assertion's
	// iss and sub, and what a verifier checks the key against.
	ClientID     string    `json:"clientId"`
	PublicKeyPEM string    `json:"publicKey"`
	Expiration   time.Time `json:"expiration"`
	CreatedAt    time.Time `json:"createdAt"`
	Sequence     uint64    `json:"sequence"` // the org's sequence at the key's creation
}

// AcceptsKeys tells whether an app authenticates with private_key_jwt, the
// only apps keys may be added to and the only ones whose keys authenticate.
func (a *App) AcceptsKeys() bool {
	if a.Kind == AppAPI {
		return a.AuthMethod == 1
	}
	return a.AuthMethod == AuthPrivateKeyJWT
}
