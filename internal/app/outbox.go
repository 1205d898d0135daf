package app

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/warden-id/warden/internal/mail"
	"github.com/warden-id/warden/internal/notify"
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
	// EventType and Args are optional: an HTTP e-mail provider receives them
	// (ZITADEL's contextInfo.eventType and args); SMTP ignores them.
	EventType string         `json:"eventType,omitempty"`
	Args      map[string]any `json:"args,omitempty"`
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
	return a.enqueue(ctx, tx, KindEmail, m.To, m)
}

// SMS is a text message a use case queues for one phone number.
type SMS struct {
	To   string `json:"to"` // E.164
	Text string `json:"text"`
	// EventType and Args are optional: an HTTP SMS provider receives them
	// (ZITADEL's contextInfo.eventType and args).
	EventType string         `json:"eventType,omitempty"`
	Args      map[string]any `json:"args,omitempty"`
}

// queueSMS adds s to the outbox inside tx, as queueMail does for a mail.
func (a *App) queueSMS(ctx context.Context, tx store.Tx, s SMS) (string, error) {
	if s.To == "" {
		return "", errors.New("queue sms: no recipient")
	}
	return a.enqueue(ctx, tx, KindSMS, s.To, s)
}

// kindOutboxBody is the sealing place (additional data) of outbox bodies.
const kindOutboxBody = "outbox"

// enqueue writes body, sealed with the master key for its row, as a pending
// message: what a message says (a code, a link) is never in the store in
// clear, and the store drops it once the message is sent or dead.
func (a *App) enqueue(ctx context.Context, tx store.Tx, kind, to string, body any) (string, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return "", fmt.Errorf("queue %s: %w", kind, err)
	}
	id := a.ids.Next()
	if err := tx.EnqueueMessage(ctx, &store.Message{ID: id, Kind: kind, Recipient: to,
		Data: a.SealSecret(kindOutboxBody, id, data), CreatedAt: store.Now()}); err != nil {
		return "", err
	}
	return id, nil
}

// openBody decodes a claimed message's body into v. A body an earlier
// version queued in clear (a JSON object) is read as it is; anything else
// that does not open is permanent (another master key, a damaged row).
func (a *App) openBody(m *store.Message, v any) error {
	plain, err := a.OpenSecret(kindOutboxBody, m.ID, m.Data)
	if err != nil {
		if len(m.Data) == 0 || m.Data[0] != '{' {
			return fmt.Errorf("%w: outbox message body: %v", mail.ErrPermanent, err)
		}
		plain = m.Data
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return fmt.Errorf("%w: undecodable message: %v", mail.ErrPermanent, err)
	}
	return nil
}

// WithSMTPTLS sets the TLS client configuration SMTP connections use (tests:
// a loopback server's own CA).
func WithSMTPTLS(c *tls.Config) Option { return func(a *App) { a.smtpTLS = c } }

// deliverFunc sends one claimed message of its channel's kind.
type deliverFunc func(ctx context.Context, m *store.Message) error

// outboxChannel is how the job sends one kind: what it calls the provider in
// logs, and the function that finds the active one (nil: none, the kind's
// messages wait).
type outboxChannel struct {
	kind, provider string
	open           func(ctx context.Context) (deliverFunc, error)
}

func (a *App) channels() []outboxChannel {
	return []outboxChannel{
		{KindEmail, "e-mail provider (SMTP configuration or HTTP provider)", a.mailChannel},
		{KindSMS, "SMS provider", a.smsChannel},
	}
}

// mailChannel is what the job sends mails through: WithMailer's sender, else
// the active e-mail provider (an SMTP configuration, or an HTTP provider's
// webhook); nil when there is none (mails then wait, unclaimed and with no
// attempt counted, for one).
func (a *App) mailChannel(ctx context.Context) (deliverFunc, error) {
	var snd mail.Sender
	if a.mailer != nil {
		snd = a.mailer
	} else {
		s, err := a.activeSMTP(ctx)
		if errors.Is(err, errSMTPNotFound) {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		if s.HTTP != nil {
			return a.emailWebhook(s)
		}
		if snd, err = a.smtpSender(s); err != nil {
			return nil, err
		}
	}
	return func(ctx context.Context, m *store.Message) error {
		var q Mail
		if err := a.openBody(m, &q); err != nil {
			return err
		}
		return snd.Send(ctx, mail.Mail{MessageID: m.ID, To: q.To, Subject: q.Subject, Text: q.Text, HTML: q.HTML})
	}, nil
}

// DeliverMail sends the due outbox messages, kind by kind (mails, text
// messages) through that kind's active provider, batch by batch until none is
// due, and returns how many it delivered. A kind without an active provider
// is not claimed: its messages wait, with no attempt counted. Each message is
// claimed (leased) in one write, sent outside any transaction, and finished
// in another write: sent, due again after a backoff, or dead after
// MaxAttempts or a permanent refusal. When ctx ends it stops between two
// messages; what it claimed and did not send becomes due again when the
// lease ends.
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
	var sent int64
	var firstErr error
	for _, ch := range a.channels() {
		if ctx.Err() != nil {
			break
		}
		n, err := a.deliverKind(ctx, cfg, ch, obs)
		sent += n
		if err != nil && firstErr == nil {
			firstErr = err // the other kinds still go out
		}
	}
	return sent, firstErr
}

func (a *App) deliverKind(ctx context.Context, cfg DeliveryConfig, ch outboxChannel, obs DeliveryObserver) (int64, error) {
	send, err := ch.open(ctx)
	if err != nil {
		return 0, fmt.Errorf("outbox delivery: the active %s: %w", ch.provider, err)
	}
	if send == nil {
		// Pending counts every kind: a missing SMS provider is usual, so only
		// the mail channel's absence is worth a warning.
		if n, err := a.store.CountMessages(ctx, store.MessagePending); err == nil && n > 0 && ch.kind == KindEmail {
			a.log.Warn("outbox delivery: no active "+ch.provider+"; mails wait", "pending", n)
		}
		return 0, nil
	}
	var sent int64
	for ctx.Err() == nil {
		now := store.Now()
		var batch []*store.Message
		err := a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			var err error
			batch, err = tx.ClaimMessages(ctx, ch.kind, now, now.Add(cfg.Lease), cfg.Batch)
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
			ok, err := a.deliverOne(ctx, cfg, send, m, obs)
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

// permanent says whether a send error is one a retry cannot cure.
func permanent(err error) bool {
	return errors.Is(err, mail.ErrPermanent) || errors.Is(err, notify.ErrPermanent)
}

func (a *App) deliverOne(ctx context.Context, cfg DeliveryConfig, send deliverFunc, m *store.Message, obs DeliveryObserver) (bool, error) {
	sendErr := send(ctx, m)
	now := store.Now()
	done := *m
	done.ChangedAt = now
	switch {
	case sendErr == nil:
		done.State, done.NextAttempt, done.LastError = store.MessageSent, now, ""
	case permanent(sendErr) || m.Attempts >= cfg.MaxAttempts:
		done.State, done.NextAttempt, done.LastError = store.MessageDead, now, truncate(sendErr.Error(), 1000)
	default:
		done.State, done.NextAttempt, done.LastError = store.MessagePending, now.Add(cfg.backoff(m.Attempts)), truncate(sendErr.Error(), 1000)
	}
	// The mark must land even if the job is being stopped: the message is out.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	err := a.store.Write(wctx, func(ctx context.Context, tx store.Tx) error { return tx.FinishMessage(ctx, &done) })
	if errors.Is(err, store.ErrNotFound) {
		// The lease ran out during the send and another run took the message:
		// it may go out twice, with the same id.
		a.log.Warn("outbox message lease lost during delivery", "message_id", m.ID, "kind", m.Kind, "attempt", m.Attempts)
		err = nil
	}
	if err != nil {
		return false, fmt.Errorf("finish outbox message %s: %w", m.ID, err)
	}
	if sendErr != nil {
		// The error comes from the SMTP dialogue, the provider's status line or
		// the renderer, never with a password, token or the message's text; the
		// recipient is left out of the log on purpose.
		a.log.Warn("outbox delivery failed", "message_id", m.ID, "kind", m.Kind, "attempt", m.Attempts,
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
