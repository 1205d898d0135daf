// Package oidc makes Warden its own OpenID provider, on zitadel/oidc's certified
// op package, at ZITADEL's paths. Its storage keeps auth requests, tokens and keys
// as store artifacts and checks the user's state and credential epoch on every
// path that issues or accepts a credential.
package oidc

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/store"
	httphelper "github.com/zitadel/oidc/v3/pkg/http"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// Provider is the OpenID provider of one Warden node.
type Provider struct {
	op      *op.Provider
	storage *storage
	issuer  string
	secure  bool // cookies are Secure (https issuer)
}

// New builds the provider for issuer (Warden's external URL). It creates the
// token encryption key and the first signing key on first use of a store, both
// sealed with a's master key, and seals in place the ones an earlier version
// stored in clear.
func New(ctx context.Context, a *app.App, s store.Store, issuer string, log *slog.Logger) (*Provider, error) {
	u, err := url.Parse(issuer)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("external URL %q is not an absolute URL", issuer)
	}
	// Never make or seal a key under a master key the store was not set up with.
	if err := a.CheckMasterKey(ctx); err != nil {
		return nil, err
	}
	key, keyID, err := cryptoKey(ctx, s, a)
	if err != nil {
		return nil, err
	}
	st := &storage{app: a, store: s, keys: &keyring{store: s, seal: a}, log: log}
	if err := st.keys.sealClear(ctx); err != nil {
		return nil, err
	}
	if err := st.keys.ensure(ctx); err != nil {
		return nil, err
	}
	cfg := &op.Config{
		DefaultLogoutRedirectURI: loginPath + "/logged-out",
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		AuthMethodPrivateKeyJWT:  true,
		GrantTypeRefreshToken:    true,
		SupportedUILocales:       []language.Tag{language.English},
		DeviceAuthorization:      deviceConfig(a.DeviceConfig()),
	}
	opts := []op.Option{
		op.WithCustomEndpoints(
			op.NewEndpoint("/oauth/v2/authorize"), op.NewEndpoint("/oauth/v2/token"),
			op.NewEndpoint(userinfoPath), op.NewEndpoint(revokePath),
			op.NewEndpoint("/oidc/v1/end_session"), op.NewEndpoint("/oauth/v2/keys")),
		op.WithCustomIntrospectionEndpoint(op.NewEndpoint("/oauth/v2/introspect")),
		op.WithCustomDeviceAuthorizationEndpoint(op.NewEndpoint(DeviceAuthorizationPath)),
		op.WithLogger(log),
		// Opaque tokens open only as AES-256-GCM (JWE). op.Config.CryptoKey
		// would also accept AES-CFB, which is unauthenticated and malleable:
		// flipped ciphertext bits flip the plaintext, and nothing notices.
		op.WithCrypto(op.NewAES256GCMCrypto(key, keyID)),
	}
	if u.Scheme == "http" {
		opts = append(opts, op.WithAllowInsecure())
	}
	p, err := op.NewProvider(cfg, st, op.StaticIssuer(strings.TrimSuffix(issuer, "/")), opts...)
	if err != nil {
		return nil, fmt.Errorf("oidc provider: %w", err)
	}
	pr := &Provider{op: p, storage: st, issuer: strings.TrimSuffix(issuer, "/"), secure: u.Scheme == "https"}
	a.SetTokenDecoder(pr)
	return pr, nil
}

// Handler serves the discovery document and the OAuth2/OIDC endpoints.
func (p *Provider) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case userinfoPath:
			if !p.userinfoAllowed(r) {
				// The library answers 403 for a token it can parse but we refuse;
				// RFC 6750 (and ZITADEL) say 401 invalid_token.
				w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
				http.Error(w, `{"error":"invalid_token"}`, http.StatusUnauthorized)
				return
			}
		case authorizePath:
			// Every auth request is bound to the browser that starts it.
			r = r.WithContext(withBrowser(r.Context(), p.EnsureBrowser(w, r)))
		case callbackPath:
			r = r.WithContext(withBrowser(r.Context(), CookieValue(r, BrowserCookie)))
		case endSessionPath:
			// Sign-out ends this browser's session, and nobody else's.
			r = r.WithContext(context.WithValue(r.Context(), sessionKey{}, CookieValue(r, SessionCookie)))
		case introspectPath:
			var ok bool
			if r, ok = p.authenticateAssertion(w, r); ok {
				p.introspect(w, r)
			}
			return
		case tokenPath:
			if !ignoreUnservedRefreshScopes(w, r) {
				return
			}
			var ok bool
			if r, ok = p.authenticateAssertion(w, r); !ok {
				return
			}
			if r.Method == http.MethodPost && r.PostForm.Get("grant_type") == string(zoidc.GrantTypeDeviceCode) {
				p.deviceToken(w, r)
				return
			}
		case DeviceAuthorizationPath:
			if !p.deviceAuthorizationAllowed(w, r) {
				return
			}
		case revokePath:
			var ok bool
			if r, ok = p.authenticateAssertion(w, r); !ok {
				return
			}
		}
		p.op.ServeHTTP(w, r)
	})
}

const (
	tokenPath  = "/oauth/v2/token"
	revokePath = "/oauth/v2/revoke"
)

// ignoreUnservedRefreshScopes drops from a refresh grant's scope the reserved
// urn:zitadel: scopes Warden does not serve. The authorize step left them out
// of the grant, so the library would refuse a refresh that repeats the
// sign-in's own scopes with invalid_scope; ignored there, they are ignored
// here too. It answers a form it cannot read itself and then returns false.
func ignoreUnservedRefreshScopes(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost {
		return true
	}
	if err := r.ParseForm(); err != nil {
		httphelper.MarshalJSONWithStatus(w, zoidc.ErrInvalidRequest().WithDescription("error parsing form"), http.StatusBadRequest)
		return false
	}
	if r.PostForm.Get("grant_type") != string(zoidc.GrantTypeRefreshToken) || r.Form.Get("scope") == "" {
		return true
	}
	asked := strings.Fields(r.Form.Get("scope"))
	kept := oauth.WithoutUnserved(asked)
	if len(kept) != len(asked) {
		r.Form.Set("scope", strings.Join(kept, " "))
		r.PostForm.Set("scope", strings.Join(kept, " "))
	}
	return true
}

const userinfoPath = "/oidc/v1/userinfo"

// userinfoAllowed checks the bearer token the way every other path does.
func (p *Provider) userinfoAllowed(r *http.Request) bool {
	raw := r.Header.Get("Authorization")
	if len(raw) < 7 || !strings.EqualFold(raw[:7], "bearer ") {
		if r.Method != http.MethodPost {
			return false
		}
		if err := r.ParseForm(); err != nil {
			return false
		}
		raw = "bearer " + r.PostForm.Get("access_token")
	}
	id, sub, ok := p.Decode(r.Context(), strings.TrimSpace(raw[7:]))
	if !ok {
		return false
	}
	_, _, err := p.storage.app.ValidAccessToken(r.Context(), id, sub)
	return err == nil
}

// Issuer is the provider's issuer URL.
func (p *Provider) Issuer() string { return p.issuer }

// Decode implements app.TokenDecoder: opaque tokens decrypt to "id:subject";
// JWT access tokens are verified against the published keys.
func (p *Provider) Decode(ctx context.Context, raw string) (string, string, bool) {
	if plain, err := p.op.Crypto().Decrypt(raw); err == nil {
		id, sub, ok := strings.Cut(plain, ":")
		return id, sub, ok && id != "" && sub != ""
	}
	if strings.Count(raw, ".") != 2 {
		return "", "", false
	}
	ctx = op.ContextWithIssuer(ctx, p.issuer)
	claims, err := op.VerifyAccessToken[*zoidc.AccessTokenClaims](ctx, raw, p.op.AccessTokenVerifier(ctx))
	if err != nil {
		return "", "", false
	}
	return claims.JWTID, claims.Subject, claims.JWTID != "" && claims.Subject != ""
}
