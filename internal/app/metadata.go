package app

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// Metadata are ZITADEL's key/value pairs on a user or an org: the value is
// bytes (base64 in JSON), the key unique on its aggregate. Each entry is an
// artifact (KindUserMetadata, KindOrgMetadata) whose id is the aggregate's id,
// a colon and the key — ids never hold a colon (checkUserID's alphabet, decimal
// org ids), so two aggregates' keys cannot meet. Every change is an event of its
// aggregate written by changeUser or changeOrg with the entry, so a metadata
// change is a change of its user (the escalation rule holds) or org; a removed
// user or org takes its entries in the same write.

const (
	KindUserMetadata = "user_metadata"
	KindOrgMetadata  = "org_metadata"

	// MaxMetadataKeyLen and MaxMetadataValueLen are ZITADEL's request limits.
	MaxMetadataKeyLen   = 200
	MaxMetadataValueLen = 500000
	// MaxMetadataEntries bounds the entries of one user or org (and so one
	// bulk call): they are read whole for a list and for the token claim.
	MaxMetadataEntries = 1000
)

// Metadata events (ZITADEL's names) are in package event.
const (
	evUserMetadataSet        = event.UserMetadataSet
	evUserMetadataRemoved    = event.UserMetadataRemoved
	evUserMetadataRemovedAll = event.UserMetadataRemovedAll
	evOrgMetadataSet         = event.OrgMetadataSet
	evOrgMetadataRemoved     = event.OrgMetadataRemoved
)

// Metadata is one entry, with the details of its last change.
type Metadata struct {
	Key       string    `json:"key"`
	Value     []byte    `json:"value"`
	CreatedAt time.Time `json:"createdAt"`
	ChangedAt time.Time `json:"changedAt"`
	Sequence  uint64    `json:"sequence"` // the aggregate's, at the last change
	Owner     string    `json:"-"`        // the resource owner (org)
}

// MetadataEntry is one key and value to set.
type MetadataEntry struct {
	Key   string
	Value []byte
}

// MetadataFilter selects entries by key (all must match).
type MetadataFilter struct {
	Keys []store.TextMatch
}

func metadataID(aggID, key string) string { return aggID + ":" + key }

func checkMetadataKey(key string, empty error) error {
	if key == "" {
		return empty
	}
	if len(key) > MaxMetadataKeyLen {
		return errTooLong.Msgf("metadata key longer than %d bytes", MaxMetadataKeyLen)
	}
	if !pgText(key) {
		return errNotUTF8.Msgf("metadata key is not valid UTF-8 or contains a NUL")
	}
	return nil
}

func checkMetadataEntries(entries []MetadataEntry, invalid error) error {
	if len(entries) > MaxMetadataEntries {
		return errMetadataTooMany
	}
	for _, e := range entries {
		if len(e.Value) == 0 {
			return invalid
		}
		if len(e.Value) > MaxMetadataValueLen {
			return errTooLong.Msgf("metadata value longer than %d bytes", MaxMetadataValueLen)
		}
		if err := checkMetadataKey(e.Key, invalid); err != nil {
			return err
		}
	}
	return nil
}

func decodeMetadata(art *store.Artifact) (*Metadata, error) {
	var m Metadata
	if err := json.Unmarshal(art.Data, &m); err != nil {
		return nil, fmt.Errorf("metadata %s: %w", art.ID, err)
	}
	m.Owner = art.OrgID
	return &m, nil
}

// allMetadata reads every entry of one user (userID) or org, by creation
// (then the order of a bulk call's entries), as ZITADEL's v2 lists sort them.
func allMetadata(ctx context.Context, r store.Reader, kind, orgID, userID string) ([]*Metadata, error) {
	arts, err := allArtifacts(ctx, r, kind, orgID, userID)
	if err != nil {
		return nil, err
	}
	out := make([]*Metadata, 0, len(arts))
	for _, art := range arts {
		m, err := decodeMetadata(art)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b *Metadata) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.Sequence, b.Sequence), cmp.Compare(a.Key, b.Key))
	})
	return out, nil
}

// filterMetadata applies f and the page (p.Asc: oldest first) to entries in
// creation order.
func filterMetadata(all []*Metadata, f MetadataFilter, p store.Page) ([]*Metadata, uint64) {
	var hit []*Metadata
	for _, m := range all {
		if matchAll(f.Keys, m.Key) {
			hit = append(hit, m)
		}
	}
	return pageOf(hit, p), uint64(len(hit))
}

// putMetadata writes the entries at seq (the aggregate's sequence of the last
// event) and fails if the aggregate would hold more than MaxMetadataEntries.
func putMetadata(ctx context.Context, tx store.Tx, kind, aggID, userID, orgID string, entries []MetadataEntry, seqs []uint64, at time.Time) error {
	_, total, err := tx.ListArtifacts(ctx, store.ArtifactQuery{Kind: kind, UserID: userID, OrgID: orgID, Page: store.Page{Limit: 1}})
	if err != nil {
		return err
	}
	for i, e := range entries {
		m := Metadata{Key: e.Key, Value: e.Value, CreatedAt: at, ChangedAt: at, Sequence: seqs[i]}
		old, err := tx.Artifact(ctx, kind, metadataID(aggID, e.Key))
		switch {
		case err == nil:
			if prev, err := decodeMetadata(old); err == nil {
				m.CreatedAt = prev.CreatedAt
			}
		case errors.Is(err, store.ErrNotFound):
			total++
			if total > MaxMetadataEntries {
				return errMetadataTooMany
			}
		default:
			return err
		}
		data, err := json.Marshal(m)
		if err != nil {
			return err
		}
		if err := tx.PutArtifact(ctx, &store.Artifact{Kind: kind, ID: metadataID(aggID, e.Key), UserID: userID, OrgID: orgID,
			CreatedAt: m.CreatedAt, Data: data}); err != nil {
			return err
		}
	}
	return nil
}

// deleteAllMetadata removes every entry of a user or org (its removal).
func deleteAllMetadata(ctx context.Context, tx store.Tx, kind, orgID, userID string) (int, error) {
	arts, err := allArtifacts(ctx, tx, kind, orgID, userID)
	if err != nil {
		return 0, err
	}
	for _, art := range arts {
		if err := tx.DeleteArtifact(ctx, kind, art.ID); err != nil {
			return 0, err
		}
	}
	return len(arts), nil
}

// --- users ---

// SetUserMetadata sets the entries on a user, all or none (ZITADEL's Set and
// BulkSet, and v2's SetUserMetadata): one user.metadata.set event each.
func (a *App) SetUserMetadata(ctx context.Context, s Scope, userID string, entries []MetadataEntry, bulk bool) (*user.User, error) {
	g, err := a.authorize(ctx, s, UseSetUserMetadata)
	if err != nil {
		return nil, err
	}
	if err := checkID(userID, errUserIDMissing); err != nil {
		return nil, err
	}
	if bulk && len(entries) == 0 {
		return nil, errMetadataNoData
	}
	if err := checkMetadataEntries(entries, errUserMetadataInvalid); err != nil {
		return nil, err
	}
	return a.changeUser(ctx, g, userID, errMetadataUserMissing, func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error) {
		by := actor(g.Caller)
		evs := make([]event.Event, len(entries))
		seqs := make([]uint64, len(entries))
		for i, e := range entries {
			evs[i] = u.Record(evUserMetadataSet, by, map[string]any{"key": e.Key, "value": e.Value})
			seqs[i] = u.Sequence
		}
		return evs, putMetadata(ctx, tx, KindUserMetadata, u.ID, u.ID, u.OrgID, entries, seqs, by.At)
	})
}

// checkMetadataChanges checks v2 UpdateUser's metadata: entries to set, and
// keys to remove (an empty value), each key once.
func checkMetadataChanges(entries []MetadataEntry) error {
	var set []MetadataEntry
	var removed []string
	seen := make(map[string]bool, len(entries))
	for _, e := range entries {
		if seen[e.Key] {
			return errMetadataKeyTwice
		}
		seen[e.Key] = true
		if len(e.Value) == 0 {
			removed = append(removed, e.Key)
		} else {
			set = append(set, e)
		}
	}
	if err := checkMetadataEntries(set, errUserMetadataInvalid); err != nil {
		return err
	}
	return checkRemovedKeys(removed, false, errUserMetadataKeyEmpty)
}

// changeUserMetadata sets entries on u inside its change's write, in order,
// and removes those with an empty value (a key it does not hold refuses the
// whole change, as RemoveUserMetadata): one event each.
func changeUserMetadata(ctx context.Context, tx store.Tx, u *user.User, by user.Actor, entries []MetadataEntry) ([]event.Event, error) {
	var evs []event.Event
	for _, e := range entries {
		if len(e.Value) == 0 {
			if err := tx.DeleteArtifact(ctx, KindUserMetadata, metadataID(u.ID, e.Key)); errors.Is(err, store.ErrNotFound) {
				return nil, errUserMetadataNotFound
			} else if err != nil {
				return nil, err
			}
			evs = append(evs, u.Record(evUserMetadataRemoved, by, map[string]any{"key": e.Key}))
			continue
		}
		evs = append(evs, u.Record(evUserMetadataSet, by, map[string]any{"key": e.Key, "value": e.Value}))
		if err := putMetadata(ctx, tx, KindUserMetadata, u.ID, u.ID, u.OrgID, []MetadataEntry{e}, []uint64{u.Sequence}, by.At); err != nil {
			return nil, err
		}
	}
	return evs, nil
}

// RemoveUserMetadata removes entries of a user, all or none; a key it does not
// hold refuses the call (ZITADEL's Remove and BulkRemove, v2's Delete).
func (a *App) RemoveUserMetadata(ctx context.Context, s Scope, userID string, keys []string, bulk bool) (*user.User, error) {
	g, err := a.authorize(ctx, s, UseRemoveUserMetadata)
	if err != nil {
		return nil, err
	}
	if err := checkID(userID, errUserIDMissing); err != nil {
		return nil, err
	}
	notFound, invalid := errUserMetadataKeyMissing, errUserMetadataKeyEmptyBulk
	if !bulk {
		notFound, invalid = errUserMetadataNotFound, errUserMetadataKeyEmpty
	}
	if err := checkRemovedKeys(keys, bulk, invalid); err != nil {
		return nil, err
	}
	return a.changeUser(ctx, g, userID, errMetadataUserMissing, func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error) {
		by := actor(g.Caller)
		var evs []event.Event
		for _, k := range keys {
			if err := tx.DeleteArtifact(ctx, KindUserMetadata, metadataID(u.ID, k)); errors.Is(err, store.ErrNotFound) {
				return nil, notFound
			} else if err != nil {
				return nil, err
			}
			evs = append(evs, u.Record(evUserMetadataRemoved, by, map[string]any{"key": k}))
		}
		return evs, nil
	})
}

func checkRemovedKeys(keys []string, bulk bool, invalid error) error {
	if bulk && len(keys) == 0 {
		return errMetadataNoData
	}
	if len(keys) > MaxMetadataEntries {
		return errMetadataTooMany
	}
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if err := checkMetadataKey(k, invalid); err != nil {
			return err
		}
		if seen[k] {
			return errMetadataKeyTwice
		}
		seen[k] = true
	}
	return nil
}

// ListUserMetadata lists a user's entries matching f.
func (a *App) ListUserMetadata(ctx context.Context, s Scope, userID string, f MetadataFilter, p store.Page) ([]*Metadata, uint64, error) {
	g, err := a.authorize(ctx, s, UseListUserMetadata)
	if err != nil {
		return nil, 0, err
	}
	u, err := a.visibleUser(ctx, g, userID, user.ErrGetNotFound)
	if err != nil {
		return nil, 0, err
	}
	all, err := allMetadata(ctx, a.store, KindUserMetadata, "", u.ID)
	if err != nil {
		return nil, 0, storeErr(err)
	}
	out, total := filterMetadata(all, f, p)
	return out, total, nil
}

// GetUserMetadata returns one entry of a user.
func (a *App) GetUserMetadata(ctx context.Context, s Scope, userID, key string) (*Metadata, error) {
	g, err := a.authorize(ctx, s, UseGetUserMetadata)
	if err != nil {
		return nil, err
	}
	if err := checkMetadataKey(key, errRequired.Msgf("metadata key is missing")); err != nil {
		return nil, err
	}
	u, err := a.visibleUser(ctx, g, userID, user.ErrGetNotFound)
	if err != nil {
		return nil, err
	}
	return getMetadata(ctx, a.store, KindUserMetadata, u.ID, key, errUserMetadataGetNotFound)
}

func getMetadata(ctx context.Context, r store.Reader, kind, aggID, key string, notFound error) (*Metadata, error) {
	art, err := r.Artifact(ctx, kind, metadataID(aggID, key))
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound
	} else if err != nil {
		return nil, storeErr(err)
	}
	m, err := decodeMetadata(art)
	if err != nil {
		return nil, storeErr(err)
	}
	return m, nil
}

// ListMyMetadata and GetMyMetadata are the caller's own entries (Auth v1).
func (a *App) ListMyMetadata(ctx context.Context, s Scope, f MetadataFilter, p store.Page) ([]*Metadata, uint64, error) {
	g, err := a.authorize(ctx, s, UseListMyMetadata)
	if err != nil {
		return nil, 0, err
	}
	all, err := allMetadata(ctx, a.store, KindUserMetadata, "", g.Caller.UserID)
	if err != nil {
		return nil, 0, storeErr(err)
	}
	out, total := filterMetadata(all, f, p)
	return out, total, nil
}

func (a *App) GetMyMetadata(ctx context.Context, s Scope, key string) (*Metadata, error) {
	g, err := a.authorize(ctx, s, UseGetMyMetadata)
	if err != nil {
		return nil, err
	}
	if err := checkMetadataKey(key, errRequired.Msgf("metadata key is missing")); err != nil {
		return nil, err
	}
	return getMetadata(ctx, a.store, KindUserMetadata, g.Caller.UserID, key, errUserMetadataGetNotFound)
}

// UserMetadataClaim is the urn:zitadel:iam:user:metadata claim: every entry
// of the user, key → value in unpadded base64url (ZITADEL's encoding of the
// claim, unlike the API's padded base64), read now; nil when there is none.
func (a *App) UserMetadataClaim(ctx context.Context, userID string) (map[string]string, error) {
	all, err := allMetadata(ctx, a.store, KindUserMetadata, "", userID)
	if err != nil || len(all) == 0 {
		return nil, err
	}
	out := make(map[string]string, len(all))
	for _, m := range all {
		out[m.Key] = base64.RawURLEncoding.EncodeToString(m.Value)
	}
	return out, nil
}

// removeUserMetadata removes a removed user's entries, in its removal's write,
// and records user.metadata.removed.all when there were any (ZITADEL's event).
func removeUserMetadata(ctx context.Context, tx store.Tx, u *user.User, by user.Actor) ([]event.Event, error) {
	n, err := deleteAllMetadata(ctx, tx, KindUserMetadata, "", u.ID)
	if err != nil || n == 0 {
		return nil, err
	}
	return []event.Event{u.Record(evUserMetadataRemovedAll, by, nil)}, nil
}

// --- orgs ---

// SetOrgMetadata sets entries on the scope's org, all or none: one
// org.metadata.set event each.
func (a *App) SetOrgMetadata(ctx context.Context, s Scope, entries []MetadataEntry, bulk bool) (*OrgMetadataDetails, error) {
	g, err := a.authorize(ctx, s, UseSetOrgMetadata)
	if err != nil {
		return nil, err
	}
	if bulk && len(entries) == 0 {
		return nil, errMetadataNoData
	}
	if err := checkMetadataEntries(entries, errOrgMetadataInvalid); err != nil {
		return nil, err
	}
	evs := make([]orgRecord, len(entries))
	for i, e := range entries {
		evs[i] = orgRecord{typ: evOrgMetadataSet, payload: map[string]any{"key": e.Key, "value": e.Value}}
	}
	var at time.Time
	o, err := a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		seqs, typ, payload, err := ch.recordAll(ctx, tx, evs)
		if err != nil {
			return "", nil, err
		}
		at = ch.by.At
		return typ, payload, putMetadata(ctx, tx, KindOrgMetadata, ch.o.ID, "", ch.o.ID, entries, seqs, ch.by.At)
	})
	if err != nil {
		return nil, err
	}
	return &OrgMetadataDetails{OrgID: o.ID, Sequence: o.Sequence, ChangedAt: at}, nil
}

// OrgMetadataDetails are an org metadata change's details.
type OrgMetadataDetails struct {
	OrgID     string
	Sequence  uint64
	ChangedAt time.Time
}

// RemoveOrgMetadata removes entries of the scope's org, all or none.
func (a *App) RemoveOrgMetadata(ctx context.Context, s Scope, keys []string, bulk bool) (*OrgMetadataDetails, error) {
	g, err := a.authorize(ctx, s, UseRemoveOrgMetadata)
	if err != nil {
		return nil, err
	}
	notFound, invalid, noData := errOrgMetadataKeyMissing, errOrgMetadataKeyEmptyBulk, errOrgMetadataNoData
	if !bulk {
		notFound, invalid = errOrgMetadataNotFound, errOrgMetadataKeyEmpty
	}
	if bulk && len(keys) == 0 {
		return nil, noData
	}
	if err := checkRemovedKeys(keys, bulk, invalid); err != nil {
		return nil, err
	}
	evs := make([]orgRecord, len(keys))
	for i, k := range keys {
		evs[i] = orgRecord{typ: evOrgMetadataRemoved, payload: map[string]any{"key": k}}
	}
	var at time.Time
	o, err := a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		for _, k := range keys {
			if err := tx.DeleteArtifact(ctx, KindOrgMetadata, metadataID(ch.o.ID, k)); errors.Is(err, store.ErrNotFound) {
				return "", nil, notFound
			} else if err != nil {
				return "", nil, err
			}
		}
		_, typ, payload, err := ch.recordAll(ctx, tx, evs)
		at = ch.by.At
		return typ, payload, err
	})
	if err != nil {
		return nil, err
	}
	return &OrgMetadataDetails{OrgID: o.ID, Sequence: o.Sequence, ChangedAt: at}, nil
}

// ListOrgMetadata lists the scope's org's entries matching f.
func (a *App) ListOrgMetadata(ctx context.Context, s Scope, f MetadataFilter, p store.Page) ([]*Metadata, uint64, error) {
	g, err := a.authorize(ctx, s, UseListOrgMetadata)
	if err != nil {
		return nil, 0, err
	}
	all, err := allMetadata(ctx, a.store, KindOrgMetadata, g.OrgID, "")
	if err != nil {
		return nil, 0, storeErr(err)
	}
	out, total := filterMetadata(all, f, p)
	return out, total, nil
}

// GetOrgMetadata returns one entry of the scope's org.
func (a *App) GetOrgMetadata(ctx context.Context, s Scope, key string) (*Metadata, error) {
	g, err := a.authorize(ctx, s, UseGetOrgMetadata)
	if err != nil {
		return nil, err
	}
	if err := checkMetadataKey(key, errRequired.Msgf("metadata key is missing")); err != nil {
		return nil, err
	}
	return getMetadata(ctx, a.store, KindOrgMetadata, g.OrgID, key, errOrgMetadataGetNotFound)
}

// orgRecord is one event of an org change that records several.
type orgRecord struct {
	typ     string
	payload any
}

// recordAll appends all but the last of evs at consecutive sequences of the
// org, from the one changeOrg gave the change, and returns the sequence of
// each and the last one's type and payload, which changeOrg appends itself
// at the org's final sequence.
func (ch *orgChange) recordAll(ctx context.Context, tx store.Tx, evs []orgRecord) ([]uint64, string, any, error) {
	seqs := make([]uint64, len(evs))
	for i, r := range evs {
		if i > 0 {
			ch.o.Sequence++
		}
		seqs[i] = ch.o.Sequence
		if i == len(evs)-1 {
			return seqs, r.typ, r.payload, nil
		}
		if err := tx.Append(ctx, orgEvent(ch.o, ch.o.Sequence, r.typ, ch.by, r.payload)); err != nil {
			return nil, "", nil, err
		}
	}
	return seqs, "", nil, errMetadataNoData // no entries: nothing to record
}

// The v2 forms (zitadel.org.v2): the org named in the request, the v1 rule.

// SetOrganizationMetadata is BulkSetOrgMetadata on the named org.
func (a *App) SetOrganizationMetadata(ctx context.Context, c *Caller, orgID string, entries []MetadataEntry) (*OrgMetadataDetails, error) {
	s, err := v2OrgScope(c, orgID)
	if err != nil {
		return nil, err
	}
	return a.SetOrgMetadata(ctx, s, entries, true)
}

// DeleteOrganizationMetadata is BulkRemoveOrgMetadata on the named org.
func (a *App) DeleteOrganizationMetadata(ctx context.Context, c *Caller, orgID string, keys []string) (*OrgMetadataDetails, error) {
	s, err := v2OrgScope(c, orgID)
	if err != nil {
		return nil, err
	}
	return a.RemoveOrgMetadata(ctx, s, keys, true)
}

// ListOrganizationMetadata is ListOrgMetadata on the named org.
func (a *App) ListOrganizationMetadata(ctx context.Context, c *Caller, orgID string, f MetadataFilter, p store.Page) ([]*Metadata, uint64, error) {
	s, err := v2OrgScope(c, orgID)
	if err != nil {
		return nil, 0, err
	}
	return a.ListOrgMetadata(ctx, s, f, p)
}
