package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTP sends through one SMTP server, as ZITADEL's SMTP configuration
// describes it.
type SMTP struct {
	Host string // host:port
	// TLS: implicit TLS from the first byte (port 465). Without it the client
	// upgrades with STARTTLS whenever the server offers it, and insists on it
	// before sending credentials to anything but a loopback address.
	TLS      bool
	User     string
	Password string
	From     string
	FromName string
	ReplyTo  string
	// TLSConfig overrides the TLS client configuration (tests: a loopback CA).
	TLSConfig *tls.Config
	// Timeout bounds one whole delivery (default 30 s).
	Timeout time.Duration
}

// Send delivers m over one connection: EHLO, STARTTLS or TLS, AUTH (PLAIN,
// else LOGIN), MAIL, RCPT, DATA. A 5xx reply is ErrPermanent.
func (s *SMTP) Send(ctx context.Context, m Mail) error {
	if m.From == "" {
		m.From, m.FromName = s.From, s.FromName
	}
	if m.ReplyTo == "" {
		m.ReplyTo = s.ReplyTo
	}
	msg, err := Render(m, time.Now())
	if err != nil {
		return err
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	host, _, err := net.SplitHostPort(s.Host)
	if err != nil {
		return fmt.Errorf("%w: smtp host %q: %v", ErrPermanent, s.Host, err)
	}
	tc := s.TLSConfig
	if tc == nil {
		tc = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	dial := func() (net.Conn, error) {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", s.Host)
		if err != nil {
			return nil, fmt.Errorf("smtp: dial %s: %w", s.Host, err)
		}
		if dl, ok := ctx.Deadline(); ok {
			_ = conn.SetDeadline(dl)
		}
		return conn, nil
	}
	conn, err := dial()
	if err != nil {
		return err
	}
	var c *smtp.Client
	encrypted := true
	if s.TLS {
		c = smtp.NewClient(tls.Client(conn, tc))
		if err := c.Hello("localhost"); err != nil {
			c.Close()
			return classify("hello", err)
		}
	} else if c, err = smtp.NewClientStartTLS(conn, tc); err != nil {
		// A server without STARTTLS gets a plain session only when no password
		// would cross the wire in the clear (or it stays on this host).
		if !strings.Contains(err.Error(), "support STARTTLS") || (s.User != "" && !isLoopback(host)) {
			return classify("starttls", err)
		}
		if conn, err = dial(); err != nil {
			return err
		}
		c, encrypted = smtp.NewClient(conn), false
		if err := c.Hello("localhost"); err != nil {
			c.Close()
			return classify("hello", err)
		}
	}
	defer c.Close()
	if s.User != "" {
		if !encrypted && !isLoopback(host) { // guarded above; kept next to the AUTH it protects
			return fmt.Errorf("%w: smtp %s offers no TLS; refusing to send the password in the clear", ErrPermanent, s.Host)
		}
		var a sasl.Client
		switch {
		case c.SupportsAuth(sasl.Plain):
			a = sasl.NewPlainClient("", s.User, s.Password)
		case c.SupportsAuth(sasl.Login):
			a = sasl.NewLoginClient(s.User, s.Password)
		default:
			return fmt.Errorf("%w: smtp %s offers neither AUTH PLAIN nor LOGIN", ErrPermanent, s.Host)
		}
		if err := c.Auth(a); err != nil {
			return classify("auth", err)
		}
	}
	if err := c.Mail(m.From, nil); err != nil {
		return classify("mail from", err)
	}
	if err := c.Rcpt(m.To, nil); err != nil {
		return classify("rcpt to", err)
	}
	w, err := c.Data()
	if err != nil {
		return classify("data", err)
	}
	if _, err := w.Write(msg); err != nil {
		return classify("data", err)
	}
	if err := w.Close(); err != nil {
		return classify("data", err)
	}
	_ = c.Quit()
	return nil
}

// classify marks 5xx replies permanent; the rest (4xx, network) may pass.
func classify(step string, err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) && se.Code >= 500 {
		return fmt.Errorf("%w: smtp %s: %v", ErrPermanent, step, err)
	}
	return fmt.Errorf("smtp %s: %w", step, err)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
