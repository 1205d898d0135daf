// Package app holds Warden's use cases. Each command authorizes the caller, loads
// the aggregate, lets the pure domain decide, and commits state and event together
// through the store; each query authorizes and reads. Transports (gRPC, REST, the
// future console) call these and only translate.
package app

import (
	"context"
	"crypto/tls"
	"errors"
	"github.com/warden-id/warden/internal/mail"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/id"
	"github.com/warden-id/warden/internal/masterkey"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// MaxIDLen is the longest id any request may carry (ZITADEL's validation: 1..200).
const MaxIDLen = 200

// MaxNameLen bounds user names, org names and profile fields.
const MaxNameLen = 200

// App is the set of use cases over one store.
type App struct {
	store  store.Store
	ids    *id.Generator
	log    *slog.Logger
	domain string // instance domain: login names are user@org-slug.domain
	// publicURL is where users reach Warden (the issuer): the base of the
	// links in the messages it sends. Set once before serving.
	publicURL string
	obs       Observer
	keys      *masterkey.Key // seals what the store keeps secret; never stored itself
	// twilioAPI and notifyHTTP: where Twilio deliveries go, and the client
	// webhook and Twilio deliveries use (sms.go).
	twilioAPI  string
	notifyHTTP *http.Client
	hash       *hashLimit       // password hashes computed at once
	device     DeviceConfig     // the device flow's lifetimes (device.go)
	dcheck     *DomainValidator // proves org domains (domaincheck.go)

	delivery DeliveryConfig // the outbox's delivery job (outbox.go)
	mailer   mail.Sender    // WithMailer's sender; nil = the active SMTP config
	smtpTLS  *tls.Config    // WithSMTPTLS's client configuration; nil = the system's

	tokens      TokenDecoder // OAuth2 access tokens, when the OIDC provider runs
	apiAudience atomic.Value // string: the instance id, read once
}

// Observer hears about domain events operators count, such as locks. It is an
// interface so that app stays free of any metrics library (internal/metrics
// implements it). Calls happen after the change committed and must be quick.
type Observer interface {
	// UserLocked is called once per committed lock; cause is a LockCause value.
	UserLocked(cause string)
}

// Lock causes reported to Observer.UserLocked.
const (
	LockCauseAdmin  = "admin"  // an administrator's LockUser call
	LockCausePolicy = "policy" // the lockout policy, after too many wrong passwords
)

type noObserver struct{}

func (noObserver) UserLocked(string) {}

// Option configures an App.
type Option func(*App)

// WithObserver reports domain events to o.
func WithObserver(o Observer) Option {
	return func(a *App) {
		if o != nil {
			a.obs = o
		}
	}
}

// WithDomainValidator replaces the production domain validator (tests point
// it at a loopback server).
func WithDomainValidator(v *DomainValidator) Option {
	return func(a *App) { a.dcheck = v }
}

// WithMasterKey sets the key-encryption key (see package masterkey). Without
// it New makes an ephemeral one, which suits tests and one-off tools only: keys
// sealed with it are unreadable after a restart.
func WithMasterKey(k *masterkey.Key) Option {
	return func(a *App) {
		if k != nil {
			a.keys = k
		}
	}
}

// New returns the use cases over s. domain is the instance's domain name used in
// login names (e.g. "localhost" or the external host).
func New(s store.Store, log *slog.Logger, domain string, opts ...Option) *App {
	if domain == "" {
		domain = "localhost"
	}
	a := &App{store: s, ids: id.NewGenerator(), log: log, domain: domain, obs: noObserver{}}
	for _, o := range opts {
		o(a)
	}
	if a.keys == nil {
		a.keys, _ = masterkey.New(masterkey.Generate())
	}
	if a.hash == nil {
		a.hash = newHashLimit(0, 0)
	}
	if a.dcheck == nil {
		a.dcheck = NewDomainValidator(DomainValidatorConfig{})
	}
	return a
}

// SetPublicURL sets the URL users reach Warden at (the external URL, which
// is the OIDC issuer); the links in codes' messages start with it. Call it
// before serving: it is known only once the listener is.
func (a *App) SetPublicURL(u string) { a.publicURL = strings.TrimSuffix(u, "/") }

// PublicURL is the URL SetPublicURL set ("" before).
func (a *App) PublicURL() string { return a.publicURL }

// MasterKey is the key-encryption key the store's secrets are sealed with.
func (a *App) MasterKey() *masterkey.Key { return a.keys }

// Store exposes the store for wiring (health checks).
func (a *App) Store() store.Store { return a.store }

// storeErr turns engine errors that escape a use case into domain errors, so the
// transport never has to know about the store.
func storeErr(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := fail.As(err); ok {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return errCanceled.Wrap(err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return errDeadline.Wrap(err)
	}
	if errors.Is(err, store.ErrUnavailable) {
		return fail.Unavailable.Wrap(err)
	}
	return fail.Internal.Wrap(err)
}

// checkID validates an id from a request: present and at most MaxIDLen long.
func checkID(v string, empty *fail.Error) error {
	if v == "" {
		return empty
	}
	if len(v) > MaxIDLen {
		return errIDLength
	}
	if !pgText(v) {
		return errIDChars
	}
	return nil
}

// pgText tells whether v may be sent to the store at all: PostgreSQL refuses
// NUL and invalid UTF-8 in any text, even in a lookup.
func pgText(v string) bool { return utf8.ValidString(v) && strings.IndexByte(v, 0) < 0 }

// checkText validates a required (or optional) text field.
func checkText(field, v string, required bool) error {
	if required && strings.TrimSpace(v) == "" {
		return errRequired.Msgf("%s is required", field)
	}
	if len(v) > MaxNameLen {
		return errTooLong.Msgf("%s longer than %d characters", field, MaxNameLen)
	}
	return checkChars(field, v)
}

// checkChars refuses what no single-line text field may hold: invalid UTF-8;
// C0 and C1 control characters (NUL breaks PostgreSQL and store copies; tab
// and newline belong in multi-line fields, and there are none yet); and
// characters that are invisible or reorder text — zero-width and formatting
// characters, the soft hyphen, bidi embeddings, overrides and isolates — with
// which one name can pass for another. It is the one check every name and
// free-text field that reaches the store goes through.
func checkChars(field, v string) error {
	if !utf8.ValidString(v) {
		return errNotUTF8.Msgf("%s is not valid UTF-8", field)
	}
	joiners := personNameFields[field]
	for _, r := range v {
		if invisible(r) && !(joiners && (r == 0x200c || r == 0x200d)) {
			return errInvisibleChar.Msgf("%s contains a control or invisible character (%U)", field, r)
		}
	}
	return nil
}

// personNameFields may hold the zero-width non-joiner and joiner: Persian and
// Indic names and emoji sequences need them. They identify no one — sign-in
// and ids use the user name, org names make the login domain — so they cannot
// make one account pass for another.
var personNameFields = map[string]bool{"first name": true, "last name": true, "nick name": true, "display name": true}

// invisible tells whether r is a control, invisible formatting or bidi control character.
func invisible(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f: // C0, DEL, C1
		return true
	case r == 0x00ad, // soft hyphen
		r == 0x061c,                // Arabic letter mark
		r >= 0x200b && r <= 0x200f, // zero-width space, non-joiner, joiner; LRM, RLM
		r == 0x2028, r == 0x2029,   // line and paragraph separators
		r >= 0x202a && r <= 0x202e, // bidi embeddings and overrides
		r >= 0x2060 && r <= 0x2064, // word joiner, invisible operators
		r >= 0x2066 && r <= 0x2069, // bidi isolates
		r == 0xfeff:                // zero-width no-break space (BOM)
		return true
	}
	return false
}

func actor(c *Caller) user.Actor { return user.Actor{UserID: c.UserID, At: store.Now()} }

// Slug is the org's domain label: lower case, spaces and odd characters as '-'.
func Slug(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

// OrgDomain is the primary domain of an org: the one stored, else (an org
// written before org domains) the generated one.
func (a *App) OrgDomain(o *org.Org) string {
	if o.PrimaryDomain != "" {
		return o.PrimaryDomain
	}
	return a.GeneratedDomain(o.Name)
}

// GeneratedDomain is the domain an org of that name gets at its creation
// (and on a rename): the name's slug under the instance domain.
func (a *App) GeneratedDomain(name string) string { return Slug(name) + "." + a.domain }

// LoginName is user@orgdomain.
func (a *App) LoginName(u *user.User, o *org.Org) string {
	if o == nil {
		return u.UserName
	}
	return u.UserName + "@" + a.OrgDomain(o)
}
