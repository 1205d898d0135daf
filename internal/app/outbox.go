package app

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/warden-id/warden/internal/mail"
	"github.com/warden-id/warden/internal/scheduler"
	"github.com/warden-id/warden/internal/store"
)

// The notification outbox. A use case that must tell someone about a change
// queues the message in the change's own transaction (queueMail); the
// delivery job (DeliverMail, scheduled as OutboxJob) sends it later. So a mail
// goes out if and only if its change committed, and an SMTP outage or a crash
// only delays it.
//
// Delivery is at least once, and in practice once: a claim moves the message's
// due time to the end of a lease and counts the attempt, so another run (on
// this node or another) leaves it alone until then; the run that sent it then
// marks it sent. A crash between the SMTP server's acceptance and that mark
// makes the message due again when the lease ends, so it is sent a second
// time with the same Message-ID (the outbox id): a duplicate a receiver can
// recognise, never a loss.

// The outbox kinds: a mail, and a text message for a phone.
const (
	KindEmail = "email"
	KindSMS   = "sms"
)

// OutboxJob is the delivery job's name in the scheduler (logs, metrics, leases).
const OutboxJob = "outbox_delivery"

// Mail is a message a use case queues for one recipient.
type Mail struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html,omitempty"`
}

// DeliveryConfig tunes the delivery job; zero fields take the defaults.
type DeliveryConfig struct {
	Batch       int           // messages claimed per transaction (default 50)
	MaxAttempts int           // attempts before a message is dead (default 10)
	Backoff     time.Duration // the first retry's delay, doubled each time (default 30 s)
	MaxBackoff  time.Duration // the longest delay between two attempts (default 1 h)
	// Lease is how long a claim keeps a message from other runs: longer than
	// a send may take (default 5 min).
	Lease time.Duration
}

func (c DeliveryConfig) withDefaults() DeliveryConfig {
	if c.Batch <= 0 {
		c.Batch = 50
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 10
	}
	if c.Backoff <= 0 {
		c.Backoff = 30 * time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = time.Hour
	}
	if c.Lease <= 0 {
		c.Lease = 5 * time.Minute
	}
	return c
}

// backoff is the delay after the given failed attempt (1-based).
func (c DeliveryConfig) backoff(attempt int) time.Duration {
	d := c.Backoff
	for i := 1; i < attempt && d < c.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, c.MaxBackoff)
}

// WithDelivery tunes the delivery job.
func WithDelivery(c DeliveryConfig) Option { return func(a *App) { a.delivery = c } }

// WithMailer makes the delivery job send through m instead of the instance's
// active SMTP configuration (tests, or an operator's fixed relay).
func WithMailer(m mail.Sender) Option { return func(a *App) { a.mailer = m } }

// DeliveryObserver hears how deliveries go; an Observer that also implements
// it (internal/metrics) is told. Calls must be quick.
type DeliveryObserver interface {
	MailDelivered()
	MailFailed()
	MailDead()
	MailsPending(n int64)
}

// queueMail adds m to the outbox inside tx, the transaction of the change that
// causes it, and returns its id (the Message-ID's key). Use cases call it in
// their store.Write function; if that write rolls back, nothing is sent. It
// must not be called outside a write (there is no tx to commit with).
func (a *App) queueMail(ctx context.Context, tx store.Tx, m Mail) (string, error) {
	if m.To == "" {
		return "", errors.New("queue mail: no recipient")
	}
	data, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("queue mail: %w", err)
	}
	id := a.ids.Next()
	if err := tx.EnqueueMessage(ctx, &store.Message{ID: id, Kind: KindEmail, Recipient: m.To, Data: data, CreatedAt: store.Now()}); err != nil {
		return "", err
	}
	return id, nil
}

// SMS is a text message a use case queues for one phone number.
type SMS struct {
	To   string `json:"to"` // E.164
	Text string `json:"text"`
}

// queueSMS adds s to the outbox inside tx, as queueMail does for a mail.
func (a *App) queueSMS(ctx context.Context, tx store.Tx, s SMS) (string, error) {
	if s.To == "" {
		return "", errors.New("queue sms: no recipient")
	}
	data, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("queue sms: %w", err)
	}
	id := a.ids.Next()
	if err := tx.EnqueueMessage(ctx, &store.Message{ID: id, Kind: KindSMS, Recipient: s.To, Data: data, CreatedAt: store.Now()}); err != nil {
		return "", err
	}
	return id, nil
}

// WithSMTPTLS sets the TLS client configuration SMTP connections use (tests:
// a loopback server's own CA).
func WithSMTPTLS(c *tls.Config) Option { return func(a *App) { a.smtpTLS = c } }

// sender is what the job sends through: WithMailer's, else the active SMTP
// configuration's; nil when there is none (the messages then wait, unclaimed
// and with no attempt counted, for one).
func (a *App) sender(ctx context.Context) (mail.Sender, error) {
	if a.mailer != nil {
		return a.mailer, nil
	}
	s, err := a.activeSMTP(ctx)
	if errors.Is(err, errSMTPNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return a.smtpSender(s)
}

// DeliverMail sends the due outbox mails, batch by batch, until none is due,
// and returns how many it delivered. Each message is claimed (leased) in one
// write, sent outside any transaction, and finished in another write: sent,
// due again after a backoff, or dead after MaxAttempts or a permanent refusal.
// When ctx ends it stops between two messages; what it claimed and did not
// send becomes due again when the lease ends.
func (a *App) DeliverMail(ctx context.Context) (int64, error) {
	cfg := a.delivery.withDefaults()
	obs, _ := a.obs.(DeliveryObserver)
	defer func() {
		if obs == nil {
			return
		}
		if n, err := a.store.CountMessages(context.WithoutCancel(ctx), store.MessagePending); err == nil {
			obs.MailsPending(n)
		}
	}()
	s, err := a.sender(ctx)
	if err != nil {
		return 0, fmt.Errorf("outbox delivery: the active SMTP configuration: %w", err)
	}
	if s == nil {
		if n, err := a.store.CountMessages(ctx, store.MessagePending); err == nil && n > 0 {
			a.log.Warn("outbox delivery: no active SMTP configuration; mails wait", "pending", n)
		}
		return 0, nil
	}
	var sent int64
	for ctx.Err() == nil {
		now := store.Now()
		var batch []*store.Message
		err := a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			var err error
			batch, err = tx.ClaimMessages(ctx, now, now.Add(cfg.Lease), cfg.Batch)
			return err
		})
		if err != nil {
			return sent, fmt.Errorf("claim outbox messages: %w", err)
		}
		for i, m := range batch {
			if ctx.Err() != nil {
				a.log.Info("outbox delivery stopped; claimed messages wait for their lease", "left", len(batch)-i)
				return sent, nil
			}
			ok, err := a.deliverOne(ctx, cfg, s, m, obs)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
		if len(batch) < cfg.Batch {
			break
		}
	}
	return sent, nil
}

func (a *App) deliverOne(ctx context.Context, cfg DeliveryConfig, s mail.Sender, m *store.Message, obs DeliveryObserver) (bool, error) {
	var sendErr error
	var q Mail
	if m.Kind != KindEmail {
		sendErr = fmt.Errorf("%w: unknown outbox kind %q", mail.ErrPermanent, m.Kind)
	} else if err := json.Unmarshal(m.Data, &q); err != nil {
		sendErr = fmt.Errorf("%w: undecodable message: %v", mail.ErrPermanent, err)
	} else {
		sendErr = s.Send(ctx, mail.Mail{MessageID: m.ID, To: q.To, Subject: q.Subject, Text: q.Text, HTML: q.HTML})
	}
	now := store.Now()
	done := *m
	done.ChangedAt = now
	switch {
	case sendErr == nil:
		done.State, done.NextAttempt, done.LastError = store.MessageSent, now, ""
	case errors.Is(sendErr, mail.ErrPermanent) || m.Attempts >= cfg.MaxAttempts:
		done.State, done.NextAttempt, done.LastError = store.MessageDead, now, truncate(sendErr.Error(), 1000)
	default:
		done.State, done.NextAttempt, done.LastError = store.MessagePending, now.Add(cfg.backoff(m.Attempts)), truncate(sendErr.Error(), 1000)
	}
	// The mark must land even if the job is being stopped: the mail is out.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	err := a.store.Write(wctx, func(ctx context.Context, tx store.Tx) error { return tx.FinishMessage(ctx, &done) })
	if errors.Is(err, store.ErrNotFound) {
		// The lease ran out during the send and another run took the message:
		// it may go out twice, with the same Message-ID.
		a.log.Warn("outbox message lease lost during delivery", "message_id", m.ID, "attempt", m.Attempts)
		err = nil
	}
	if err != nil {
		return false, fmt.Errorf("finish outbox message %s: %w", m.ID, err)
	}
	if sendErr != nil {
		// The error comes from the SMTP dialogue or the renderer, never with the
		// password; the recipient is left out of the log on purpose.
		a.log.Warn("outbox delivery failed", "message_id", m.ID, "attempt", m.Attempts,
			"dead", done.State == store.MessageDead, "next_attempt", done.NextAttempt, "error", sendErr)
		if obs != nil {
			obs.MailFailed()
			if done.State == store.MessageDead {
				obs.MailDead()
			}
		}
		return false, nil
	}
	if obs != nil {
		obs.MailDelivered()
	}
	return true, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// OutboxJobEvery is the delivery as a scheduler job run at interval.
func (a *App) OutboxJobEvery(interval time.Duration) scheduler.Job {
	return scheduler.Job{Name: OutboxJob, Interval: interval, Run: a.DeliverMail}
}
