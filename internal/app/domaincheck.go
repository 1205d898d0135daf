package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/warden-id/warden/internal/org"
)

// The domain check fetches from, or looks up, a host an org administrator
// names, so it must not become a way to reach what only Warden can reach
// (SSRF): one GET of a fixed path over HTTPS, a short timeout, a small body,
// no redirect to another host, and — in production — no connection to a
// loopback, private, link-local or otherwise non-public address, whatever the
// name resolves to (the check is made on the address actually dialled, so a
// rebinding resolver gains nothing).

const (
	domainCheckTimeout = 10 * time.Second
	domainCheckBody    = 4 << 10 // a token is 32 characters
	domainCheckHops    = 3
)

// DomainValidator checks a domain's validation token over HTTP or DNS.
type DomainValidator struct {
	client   *http.Client
	resolver *net.Resolver
}

// DomainValidatorConfig shapes a DomainValidator. The zero value is
// production's: the guarded dialer, the system's roots and resolver.
type DomainValidatorConfig struct {
	// Dial replaces the guarded dialer (tests point it at a loopback server).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// RootCAs replaces the system's roots (tests trust their server's).
	RootCAs *x509.CertPool
	// Resolver answers the DNS check; nil is net.DefaultResolver.
	Resolver *net.Resolver
}

// NewDomainValidator returns a validator configured by c.
func NewDomainValidator(c DomainValidatorConfig) *DomainValidator {
	dial := c.Dial
	if dial == nil {
		d := &net.Dialer{Timeout: domainCheckTimeout, Control: publicOnly}
		dial = d.DialContext
	}
	tr := &http.Transport{DialContext: dial, TLSClientConfig: &tls.Config{RootCAs: c.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout: domainCheckTimeout, ResponseHeaderTimeout: domainCheckTimeout, DisableKeepAlives: true,
		MaxResponseHeaderBytes: 16 << 10}
	client := &http.Client{Transport: tr, Timeout: domainCheckTimeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= domainCheckHops || req.URL.Scheme != "https" || !strings.EqualFold(req.URL.Hostname(), via[0].URL.Hostname()) {
				return errDomainRedirect
			}
			return nil
		}}
	r := c.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	return &DomainValidator{client: client, resolver: r}
}

var errDomainRedirect = errors.New("redirect to another host or scheme")

// publicOnly refuses, at connect time, every address that is not a public
// unicast one.
func publicOnly(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	if ip == nil || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || ip.Equal(net.IPv4bcast) ||
		(ip.To4() != nil && ip.To4()[0] == 100 && ip.To4()[1]&0xc0 == 64) { // 100.64/10, carrier-grade NAT
		return errors.New("address " + host + " is not public")
	}
	return nil
}

// check tells whether d proves the token in the way typ says: nil when it
// does, one of the catalogue's errors when it does not or cannot be asked.
func (v *DomainValidator) check(ctx context.Context, d, token string, typ org.ValidationType) error {
	ctx, cancel := context.WithTimeout(ctx, domainCheckTimeout)
	defer cancel()
	switch typ {
	case org.ValidationHTTP:
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, org.HTTPChallengeURL(d, token), nil)
		if err != nil {
			return errDomainHTTPUnreachable.Wrap(err)
		}
		resp, err := v.client.Do(req)
		if err != nil {
			return errDomainHTTPUnreachable.Wrap(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return errDomainHTTPStatus.Msgf("the challenge URL answered %d", resp.StatusCode)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, domainCheckBody+1))
		if err != nil {
			return errDomainHTTPUnreachable.Wrap(err)
		}
		if len(body) > domainCheckBody || strings.TrimSpace(string(body)) != token {
			return errDomainHTTPMismatch
		}
		return nil
	case org.ValidationDNS:
		txts, err := v.resolver.LookupTXT(ctx, org.DNSChallengeName(d))
		if err != nil {
			var dnsErr *net.DNSError
			if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
				return errDomainDNSMismatch
			}
			return errDomainDNSUnreachable.Wrap(err)
		}
		for _, txt := range txts {
			if txt == token {
				return nil
			}
		}
		return errDomainDNSMismatch
	}
	return errDomainValidationMissing
}
