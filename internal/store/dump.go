package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strings"
	"time"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/user"
)

// A dump is the engine-neutral form of a whole store: every row of every table
// as the domain value the Reader would return, so a store can move between
// engines (`warden store copy`) without either engine knowing the other.

// Table names, in the order Dump produces them.
const (
	TableInstance  = "instance"
	TableOrgs      = "orgs"
	TableUsers     = "users"
	TableMembers   = "members"
	TablePATs      = "pats"
	TableArtifacts = "artifacts"
	TableOutbox    = "outbox"
	TableEvents    = "events"
)

// Tables lists every table a dump covers, in dump order.
var Tables = []string{TableInstance, TableOrgs, TableUsers, TableMembers, TablePATs, TableArtifacts, TableOutbox, TableEvents}

// Record is one row of a dump; exactly one field is set.
type Record struct {
	Instance *org.Instance
	Org      *org.Org
	User     *user.User // with password hash and failed attempts
	Member   *org.Member
	PAT      *credential.PAT
	Artifact *Artifact
	Message  *Message // every column: a copied pending mail is sent once, a sent one never again
	Event    *event.Event
}

// Table names the table the record belongs to ("" for an empty record).
func (r Record) Table() string {
	switch {
	case r.Instance != nil:
		return TableInstance
	case r.Org != nil:
		return TableOrgs
	case r.User != nil:
		return TableUsers
	case r.Member != nil:
		return TableMembers
	case r.PAT != nil:
		return TablePATs
	case r.Artifact != nil:
		return TableArtifacts
	case r.Message != nil:
		return TableOutbox
	case r.Event != nil:
		return TableEvents
	}
	return ""
}

// Dumper is implemented by engines that can produce a dump.
type Dumper interface {
	// Dump calls put for every row, table by table in the order of Tables and
	// within a table in primary-key order (byte order for text, numeric for
	// integers; the same on every engine, so checksums compare), all read from one
	// consistent snapshot. It stops at put's first error and returns it.
	Dump(ctx context.Context, put func(Record) error) error
}

// Loader is implemented by engines that can take a dump.
type Loader interface {
	// Load writes every record src produces into the store, in one transaction:
	// when Load returns nil all of them are committed (and durable), otherwise none
	// are. It refuses, with an error wrapping ErrNotEmpty, a store that holds any
	// row, so it never merges two histories. src calls put once per record and
	// returns put's first error.
	Load(ctx context.Context, src func(put func(Record) error) error) error
}

// ErrNotEmpty: a Load target already holds data.
var ErrNotEmpty = errors.New("store: target is not empty")

// NotEmptyError names the tables a Load target already has rows in.
func NotEmptyError(counts map[string]int64) error {
	var parts []string
	for _, t := range Tables {
		if n := counts[t]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s: %d rows", t, n))
		}
	}
	return fmt.Errorf("%w (%s); copy only into a freshly created database", ErrNotEmpty, strings.Join(parts, ", "))
}

// TableSum is the row count and checksum of one table.
type TableSum struct {
	Rows uint64
	Hash [sha256.Size]byte
}

// HashHex is the checksum in hex.
func (t TableSum) HashHex() string { return hex.EncodeToString(t.Hash[:]) }

// Summary is every table's TableSum, computed over a dump. Two stores whose
// summaries are equal hold the same rows (the SHA-256 runs over a canonical
// encoding of each row in primary-key order, so it is engine-independent).
type Summary map[string]TableSum

// Equal reports whether both summaries cover the same tables with the same sums.
func (s Summary) Equal(o Summary) bool {
	for _, t := range Tables {
		if s[t] != o[t] {
			return false
		}
	}
	return true
}

// Total is the number of rows over all tables.
func (s Summary) Total() uint64 {
	var n uint64
	for _, t := range s {
		n += t.Rows
	}
	return n
}

// Summer accumulates a Summary from records fed in dump order.
type Summer struct {
	rows   map[string]uint64
	hashes map[string]hash.Hash
	buf    []byte
}

// NewSummer returns an empty Summer.
func NewSummer() *Summer {
	s := &Summer{rows: map[string]uint64{}, hashes: map[string]hash.Hash{}}
	for _, t := range Tables {
		s.hashes[t] = sha256.New()
	}
	return s
}

// Add feeds one record.
func (s *Summer) Add(r Record) error {
	t := r.Table()
	h, ok := s.hashes[t]
	if !ok {
		return errors.New("store: empty dump record")
	}
	s.buf = AppendCanonical(s.buf[:0], r)
	// Length-prefixed, so row boundaries are part of what is hashed.
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(s.buf)))
	h.Write(n[:])
	h.Write(s.buf)
	s.rows[t]++
	return nil
}

// Sum returns the summary of everything added so far.
func (s *Summer) Sum() Summary {
	out := Summary{}
	for _, t := range Tables {
		var ts TableSum
		ts.Rows = s.rows[t]
		copy(ts.Hash[:], s.hashes[t].Sum(nil))
		out[t] = ts
	}
	return out
}

// Summarize dumps d and returns its summary.
func Summarize(ctx context.Context, d Dumper) (Summary, error) {
	s := NewSummer()
	if err := d.Dump(ctx, s.Add); err != nil {
		return nil, err
	}
	return s.Sum(), nil
}

// Copy loads everything from into to (which must be empty) and returns the
// summary of the records that went through, i.e. of the source snapshot.
func Copy(ctx context.Context, from Dumper, to Loader) (Summary, error) {
	s := NewSummer()
	err := to.Load(ctx, func(put func(Record) error) error {
		return from.Dump(ctx, func(r Record) error {
			if err := s.Add(r); err != nil {
				return err
			}
			return put(r)
		})
	})
	if err != nil {
		return nil, err
	}
	return s.Sum(), nil
}

// AppendCanonical appends the canonical encoding of r: every field of the
// domain value in declaration order, strings and bytes length-prefixed, times as
// unix microseconds with a flag for the zero time. Nil and empty byte slices
// encode alike: SQLite's driver reads an empty blob back as nil, and for JSON
// payloads and data both mean "none". It is the checksums' input: two records
// encode equally exactly when they mean the same to every Reader's caller.
func AppendCanonical(b []byte, r Record) []byte {
	e := canon(b)
	switch {
	case r.Instance != nil:
		i := r.Instance
		e.str(TableInstance).str(i.ID).str(i.DefaultOrgID).u64(i.Sequence).time(i.CreatedAt)
	case r.Org != nil:
		o := r.Org
		e.str(TableOrgs).str(o.ID).str(o.Name).i64(int64(o.State)).u64(o.Sequence).time(o.CreatedAt).time(o.ChangedAt)
	case r.User != nil:
		u := r.User
		e.str(TableUsers).str(u.ID).str(u.OrgID).str(u.UserName).i64(int64(u.Type)).i64(int64(u.State)).
			i64(int64(u.StateBeforeLock)).u64(u.Sequence).time(u.CreatedAt).time(u.ChangedAt).u64(u.CredentialEpoch)
		if h := u.Human; h != nil {
			e.flag(true).str(h.FirstName).str(h.LastName).str(h.NickName).str(h.DisplayName).str(h.PreferredLanguage).
				i64(int64(h.Gender)).str(h.Email).flag(h.EmailVerified).str(h.Phone).flag(h.PhoneVerified).
				str(h.PasswordHash).flag(h.PasswordChangeRequired).i64(int64(h.FailedPasswordAttempts)).time(h.PasswordChangedAt)
			// The pending codes in purpose order (a map has none of its own).
			purposes := make([]string, 0, len(h.Codes))
			for p := range h.Codes {
				purposes = append(purposes, string(p))
			}
			slices.Sort(purposes)
			e.u64(uint64(len(purposes)))
			for _, p := range purposes {
				c := h.Codes[user.CodePurpose(p)]
				e.str(p).flag(c != nil)
				if c != nil {
					e.bytes(c.MAC).str(c.Target).time(c.CreatedAt).i64(int64(c.Expiry)).flag(c.Returned).str(c.URLTemplate).str(c.ApplicationName)
				}
			}
			e.i64(int64(h.FailedOTPAttempts))
		} else {
			e.flag(false)
		}
		if m := u.Machine; m != nil {
			e.flag(true).str(m.Name).str(m.Description).i64(int64(m.AccessTokenType))
		} else {
			e.flag(false)
		}
	case r.Member != nil:
		m := r.Member
		e.str(TableMembers).str(m.OrgID).str(m.UserID).u64(uint64(len(m.Roles)))
		for _, role := range m.Roles {
			e.str(role)
		}
		e.time(m.CreatedAt).time(m.ChangedAt).u64(m.Sequence)
	case r.PAT != nil:
		p := r.PAT
		e.str(TablePATs).str(p.ID).str(p.UserID).str(p.OrgID).bytes(p.Hash).time(p.Expiration).time(p.CreatedAt).
			u64(p.Epoch).u64(p.Sequence)
	case r.Artifact != nil:
		a := r.Artifact
		e.str(TableArtifacts).str(a.Kind).str(a.ID).str(a.Key).str(a.UserID).str(a.OrgID).time(a.CreatedAt).
			time(a.ExpiresAt).bytes(a.Data)
	case r.Message != nil:
		m := r.Message
		e.str(TableOutbox).str(m.ID).str(m.Kind).str(m.Recipient).bytes(m.Data).i64(int64(m.State)).i64(int64(m.Attempts)).
			time(m.NextAttempt).str(m.LastError).time(m.CreatedAt).time(m.ChangedAt)
	case r.Event != nil:
		v := r.Event
		e.str(TableEvents).str(v.AggregateType).str(v.AggregateID).u64(v.Sequence).str(v.Type).time(v.CreatedAt).
			str(v.CreatorID).str(v.ResourceOwner).bytes(v.Payload)
	}
	return e.b
}

// canonBuf builds the canonical encoding; methods chain.
type canonBuf struct{ b []byte }

func canon(b []byte) *canonBuf { return &canonBuf{b} }

func (c *canonBuf) u64(n uint64) *canonBuf { c.b = binary.BigEndian.AppendUint64(c.b, n); return c }
func (c *canonBuf) i64(n int64) *canonBuf  { return c.u64(uint64(n)) }

func (c *canonBuf) flag(v bool) *canonBuf {
	if v {
		c.b = append(c.b, 1)
	} else {
		c.b = append(c.b, 0)
	}
	return c
}

func (c *canonBuf) str(s string) *canonBuf {
	c.u64(uint64(len(s)))
	c.b = append(c.b, s...)
	return c
}

func (c *canonBuf) bytes(p []byte) *canonBuf {
	c.u64(uint64(len(p)))
	c.b = append(c.b, p...)
	return c
}

// time keeps the instant at the stores' precision (microseconds), not the zone.
func (c *canonBuf) time(t time.Time) *canonBuf {
	if t.IsZero() {
		return c.flag(false)
	}
	return c.flag(true).i64(t.UnixMicro())
}
