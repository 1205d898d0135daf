package oidc

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/project"
	httphelper "github.com/zitadel/oidc/v3/pkg/http"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// private_key_jwt client authentication (RFC 7523 section 2.2): an app whose
// auth method is private_key_jwt authenticates at the token, introspection
// and revocation endpoints with an assertion signed by one of its keys
// (AddAppKey). The checks are the library's VerifyJWTAssertion, the same code
// path as the JWT profile grant's: iss = sub = the client id, aud holds the
// issuer, exp in the future, iat present and at most an hour old (so however
// far exp lies, an assertion lives an hour at most), and an RS256 signature by
// the key its kid names. That key must be an unexpired key of that app, and the
// app must still authenticate with private_key_jwt.
//
// Like ZITADEL, Warden does not remember jtis to refuse a replayed assertion
// within its hour: @zitadel/node's assertions carry no jti, so a guard would
// cover some clients only, and it would turn every introspection — the hot
// path of each resource server — into a write. A replay needs the assertion
// itself, which travels only in a TLS request body.

// keyPurpose says whose keys a request's assertion may be signed with.
type keyPurpose int

const (
	// keysOfMachines: the JWT profile grant, whose assertion names a machine user.
	keysOfMachines keyPurpose = iota
	// keysOfApps: client authentication, whose assertion names an app.
	keysOfApps
)

// clientAuth is what a request at the token, introspection or revocation
// endpoint carries for GetKeyByIDAndClientID: whose keys it may use, the key
// the first verification fetched (the library verifies the assertion once more
// and finds it here rather than in the store), and a store failure, which is
// Warden's fault and not the client's.
type clientAuth struct {
	purpose  keyPurpose
	keyID    string
	clientID string
	key      *jose.JSONWebKey
	storeErr error
}

type clientAuthKey struct{}

// errClientAuth is the answer to a client that failed to authenticate.
func errClientAuth() *zoidc.Error {
	return zoidc.ErrInvalidClient().WithDescription("client authentication failed")
}

// authenticateAssertion checks a request's client assertion before the library
// handles the request, and answers a bad one with 401 invalid_client (RFC 6749
// section 5.2), where the library would answer invalid_grant or a server error.
// It returns false when it has answered.
//
// Every request at these endpoints gets its clientAuth, whatever its method:
// without one GetKeyByIDAndClientID looks up machine keys only, so no app key
// is ever accepted unchecked here.
func (p *Provider) authenticateAssertion(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	if err := r.ParseForm(); err != nil {
		httphelper.MarshalJSONWithStatus(w, zoidc.ErrInvalidRequest().WithDescription("error parsing form"), http.StatusBadRequest)
		return r, false
	}
	ca := &clientAuth{purpose: keysOfApps}
	if r.URL.Path == tokenPath && r.Form.Get("grant_type") == string(zoidc.GrantTypeBearer) {
		// The JWT profile grant: its assertion is the grant, not the client's.
		ca.purpose = keysOfMachines
	}
	r = r.WithContext(context.WithValue(r.Context(), clientAuthKey{}, ca))
	assertion, typ := r.Form.Get("client_assertion"), r.Form.Get("client_assertion_type")
	if ca.purpose == keysOfMachines || (assertion == "" && typ == "") {
		return r, true
	}
	ctx := op.ContextWithIssuer(r.Context(), p.issuer)
	err := errors.New("client_assertion_type is not " + zoidc.ClientAssertionTypeJWTAssertion)
	if typ == zoidc.ClientAssertionTypeJWTAssertion && assertion != "" {
		_, err = op.VerifyJWTAssertion(ctx, assertion, p.op.JWTProfileVerifier(ctx))
	}
	if ca.storeErr != nil {
		p.storage.log.ErrorContext(ctx, "oidc: client assertion", "err", ca.storeErr)
		httphelper.MarshalJSONWithStatus(w, zoidc.ErrServerError(), http.StatusInternalServerError)
		return r, false
	}
	if err != nil {
		p.storage.log.InfoContext(ctx, "oidc: client assertion refused", "err", err)
		httphelper.MarshalJSONWithStatus(w, errClientAuth(), http.StatusUnauthorized)
		return r, false
	}
	// The introspection endpoint is Warden's own, outside the library's
	// router, which would put the issuer in the context its verifier reads.
	return r.WithContext(ctx), true
}

// GetKeyByIDAndClientID finds the public key an assertion's kid names: for
// client authentication a key of the app with that client id, for the JWT
// profile grant a key of the machine user with that id.
func (s *storage) GetKeyByIDAndClientID(ctx context.Context, keyID, clientID string) (*jose.JSONWebKey, error) {
	ca, _ := ctx.Value(clientAuthKey{}).(*clientAuth)
	if ca == nil || ca.purpose == keysOfMachines {
		return s.machineKey(ctx, keyID, clientID)
	}
	if ca.key != nil && ca.keyID == keyID && ca.clientID == clientID {
		return ca.key, nil
	}
	k, err := s.appKey(ctx, keyID, clientID)
	switch {
	case err == nil:
		ca.keyID, ca.clientID, ca.key = keyID, clientID, k
	case !errors.Is(err, errNotFound) && !errors.Is(err, errUnknownClient):
		ca.storeErr = err
	}
	return k, err
}

// appKey is a key of the app with clientID, while it is unexpired and the app
// authenticates with private_key_jwt.
func (s *storage) appKey(ctx context.Context, keyID, clientID string) (*jose.JSONWebKey, error) {
	if keyID == "" {
		return nil, errNotFound
	}
	k, _, err := load[project.AppKey](ctx, s.store, project.KindAppKey, keyID, false)
	if err != nil {
		return nil, err
	}
	if k.ClientID != clientID || !time.Now().Before(k.Expiration) {
		return nil, errNotFound
	}
	a, err := s.appByClientID(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if a.ID != k.AppID || !a.AcceptsKeys() {
		return nil, errNotFound
	}
	return publicJWK(keyID, k.PublicKeyPEM)
}

// machineKey is a key of the machine user clientID names (its id), while it
// is unexpired and the user can authenticate.
func (s *storage) machineKey(ctx context.Context, keyID, clientID string) (*jose.JSONWebKey, error) {
	if keyID == "" {
		return nil, errNotFound
	}
	mk, _, err := load[credential.MachineKey](ctx, s.store, credential.KindMachineKey, keyID, false)
	if err != nil {
		return nil, err
	}
	if mk.UserID != clientID || (!mk.Expiration.IsZero() && time.Now().After(mk.Expiration)) {
		return nil, errNotFound
	}
	// Administrator-issued, like a secret: the user's state decides, not the epoch.
	if u, err := s.store.User(ctx, mk.UserID); err != nil || !u.CanAuthenticate() {
		return nil, errDead
	}
	return publicJWK(keyID, mk.PublicKeyPEM)
}

// publicJWK reads a stored public key (PKIX, or PKCS#1) as the verification key for kid.
func publicJWK(keyID, pubPEM string) (*jose.JSONWebKey, error) {
	block, _ := pem.Decode([]byte(pubPEM))
	if block == nil {
		return nil, errors.New("stored key: no PEM block")
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		rsaPub, err2 := x509.ParsePKCS1PublicKey(block.Bytes)
		if err2 != nil {
			return nil, fmt.Errorf("stored key: %w", err)
		}
		pub = rsaPub
	}
	return &jose.JSONWebKey{KeyID: keyID, Use: "sig", Key: pub}, nil
}
