package sqlite

import (
	"context"
	"sync"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/user"
)

// authCache keeps Principal answers (a PAT, its user, its memberships) in
// memory. It is exact, not eventual: every write to a user, its memberships or
// its PATs goes through this process's single writer, which drops that user's
// entries after the commit and before it answers the writer's callers, so a lock
// is refused by the very next request. (The PostgreSQL engine has no such cache:
// other nodes write there.)
//
// A reader that started before an invalidation must not store what it read:
// each invalidation takes a new generation number and remembers it per user,
// and a reader may insert only if its user was not invalidated after the
// generation it saw when it started.
type authCache struct {
	mu        sync.Mutex
	gen       uint64
	floor     uint64            // readers that started before it may not insert
	lastInval map[string]uint64 // user id → generation of its last invalidation
	entries   map[string]*principal
	byUser    map[string]map[string]struct{} // user id → cached hashes
	// The same per org: an org's state is part of its users' answers.
	lastOrgInval map[string]uint64
	byOrg        map[string]map[string]struct{}
}

type principal struct {
	pat     credential.PAT
	user    user.User
	members []*org.Member
}

// Bounds: past them the cache starts over rather than track more.
const (
	maxAuthEntries = 10000
	maxAuthInvals  = 100000
)

func newAuthCache() *authCache {
	return &authCache{lastInval: map[string]uint64{}, entries: map[string]*principal{}, byUser: map[string]map[string]struct{}{},
		lastOrgInval: map[string]uint64{}, byOrg: map[string]map[string]struct{}{}}
}

// start returns the generation a read begins at.
func (c *authCache) start() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *authCache) get(hash []byte) (*credential.PAT, *user.User, []*org.Member, bool) {
	c.mu.Lock()
	e, ok := c.entries[string(hash)]
	c.mu.Unlock()
	if !ok {
		return nil, nil, nil, false
	}
	// Copies: callers get values of their own, as from the database.
	p, u := e.pat, e.user
	ms := make([]*org.Member, len(e.members))
	for i, m := range e.members {
		mm := *m
		ms[i] = &mm
	}
	return &p, &u, ms, true
}

func (c *authCache) put(hash []byte, startGen uint64, p *credential.PAT, u *user.User, ms []*org.Member) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if startGen < c.floor || c.lastInval[u.ID] > startGen || c.lastOrgInval[u.OrgID] > startGen {
		return // changed while we read: what we hold may be stale
	}
	if len(c.entries) >= maxAuthEntries {
		c.entries, c.byUser, c.byOrg = map[string]*principal{}, map[string]map[string]struct{}{}, map[string]map[string]struct{}{}
	}
	e := &principal{pat: *p, user: *u, members: make([]*org.Member, len(ms))}
	for i, m := range ms {
		mm := *m
		e.members[i] = &mm
	}
	c.entries[string(hash)] = e
	if c.byUser[u.ID] == nil {
		c.byUser[u.ID] = map[string]struct{}{}
	}
	c.byUser[u.ID][string(hash)] = struct{}{}
	if c.byOrg[u.OrgID] == nil {
		c.byOrg[u.OrgID] = map[string]struct{}{}
	}
	c.byOrg[u.OrgID][string(hash)] = struct{}{}
}

// invalidate drops what is cached for the users and the orgs (all their
// users) a committed batch touched. Index entries of hashes already dropped
// through the other index are harmless: deleting a missing entry is a no-op.
func (c *authCache) invalidate(userIDs, orgIDs []string) {
	if len(userIDs) == 0 && len(orgIDs) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if len(c.lastInval) > maxAuthInvals || len(c.lastOrgInval) > maxAuthInvals {
		c.lastInval, c.lastOrgInval = map[string]uint64{}, map[string]uint64{}
		c.floor = c.gen // readers in flight cannot tell what they missed
	}
	for _, id := range userIDs {
		c.lastInval[id] = c.gen
		for h := range c.byUser[id] {
			delete(c.entries, h)
		}
		delete(c.byUser, id)
	}
	for _, id := range orgIDs {
		c.lastOrgInval[id] = c.gen
		for h := range c.byOrg[id] {
			delete(c.entries, h)
		}
		delete(c.byOrg, id)
	}
}

// Principal answers from the cache when it can.
func (s *Store) Principal(ctx context.Context, hash []byte) (*credential.PAT, *user.User, []*org.Member, error) {
	if s.auth == nil {
		return s.reader.Principal(ctx, hash)
	}
	if p, u, ms, ok := s.auth.get(hash); ok {
		return p, u, ms, nil
	}
	gen := s.auth.start()
	p, u, ms, err := s.reader.Principal(ctx, hash)
	if err == nil && u != nil {
		s.auth.put(hash, gen, p, u, ms)
	}
	return p, u, ms, err
}
