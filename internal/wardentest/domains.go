package wardentest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/app"
)

// Challenges is a loopback HTTPS server that stands in for every host of the
// test domains (example.com, example.org and their subdomains): it answers an
// org domain's HTTP challenge for a token published for that host with the
// token, and 404 for anything else. Option points an app's domain validator at it (the
// production one would dial the host on port 443 and trust the system roots).
type Challenges struct {
	srv    *httptest.Server
	roots  *x509.CertPool
	mu     sync.Mutex
	tokens map[string]map[string]bool // host → published tokens
	hits   map[string]int             // host → requests seen
}

// NewChallenges starts the server until the test ends.
func NewChallenges(t testing.TB) *Challenges {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "warden test challenges"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"example.com", "*.example.com", "example.org", "*.example.org"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	c := &Challenges{roots: x509.NewCertPool(), tokens: map[string]map[string]bool{}, hits: map[string]int{}}
	c.roots.AddCert(cert)
	c.srv = httptest.NewUnstartedServer(http.HandlerFunc(c.serve))
	c.srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	c.srv.StartTLS()
	t.Cleanup(c.srv.Close)
	return c
}

func (c *Challenges) serve(w http.ResponseWriter, r *http.Request) {
	host := strings.ToLower(r.Host)
	c.mu.Lock()
	c.hits[host]++
	tok, ok := strings.CutPrefix(r.URL.Path, "/.well-known/zitadel-challenge/")
	tok, ok2 := strings.CutSuffix(tok, ".txt")
	ok = ok && ok2 && c.tokens[host][tok] && r.Method == http.MethodGet
	c.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	_, _ = w.Write([]byte(tok))
}

// Publish makes host answer the challenge of token (what the domain's owner
// does with the token GenerateOrgDomainValidation returned).
func (c *Challenges) Publish(host, token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	host = strings.ToLower(host)
	if c.tokens[host] == nil {
		c.tokens[host] = map[string]bool{}
	}
	c.tokens[host][token] = true
}

// Hits is the number of requests host's challenge got.
func (c *Challenges) Hits(host string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits[strings.ToLower(host)]
}

// Option makes an app's domain validator reach this server for every host,
// trusting its certificate; DNS checks go to a resolver that answers nothing.
func (c *Challenges) Option() app.Option {
	addr := c.srv.Listener.Addr().String()
	d := &net.Dialer{Timeout: 5 * time.Second}
	return app.WithDomainValidator(app.NewDomainValidator(app.DomainValidatorConfig{
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
		RootCAs: c.roots,
		// No DNS server answers: every lookup fails at once.
		Resolver: &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
			return nil, errors.New("no DNS server in tests")
		}},
	}))
}
