// Package user is the user aggregate: its states, the transitions between them, the
// events they produce and the errors they refuse with. It does no I/O.
package user

import (
	"encoding/json"
	"time"

	"github.com/warden-id/warden/internal/event"
)

// State values are the v1 wire numbers (zitadel.user.v1.UserState).
type State int

const (
	StateUnspecified State = 0
	StateActive      State = 1
	StateInactive    State = 2
	StateDeleted     State = 3
	StateLocked      State = 4
	StateInitial     State = 6
)

func (s State) String() string {
	switch s {
	case StateActive:
		return "ACTIVE"
	case StateInactive:
		return "INACTIVE"
	case StateDeleted:
		return "DELETED"
	case StateLocked:
		return "LOCKED"
	case StateInitial:
		return "INITIAL"
	}
	return "UNSPECIFIED"
}

// Type is the kind of user.
type Type int

const (
	TypeUnspecified Type = 0
	TypeHuman       Type = 1
	TypeMachine     Type = 2
)

// Human holds what only humans have.
type Human struct {
	FirstName              string `json:"firstName,omitempty"`
	LastName               string `json:"lastName,omitempty"`
	NickName               string `json:"nickName,omitempty"`
	DisplayName            string `json:"displayName,omitempty"`
	PreferredLanguage      string `json:"preferredLanguage,omitempty"`
	Gender                 int    `json:"gender,omitempty"`
	Email                  string `json:"email,omitempty"`
	EmailVerified          bool   `json:"emailVerified,omitempty"`
	Phone                  string `json:"phone,omitempty"`
	PhoneVerified          bool   `json:"phoneVerified,omitempty"`
	PasswordHash           string `json:"-"`
	PasswordChangeRequired bool   `json:"passwordChangeRequired,omitempty"`
	FailedPasswordAttempts int    `json:"-"`
	// PasswordChangedAt is when the password was set (the age policy counts
	// from it); zero for a password set before Warden kept it.
	PasswordChangedAt time.Time `json:"passwordChangedAt,omitzero"`
	// Codes are the one-time codes sent to the user and not yet used, by
	// purpose: their MACs only (code.go).
	Codes map[CodePurpose]*Code `json:"codes,omitempty"`
	// FailedOTPAttempts counts wrong one-time codes since the last correct
	// one; the lockout policy's max_otp_attempts locks at its limit.
	FailedOTPAttempts int `json:"failedOtpAttempts,omitempty"`
}

// Machine holds what only machine users have.
type Machine struct {
	Name            string `json:"name,omitempty"`
	Description     string `json:"description,omitempty"`
	AccessTokenType int    `json:"accessTokenType,omitempty"`
}

// User is the aggregate's current state.
type User struct {
	ID       string
	OrgID    string
	UserName string
	Type     Type
	State    State
	// StateBeforeLock is the state an unlock returns to (ACTIVE or INITIAL).
	StateBeforeLock State
	// Sequence is the number of the user's last event.
	Sequence  uint64
	CreatedAt time.Time
	ChangedAt time.Time
	// CredentialEpoch grows with every lock, deactivation and removal. Credentials
	// record the epoch they were issued in and are dead once it moved on, so
	// tokens from before a lock stay dead after an unlock.
	CredentialEpoch uint64
	Human           *Human
	Machine         *Machine
	// OrgInactive: the user's org is deactivated or removed. The store sets it
	// on the reads that judge credentials (a user by id or name, a PAT's
	// principal) and never writes it; no credential of the user is accepted
	// while it holds.
	OrgInactive bool
}

// CanAuthenticate tells whether credentials of this user may be accepted at all.
func (u *User) CanAuthenticate() bool {
	return (u.State == StateActive || u.State == StateInitial) && !u.OrgInactive
}

// Actor says who causes a change and when.
type Actor struct {
	UserID string
	At     time.Time
}

// NewHuman builds a new human user in state ACTIVE (or INITIAL when it has neither
// password nor verified e-mail, as ZITADEL does) and its creation event.
func NewHuman(id, orgID, userName string, h Human, initial bool, by Actor) (*User, event.Event) {
	st := StateActive
	if initial {
		st = StateInitial
	}
	if h.PasswordHash != "" {
		h.PasswordChangedAt = by.At
	}
	u := &User{ID: id, OrgID: orgID, UserName: userName, Type: TypeHuman, State: st,
		CreatedAt: by.At, ChangedAt: by.At, Human: &h, CredentialEpoch: 1}
	return u, u.record(event.HumanAdded, by, map[string]any{"userName": userName, "human": h, "state": st.String()})
}

// NewMachine builds a new machine user, always ACTIVE, and its creation event.
func NewMachine(id, orgID, userName string, m Machine, by Actor) (*User, event.Event) {
	u := &User{ID: id, OrgID: orgID, UserName: userName, Type: TypeMachine, State: StateActive,
		CreatedAt: by.At, ChangedAt: by.At, Machine: &m, CredentialEpoch: 1}
	return u, u.record(event.MachineAdded, by, map[string]any{"userName": userName, "machine": m})
}

// record advances the sequence and returns the event for it.
func (u *User) record(typ string, by Actor, payload any) event.Event {
	u.Sequence++
	u.ChangedAt = by.At
	var p []byte
	if payload != nil {
		p, _ = json.Marshal(payload) // payloads are plain maps and structs; cannot fail
	}
	return event.Event{
		AggregateType: event.AggregateUser, AggregateID: u.ID, Sequence: u.Sequence,
		Type: typ, CreatedAt: by.At, CreatorID: by.UserID, ResourceOwner: u.OrgID, Payload: p,
	}
}

// Record lets other packages add an event that does not change the state
// (PATs added or removed, passwords changed), keeping the sequence rule in one place.
func (u *User) Record(typ string, by Actor, payload any) event.Event {
	return u.record(typ, by, payload)
}
