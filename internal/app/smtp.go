package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"slices"
	"strings"
	"time"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/mail"
	"github.com/warden-id/warden/internal/notify"
	"github.com/warden-id/warden/internal/store"
)

// The instance's SMTP configurations (admin v1 AddSMTPConfig …), as ZITADEL
// has them: any number, at most one active, which the outbox delivery sends
// through. The password is sealed with the master key in the artifact and
// never leaves app: no answer, event or log carries it.

// KindSMTPConfig is the artifact kind of one SMTP configuration.
const KindSMTPConfig = "smtp_config"

// SMTPState is a configuration's state (zitadel.settings.v1.SMTPConfigState numbers).
type SMTPState int

const (
	SMTPActive   SMTPState = 1
	SMTPInactive SMTPState = 2
)

// SMTPConfig is one configuration as the API shows it: no password.
type SMTPConfig struct {
	ID             string    `json:"id"`
	Description    string    `json:"description,omitempty"`
	SenderAddress  string    `json:"senderAddress"`
	SenderName     string    `json:"senderName,omitempty"`
	ReplyToAddress string    `json:"replyToAddress,omitempty"`
	TLS            bool      `json:"tls,omitempty"`
	Host           string    `json:"host"`
	User           string    `json:"user,omitempty"`
	State          SMTPState `json:"state"`
	// HTTP is set for an HTTP e-mail provider (admin v1 AddEmailProviderHTTP):
	// a webhook instead of a relay, and none of the SMTP fields.
	HTTP      *EmailHTTP `json:"http,omitempty"`
	Sequence  uint64     `json:"sequence"`
	CreatedAt time.Time  `json:"createdAt"`
	ChangedAt time.Time  `json:"changedAt"`
}

// EmailHTTP is an HTTP e-mail provider's public settings.
type EmailHTTP struct {
	Endpoint string `json:"endpoint"`
}

// smtpStored is the artifact's data: the configuration and its sealed
// password (SMTP) or signing key (HTTP).
type smtpStored struct {
	SMTPConfig
	Password   []byte `json:"password,omitempty"`
	SigningKey []byte `json:"signingKey,omitempty"`
}

// SMTPInput is what Add and Update take.
type SMTPInput struct {
	Description, SenderAddress, SenderName, ReplyToAddress, Host, User, Password string
	TLS                                                                          bool
}

func (in *SMTPInput) check() error {
	in.SenderAddress, in.Host = strings.TrimSpace(in.SenderAddress), strings.TrimSpace(in.Host)
	in.Description, in.ReplyToAddress = strings.TrimSpace(in.Description), strings.TrimSpace(in.ReplyToAddress)
	if in.SenderAddress == "" {
		return errSMTPSenderMissing
	}
	if _, err := netmail.ParseAddress(in.SenderAddress); err != nil {
		return errSMTPSenderInvalid
	}
	if in.ReplyToAddress != "" {
		if _, err := netmail.ParseAddress(in.ReplyToAddress); err != nil {
			return errSMTPSenderInvalid
		}
	}
	if h, p, err := net.SplitHostPort(in.Host); err != nil || h == "" || p == "" {
		return errSMTPHostInvalid
	}
	for _, f := range []struct{ name, v string }{{"description", in.Description}, {"sender_name", in.SenderName},
		{"host", in.Host}, {"user", in.User}, {"sender_address", in.SenderAddress}, {"reply_to_address", in.ReplyToAddress}} {
		if err := checkText(f.name, f.v, false); err != nil {
			return err
		}
	}
	if len(in.Password) > 1024 {
		return errTooLong.Msgf("password longer than 1024 characters")
	}
	return nil
}

// smtpEvent is an event's payload: what changed, never the password.
func smtpEvent(c *SMTPConfig) map[string]any {
	if c.HTTP != nil {
		return map[string]any{"id": c.ID, "description": c.Description, "endpoint": c.HTTP.Endpoint}
	}
	return map[string]any{"id": c.ID, "description": c.Description, "senderAddress": c.SenderAddress,
		"senderName": c.SenderName, "replyToAddress": c.ReplyToAddress, "tls": c.TLS, "host": c.Host, "user": c.User}
}

func (a *App) loadSMTP(ctx context.Context, r store.Reader, id string) (*smtpStored, error) {
	art, err := r.Artifact(ctx, KindSMTPConfig, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errSMTPNotFound
	} else if err != nil {
		return nil, err
	}
	var s smtpStored
	if err := json.Unmarshal(art.Data, &s); err != nil {
		return nil, fmt.Errorf("smtp config %s: %w", id, err)
	}
	return &s, nil
}

func (a *App) putSMTP(ctx context.Context, tx store.Tx, s *smtpStored) error {
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return tx.PutArtifact(ctx, &store.Artifact{Kind: KindSMTPConfig, ID: s.ID, CreatedAt: s.CreatedAt, Data: data})
}

// smtpChange runs decide on one configuration inside changeInstance and
// writes it back (or removes it when decide says so).
func (a *App) smtpChange(ctx context.Context, c *Caller, use Use, id string,
	decide func(ctx context.Context, tx store.Tx, s *smtpStored) (typ string, remove bool, err error)) (*InstanceDetails, error) {
	g, err := a.authorize(ctx, Scope{Caller: c}, use)
	if err != nil {
		return nil, err
	}
	if err := checkID(id, errSMTPIDMissing); err != nil {
		return nil, err
	}
	return a.changeInstance(ctx, g, func(ctx context.Context, tx store.Tx, ch *instanceChange) (string, any, error) {
		s, err := a.loadSMTP(ctx, tx, id)
		if err != nil {
			return "", nil, err
		}
		typ, remove, err := decide(ctx, tx, s)
		if err != nil || typ == "" {
			return "", nil, err
		}
		s.Sequence, s.ChangedAt = ch.i.Sequence, ch.by.At
		if remove {
			return typ, map[string]any{"id": id}, tx.DeleteArtifact(ctx, KindSMTPConfig, id)
		}
		if err := a.putSMTP(ctx, tx, s); err != nil {
			return "", nil, err
		}
		if typ == event.SMTPConfigChanged || typ == event.SMTPConfigHTTPChanged {
			return typ, smtpEvent(&s.SMTPConfig), nil
		}
		return typ, map[string]any{"id": id}, nil
	})
}

// AddSMTPConfig adds an inactive configuration (ZITADEL: activate it to use
// it) and returns it.
func (a *App) AddSMTPConfig(ctx context.Context, c *Caller, in SMTPInput) (*SMTPConfig, error) {
	g, err := a.authorize(ctx, Scope{Caller: c}, UseAddSMTPConfig)
	if err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	s := &smtpStored{SMTPConfig: SMTPConfig{ID: a.ids.Next(), Description: in.Description, SenderAddress: in.SenderAddress,
		SenderName: in.SenderName, ReplyToAddress: in.ReplyToAddress, TLS: in.TLS, Host: in.Host, User: in.User, State: SMTPInactive}}
	if in.Password != "" {
		s.Password = a.SealSecret(KindSMTPConfig, s.ID, []byte(in.Password))
	}
	_, err = a.changeInstance(ctx, g, func(ctx context.Context, tx store.Tx, ch *instanceChange) (string, any, error) {
		s.Sequence, s.CreatedAt, s.ChangedAt = ch.i.Sequence, ch.by.At, ch.by.At
		if err := a.putSMTP(ctx, tx, s); err != nil {
			return "", nil, err
		}
		return event.SMTPConfigAdded, smtpEvent(&s.SMTPConfig), nil
	})
	if err != nil {
		return nil, err
	}
	return &s.SMTPConfig, nil
}

// UpdateSMTPConfig replaces the configuration's fields; an empty password
// keeps the stored one (ZITADEL's UpdateSMTPConfig).
func (a *App) UpdateSMTPConfig(ctx context.Context, c *Caller, id string, in SMTPInput) (*InstanceDetails, error) {
	if err := in.check(); err != nil {
		if _, aerr := a.authorize(ctx, Scope{Caller: c}, UseUpdateSMTPConfig); aerr != nil {
			return nil, aerr
		}
		return nil, err
	}
	return a.smtpChange(ctx, c, UseUpdateSMTPConfig, id, func(_ context.Context, _ store.Tx, s *smtpStored) (string, bool, error) {
		if s.HTTP != nil {
			return "", false, errSMTPNotFound // an HTTP provider has no SMTP settings
		}
		before := s.SMTPConfig
		s.Description, s.SenderAddress, s.SenderName, s.ReplyToAddress = in.Description, in.SenderAddress, in.SenderName, in.ReplyToAddress
		s.TLS, s.Host, s.User = in.TLS, in.Host, in.User
		pw := in.Password != ""
		if pw {
			s.Password = a.SealSecret(KindSMTPConfig, s.ID, []byte(in.Password))
		}
		if before == s.SMTPConfig && !pw {
			return "", false, nil
		}
		return event.SMTPConfigChanged, false, nil
	})
}

// UpdateSMTPConfigPassword replaces the password ("" removes it).
func (a *App) UpdateSMTPConfigPassword(ctx context.Context, c *Caller, id, password string) (*InstanceDetails, error) {
	if len(password) > 1024 {
		return nil, errTooLong.Msgf("password longer than 1024 characters")
	}
	return a.smtpChange(ctx, c, UseUpdateSMTPConfigPassword, id, func(_ context.Context, _ store.Tx, s *smtpStored) (string, bool, error) {
		if s.HTTP != nil {
			return "", false, errSMTPNotFound
		}
		s.Password = nil
		if password != "" {
			s.Password = a.SealSecret(KindSMTPConfig, s.ID, []byte(password))
		}
		return event.SMTPConfigPasswordChanged, false, nil
	})
}

// ActivateSMTPConfig makes id the active configuration; the one active before
// is deactivated in the same transaction.
func (a *App) ActivateSMTPConfig(ctx context.Context, c *Caller, id string) (*InstanceDetails, error) {
	return a.smtpChange(ctx, c, UseActivateSMTPConfig, id, func(ctx context.Context, tx store.Tx, s *smtpStored) (string, bool, error) {
		if s.State == SMTPActive {
			return "", false, errSMTPAlreadyActive
		}
		all, err := a.smtpAll(ctx, tx)
		if err != nil {
			return "", false, err
		}
		for _, o := range all {
			if o.State == SMTPActive && o.ID != s.ID {
				o.State = SMTPInactive
				if err := a.putSMTP(ctx, tx, o); err != nil {
					return "", false, err
				}
			}
		}
		s.State = SMTPActive
		return event.SMTPConfigActivated, false, nil
	})
}

// DeactivateSMTPConfig leaves the instance without an active configuration
// if id was it: mails then wait in the outbox.
func (a *App) DeactivateSMTPConfig(ctx context.Context, c *Caller, id string) (*InstanceDetails, error) {
	return a.smtpChange(ctx, c, UseDeactivateSMTPConfig, id, func(_ context.Context, _ store.Tx, s *smtpStored) (string, bool, error) {
		if s.State == SMTPInactive {
			return "", false, errSMTPAlreadyInactive
		}
		s.State = SMTPInactive
		return event.SMTPConfigDeactivated, false, nil
	})
}

// RemoveSMTPConfig deletes the configuration.
func (a *App) RemoveSMTPConfig(ctx context.Context, c *Caller, id string) (*InstanceDetails, error) {
	return a.smtpChange(ctx, c, UseRemoveSMTPConfig, id, func(context.Context, store.Tx, *smtpStored) (string, bool, error) {
		return event.SMTPConfigRemoved, true, nil
	})
}

func (a *App) smtpAll(ctx context.Context, r store.Reader) ([]*smtpStored, error) {
	var out []*smtpStored
	for off := 0; ; off += 1000 {
		arts, total, err := r.ListArtifacts(ctx, store.ArtifactQuery{Kind: KindSMTPConfig, Page: store.Page{Offset: off, Limit: 1000, Asc: true}})
		if err != nil {
			return nil, err
		}
		for _, art := range arts {
			var s smtpStored
			if err := json.Unmarshal(art.Data, &s); err != nil {
				return nil, fmt.Errorf("smtp config %s: %w", art.ID, err)
			}
			out = append(out, &s)
		}
		if uint64(off+len(arts)) >= total || len(arts) == 0 {
			return out, nil
		}
	}
}

// GetSMTPConfig returns the active configuration (NotFound if none).
func (a *App) GetSMTPConfig(ctx context.Context, c *Caller) (*SMTPConfig, error) {
	if _, err := a.authorize(ctx, Scope{Caller: c}, UseGetSMTPConfig); err != nil {
		return nil, err
	}
	s, err := a.activeSMTP(ctx)
	if err == nil && s.HTTP != nil {
		err = errSMTPNotFound // the active e-mail provider is no SMTP configuration
	}
	if err != nil {
		return nil, storeErr(err)
	}
	return &s.SMTPConfig, nil
}

// activeSMTP is the active e-mail provider, SMTP or HTTP.
func (a *App) activeSMTP(ctx context.Context) (*smtpStored, error) {
	all, err := a.smtpAll(ctx, a.store)
	if err != nil {
		return nil, err
	}
	for _, s := range all {
		if s.State == SMTPActive {
			return s, nil
		}
	}
	return nil, errSMTPNotFound
}

// GetSMTPConfigByID returns one configuration.
func (a *App) GetSMTPConfigByID(ctx context.Context, c *Caller, id string) (*SMTPConfig, error) {
	if _, err := a.authorize(ctx, Scope{Caller: c}, UseGetSMTPConfig); err != nil {
		return nil, err
	}
	if err := checkID(id, errSMTPIDMissing); err != nil {
		return nil, err
	}
	s, err := a.loadSMTP(ctx, a.store, id)
	if err == nil && s.HTTP != nil {
		err = errSMTPNotFound
	}
	if err != nil {
		return nil, storeErr(err)
	}
	return &s.SMTPConfig, nil
}

// ListSMTPConfigs lists every SMTP configuration by id, with the total.
func (a *App) ListSMTPConfigs(ctx context.Context, c *Caller, p store.Page) ([]*SMTPConfig, uint64, error) {
	return a.listEmailProviders(ctx, c, p, false)
}

// ListEmailProviders lists every e-mail provider (SMTP and HTTP) by id, with
// the total.
func (a *App) ListEmailProviders(ctx context.Context, c *Caller, p store.Page) ([]*SMTPConfig, uint64, error) {
	return a.listEmailProviders(ctx, c, p, true)
}

func (a *App) listEmailProviders(ctx context.Context, c *Caller, p store.Page, withHTTP bool) ([]*SMTPConfig, uint64, error) {
	if _, err := a.authorize(ctx, Scope{Caller: c}, UseListSMTPConfigs); err != nil {
		return nil, 0, err
	}
	all, err := a.smtpAll(ctx, a.store)
	if err != nil {
		return nil, 0, storeErr(err)
	}
	if !withHTTP {
		all = slices.DeleteFunc(all, func(s *smtpStored) bool { return s.HTTP != nil })
	}
	if !p.Asc {
		slices.Reverse(all)
	}
	total := uint64(len(all))
	lim := store.ClampLimit(p.Limit)
	out := []*SMTPConfig{}
	for i := p.Offset; i < len(all) && len(out) < lim; i++ {
		if i >= 0 {
			out = append(out, &all[i].SMTPConfig)
		}
	}
	return out, total, nil
}

// smtpSender turns a stored configuration into a sender, opening its password.
func (a *App) smtpSender(s *smtpStored) (*mail.SMTP, error) {
	out := &mail.SMTP{Host: s.Host, TLS: s.TLS, User: s.User, From: s.SenderAddress, FromName: s.SenderName, ReplyTo: s.ReplyToAddress,
		TLSConfig: a.smtpTLS}
	if len(s.Password) > 0 {
		pw, err := a.OpenSecret(KindSMTPConfig, s.ID, s.Password)
		if err != nil {
			return nil, fmt.Errorf("smtp config %s: %w", s.ID, err)
		}
		out.Password = string(pw)
	}
	return out, nil
}

// TestSMTPConfigByID sends a test mail to receiver through the stored
// configuration id, now (not through the outbox), and reports the SMTP
// server's answer.
func (a *App) TestSMTPConfigByID(ctx context.Context, c *Caller, id, receiver string) error {
	if _, err := a.authorize(ctx, Scope{Caller: c}, UseTestSMTPConfig); err != nil {
		return err
	}
	if err := checkID(id, errSMTPIDMissing); err != nil {
		return err
	}
	s, err := a.loadSMTP(ctx, a.store, id)
	if err == nil && s.HTTP != nil {
		err = errSMTPNotFound
	}
	if err != nil {
		return storeErr(err)
	}
	snd, err := a.smtpSender(s)
	if err != nil {
		return storeErr(err)
	}
	return a.sendTest(ctx, snd, receiver)
}

// TestSMTPConfig sends a test mail through the configuration given; an empty
// password with an id takes that stored configuration's (ZITADEL does so).
func (a *App) TestSMTPConfig(ctx context.Context, c *Caller, id string, in SMTPInput, receiver string) error {
	if _, err := a.authorize(ctx, Scope{Caller: c}, UseTestSMTPConfig); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	s := &smtpStored{SMTPConfig: SMTPConfig{ID: id, SenderAddress: in.SenderAddress, SenderName: in.SenderName,
		ReplyToAddress: in.ReplyToAddress, TLS: in.TLS, Host: in.Host, User: in.User}}
	snd, err := a.smtpSender(s)
	if err != nil {
		return storeErr(err)
	}
	snd.Password = in.Password
	if in.Password == "" && id != "" {
		if stored, err := a.loadSMTP(ctx, a.store, id); err == nil && stored.HTTP == nil && len(stored.Password) > 0 {
			if pw, err := a.OpenSecret(KindSMTPConfig, id, stored.Password); err == nil {
				snd.Password = string(pw)
			}
		}
	}
	return a.sendTest(ctx, snd, receiver)
}

func (a *App) sendTest(ctx context.Context, snd *mail.SMTP, receiver string) error {
	receiver = strings.TrimSpace(receiver)
	if receiver == "" {
		return errSMTPTestEmailMissing
	}
	if _, err := netmail.ParseAddress(receiver); err != nil {
		return errSMTPTestEmailMissing
	}
	snd.Timeout = 15 * time.Second
	err := snd.Send(ctx, mail.Mail{MessageID: a.ids.Next(), To: receiver, Subject: "Warden SMTP test",
		Text: "This is a test mail from Warden: the SMTP configuration works."})
	if err != nil {
		a.log.Warn("smtp test mail failed", "error", err)
		return errSMTPTestFailed.Wrap(err)
	}
	return nil
}

// GetEmailProvider returns the active e-mail provider, SMTP or HTTP
// (NotFound if none).
func (a *App) GetEmailProvider(ctx context.Context, c *Caller) (*SMTPConfig, error) {
	if _, err := a.authorize(ctx, Scope{Caller: c}, UseGetSMTPConfig); err != nil {
		return nil, err
	}
	s, err := a.activeSMTP(ctx)
	if err != nil {
		return nil, storeErr(err)
	}
	return &s.SMTPConfig, nil
}

// GetEmailProviderByID returns one e-mail provider, SMTP or HTTP.
func (a *App) GetEmailProviderByID(ctx context.Context, c *Caller, id string) (*SMTPConfig, error) {
	if _, err := a.authorize(ctx, Scope{Caller: c}, UseGetSMTPConfig); err != nil {
		return nil, err
	}
	if err := checkID(id, errSMTPIDMissing); err != nil {
		return nil, err
	}
	s, err := a.loadSMTP(ctx, a.store, id)
	if err != nil {
		return nil, storeErr(err)
	}
	return &s.SMTPConfig, nil
}

// AddEmailProviderHTTP adds an inactive HTTP e-mail provider with a new
// signing key, and returns it with the key (the only answer that carries it).
func (a *App) AddEmailProviderHTTP(ctx context.Context, c *Caller, description, endpoint string) (*SMTPConfig, string, error) {
	g, err := a.authorize(ctx, Scope{Caller: c}, UseAddEmailProviderHTTP)
	if err != nil {
		return nil, "", err
	}
	description = strings.TrimSpace(description)
	if err := checkText("description", description, false); err != nil {
		return nil, "", err
	}
	if endpoint, err = checkEndpoint(endpoint); err != nil {
		return nil, "", err
	}
	s := &smtpStored{SMTPConfig: SMTPConfig{ID: a.ids.Next(), Description: description, State: SMTPInactive, HTTP: &EmailHTTP{Endpoint: endpoint}}}
	key := newSigningKey()
	s.SigningKey = a.SealSecret(KindSMTPConfig, s.ID, []byte(key))
	_, err = a.changeInstance(ctx, g, func(ctx context.Context, tx store.Tx, ch *instanceChange) (string, any, error) {
		s.Sequence, s.CreatedAt, s.ChangedAt = ch.i.Sequence, ch.by.At, ch.by.At
		if err := a.putSMTP(ctx, tx, s); err != nil {
			return "", nil, err
		}
		return event.SMTPConfigHTTPAdded, smtpEvent(&s.SMTPConfig), nil
	})
	if err != nil {
		return nil, "", err
	}
	return &s.SMTPConfig, key, nil
}

// UpdateEmailProviderHTTP replaces an HTTP e-mail provider's endpoint and
// description; with rotate, it also gets a new signing key, which is returned.
func (a *App) UpdateEmailProviderHTTP(ctx context.Context, c *Caller, id, description, endpoint string, rotate bool) (*InstanceDetails, string, error) {
	description = strings.TrimSpace(description)
	if err := checkText("description", description, false); err != nil {
		if _, aerr := a.authorize(ctx, Scope{Caller: c}, UseUpdateEmailProviderHTTP); aerr != nil {
			return nil, "", aerr
		}
		return nil, "", err
	}
	endpoint, err := checkEndpoint(endpoint)
	if err != nil {
		if _, aerr := a.authorize(ctx, Scope{Caller: c}, UseUpdateEmailProviderHTTP); aerr != nil {
			return nil, "", aerr
		}
		return nil, "", err
	}
	var key string
	d, err := a.smtpChange(ctx, c, UseUpdateEmailProviderHTTP, id, func(_ context.Context, _ store.Tx, s *smtpStored) (string, bool, error) {
		if s.HTTP == nil {
			return "", false, errSMTPNotFound
		}
		changed := s.HTTP.Endpoint != endpoint || s.Description != description
		s.HTTP = &EmailHTTP{Endpoint: endpoint}
		s.Description = description
		if rotate {
			key = newSigningKey()
			s.SigningKey = a.SealSecret(KindSMTPConfig, s.ID, []byte(key))
			changed = true
		}
		if !changed {
			return "", false, nil
		}
		return event.SMTPConfigHTTPChanged, false, nil
	})
	if err != nil {
		return nil, "", err
	}
	return d, key, nil
}

// emailWebhook turns an active HTTP e-mail provider into the outbox's
// delivery: ZITADEL's JSON payload, signed with the provider's key.
func (a *App) emailWebhook(s *smtpStored) (deliverFunc, error) {
	var key string
	if len(s.SigningKey) > 0 {
		k, err := a.OpenSecret(KindSMTPConfig, s.ID, s.SigningKey)
		if err != nil {
			return nil, err
		}
		key = string(k)
	}
	hook := &notify.Webhook{Endpoint: s.HTTP.Endpoint, SigningKey: key, HTTP: a.notifyClient()}
	provider := map[string]any{"id": s.ID, "description": s.Description}
	return func(ctx context.Context, m *store.Message) error {
		var q Mail
		if err := a.openBody(m, &q); err != nil {
			return err
		}
		body, err := json.Marshal(webhookPayload{
			ContextInfo:  map[string]any{"recipientEmailAddress": q.To, "eventType": q.EventType, "provider": provider},
			TemplateData: webhookTemplateData{Subject: q.Subject, Text: q.Text},
			Args:         lowerArgs(q.Args),
		})
		if err != nil {
			return fmt.Errorf("%w: mail payload: %v", notify.ErrPermanent, err)
		}
		return hook.Post(ctx, body)
	}, nil
}
