// Package mail renders an e-mail and hands it to an SMTP server: what the
// outbox's delivery job (app/outbox.go) sends. It knows nothing of Warden's
// aggregates.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
)

// Mail is one message to one recipient.
type Mail struct {
	// MessageID is the idempotency key (the outbox message's id): a mail sent
	// twice after a crash carries the same Message-ID, so a receiver (or a
	// reader) can tell the copies for one.
	MessageID string
	From      string // address
	FromName  string
	ReplyTo   string
	To        string
	Subject   string
	Text      string // plain text body
	HTML      string // optional HTML alternative
}

// Sender delivers a mail; an error means it was not accepted and may be retried.
type Sender interface {
	Send(ctx context.Context, m Mail) error
}

// ErrPermanent marks a refusal a retry cannot cure (a bad address, a 5xx reply).
var ErrPermanent = errors.New("mail: permanent failure")

// headerDomain is the right-hand side of Warden's Message-IDs.
const headerDomain = "warden"

// MessageIDHeader is the Message-ID header value for an idempotency key.
func MessageIDHeader(key string) string { return "<" + key + "@" + headerDomain + ">" }

// Render writes m as an RFC 5322 message; the date is now.
func Render(m Mail, now time.Time) ([]byte, error) {
	if _, err := mail.ParseAddress(m.To); err != nil {
		return nil, fmt.Errorf("%w: recipient %q: %v", ErrPermanent, m.To, err)
	}
	from := mail.Address{Name: m.FromName, Address: m.From}
	if _, err := mail.ParseAddress(m.From); err != nil {
		return nil, fmt.Errorf("%w: sender %q: %v", ErrPermanent, m.From, err)
	}
	var b bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", from.String())
	h("To", (&mail.Address{Address: m.To}).String())
	if m.ReplyTo != "" {
		h("Reply-To", (&mail.Address{Address: m.ReplyTo}).String())
	}
	h("Subject", mime.QEncoding.Encode("utf-8", strings.ReplaceAll(m.Subject, "\n", " ")))
	h("Date", now.UTC().Format(time.RFC1123Z))
	h("Message-ID", MessageIDHeader(m.MessageID))
	h("MIME-Version", "1.0")
	if m.HTML == "" {
		h("Content-Type", `text/plain; charset="utf-8"`)
		h("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQP(&b, m.Text); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	// Random, not derived from the message id: a body that carries text of a
	// user's (a display name, say) must not be able to guess it and end a part.
	var nonce [18]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, err
	}
	boundary := "warden-" + base64.RawURLEncoding.EncodeToString(nonce[:])
	h("Content-Type", `multipart/alternative; boundary="`+boundary+`"`)
	b.WriteString("\r\n")
	for _, part := range []struct{ typ, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		fmt.Fprintf(&b, "--%s\r\nContent-Type: %s; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", boundary, part.typ)
		if err := writeQP(&b, part.body); err != nil {
			return nil, err
		}
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.Bytes(), nil
}

func writeQP(b *bytes.Buffer, s string) error {
	w := quotedprintable.NewWriter(b)
	if _, err := w.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n"))); err != nil {
		return err
	}
	return w.Close()
}
