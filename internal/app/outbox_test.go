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
	"github.com/warden-id/warden/internal/masterkey"
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
	key, _ := masterkey.New(masterkey.Generate()) // the nodes share one, as a cluster does
	for range 2 {
		s, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		apps = append(apps, app.New(s, slog.New(slog.NewTextHandler(io.Discard, nil)), "localhost",
			app.WithMailer(smtpMailer(srv)), app.WithDelivery(app.DeliveryConfig{Batch: 3}), app.WithMasterKey(key)))
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

// TestOutboxSurvivesStoreCopy: a store copy (`warden store copy`, SQLite →
// PostgreSQL and back) keeps the outbox row by row, so the copy's delivery job
// sends the pending mails, the one already retried included, once each, and
// never the sent or the dead one.
func TestOutboxSurvivesStoreCopy(t *testing.T) {
	ctx := context.Background()
	srv := wardentest.NewSMTPServer(t)
	src := outboxApp(t, testdb.SQLite, app.WithMailer(smtpMailer(srv)), app.WithDelivery(app.DeliveryConfig{Backoff: time.Millisecond}))
	sent := queue(t, src, 1)[0]
	if n := deliver(t, src); n != 1 {
		t.Fatalf("delivered %d, want the first mail", n)
	}
	var dead string
	if err := src.Store().Write(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		dead, err = app.QueueMail(src, ctx, tx, app.Mail{To: "not an address", Subject: "s", Text: "t"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	deliver(t, src)
	srv.FailNext(1)
	retried := queue(t, src, 1)[0]
	deliver(t, src)
	fresh := queue(t, src, 1)[0]
	want := map[string]store.MessageState{sent: store.MessageSent, dead: store.MessageDead, retried: store.MessagePending, fresh: store.MessagePending}
	for id, st := range want {
		if m, err := src.Store().Message(ctx, id); err != nil || m.State != st {
			t.Fatalf("source message %s: %+v, %v; want state %d", id, m, err, st)
		}
	}
	if m, _ := src.Store().Message(ctx, retried); m.Attempts != 1 || m.LastError == "" {
		t.Fatalf("the retried mail has not failed once: %+v", m)
	}
	time.Sleep(5 * time.Millisecond) // past the retried mail's backoff

	copyTo := func(t *testing.T, from store.Store, open testdb.Opener) store.Store {
		t.Helper()
		to := open(t)
		if _, err := store.Copy(ctx, from.(store.Dumper), to.(store.Loader)); err != nil {
			t.Fatal(err)
		}
		return to
	}
	copies := map[string]store.Store{"sqlite": copyTo(t, src.Store(), testdb.SQLite)}
	if len(testdb.Engines()) > 1 {
		pg := copyTo(t, src.Store(), testdb.Postgres)
		copies["postgres"] = pg
		copies["postgres→sqlite"] = copyTo(t, pg, testdb.SQLite)
	}
	for name, s := range copies {
		t.Run(name, func(t *testing.T) {
			srv := wardentest.NewSMTPServer(t)
			// The same master key opens the sealed bodies on the copy.
			a := app.New(s, slog.New(slog.NewTextHandler(io.Discard, nil)), "localhost", app.WithMailer(smtpMailer(srv)),
				app.WithMasterKey(src.MasterKey()))
			for range 3 {
				deliver(t, a)
			}
			checkOnce(t, srv, []string{retried, fresh})
			for id, st := range map[string]store.MessageState{sent: store.MessageSent, dead: store.MessageDead, retried: store.MessageSent, fresh: store.MessageSent} {
				if m, err := s.Message(ctx, id); err != nil || m.State != st {
					t.Errorf("message %s on the copy: %+v, %v; want state %d", id, m, err, st)
				}
			}
			// The retry count went with the copy: the attempt there was the second.
			if m, err := s.Message(ctx, retried); err != nil || m.Attempts != 2 {
				t.Errorf("retried mail on the copy: %+v, %v; want 2 attempts", m, err)
			}
		})
	}
}

// TestOutboxBodySealed: a queued message's stored data holds neither its
// text nor its subject (sealed with the master key for its row), another
// master key cannot open it (dead, not sent), and once the message is sent
// the row keeps its recipient but no body.
func TestOutboxBodySealed(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		ctx := context.Background()
		srv := wardentest.NewSMTPServer(t)
		s := open(t)
		a := app.New(s, slog.New(slog.NewTextHandler(io.Discard, nil)), "localhost", app.WithMailer(smtpMailer(srv)))
		var id, other string
		if err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			var err error
			if id, err = app.QueueMail(a, ctx, tx, app.Mail{To: "ada@example.com", Subject: "Your code", Text: "code 748213"}); err != nil {
				return err
			}
			other, err = app.QueueSMS(a, ctx, tx, app.SMS{To: "+41790000001", Text: "code 551907"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for _, q := range []struct{ id, plain string }{{id, "748213"}, {id, "Your code"}, {other, "551907"}} {
			m, err := s.Message(ctx, q.id)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Data) == 0 || strings.Contains(string(m.Data), q.plain) {
				t.Fatalf("stored data of %s shows %q: %q", q.id, q.plain, m.Data)
			}
		}
		// Another master key (a store copied without its key) opens nothing:
		// the mail is given up on rather than sent garbled.
		wrongSrv := wardentest.NewSMTPServer(t)
		// (Through a copy, so the original stays pending.)
		cp := open(t)
		if _, err := store.Copy(ctx, s.(store.Dumper), cp.(store.Loader)); err != nil {
			t.Fatal(err)
		}
		wrong := app.New(cp, slog.New(slog.NewTextHandler(io.Discard, nil)), "localhost", app.WithMailer(smtpMailer(wrongSrv)))
		if n := deliver(t, wrong); n != 0 || len(wrongSrv.Mails()) != 0 {
			t.Fatalf("another master key delivered %d", n)
		}
		if m, err := cp.Message(ctx, id); err != nil || m.State != store.MessageDead || !strings.Contains(m.LastError, "body") {
			t.Fatalf("under another key: %+v, %v", m, err)
		}

		if n := deliver(t, a); n != 1 {
			t.Fatalf("delivered %d", n)
		}
		got := srv.Mails()
		if len(got) != 1 || strings.TrimSpace(got[0].Body) != "code 748213" {
			t.Fatalf("received %+v", got)
		}
		m, err := s.Message(ctx, id)
		if err != nil || m.State != store.MessageSent || len(m.Data) != 0 || m.Recipient != "ada@example.com" {
			t.Fatalf("after delivery: %+v, %v", m, err)
		}
	})
}
