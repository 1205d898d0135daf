package mail_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/mail"
	"github.com/warden-id/warden/internal/wardentest"
)

// TestSMTPStartTLSAndAuth: a mail goes through STARTTLS and AUTH to a real
// server and arrives with its Message-ID, subject and body.
func TestSMTPStartTLSAndAuth(t *testing.T) {
	srv := wardentest.NewSMTPServer(t)
	srv.User, srv.Password = "mailer", "s3cret"
	s := &mail.SMTP{Host: srv.Addr, User: "mailer", Password: "s3cret", From: "noreply@example.com", FromName: "Warden", TLSConfig: srv.TLSConfig()}
	err := s.Send(context.Background(), mail.Mail{MessageID: "123", To: "ada@example.com", Subject: "Héllo", Text: "your code: 4711\nbye"})
	if err != nil {
		t.Fatal(err)
	}
	got := srv.Mails()
	if len(got) != 1 {
		t.Fatalf("%d mails", len(got))
	}
	m := got[0]
	if !m.TLS || m.AuthUser != "mailer" || m.To != "ada@example.com" || m.From != "noreply@example.com" ||
		m.MessageID != mail.MessageIDHeader("123") || !strings.Contains(m.Body, "your code: 4711") {
		t.Fatalf("received %+v", m)
	}
}

// TestSMTPWrongPasswordIsPermanent: a refused AUTH is not retried forever.
func TestSMTPWrongPasswordIsPermanent(t *testing.T) {
	srv := wardentest.NewSMTPServer(t)
	srv.User, srv.Password = "mailer", "s3cret"
	s := &mail.SMTP{Host: srv.Addr, User: "mailer", Password: "wrong", From: "noreply@example.com", TLSConfig: srv.TLSConfig()}
	err := s.Send(context.Background(), mail.Mail{MessageID: "1", To: "ada@example.com", Subject: "x", Text: "y"})
	if !errors.Is(err, mail.ErrPermanent) {
		t.Fatalf("got %v, want a permanent failure", err)
	}
	if len(srv.Mails()) != 0 {
		t.Fatal("delivered without authentication")
	}
}

// TestSMTPTemporaryFailure: a 451 is an ordinary, retryable error.
func TestSMTPTemporaryFailure(t *testing.T) {
	srv := wardentest.NewSMTPServer(t)
	srv.FailNext(1)
	s := &mail.SMTP{Host: srv.Addr, From: "noreply@example.com", TLSConfig: srv.TLSConfig()}
	m := mail.Mail{MessageID: "1", To: "ada@example.com", Subject: "x", Text: "y"}
	if err := s.Send(context.Background(), m); err == nil || errors.Is(err, mail.ErrPermanent) {
		t.Fatalf("got %v, want a temporary failure", err)
	}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if len(srv.Mails()) != 1 {
		t.Fatal("not delivered on the retry")
	}
}

// TestSMTPImplicitTLS: with TLS set the session is TLS from the first byte.
func TestSMTPImplicitTLS(t *testing.T) {
	srv := wardentest.NewSMTPServerTLS(t)
	s := &mail.SMTP{Host: srv.Addr, TLS: true, From: "noreply@example.com", TLSConfig: srv.TLSConfig()}
	if err := s.Send(context.Background(), mail.Mail{MessageID: "1", To: "ada@example.com", Subject: "x", Text: "y"}); err != nil {
		t.Fatal(err)
	}
	if m := srv.Mails(); len(m) != 1 || !m[0].TLS {
		t.Fatalf("received %+v", m)
	}
}
