package app

import (
	"context"
	"slices"

	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// MemberFilter is what member searches filter by (ZITADEL's member.SearchQuery:
// user id, e-mail, first and last name); all set filters must match. A name or
// e-mail matches only on a user the caller may read.
type MemberFilter struct {
	UserIDs    []string
	Emails     []store.TextMatch
	FirstNames []store.TextMatch
	LastNames  []store.TextMatch
}

func (f MemberFilter) empty() bool {
	return len(f.UserIDs) == 0 && len(f.Emails) == 0 && len(f.FirstNames) == 0 && len(f.LastNames) == 0
}

// SearchMembers lists the members of the org context that match f (ListOrgMembers
// with queries), with their users where the caller may read them.
func (a *App) SearchMembers(ctx context.Context, s Scope, f MemberFilter, p store.Page) ([]*org.Member, map[string]*user.User, uint64, error) {
	g, err := a.authorize(ctx, s, UseListMembers)
	if err != nil {
		return nil, nil, 0, err
	}
	return a.memberPage(ctx, g.Caller, g.OrgID, f, p)
}

// memberPage is one page of the members of scopeID (an org, or the instance)
// that match f. Without filters the store pages; with them the scope's members
// (few, as memberships go) are filtered here, then paged.
func (a *App) memberPage(ctx context.Context, c *Caller, scopeID string, f MemberFilter, p store.Page) ([]*org.Member, map[string]*user.User, uint64, error) {
	for _, m := range slices.Concat(f.Emails, f.FirstNames, f.LastNames) {
		if !pgText(m.Value) {
			return nil, nil, 0, errOrgQuery
		}
	}
	var ms []*org.Member
	var total uint64
	if f.empty() {
		var err error
		if ms, total, err = a.store.ListMembers(ctx, scopeID, p); err != nil {
			return nil, nil, 0, storeErr(err)
		}
	} else {
		for {
			page, n, err := a.store.ListMembers(ctx, scopeID, store.Page{Offset: len(ms), Limit: 1000, Asc: true})
			if err != nil {
				return nil, nil, 0, storeErr(err)
			}
			ms = append(ms, page...)
			if len(page) == 0 || uint64(len(ms)) >= n {
				break
			}
		}
	}
	users, err := a.readableMembers(ctx, c, ms)
	if err != nil {
		return nil, nil, 0, err
	}
	if f.empty() {
		return ms, users, total, nil
	}
	var out []*org.Member
	for _, m := range ms {
		if f.matches(m, users[m.UserID]) {
			out = append(out, m)
		}
	}
	total = uint64(len(out))
	if !p.Asc {
		slices.Reverse(out)
	}
	off := min(max(p.Offset, 0), len(out))
	return out[off:min(off+store.ClampLimit(p.Limit), len(out))], users, total, nil
}

func (f MemberFilter) matches(m *org.Member, u *user.User) bool {
	if len(f.UserIDs) > 0 && !slices.Contains(f.UserIDs, m.UserID) {
		return false
	}
	if len(f.Emails)+len(f.FirstNames)+len(f.LastNames) == 0 {
		return true
	}
	if u == nil || u.Human == nil {
		return false // nothing readable to match
	}
	for _, t := range []struct {
		v  string
		ms []store.TextMatch
	}{{u.Human.Email, f.Emails}, {u.Human.FirstName, f.FirstNames}, {u.Human.LastName, f.LastNames}} {
		for _, q := range t.ms {
			if !MatchText(q, t.v) {
				return false
			}
		}
	}
	return true
}
