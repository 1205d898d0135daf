package app

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// The signed-in caller's own data (ZITADEL's Auth API v1). "My" is always the
// authenticated principal: no use case here takes a user id from the request,
// so nobody reaches another user's data through them. Authentication is all
// they need (ZITADEL's "authenticated"); the interceptor already refused a
// locked, deactivated or removed caller.

// me loads the caller's own user after authorizing use.
func (a *App) me(ctx context.Context, s Scope, use Use) (granted, *user.User, error) {
	g, err := a.authorize(ctx, s, use)
	if err != nil {
		return g, nil, err
	}
	u, err := a.store.User(ctx, g.Caller.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return g, nil, fail.Unauthenticated
	}
	if err != nil {
		return g, nil, storeErr(err)
	}
	return g, u, nil
}

// MyUser returns the caller and its org (GetMyUser).
func (a *App) MyUser(ctx context.Context, s Scope) (*user.User, *org.Org, error) {
	_, u, err := a.me(ctx, s, UseGetMyUser)
	if err != nil {
		return nil, nil, err
	}
	o, err := a.store.Org(ctx, u.OrgID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, nil, storeErr(err)
	}
	return u, o, nil
}

// MembershipQuery narrows ListMyMemberships. The filters are ANDed, as in
// ZITADEL.
type MembershipQuery struct {
	OrgIDs []string // only the membership in each of these orgs
	IAM    bool     // only the instance membership
	// ProjectIDs: only the memberships on each of these projects.
	ProjectIDs []string
	// ProjectGrants: a project-grant query. Warden has no such memberships,
	// so nothing matches.
	ProjectGrants bool
	Page          store.Page
}

// MyMembership is one membership of the caller with what its answer shows.
type MyMembership struct {
	*org.Member
	// Org is the membership's org (nil for the instance membership), or the
	// org of its project.
	Org *org.Org
	// Project is the project of a project membership (else nil).
	Project *project.Project
	// Owner is the resource owner ZITADEL names: the org, or the instance id.
	Owner string
}

// MyMemberships lists the caller's memberships: those in orgs, then the
// instance one (ZITADEL's order), with the total before paging.
func (a *App) MyMemberships(ctx context.Context, s Scope, q MembershipQuery) ([]MyMembership, uint64, error) {
	g, err := a.authorize(ctx, s, UseListMyMemberships)
	if err != nil {
		return nil, 0, err
	}
	return a.membershipsOf(ctx, g.Caller.UserID, q)
}

// ListUserMemberships lists a user's memberships as MyMemberships lists the
// caller's (ZITADEL's ListUserMemberships, user.membership.read in the user's org).
func (a *App) ListUserMemberships(ctx context.Context, s Scope, userID string, q MembershipQuery) ([]MyMembership, uint64, error) {
	g, err := a.authorize(ctx, s, UseListUserMemberships)
	if err != nil {
		return nil, 0, err
	}
	u, err := a.visibleUser(ctx, g, userID, user.ErrGetNotFound)
	if err != nil {
		return nil, 0, err
	}
	return a.membershipsOf(ctx, u.ID, q)
}

// membershipsOf lists userID's memberships: those in orgs, then the instance
// one (ZITADEL's order), with the total before paging.
func (a *App) membershipsOf(ctx context.Context, userID string, q MembershipQuery) ([]MyMembership, uint64, error) {
	ms, err := a.store.MembershipsOf(ctx, userID)
	if err != nil {
		return nil, 0, storeErr(err)
	}
	inst, err := a.store.Instance(ctx)
	if err != nil {
		return nil, 0, storeErr(err)
	}
	var out []MyMembership
	for _, m := range ms {
		orgID, projectID := org.SplitScope(m.OrgID)
		switch {
		case q.ProjectGrants:
			continue
		case q.IAM && m.OrgID != org.InstanceScope:
			continue
		case len(q.OrgIDs) > 0 && (projectID != "" || slices.ContainsFunc(q.OrgIDs, func(id string) bool { return id != m.OrgID })):
			continue
		case len(q.ProjectIDs) > 0 && slices.ContainsFunc(q.ProjectIDs, func(id string) bool { return id != projectID }):
			continue
		}
		mm := MyMembership{Member: m, Owner: orgID}
		if projectID != "" {
			p, err := loadProject(ctx, a.store, orgID, projectID)
			if errors.Is(err, errProjectNotFound) {
				continue
			} else if err != nil {
				return nil, 0, storeErr(err)
			}
			mm.Project = p
		}
		if m.OrgID == org.InstanceScope {
			mm.Owner = inst.ID
		} else {
			o, err := a.store.Org(ctx, orgID)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, 0, storeErr(err)
			}
			if o.State == org.StateRemoved {
				continue
			}
			mm.Org = o
		}
		out = append(out, mm)
	}
	slices.SortStableFunc(out, func(x, y MyMembership) int {
		// The instance scope's OrgID is "": last, after the orgs by id.
		if xi, yi := x.OrgID == org.InstanceScope, y.OrgID == org.InstanceScope; xi != yi {
			if xi {
				return 1
			}
			return -1
		}
		return strings.Compare(x.OrgID, y.OrgID)
	})
	total := uint64(len(out))
	q.Page.Asc = true // ZITADEL sorts memberships by nothing; keep one order
	return pageOf(out, q.Page), total, nil
}

// MyZitadelPermissions lists the permissions the caller's roles carry in the
// scope's org context — its memberships there and at instance level — sorted,
// without repeats (ListMyZitadelPermissions). They are Warden's permissions
// (internal/org's table), which use ZITADEL's names.
func (a *App) MyZitadelPermissions(ctx context.Context, s Scope) ([]string, error) {
	g, err := a.authorize(ctx, s, UseListMyZitadelPermissions)
	if err != nil {
		return nil, err
	}
	ms, err := a.store.MembershipsOf(ctx, g.Caller.UserID)
	if err != nil {
		return nil, storeErr(err)
	}
	var roles []string
	for _, m := range ms {
		// Project roles count on their project only, not in the org context.
		if m.OrgID == org.InstanceScope || m.OrgID == g.OrgID {
			roles = append(roles, m.Roles...)
		}
	}
	out := org.Permissions(roles)
	slices.Sort(out)
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// MyUserChanges is the caller's own history (ListMyUserChanges).
func (a *App) MyUserChanges(ctx context.Context, s Scope, q store.EventQuery) ([]event.Event, error) {
	g, err := a.authorize(ctx, s, UseListMyUserChanges)
	if err != nil {
		return nil, err
	}
	q.AggregateType, q.AggregateID = event.AggregateUser, g.Caller.UserID
	evs, err := a.store.Events(ctx, q)
	return evs, storeErr(err)
}

// MySession is one of the caller's login-page sessions.
type MySession struct {
	oauth.Session
	CreatedAt time.Time
	// Active: the session still signs its browser in (its credential epoch is
	// the user's); otherwise a lock, password change or the like ended it.
	Active bool
}

// MySessions lists the caller's own sessions at the login page, oldest
// first, expired ones left out (ListMyUserSessions), and the caller.
func (a *App) MySessions(ctx context.Context, s Scope) ([]MySession, *user.User, *org.Org, error) {
	g, u, err := a.me(ctx, s, UseListMyUserSessions)
	if err != nil {
		return nil, nil, nil, err
	}
	arts, err := allArtifacts(ctx, a.store, oauth.KindSession, "", g.Caller.UserID)
	if err != nil {
		return nil, nil, nil, storeErr(err)
	}
	now := time.Now()
	var out []MySession
	for _, art := range arts {
		if art.UserID != u.ID || (!art.ExpiresAt.IsZero() && !now.Before(art.ExpiresAt)) {
			continue
		}
		var ss oauth.Session
		if err := json.Unmarshal(art.Data, &ss); err != nil || ss.UserID != u.ID {
			continue
		}
		out = append(out, MySession{Session: ss, CreatedAt: art.CreatedAt, Active: live(u, ss.Epoch)})
	}
	o, err := a.store.Org(ctx, u.OrgID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil, storeErr(err)
	}
	return out, u, o, nil
}

// MyRefreshToken is one live refresh token of the caller. Its ID is the id of
// its rotation family, which stays the same when the token rotates (as
// ZITADEL's refresh token id does), so a listed id can be revoked later.
type MyRefreshToken struct {
	oauth.RefreshToken
	ID        string
	CreatedAt time.Time // of the current token: the family's last rotation
}

// liveRefreshTokens are the caller's refresh tokens that can still be used:
// one per family (the unspent one), not expired, of the user's current
// credential epoch, in family id order.
func (a *App) liveRefreshTokens(ctx context.Context, u *user.User) ([]MyRefreshToken, error) {
	arts, err := allArtifacts(ctx, a.store, oauth.KindRefreshToken, "", u.ID)
	if err != nil {
		return nil, storeErr(err)
	}
	now := time.Now()
	var out []MyRefreshToken
	for _, art := range arts {
		if art.UserID != u.ID || (!art.ExpiresAt.IsZero() && !now.Before(art.ExpiresAt)) {
			continue
		}
		var rt oauth.RefreshToken
		if err := json.Unmarshal(art.Data, &rt); err != nil {
			continue
		}
		if rt.Used || rt.UserID != u.ID || !now.Before(rt.Expiration) || !live(u, rt.Epoch) {
			continue
		}
		out = append(out, MyRefreshToken{RefreshToken: rt, ID: rt.FamilyID(), CreatedAt: art.CreatedAt})
	}
	slices.SortFunc(out, func(x, y MyRefreshToken) int { return strings.Compare(x.ID, y.ID) })
	return out, nil
}

// MyRefreshTokens lists the caller's live refresh tokens (ListMyRefreshTokens).
func (a *App) MyRefreshTokens(ctx context.Context, s Scope) ([]MyRefreshToken, *user.User, error) {
	_, u, err := a.me(ctx, s, UseListMyRefreshTokens)
	if err != nil {
		return nil, nil, err
	}
	ts, err := a.liveRefreshTokens(ctx, u)
	return ts, u, err
}

// RevokeMyRefreshToken revokes one of the caller's refresh tokens by the id
// MyRefreshTokens listed, with everything it was rotated into and their access
// tokens. Only the caller's own tokens are looked at, so another user's id is
// NotFound like one that never existed.
func (a *App) RevokeMyRefreshToken(ctx context.Context, s Scope, id string) (*user.User, time.Time, error) {
	_, u, err := a.me(ctx, s, UseRevokeMyRefreshToken)
	if err != nil {
		return nil, time.Time{}, err
	}
	if err := checkID(id, errRefreshIDMissing); err != nil {
		return nil, time.Time{}, err
	}
	ts, err := a.liveRefreshTokens(ctx, u)
	if err != nil {
		return nil, time.Time{}, err
	}
	if !slices.ContainsFunc(ts, func(t MyRefreshToken) bool { return t.ID == id }) {
		return nil, time.Time{}, errMyRefreshNotFound
	}
	if err := a.revokeFamily(ctx, u.ID, id); err != nil {
		return nil, time.Time{}, err
	}
	return u, store.Now(), nil
}

// RevokeAllMyRefreshTokens revokes every refresh token of the caller and the
// access tokens that came with them; access tokens of other grants (a PAT,
// client credentials) stay. Having none is no error (ZITADEL answers
// InvalidArgument COMMAND-Gfj42; "nothing left to revoke" is the outcome the
// caller asked for).
func (a *App) RevokeAllMyRefreshTokens(ctx context.Context, s Scope) error {
	_, u, err := a.me(ctx, s, UseRevokeAllMyRefreshTokens)
	if err != nil {
		return err
	}
	for _, kind := range []string{oauth.KindRefreshToken, oauth.KindAccessToken} {
		arts, err := allArtifacts(ctx, a.store, kind, "", u.ID)
		if err != nil {
			return storeErr(err)
		}
		var ids []string
		for _, art := range arts {
			if art.UserID != u.ID {
				continue
			}
			if kind == oauth.KindAccessToken {
				var at oauth.AccessToken
				if json.Unmarshal(art.Data, &at) != nil || (at.RefreshID == "" && at.Family == "") {
					continue
				}
			}
			ids = append(ids, art.ID)
		}
		if err := a.deleteArtifacts(ctx, kind, ids); err != nil {
			return err
		}
	}
	return nil
}

// ProjectOrgQuery narrows ListMyProjectOrgs; filters are ANDed.
type ProjectOrgQuery struct {
	Names   []store.TextMatch
	Domains []store.TextMatch
	States  []org.State
	IDs     []string
	Page    store.Page
}

// MyProjectOrgs lists the orgs the caller may act in (ListMyProjectOrgs, as
// ZITADEL answers for its own console and API): every org of the instance for
// a caller with an instance membership; else its own org and the orgs it is a
// member of. Removed orgs are left out; the list is sorted by name (q.Page.Asc
// says which way).
func (a *App) MyProjectOrgs(ctx context.Context, s Scope, q ProjectOrgQuery) ([]*org.Org, uint64, error) {
	g, err := a.authorize(ctx, s, UseListMyProjectOrgs)
	if err != nil {
		return nil, 0, err
	}
	ms, err := a.store.MembershipsOf(ctx, g.Caller.UserID)
	if err != nil {
		return nil, 0, storeErr(err)
	}
	instance := slices.ContainsFunc(ms, func(m *org.Member) bool { return m.OrgID == org.InstanceScope })
	var orgs []*org.Org
	if instance {
		for off := 0; ; {
			page, total, err := a.store.ListOrgs(ctx, store.Page{Offset: off, Limit: 1000, Asc: true})
			if err != nil {
				return nil, 0, storeErr(err)
			}
			orgs = append(orgs, page...)
			off += len(page)
			if len(page) == 0 || uint64(off) >= total {
				break
			}
		}
	} else {
		ids := []string{g.Caller.OrgID}
		for _, m := range ms {
			// A project membership brings its project's org.
			if id, _ := org.SplitScope(m.OrgID); !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		for _, id := range ids {
			o, err := a.store.Org(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, 0, storeErr(err)
			}
			orgs = append(orgs, o)
		}
	}
	f := OrgFilter{Names: q.Names, Domains: q.Domains, IDs: q.IDs, States: q.States}
	domains, err := a.queriedDomains(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	var out []*org.Org
	for _, o := range orgs {
		if o.State == org.StateRemoved || !a.orgFilterMatches(o, f, domains) {
			continue
		}
		out = append(out, o)
	}
	slices.SortFunc(out, func(x, y *org.Org) int {
		if c := strings.Compare(x.Name, y.Name); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	total := uint64(len(out))
	return pageOf(out, q.Page), total, nil
}

// supportedLanguages are the languages Warden speaks to people: its login
// page, console and messages are English only.
var supportedLanguages = []string{"en"}

// SupportedLanguages lists them (GetSupportedLanguages).
func (a *App) SupportedLanguages(ctx context.Context, s Scope) ([]string, error) {
	if _, err := a.authorize(ctx, s, UseGetSupportedLanguages); err != nil {
		return nil, err
	}
	return slices.Clone(supportedLanguages), nil
}
