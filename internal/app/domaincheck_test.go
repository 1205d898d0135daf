package app

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
)

// TestDomainCheckGuards: the production validator dials no loopback, private,
// link-local or unspecified address, whatever the name resolves to, and says
// FailedPrecondition when no DNS resolver answers; a challenge answer over the
// size limit, a redirect to another host or a wrong token do not prove the
// domain; the right one does.
func TestDomainCheckGuards(t *testing.T) {
	ctx := context.Background()
	// The guard judges the address dialled, so a name that resolves to the
	// loopback (or is rebound to it) reaches nothing.
	for _, addr := range []string{"127.0.0.1:443", "10.1.2.3:443", "192.168.0.1:443", "169.254.169.254:443", "[::1]:443", "100.64.0.1:443", "0.0.0.0:443"} {
		if err := publicOnly("tcp", addr, nil); err == nil {
			t.Errorf("publicOnly allows %s", addr)
		}
	}
	if err := publicOnly("tcp", "93.184.215.14:443", nil); err != nil {
		t.Errorf("publicOnly refuses a public address: %v", err)
	}
	prod := NewDomainValidator(DomainValidatorConfig{Resolver: &net.Resolver{PreferGo: true,
		Dial: func(context.Context, string, string) (net.Conn, error) { return nil, errors.New("offline") }}})
	if err := prod.check(ctx, "localhost", "t", org.ValidationHTTP); !errors.Is(err, errDomainHTTPUnreachable) {
		t.Errorf("production check of localhost: %v", err)
	}
	if err := prod.check(ctx, "x.example.com", "t", org.ValidationDNS); !errors.Is(err, errDomainDNSUnreachable) {
		t.Errorf("DNS check without a resolver: %v", err)
	}

	const token = "TOKEN123"
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/.well-known/zitadel-challenge/"+token+".txt" {
			_, _ = w.Write([]byte(token + "\n"))
			return
		}
		_, _ = w.Write([]byte("WRONG"))
	}))
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate()) // httptest's certificate names example.com
	d := &net.Dialer{}
	v := NewDomainValidator(DomainValidatorConfig{RootCAs: roots,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, srv.Listener.Addr().String())
		}})
	for _, c := range []struct {
		host, token string
		want        *fail.Error
	}{
		{"example.com", token, nil},
		{"example.com", "OTHER", errDomainHTTPMismatch},
	} {
		if err := v.check(ctx, c.host, c.token, org.ValidationHTTP); (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("check %s %s: %v, want %v", c.host, c.token, err, c.want)
		}
	}
	// The size and redirect limits, on example.com's answers (httptest's
	// certificate names no other host).
	big := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("hop") == "" && strings.HasSuffix(r.URL.Path, "hop.txt") {
			http.Redirect(w, r, "https://other.example.org/x", http.StatusFound)
			return
		}
		_, _ = w.Write([]byte("big" + strings.Repeat(" ", domainCheckBody)))
	}))
	defer big.Close()
	roots2 := x509.NewCertPool()
	roots2.AddCert(big.Certificate())
	v2 := NewDomainValidator(DomainValidatorConfig{RootCAs: roots2,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, big.Listener.Addr().String())
		}})
	if err := v2.check(ctx, "example.com", "big", org.ValidationHTTP); !errors.Is(err, errDomainHTTPMismatch) {
		t.Errorf("an answer over the size limit: %v", err)
	}
	if err := v2.check(ctx, "example.com", "hop", org.ValidationHTTP); !errors.Is(err, errDomainHTTPUnreachable) || !strings.Contains(err.Error(), "redirect") {
		t.Errorf("a redirect to another host: %v", err)
	}
}
