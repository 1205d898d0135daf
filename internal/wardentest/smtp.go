package wardentest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTPServer is a real SMTP server on loopback (emersion/go-smtp) that
// records every mail it accepts: STARTTLS with its own certificate (Roots
// trusts it), AUTH PLAIN and LOGIN when User is set, and failures on demand.
type SMTPServer struct {
	Addr  string
	Roots *x509.CertPool
	// User and Password, when User is set, are the only credentials accepted,
	// and a session must authenticate before MAIL.
	User, Password string

	// Delay holds each DATA this long before accepting it (a slow relay).
	Delay time.Duration

	failing atomic.Int64 // DATA answers 451 this many more times
	mu      sync.Mutex
	mails   []Received
	srv     *smtp.Server
}

// Received is one accepted mail.
type Received struct {
	From, To  string
	MessageID string
	Subject   string
	Body      string // decoded text of the whole message after the header
	Raw       []byte
	AuthUser  string
	TLS       bool
}

// NewSMTPServer starts the server (plain, offering STARTTLS); it stops when
// the test ends.
func NewSMTPServer(t testing.TB) *SMTPServer { t.Helper(); return newSMTPServer(t, false, false) }

// NewSMTPServerTLS starts a server that speaks TLS from the first byte.
func NewSMTPServerTLS(t testing.TB) *SMTPServer { t.Helper(); return newSMTPServer(t, true, false) }

// NewSMTPServerPlain starts a server without STARTTLS, for a client that
// cannot be given the test CA (the real binary): plain is what mail.SMTP
// speaks to a loopback relay without credentials.
func NewSMTPServerPlain(t testing.TB) *SMTPServer {
	t.Helper()
	return newSMTPServer(t, false, true)
}

func newSMTPServer(t testing.TB, implicitTLS, noTLS bool) *SMTPServer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "warden test smtp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
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
	s := &SMTPServer{Roots: x509.NewCertPool()}
	s.Roots.AddCert(cert)
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &smtpSession{s: s, c: c}, nil }))
	s.srv.Domain = "localhost"
	tc := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	if !noTLS {
		s.srv.TLSConfig = tc
	}
	s.srv.AllowInsecureAuth = true // loopback: the client decides (mail.SMTP allows it only there)
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if implicitTLS {
		l = tls.NewListener(l, tc)
	}
	s.Addr = l.Addr().String()
	go func() { _ = s.srv.Serve(l) }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

// TLSConfig is a client configuration that trusts the server.
func (s *SMTPServer) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: s.Roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// FailNext makes the next n deliveries fail with a temporary 451.
func (s *SMTPServer) FailNext(n int) { s.failing.Store(int64(n)) }

// Mails returns what was accepted so far.
func (s *SMTPServer) Mails() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.mails...)
}

// WaitMails waits up to timeout until at least n mails arrived and returns them.
func (s *SMTPServer) WaitMails(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		m := s.Mails()
		if len(m) >= n {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d mails arrived within %v", len(m), n, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type smtpSession struct {
	s        *SMTPServer
	c        *smtp.Conn
	from, to string
	user     string
}

var errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}

func (x *smtpSession) AuthMechanisms() []string {
	if x.s.User == "" {
		return nil
	}
	return []string{sasl.Plain, sasl.Login}
}

func (x *smtpSession) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if user != x.s.User || pass != x.s.Password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "invalid credentials"}
		}
		x.user = user
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return newLoginServer(check), nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (x *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if x.s.User != "" && x.user == "" {
		return errAuthRequired
	}
	x.from = from
	return nil
}

func (x *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error { x.to = to; return nil }

func (x *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if x.s.Delay > 0 {
		time.Sleep(x.s.Delay)
	}
	if x.s.failing.Add(-1) >= 0 {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	got := Received{From: x.from, To: x.to, Raw: raw, AuthUser: x.user}
	_, got.TLS = x.c.TLSConnectionState()
	if m, err := mail.ReadMessage(strings.NewReader(string(raw))); err == nil {
		got.MessageID = m.Header.Get("Message-ID")
		got.Subject = m.Header.Get("Subject")
		body := m.Body
		if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		b, _ := io.ReadAll(body)
		got.Body = string(b)
	}
	x.s.mu.Lock()
	x.s.mails = append(x.s.mails, got)
	x.s.mu.Unlock()
	return nil
}

func (x *smtpSession) Reset()        { x.from, x.to = "", "" }
func (x *smtpSession) Logout() error { return nil }

// loginServer is the server side of AUTH LOGIN (go-sasl has only its client).
type loginServer struct {
	check func(user, pass string) error
	step  int
	user  string
}

func newLoginServer(check func(user, pass string) error) sasl.Server {
	return &loginServer{check: check}
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step++
		if len(resp) > 0 { // an initial response carries the user name
			l.user, l.step = string(resp), 2
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 1:
		l.user, l.step = string(resp), 2
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(l.user, string(resp))
	}
}
