package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/notify"
	"github.com/warden-id/warden/internal/store"
)

// The instance's SMS providers (admin v1 AddSMSProviderTwilio …), as ZITADEL
// has them: Twilio or an HTTP webhook, any number, at most one active, which
// the outbox delivery sends text messages through. The Twilio token and the
// webhook's signing key are sealed with the master key in the artifact; the
// token never leaves app, the signing key only in the answer that makes it
// (AddSMSProviderHTTP, UpdateSMSProviderHTTP with expiration_signing_key).

// KindSMSProvider is the artifact kind of one SMS provider.
const KindSMSProvider = "sms_provider"

// SMSState is a provider's state (zitadel.settings.v1.SMSProviderConfigState numbers).
type SMSState int

const (
	SMSActive   SMSState = 1
	SMSInactive SMSState = 2
)

// SMSProvider is one provider as the API shows it: no token, no signing key.
// Exactly one of Twilio and HTTP is set.
type SMSProvider struct {
	ID          string     `json:"id"`
	Description string     `json:"description,omitempty"`
	State       SMSState   `json:"state"`
	Twilio      *SMSTwilio `json:"twilio,omitempty"`
	HTTP        *SMSHTTP   `json:"http,omitempty"`
	Sequence    uint64     `json:"sequence"`
	CreatedAt   time.Time  `json:"createdAt"`
	ChangedAt   time.Time  `json:"changedAt"`
}

// SMSTwilio is a Twilio account's public settings.
type SMSTwilio struct {
	SID              string `json:"sid"`
	SenderNumber     string `json:"senderNumber"`
	VerifyServiceSID string `json:"verifyServiceSid,omitempty"`
}

// SMSHTTP is a webhook's public settings.
type SMSHTTP struct {
	Endpoint string `json:"endpoint"`
}

// smsStored is the artifact's data: the provider and its sealed secrets.
type smsStored struct {
	SMSProvider
	Token      []byte `json:"token,omitempty"`      // Twilio's auth token, sealed
	SigningKey []byte `json:"signingKey,omitempty"` // the webhook's signing key, sealed
}

// SMSTwilioInput is what AddSMSProviderTwilio and UpdateSMSProviderTwilio take
// (Update ignores Token: UpdateSMSProviderTwilioToken changes it).
type SMSTwilioInput struct {
	Description, SID, Token, SenderNumber, VerifyServiceSID string
}

func (in *SMSTwilioInput) check(withToken bool) error {
	in.Description, in.SID = strings.TrimSpace(in.Description), strings.TrimSpace(in.SID)
	in.SenderNumber, in.VerifyServiceSID = strings.TrimSpace(in.SenderNumber), strings.TrimSpace(in.VerifyServiceSID)
	for _, f := range []struct {
		name, v  string
		required bool
	}{{"sid", in.SID, true}, {"sender_number", in.SenderNumber, true}, {"description", in.Description, false},
		{"verify_service_sid", in.VerifyServiceSID, false}} {
		if err := checkText(f.name, f.v, f.required); err != nil {
			return err
		}
	}
	if withToken {
		if strings.TrimSpace(in.Token) == "" {
			return errRequired.Msgf("token is required")
		}
		if err := checkSecret("token", in.Token); err != nil {
			return err
		}
	}
	return nil
}

func checkSecret(field, v string) error {
	if len(v) > 1024 {
		return errTooLong.Msgf("%s longer than 1024 characters", field)
	}
	return checkChars(field, v)
}

// checkEndpoint validates a webhook's endpoint: an absolute http(s) URL.
func checkEndpoint(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", errRequired.Msgf("endpoint is required")
	}
	if len(v) > 2048 {
		return "", errTooLong.Msgf("endpoint longer than 2048 characters")
	}
	if err := checkChars("endpoint", v); err != nil {
		return "", err
	}
	if notify.CheckEndpoint(v) != nil {
		return "", errEndpointInvalid
	}
	return v, nil
}

// newSigningKey makes a webhook's signing key: 32 random bytes, base64url.
func newSigningKey() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("app: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// smsEvent is an event's payload: what changed, never a secret.
func smsEvent(p *SMSProvider) map[string]any {
	out := map[string]any{"id": p.ID, "description": p.Description}
	if p.Twilio != nil {
		out["sid"], out["senderNumber"], out["verifyServiceSid"] = p.Twilio.SID, p.Twilio.SenderNumber, p.Twilio.VerifyServiceSID
	}
	if p.HTTP != nil {
		out["endpoint"] = p.HTTP.Endpoint
	}
	return out
}

func (a *App) loadSMS(ctx context.Context, r store.Reader, id string) (*smsStored, error) {
	art, err := r.Artifact(ctx, KindSMSProvider, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errSMSNotFound
	} else if err != nil {
		return nil, err
	}
	var s smsStored
	if err := json.Unmarshal(art.Data, &s); err != nil {
		return nil, fmt.Errorf("sms provider %s: %w", id, err)
	}
	return &s, nil
}

func (a *App) putSMS(ctx context.Context, tx store.Tx, s *smsStored) error {
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return tx.PutArtifact(ctx, &store.Artifact{Kind: KindSMSProvider, ID: s.ID, CreatedAt: s.CreatedAt, Data: data})
}

func (a *App) smsAll(ctx context.Context, r store.Reader) ([]*smsStored, error) {
	var out []*smsStored
	for off := 0; ; off += 1000 {
		arts, total, err := r.ListArtifacts(ctx, store.ArtifactQuery{Kind: KindSMSProvider, Page: store.Page{Offset: off, Limit: 1000, Asc: true}})
		if err != nil {
			return nil, err
		}
		for _, art := range arts {
			var s smsStored
			if err := json.Unmarshal(art.Data, &s); err != nil {
				return nil, fmt.Errorf("sms provider %s: %w", art.ID, err)
			}
			out = append(out, &s)
		}
		if uint64(off+len(arts)) >= total || len(arts) == 0 {
			return out, nil
		}
	}
}

// smsChange runs decide on one provider inside changeInstance and writes it
// back (or removes it when decide says so). A check refused before the
// provider is read still needs the permission first: callers check input
// inside decide or after authorize.
func (a *App) smsChange(ctx context.Context, c *Caller, use Use, id string, check func() error,
	decide func(ctx context.Context, tx store.Tx, s *smsStored) (typ string, remove bool, err error)) (*InstanceDetails, error) {
	g, err := a.authorize(ctx, Scope{Caller: c}, use)
	if err != nil {
		return nil, err
	}
	if err := checkID(id, errSMSIDMissing); err != nil {
		return nil, err
	}
	if check != nil {
		if err := check(); err != nil {
			return nil, err
		}
	}
	return a.changeInstance(ctx, g, func(ctx context.Context, tx store.Tx, ch *instanceChange) (string, any, error) {
		s, err := a.loadSMS(ctx, tx, id)
		if err != nil {
			return "", nil, err
		}
		typ, remove, err := decide(ctx, tx, s)
		if err != nil || typ == "" {
			return "", nil, err
		}
		s.Sequence, s.ChangedAt = ch.i.Sequence, ch.by.At
		if remove {
			return typ, map[string]any{"id": id}, tx.DeleteArtifact(ctx, KindSMSProvider, id)
		}
		if err := a.putSMS(ctx, tx, s); err != nil {
			return "", nil, err
		}
		if typ == event.SMSTwilioChanged || typ == event.SMSHTTPChanged {
			return typ, smsEvent(&s.SMSProvider), nil
		}
		return typ, map[string]any{"id": id}, nil
	})
}

// addSMS writes a new, inactive provider (ZITADEL: activate it to use it).
func (a *App) addSMS(ctx context.Context, g granted, s *smsStored, typ string) error {
	_, err := a.changeInstance(ctx, g, func(ctx context.Context, tx store.Tx, ch *instanceChange) (string, any, error) {
		s.Sequence, s.CreatedAt, s.ChangedAt = ch.i.Sequence, ch.by.At, ch.by.At
		if err := a.putSMS(ctx, tx, s); err != nil {
			return "", nil, err
		}
		return typ, smsEvent(&s.SMSProvider), nil
	})
	return err
}

// AddSMSProviderTwilio adds an inactive Twilio provider and returns it.
func (a *App) AddSMSProviderTwilio(ctx context.Context, c *Caller, in SMSTwilioInput) (*SMSProvider, error) {
	g, err := a.authorize(ctx, Scope{Caller: c}, UseAddSMSProviderTwilio)
	if err != nil {
		return nil, err
	}
	if err := in.check(true); err != nil {
		return nil, err
	}
	s := &smsStored{SMSProvider: SMSProvider{ID: a.ids.Next(), Description: in.Description, State: SMSInactive,
		Twilio: &SMSTwilio{SID: in.SID, SenderNumber: in.SenderNumber, VerifyServiceSID: in.VerifyServiceSID}}}
	s.Token = a.SealSecret(KindSMSProvider, s.ID, []byte(in.Token))
	if err := a.addSMS(ctx, g, s, event.SMSTwilioAdded); err != nil {
		return nil, err
	}
	return &s.SMSProvider, nil
}

// UpdateSMSProviderTwilio replaces a Twilio provider's settings (not its token).
func (a *App) UpdateSMSProviderTwilio(ctx context.Context, c *Caller, id string, in SMSTwilioInput) (*InstanceDetails, error) {
	return a.smsChange(ctx, c, UseUpdateSMSProviderTwilio, id, func() error { return in.check(false) },
		func(_ context.Context, _ store.Tx, s *smsStored) (string, bool, error) {
			if s.Twilio == nil {
				return "", false, errSMSNotFound
			}
			before, beforeDesc := *s.Twilio, s.Description
			s.Description = in.Description
			s.Twilio = &SMSTwilio{SID: in.SID, SenderNumber: in.SenderNumber, VerifyServiceSID: in.VerifyServiceSID}
			if before == *s.Twilio && beforeDesc == s.Description {
				return "", false, nil // ZITADEL answers an unchanged update with its details
			}
			return event.SMSTwilioChanged, false, nil
		})
}

// UpdateSMSProviderTwilioToken replaces a Twilio provider's auth token.
func (a *App) UpdateSMSProviderTwilioToken(ctx context.Context, c *Caller, id, token string) (*InstanceDetails, error) {
	check := func() error {
		if strings.TrimSpace(token) == "" {
			return errRequired.Msgf("token is required")
		}
		return checkSecret("token", token)
	}
	return a.smsChange(ctx, c, UseUpdateSMSProviderTwilioToken, id, check, func(_ context.Context, _ store.Tx, s *smsStored) (string, bool, error) {
		if s.Twilio == nil {
			return "", false, errSMSNotFound
		}
		s.Token = a.SealSecret(KindSMSProvider, s.ID, []byte(token))
		return event.SMSTwilioTokenChanged, false, nil
	})
}

// AddSMSProviderHTTP adds an inactive webhook provider with a new signing
// key, and returns it with the key (the only answer that carries it).
func (a *App) AddSMSProviderHTTP(ctx context.Context, c *Caller, description, endpoint string) (*SMSProvider, string, error) {
	g, err := a.authorize(ctx, Scope{Caller: c}, UseAddSMSProviderHTTP)
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
	s := &smsStored{SMSProvider: SMSProvider{ID: a.ids.Next(), Description: description, State: SMSInactive, HTTP: &SMSHTTP{Endpoint: endpoint}}}
	key := newSigningKey()
	s.SigningKey = a.SealSecret(KindSMSProvider, s.ID, []byte(key))
	if err := a.addSMS(ctx, g, s, event.SMSHTTPAdded); err != nil {
		return nil, "", err
	}
	return &s.SMSProvider, key, nil
}

// UpdateSMSProviderHTTP replaces a webhook provider's endpoint and
// description; with rotate, it also gets a new signing key, which is returned.
func (a *App) UpdateSMSProviderHTTP(ctx context.Context, c *Caller, id, description, endpoint string, rotate bool) (*InstanceDetails, string, error) {
	description = strings.TrimSpace(description)
	check := func() error {
		if err := checkText("description", description, false); err != nil {
			return err
		}
		var err error
		endpoint, err = checkEndpoint(endpoint)
		return err
	}
	var key string
	d, err := a.smsChange(ctx, c, UseUpdateSMSProviderHTTP, id, check, func(_ context.Context, _ store.Tx, s *smsStored) (string, bool, error) {
		if s.HTTP == nil {
			return "", false, errSMSNotFound
		}
		changed := s.HTTP.Endpoint != endpoint || s.Description != description
		s.HTTP.Endpoint, s.Description = endpoint, description
		if rotate {
			key = newSigningKey()
			s.SigningKey = a.SealSecret(KindSMSProvider, s.ID, []byte(key))
			changed = true
		}
		if !changed {
			return "", false, nil
		}
		return event.SMSHTTPChanged, false, nil
	})
	if err != nil {
		return nil, "", err
	}
	return d, key, nil
}

// ActivateSMSProvider makes id the active provider; the one active before is
// deactivated in the same transaction.
func (a *App) ActivateSMSProvider(ctx context.Context, c *Caller, id string) (*InstanceDetails, error) {
	return a.smsChange(ctx, c, UseActivateSMSProvider, id, nil, func(ctx context.Context, tx store.Tx, s *smsStored) (string, bool, error) {
		if s.State == SMSActive {
			return "", false, errSMSAlreadyActive
		}
		all, err := a.smsAll(ctx, tx)
		if err != nil {
			return "", false, err
		}
		for _, o := range all {
			if o.State == SMSActive && o.ID != s.ID {
				o.State = SMSInactive
				if err := a.putSMS(ctx, tx, o); err != nil {
					return "", false, err
				}
			}
		}
		s.State = SMSActive
		return event.SMSActivated, false, nil
	})
}

// DeactivateSMSProvider leaves the instance without an active provider if id
// was it: text messages then wait in the outbox.
func (a *App) DeactivateSMSProvider(ctx context.Context, c *Caller, id string) (*InstanceDetails, error) {
	return a.smsChange(ctx, c, UseDeactivateSMSProvider, id, nil, func(_ context.Context, _ store.Tx, s *smsStored) (string, bool, error) {
		if s.State == SMSInactive {
			return "", false, errSMSAlreadyInactive
		}
		s.State = SMSInactive
		return event.SMSDeactivated, false, nil
	})
}

// RemoveSMSProvider deletes the provider.
func (a *App) RemoveSMSProvider(ctx context.Context, c *Caller, id string) (*InstanceDetails, error) {
	return a.smsChange(ctx, c, UseRemoveSMSProvider, id, nil, func(context.Context, store.Tx, *smsStored) (string, bool, error) {
		return event.SMSRemoved, true, nil
	})
}

// GetSMSProvider returns one provider.
func (a *App) GetSMSProvider(ctx context.Context, c *Caller, id string) (*SMSProvider, error) {
	if _, err := a.authorize(ctx, Scope{Caller: c}, UseGetSMSProvider); err != nil {
		return nil, err
	}
	if err := checkID(id, errSMSIDMissing); err != nil {
		return nil, err
	}
	s, err := a.loadSMS(ctx, a.store, id)
	if err != nil {
		return nil, storeErr(err)
	}
	return &s.SMSProvider, nil
}

// ListSMSProviders lists every provider by id, with the total.
func (a *App) ListSMSProviders(ctx context.Context, c *Caller, p store.Page) ([]*SMSProvider, uint64, error) {
	if _, err := a.authorize(ctx, Scope{Caller: c}, UseListSMSProviders); err != nil {
		return nil, 0, err
	}
	all, err := a.smsAll(ctx, a.store)
	if err != nil {
		return nil, 0, storeErr(err)
	}
	if !p.Asc {
		slices.Reverse(all)
	}
	total := uint64(len(all))
	lim := store.ClampLimit(p.Limit)
	out := []*SMSProvider{}
	for i := max(p.Offset, 0); i < len(all) && len(out) < lim; i++ {
		out = append(out, &all[i].SMSProvider)
	}
	return out, total, nil
}

func (a *App) activeSMS(ctx context.Context) (*smsStored, error) {
	all, err := a.smsAll(ctx, a.store)
	if err != nil {
		return nil, err
	}
	for _, s := range all {
		if s.State == SMSActive {
			return s, nil
		}
	}
	return nil, nil
}

// WithTwilioAPI points Twilio deliveries at base instead of Twilio's API
// (tests: a loopback server).
func WithTwilioAPI(base string) Option { return func(a *App) { a.twilioAPI = base } }

// WithNotifyHTTP sets the HTTP client webhook and Twilio deliveries use
// (default: notify.Client, no redirects, a 10 s timeout).
func WithNotifyHTTP(c *http.Client) Option { return func(a *App) { a.notifyHTTP = c } }

func (a *App) notifyClient() *http.Client {
	if a.notifyHTTP != nil {
		return a.notifyHTTP
	}
	return notify.Client(0)
}

// webhookTemplateData is ZITADEL's templates.TemplateData as its webhook
// payload spells it (Go field names, every field present).
type webhookTemplateData struct {
	Title, PreHeader, Subject, Greeting, Text, URL, ButtonText string
	PrimaryColor, BackgroundColor, FontColor, LogoURL, FontURL string
	FontFaceFamily, FontFamily                                 string
	IncludeFooter                                              bool
	FooterText                                                 string
}

// webhookPayload is the JSON an HTTP provider receives, ZITADEL's shape:
// contextInfo (recipient, event type, provider), templateData and args.
type webhookPayload struct {
	ContextInfo  map[string]any      `json:"contextInfo,omitempty"`
	TemplateData webhookTemplateData `json:"templateData"`
	Args         map[string]any      `json:"args,omitempty"`
}

// lowerArgs spells args' keys as ZITADEL's payload does: first letter lower.
func lowerArgs(args map[string]any) map[string]any {
	if len(args) == 0 {
		return nil
	}
	out := make(map[string]any, len(args))
	for k, v := range args {
		if k != "" {
			k = strings.ToLower(k[:1]) + k[1:]
		}
		out[k] = v
	}
	return out
}

// smsChannel is the SMS provider the job sends through: the active one, nil
// when there is none (text messages then wait unclaimed).
func (a *App) smsChannel(ctx context.Context) (deliverFunc, error) {
	p, err := a.activeSMS(ctx)
	if err != nil || p == nil {
		return nil, err
	}
	switch {
	case p.HTTP != nil:
		var key string
		if len(p.SigningKey) > 0 {
			k, err := a.OpenSecret(KindSMSProvider, p.ID, p.SigningKey)
			if err != nil {
				return nil, err
			}
			key = string(k)
		}
		hook := &notify.Webhook{Endpoint: p.HTTP.Endpoint, SigningKey: key, HTTP: a.notifyClient()}
		provider := map[string]any{"id": p.ID, "description": p.Description}
		return func(ctx context.Context, m *store.Message) error {
			var q SMS
			if err := a.openBody(m, &q); err != nil {
				return err
			}
			body, err := json.Marshal(webhookPayload{
				ContextInfo:  map[string]any{"recipientPhoneNumber": q.To, "eventType": q.EventType, "provider": provider},
				TemplateData: webhookTemplateData{Text: q.Text},
				Args:         lowerArgs(q.Args),
			})
			if err != nil {
				return fmt.Errorf("%w: sms payload: %v", notify.ErrPermanent, err)
			}
			return hook.Post(ctx, body)
		}, nil
	case p.Twilio != nil:
		tok, err := a.OpenSecret(KindSMSProvider, p.ID, p.Token)
		if err != nil {
			return nil, err
		}
		tw := &notify.Twilio{SID: p.Twilio.SID, Token: string(tok), From: p.Twilio.SenderNumber, BaseURL: a.twilioAPI, HTTP: a.notifyClient()}
		return func(ctx context.Context, m *store.Message) error {
			var q SMS
			if err := a.openBody(m, &q); err != nil {
				return err
			}
			return tw.Send(ctx, q.To, q.Text)
		}, nil
	}
	return nil, fmt.Errorf("sms provider %s has neither twilio nor http settings", p.ID)
}
