// Package store is Warden's storage port: the one interface both engines (embedded
// SQLite and PostgreSQL) implement and the conformance suite in storetest checks.
//
// Writes follow "load aggregate, decide, append": Write runs a function inside one
// atomic unit; the function reads current state through the Tx, decides with the
// pure domain code, then writes the new state rows and their events. Every state
// update names the sequence it read (optimistic concurrency); if another writer got
// there first the engine returns ErrConflict from the update and Write runs the
// function again on fresh state, so conflicting commands resolve exactly as if they
// had run one after another.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/user"
)

var (
	// ErrNotFound: no such row.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: the row's sequence is not the one the writer read. Write retries
	// the whole function when it sees this; callers never do.
	ErrConflict = errors.New("store: concurrent modification")
	// ErrDuplicate: a unique key (user name in an org, org name, ids) is taken.
	ErrDuplicate = errors.New("store: duplicate key")
	// ErrUnavailable: the database cannot be reached; the request may be retried later.
	ErrUnavailable = errors.New("store: database unavailable")
)

// TextMethod is how a text filter compares (zitadel.v1.TextQueryMethod numbers).
type TextMethod int

const (
	TextEquals TextMethod = iota
	TextEqualsIgnoreCase
	TextStartsWith
	TextStartsWithIgnoreCase
	TextContains
	TextContainsIgnoreCase
	TextEndsWith
	TextEndsWithIgnoreCase
)

// TextMatch filters a text column.
type TextMatch struct {
	Value  string
	Method TextMethod
}

// UserSort names the column ListUsers sorts by (zitadel.user.v1.UserFieldName numbers).
type UserSort int

const (
	SortUnspecified UserSort = iota // by id, i.e. creation order
	SortUserName
	SortFirstName
	SortLastName
	SortNickName
	SortDisplayName
	SortEmail
	SortState
	SortType
	SortCreationDate
)

// UserQuery selects users. All filters are ANDed; removed users are never listed.
type UserQuery struct {
	OrgID     string // "" = every org
	UserNames []TextMatch
	Emails    []TextMatch
	States    []user.State
	Types     []user.Type
	IDs       []string // if non-nil, the user id must be one of these
	Sort      UserSort
	Asc       bool
	Offset    int
	Limit     int // 0 = engine default (100); capped at 1000
}

// UserPage is one page of users and the total number that matched.
type UserPage struct {
	Users []*user.User
	Total uint64
}

// EventQuery selects one aggregate's history.
type EventQuery struct {
	AggregateType string
	AggregateID   string
	AfterSequence uint64 // only events with a greater sequence (ascending) or smaller (descending) when non-zero
	Asc           bool
	Limit         int // 0 = engine default (100); capped at 1000
}

// Page is an offset/limit for simple lists.
type Page struct {
	Offset int
	Limit  int // 0 = engine default (100); capped at 1000
	Asc    bool
}

// Reader is what a command or query may read.
type Reader interface {
	Instance(ctx context.Context) (*org.Instance, error)
	Org(ctx context.Context, id string) (*org.Org, error)
	OrgByName(ctx context.Context, name string) (*org.Org, error)
	// ListOrgs lists organisations by name (byte order; p.Asc), with the total.
	ListOrgs(ctx context.Context, p Page) ([]*org.Org, uint64, error)

	// User returns the user with id in any state, removed ones included.
	User(ctx context.Context, id string) (*user.User, error)
	// UserByName returns the non-removed user with that name in the org.
	UserByName(ctx context.Context, orgID, userName string) (*user.User, error)
	ListUsers(ctx context.Context, q UserQuery) (*UserPage, error)

	Events(ctx context.Context, q EventQuery) ([]event.Event, error)

	Member(ctx context.Context, orgID, userID string) (*org.Member, error)
	// ListMembers lists the memberships of one org (or the instance) by user id,
	// with the total count.
	ListMembers(ctx context.Context, orgID string, p Page) ([]*org.Member, uint64, error)
	// MembershipsOf lists every membership of one user, instance scope included.
	MembershipsOf(ctx context.Context, userID string) ([]*org.Member, error)

	PAT(ctx context.Context, userID, patID string) (*credential.PAT, error)
	PATByHash(ctx context.Context, hash []byte) (*credential.PAT, error)
	ListPATs(ctx context.Context, userID string, p Page) ([]*credential.PAT, uint64, error)
	// Principal resolves a personal access token in one statement (one round
	// trip): the PAT with that hash, its user in any state (removed included;
	// nil only if the user row does not exist) and the user's memberships as
	// MembershipsOf lists them. ErrNotFound if no PAT has the hash. The caller
	// judges expiry, the user's state and the credential epoch.
	Principal(ctx context.Context, tokenHash []byte) (*credential.PAT, *user.User, []*org.Member, error)

	// Artifact returns the artifact of that kind and id (expired ones included:
	// the caller judges ExpiresAt).
	Artifact(ctx context.Context, kind, id string) (*Artifact, error)
	// ArtifactByKey finds an artifact by its unique lookup key within its kind.
	ArtifactByKey(ctx context.Context, kind, key string) (*Artifact, error)
	// ListArtifacts lists artifacts of one kind, filtered by user and/or org when
	// set, ordered by id (p.Asc) with the total count.
	ListArtifacts(ctx context.Context, q ArtifactQuery) ([]*Artifact, uint64, error)

	// SearchPATs and SearchMachineKeys list PATs and machine keys (artifacts
	// of credential.KindMachineKey) across users, as v2's ListPersonalAccessTokens
	// and ListKeys do, with the total count.
	SearchPATs(ctx context.Context, q CredentialQuery) ([]*credential.PAT, uint64, error)
	SearchMachineKeys(ctx context.Context, q CredentialQuery) ([]*Artifact, uint64, error)
	// Message returns the outbox message with id, in any state.
	Message(ctx context.Context, id string) (*Message, error)
	// CountMessages counts the outbox messages in state.
	CountMessages(ctx context.Context, state MessageState) (int64, error)
}

// CredentialQuery selects PATs or machine keys; every condition must hold.
type CredentialQuery struct {
	IDs, UserIDs, OrgIDs []string // each must equal (several: none matches unless equal)
	// InOrgs, if not nil, admits only credentials of these orgs (those the
	// caller may read); an empty non-nil list admits none.
	InOrgs  []string
	Created []TimeCond
	Expires []TimeCond // a credential without expiry compares as NoExpiry
	Sort    CredentialSort
	Page    Page
}

// TimeCond compares a time column with At.
type TimeCond struct {
	Op TimeOp
	At time.Time
}

// TimeOp is a comparison of times.
type TimeOp int

const (
	TimeEq TimeOp = iota
	TimeAfter
	TimeAfterOrEq
	TimeBefore
	TimeBeforeOrEq
)

// NoExpiry is when a credential without expiry expires, for comparisons
// (ZITADEL's 9999-12-31).
var NoExpiry = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

// CredentialSort is the column a credential search sorts by (KeyFieldName
// and PersonalAccessTokenFieldName numbers).
type CredentialSort int

const (
	SortCredCreated CredentialSort = iota // unspecified: the creation date
	SortCredCreatedAt
	SortCredID
	SortCredUserID
	SortCredOrgID
	SortCredExpiration
)

// Artifact is a small record of the sign-in machinery that needs no columns of its
// own: OIDC auth requests, access and refresh tokens, login sessions, signing keys,
// projects and apps, machine keys and secrets, lockout policies. Data is the
// owning package's JSON. Credentials among them stay valid only while their user
// can authenticate and its credential epoch matches, which the owner checks.
type Artifact struct {
	Kind      string
	ID        string
	Key       string // optional lookup key, unique within Kind (e.g. a token hash, a client id); "" = none
	UserID    string // optional owner user
	OrgID     string // optional owner org
	CreatedAt time.Time
	ExpiresAt time.Time // zero = never
	Data      []byte
}

// ArtifactQuery selects artifacts of one kind.
type ArtifactQuery struct {
	Kind   string
	UserID string // "" = any
	OrgID  string // "" = any
	Page   Page
}

// Tx is the view a write function gets: reads see its own writes.
type Tx interface {
	Reader

	InsertInstance(ctx context.Context, i *org.Instance) error // ErrDuplicate if one exists
	// UpdateInstance writes i (default org, sequence) if the stored sequence is
	// still prevSequence, else ErrConflict.
	UpdateInstance(ctx context.Context, i *org.Instance, prevSequence uint64) error
	InsertOrg(ctx context.Context, o *org.Org) error
	UpdateOrg(ctx context.Context, o *org.Org, prevSequence uint64) error
	// DeleteOrg removes the org's row (freeing its name) if the stored
	// sequence is still prevSequence, else ErrConflict.
	DeleteOrg(ctx context.Context, orgID string, prevSequence uint64) error

	InsertUser(ctx context.Context, u *user.User) error
	// UpdateUser writes u if the stored sequence is still prevSequence, else ErrConflict.
	UpdateUser(ctx context.Context, u *user.User, prevSequence uint64) error

	PutMember(ctx context.Context, m *org.Member) error // insert or replace
	DeleteMember(ctx context.Context, orgID, userID string) error

	InsertPAT(ctx context.Context, p *credential.PAT) error
	DeletePAT(ctx context.Context, userID, patID string) error

	// PutArtifact inserts or replaces (by Kind and ID) an artifact; a Key already
	// used by another artifact of the kind is ErrDuplicate.
	PutArtifact(ctx context.Context, a *Artifact) error
	// DeleteArtifact removes one artifact; ErrNotFound if there is none.
	DeleteArtifact(ctx context.Context, kind, id string) error

	// Append records events; (aggregate id, sequence) must be new, else ErrConflict.
	Append(ctx context.Context, events ...event.Event) error

	// EnqueueMessage adds a pending message to the outbox, due at its
	// NextAttempt (now if zero); an id already queued is ErrDuplicate. It
	// commits (or not) with the rest of the write.
	EnqueueMessage(ctx context.Context, m *Message) error
	// ClaimMessages takes up to limit (clamped as ClampLimit does) pending
	// messages of kind due at now, oldest due first: each one's Attempts goes up by one
	// and its NextAttempt becomes leaseUntil, so no other claimer takes it
	// before then. On PostgreSQL rows another transaction holds are skipped.
	// It returns the messages as claimed.
	ClaimMessages(ctx context.Context, kind string, now, leaseUntil time.Time, limit int) ([]*Message, error)
	// FinishMessage writes m's State, NextAttempt, LastError and ChangedAt if
	// the stored message is still pending with m's Attempts (the claim is
	// still m's), else ErrNotFound: the lease ran out and another claimer
	// took it, or it was finished already. A message finished sent or dead
	// loses its Data (a body may carry a code; nothing reads it again).
	FinishMessage(ctx context.Context, m *Message) error
}

// Store is an engine.
type Store interface {
	Reader
	// Write runs fn atomically and durably: when Write returns nil the change is
	// on disk (fsynced). If fn returns an error nothing it wrote is kept and Write
	// returns that error. fn may run more than once (on ErrConflict) and must not
	// have side effects outside the Tx. fn must be quick: no password hashing inside.
	Write(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error
	// PurgeExpired deletes, in one transaction, up to limit (clamped as
	// ClampLimit does) artifacts of the given kinds whose ExpiresAt is before
	// t, and returns how many; fewer than the limit means none is left. Only
	// the named kinds go: an expiry alone does not say nothing reads the
	// artifact any more (app/purge.go lists the kinds that may go).
	PurgeExpired(ctx context.Context, t time.Time, kinds []string, limit int) (int64, error)
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	Close() error
}

// ClampLimit applies the default and maximum page size.
func ClampLimit(n int) int {
	switch {
	case n <= 0:
		return 100
	case n > 1000:
		return 1000
	}
	return n
}

// Now is the timestamp precision both engines keep (microseconds), so a value
// written and read back compares equal.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
