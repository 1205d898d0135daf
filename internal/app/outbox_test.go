package app_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/mail"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/postgres"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
)

func smtpMailer(srv *wardentest.SMTPServer) *mail.SMTP {
	return &mail.SMTP{Host: srv.Addr, From: "noreply@example.com", TLSConfig: srv.TLSConfig(), Timeout: 5 * time.Second}
}

func queue(t *testing.T, a *app.App, n int) []string {
	t.Helper()
	var ids []string
	err := a.Store().Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
		ids = ids[:0]
		for i := range n {
			id, err := app.QueueMail(a, ctx, tx, app.Mail{To: fmt.Sprintf("user%d@example.com", i), Subject: "hello", Text: fmt.Sprintf("code %d", i)})
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func outboxApp(t *testing.T, open testdb.Opener, opts ...app.Option) *app.App {
	return app.New(open(t), slog.New(slog.NewTextHandler(io.Discard, nil)), "localhost", opts...)
}

func deliver(t *testing.T, a *app.App) int64 {
	t.Helper()
	n, err := a.DeliverMail(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestOutboxRolledBackSendsNothing: a mail queued in a write that rolls back
// is never sent.
func TestOutboxRolledBackSendsNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		srv := wardentest.NewSMTPServer(t)
		a := outboxApp(t, open, app.WithMailer(smtpMailer(srv)))
		refused := errors.New("refused")
		err := a.Store().Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
			if _, err := app.QueueMail(a, ctx, tx, app.Mail{To: "ada@example.com", Subject: "s", Text: "t"}); err != nil {
				return err
			}
			return refused
		})
		if !errors.Is(err, refused) {
			t.Fatal(err)
		}
		if n := deliver(t, a); n != 0 || len(srv.Mails()) != 0 {
			t.Fatalf("delivered %d, server got %d", n, len(srv.Mails()))
		}
	})
}

// TestOutboxRetriesUntilDelivered: while the SMTP server refuses, the mail is
// retried with a growing delay, then delivered once, with its Message-ID.
func TestOutboxRetriesUntilDelivered(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		srv := wardentest.NewSMTPServer(t)
		a := outboxApp(t, open, app.WithMailer(smtpMailer(srv)), app.WithDelivery(app.DeliveryConfig{Backoff: 50 * time.Millisecond}))
		srv.FailNext(2)
		id := queue(t, a, 1)[0]
		if n := deliver(t, a); n != 0 {
			t.Fatalf("delivered %d while the server refuses", n)
		}
		m, err := a.Store().Message(context.Background(), id)
		if err != nil || m.State != store.MessagePending || m.Attempts != 1 || m.LastError == "" || !m.NextAttempt.After(m.ChangedAt) {
			t.Fatalf("after a failure: %+v, %v", m, err)
		}
		if n := deliver(t, a); n != 0 { // not due yet: no attempt
			t.Fatalf("delivered %d before the backoff", n)
		}
		deadline := time.Now().Add(5 * time.Second)
		for len(srv.Mails()) == 0 && time.Now().Before(deadline) {
			deliver(t, a)
			time.Sleep(20 * time.Millisecond)
		}
		for range 3 { // and never again
			deliver(t, a)
		}
		got := srv.Mails()
		if len(got) != 1 || got[0].MessageID != mail.MessageIDHeader(id) || got[0].To != "user0@example.com" || strings.TrimSpace(got[0].Body) != "code 0" {
			t.Fatalf("received %+v", got)
		}
		m, err = a.Store().Message(context.Background(), id)
		if err != nil || m.State != store.MessageSent || m.Attempts != 3 {
			t.Fatalf("after delivery: %+v, %v", m, err)
		}
	})
}

// TestOutboxDeadAfterMaxAttempts: a mail the server keeps refusing is given
// up on after MaxAttempts, with its last error kept; a permanent refusal
// (5xx) at once.
func TestOutboxDeadAfterMaxAttempts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		srv := wardentest.NewSMTPServer(t)
		a := outboxApp(t, open, app.WithMailer(smtpMailer(srv)), app.WithDelivery(app.DeliveryConfig{MaxAttempts: 3, Backoff: time.Millisecond}))
		srv.FailNext(1000)
		id := queue(t, a, 1)[0]
		for range 20 {
			deliver(t, a)
			time.Sleep(5 * time.Millisecond)
		}
		m, err := a.Store().Message(context.Background(), id)
		if err != nil || m.State != store.MessageDead || m.Attempts != 3 || m.LastError == "" {
			t.Fatalf("%+v, %v", m, err)
		}
		if len(srv.Mails()) != 0 {
			t.Fatal("delivered")
		}
		// A bad address is refused by the renderer: dead on the first attempt.
		var bad string
		err = a.Store().Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
			var err error
			bad, err = app.QueueMail(a, ctx, tx, app.Mail{To: "not an address", Subject: "s", Text: "t"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		deliver(t, a)
		if m, err := a.Store().Message(context.Background(), bad); err != nil || m.State != store.MessageDead || m.Attempts != 1 {
			t.Fatalf("bad address: %+v, %v", m, err)
		}
	})
}

// TestOutboxConcurrentRunsDeliverEachOnce: four delivery runs at once send
// every mail exactly once.
func TestOutboxConcurrentRunsDeliverEachOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		srv := wardentest.NewSMTPServer(t)
		cfg := app.WithDelivery(app.DeliveryConfig{Batch: 3})
		a := outboxApp(t, open, app.WithMailer(smtpMailer(srv)), cfg)
		ids := queue(t, a, 30)
		race(t, a, a) // on PostgreSQL, TestOutboxTwoPostgresNodes adds a second node
		checkOnce(t, srv, ids)
	})
}

// TestOutboxTwoPostgresNodes: two nodes, each with its own PostgreSQL store
// and app over one database, deliver every mail exactly once between them.
func TestOutboxTwoPostgresNodes(t *testing.T) {
	dsn := testdb.PostgresDSN(t)
	srv := wardentest.NewSMTPServer(t)
	var apps []*app.App
	for range 2 {
		s, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		apps = append(apps, app.New(s, slog.New(slog.NewTextHandler(io.Discard, nil)), "localhost",
			app.WithMailer(smtpMailer(srv)), app.WithDelivery(app.DeliveryConfig{Batch: 3})))
	}
	ids := queue(t, apps[0], 30)
	race(t, apps[0], apps[1])
	checkOnce(t, srv, ids)
}

func race(t *testing.T, nodes ...*app.App) {
	t.Helper()
	var wg sync.WaitGroup
	for _, n := range nodes {
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := n.DeliverMail(context.Background()); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
}

func checkOnce(t *testing.T, srv *wardentest.SMTPServer, ids []string) {
	t.Helper()
	seen := map[string]int{}
	for _, m := range srv.Mails() {
		seen[m.MessageID]++
	}
	for _, id := range ids {
		if c := seen[mail.MessageIDHeader(id)]; c != 1 {
			t.Errorf("message %s delivered %d times", id, c)
		}
	}
	if len(seen) != len(ids) {
		t.Errorf("%d distinct mails, want %d", len(seen), len(ids))
	}
}
