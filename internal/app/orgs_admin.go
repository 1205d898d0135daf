package app

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/policy"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// The lifecycle of organisations (Management v1's org methods, Admin v1's) and
// the instance's administration of them. The org's state is read with its
// users wherever a credential is judged (user.OrgInactive), so deactivating or
// removing an org refuses its users' next request on every node.

// orgStateUses are the use cases of the lifecycle operations in an org context.
var orgStateUses = map[org.Op]Use{org.OpDeactivate: UseDeactivateOrg, org.OpReactivate: UseReactivateOrg, org.OpRemove: UseRemoveOrg}

// RenameOrg changes the name of the org context (UpdateOrg). Its generated
// domain follows the name (and with it the login names, while it is primary).
func (a *App) RenameOrg(ctx context.Context, s Scope, name string) (*org.Org, error) {
	g, err := a.authorize(ctx, s, UseUpdateOrg)
	if err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if err := checkText("name", name, false); err != nil {
		return nil, err
	}
	o, err := a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		oldName := ch.o.Name
		typ, err := org.Rename(ch.o, name)
		if err != nil {
			return "", nil, err
		}
		if err := a.renameGeneratedDomain(ctx, tx, ch.o, oldName); err != nil {
			return "", nil, err
		}
		if other, err := tx.OrgByName(ctx, name); err == nil && other.ID != ch.o.ID {
			return "", nil, errOrgNameTaken
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return "", nil, err
		}
		return typ, map[string]any{"name": name}, nil
	})
	if errors.Is(err, store.ErrDuplicate) {
		return nil, errOrgNameTaken // a concurrent rename or creation took it
	}
	return o, err
}

// ChangeOrgState deactivates, reactivates or removes the org context and
// returns it as committed.
func (a *App) ChangeOrgState(ctx context.Context, s Scope, op org.Op) (*org.Org, error) {
	use, ok := orgStateUses[op]
	if !ok {
		return nil, fail.Internal
	}
	g, err := a.authorize(ctx, s, use)
	if err != nil {
		return nil, err
	}
	return a.changeOrgState(ctx, g, op)
}

// AdminRemoveOrg removes any org of the instance (admin RemoveOrg).
func (a *App) AdminRemoveOrg(ctx context.Context, c *Caller, orgID string) (*org.Org, error) {
	g, err := a.authorize(ctx, Scope{Caller: c}, UseAdminRemoveOrg)
	if err != nil {
		return nil, err
	}
	if err := checkID(orgID, errOrgIDMissing); err != nil {
		return nil, err
	}
	g.OrgID = orgID
	o, err := a.changeOrgState(ctx, g, org.OpRemove)
	if errors.Is(err, fail.OrgNotFound) {
		return nil, org.ErrRemoveMissing
	}
	return o, err
}

func (a *App) changeOrgState(ctx context.Context, g granted, op org.Op) (*org.Org, error) {
	out, err := a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		inst, err := tx.Instance(ctx)
		if err != nil {
			return "", nil, err
		}
		typ, err := org.Apply(ch.o, op, inst.DefaultOrgID)
		if err != nil {
			return "", nil, err
		}
		if op == org.OpReactivate {
			return typ, map[string]any{"name": ch.o.Name}, nil
		}
		users, err := orgUsers(ctx, tx, ch.o.ID)
		if err != nil {
			return "", nil, err
		}
		// Deactivating or removing an org disables or removes its users: the
		// escalation rule holds for them as for one user (an org owner cannot
		// lock out an IAM owner whose home is its org).
		for _, u := range users {
			ms, err := tx.MembershipsOf(ctx, u.ID)
			if err != nil {
				return "", nil, err
			}
			if !g.Caller.Covers(ms) {
				return "", nil, errOutranked
			}
		}
		if op == org.OpRemove {
			if err := removeOrgContents(ctx, tx, ch.o.ID, users, ch.by); err != nil {
				return "", nil, err
			}
		}
		return typ, map[string]any{"name": ch.o.Name}, nil
	})
	if err != nil {
		return nil, err
	}
	a.log.InfoContext(ctx, "organisation state changed", "org", out.ID, "state", int(out.State), "by", g.Caller.UserID, "sequence", out.Sequence)
	return out, nil
}

// removeOrgContents removes, inside the org's removal, everything that belongs
// to it: its users (listed by orgUsers, with their credentials and memberships
// everywhere), its members, its projects with their apps, app keys, roles and
// user grants, its lockout and password policies, its domains and its metadata (its users'
// with each user). The tokens its users hold die with their users' state.
func removeOrgContents(ctx context.Context, tx store.Tx, orgID string, users []*user.User, by user.Actor) error {
	var evs []event.Event
	for _, u := range users {
		prev := u.Sequence
		ev, err := user.Apply(u, user.OpRemove, by)
		if err != nil {
			return err
		}
		if err := deleteUserCredentials(ctx, tx, u.ID); err != nil {
			return err
		}
		more, err := removeUserMetadata(ctx, tx, u, by)
		if err != nil {
			return err
		}
		if err := tx.UpdateUser(ctx, u, prev); err != nil {
			return err
		}
		evs = append(evs, ev)
		evs = append(evs, more...)
	}
	var members []*org.Member
	for {
		page, total, err := tx.ListMembers(ctx, orgID, store.Page{Offset: len(members), Limit: 1000, Asc: true})
		if err != nil {
			return err
		}
		members = append(members, page...)
		if len(page) == 0 || uint64(len(members)) >= total {
			break
		}
	}
	for _, m := range members {
		if err := tx.DeleteMember(ctx, orgID, m.UserID); err != nil {
			return err
		}
	}
	for _, kind := range []string{project.KindAppKey, project.KindApp, project.KindGrant, project.KindRole, project.KindProject} {
		arts, err := allArtifacts(ctx, tx, kind, orgID, "")
		if err != nil {
			return err
		}
		for _, art := range arts {
			if err := tx.DeleteArtifact(ctx, kind, art.ID); err != nil {
				return err
			}
		}
	}
	for _, kind := range []string{policy.KindLockout, policy.KindComplexity, policy.KindAge} {
		if err := tx.DeleteArtifact(ctx, kind, orgID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	if err := tx.DeleteArtifact(ctx, policy.KindNotification, orgID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err := deleteOrgMessageTexts(ctx, tx, orgID); err != nil {
		return err
	}
	if err := deleteOrgDomains(ctx, tx, orgID); err != nil {
		return err
	}
	// The org's own metadata goes with it; its removal event says so.
	if _, err := deleteAllMetadata(ctx, tx, KindOrgMetadata, orgID, ""); err != nil {
		return err
	}
	if len(evs) == 0 {
		return nil
	}
	return tx.Append(ctx, evs...)
}

// orgUsers lists every user of an org that is not removed.
func orgUsers(ctx context.Context, r store.Reader, orgID string) ([]*user.User, error) {
	var users []*user.User
	for {
		page, err := r.ListUsers(ctx, store.UserQuery{OrgID: orgID, Offset: len(users), Limit: 1000, Asc: true})
		if err != nil {
			return nil, err
		}
		users = append(users, page.Users...)
		if len(page.Users) == 0 || uint64(len(users)) >= page.Total {
			return users, nil
		}
	}
}

// OrgChanges returns the org context's history (ListOrgChanges).
func (a *App) OrgChanges(ctx context.Context, s Scope, q store.EventQuery) ([]event.Event, error) {
	g, err := a.authorize(ctx, s, UseListOrgChanges)
	if err != nil {
		return nil, err
	}
	q.AggregateType, q.AggregateID = event.AggregateOrg, g.OrgID
	evs, err := a.store.Events(ctx, q)
	return evs, storeErr(err)
}

// OrgMemberRoles lists the roles an org membership may carry (ListOrgMemberRoles).
func (a *App) OrgMemberRoles(ctx context.Context, s Scope) ([]string, error) {
	if _, err := a.authorize(ctx, s, UseListOrgMemberRoles); err != nil {
		return nil, err
	}
	return org.OrgRoles(), nil
}

// AdminGetOrg returns any org of the instance (admin GetOrgByID).
func (a *App) AdminGetOrg(ctx context.Context, c *Caller, orgID string) (*org.Org, error) {
	if _, err := a.authorize(ctx, Scope{Caller: c}, UseAdminGetOrg); err != nil {
		return nil, err
	}
	if err := checkID(orgID, errOrgIDMissing); err != nil {
		return nil, err
	}
	return a.GetOrg(ctx, orgID)
}

// OrgFilter is what admin ListOrgs filters by; all set filters must match.
type OrgFilter struct {
	Names   []store.TextMatch
	Domains []store.TextMatch
	IDs     []string
	States  []org.State
}

// AdminListOrgs lists the instance's orgs by name, filtered (admin ListOrgs).
// Orgs are few, so the filter runs over the whole list here rather than in
// each engine; it returns one page and the number that matched.
func (a *App) AdminListOrgs(ctx context.Context, c *Caller, f OrgFilter, p store.Page) ([]*org.Org, uint64, error) {
	if _, err := a.authorize(ctx, Scope{Caller: c}, UseAdminListOrgs); err != nil {
		return nil, 0, err
	}
	for _, m := range append(slices.Clone(f.Names), f.Domains...) {
		if !pgText(m.Value) {
			return nil, 0, errOrgQuery
		}
	}
	all, err := a.allOrgs(ctx)
	if err != nil {
		return nil, 0, err
	}
	domains, err := a.queriedDomains(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	var out []*org.Org
	for _, o := range all {
		if a.orgFilterMatches(o, f, domains) {
			out = append(out, o)
		}
	}
	total := uint64(len(out))
	if !p.Asc {
		slices.Reverse(out)
	}
	off := min(max(p.Offset, 0), len(out))
	end := min(off+store.ClampLimit(p.Limit), len(out))
	return out[off:end], total, nil
}

func (a *App) allOrgs(ctx context.Context) ([]*org.Org, error) {
	var all []*org.Org
	for {
		page, total, err := a.store.ListOrgs(ctx, store.Page{Offset: len(all), Limit: 1000, Asc: true})
		if err != nil {
			return nil, storeErr(err)
		}
		all = append(all, page...)
		if len(page) == 0 || uint64(len(all)) >= total {
			return all, nil
		}
	}
}

// queriedDomains lists, by org, the domains a domain query compares with:
// the org's verified domains, as ZITADEL's (any of them, not only the
// primary). An org with no domain rows yet has none in the map: its
// generated domain stands for them. Nothing is read without a domain query.
func (a *App) queriedDomains(ctx context.Context, f OrgFilter) (map[string][]string, error) {
	if len(f.Domains) == 0 {
		return nil, nil
	}
	arts, err := allArtifacts(ctx, a.store, org.KindDomain, "", "")
	if err != nil {
		return nil, storeErr(err)
	}
	out := map[string][]string{}
	for _, art := range arts {
		d, err := domainOf(art)
		if err != nil {
			return nil, storeErr(err)
		}
		v := out[d.OrgID] // present even when none is verified
		if d.Verified {
			v = append(v, d.Domain)
		}
		out[d.OrgID] = v
	}
	return out, nil
}

// orgFilterMatches tells whether o meets every query of f; domains is
// queriedDomains's answer for f.
func (a *App) orgFilterMatches(o *org.Org, f OrgFilter, domains map[string][]string) bool {
	for _, id := range f.IDs { // queries are ANDed, as in ZITADEL
		if id != o.ID {
			return false
		}
	}
	if len(f.States) > 0 && !slices.Contains(f.States, o.State) {
		return false
	}
	for _, m := range f.Names {
		if !MatchText(m, o.Name) {
			return false
		}
	}
	ds, ok := domains[o.ID]
	if !ok {
		ds = []string{a.GeneratedDomain(o.Name)}
	}
	for _, m := range f.Domains {
		if !slices.ContainsFunc(ds, func(d string) bool { return MatchText(m, d) }) {
			return false
		}
	}
	return true
}

// IsOrgUnique tells whether no org has the name, nor the domain (admin
// IsOrgUnique); an empty one is not compared.
func (a *App) IsOrgUnique(ctx context.Context, c *Caller, name, domain string) (bool, error) {
	if _, err := a.authorize(ctx, Scope{Caller: c}, UseIsOrgUnique); err != nil {
		return false, err
	}
	name, domain = strings.TrimSpace(name), strings.TrimSpace(domain)
	if !pgText(name) || !pgText(domain) {
		return false, errOrgQuery
	}
	if name != "" {
		if _, err := a.store.OrgByName(ctx, name); err == nil {
			return false, nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return false, storeErr(err)
		}
	}
	if domain != "" {
		// Any verified domain counts: it is the one a new org could not claim.
		if _, err := a.orgByVerifiedDomain(ctx, a.store, strings.ToLower(domain)); err == nil {
			return false, nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return false, storeErr(err)
		}
	}
	return true, nil
}

// DefaultOrg returns the instance's default org (admin GetDefaultOrg).
func (a *App) DefaultOrg(ctx context.Context, c *Caller) (*org.Org, error) {
	if _, err := a.authorize(ctx, Scope{Caller: c}, UseGetDefaultOrg); err != nil {
		return nil, err
	}
	inst, err := a.store.Instance(ctx)
	if err != nil {
		return nil, storeErr(err)
	}
	return a.GetOrg(ctx, inst.DefaultOrgID)
}

// SetDefaultOrg makes an active org the instance's default (admin
// SetDefaultOrg); it returns the instance as committed.
func (a *App) SetDefaultOrg(ctx context.Context, c *Caller, orgID string) (*InstanceDetails, error) {
	g, err := a.authorize(ctx, Scope{Caller: c}, UseSetDefaultOrg)
	if err != nil {
		return nil, err
	}
	if err := checkID(orgID, errOrgIDMissing); err != nil {
		return nil, err
	}
	return a.changeInstance(ctx, g, func(ctx context.Context, tx store.Tx, ch *instanceChange) (string, any, error) {
		o, err := tx.Org(ctx, orgID)
		if errors.Is(err, store.ErrNotFound) {
			return "", nil, fail.OrgNotFound
		} else if err != nil {
			return "", nil, err
		}
		if o.State != org.StateActive {
			return "", nil, errDefaultOrgInactive
		}
		if ch.i.DefaultOrgID == orgID {
			return "", nil, nil // nothing to record
		}
		ch.i.DefaultOrgID = orgID
		return event.InstanceDefaultOrgSet, map[string]any{"orgId": orgID}, nil
	})
}

// SetUpOrg creates an org and its first human user, who gets roles there
// (ORG_OWNER when none are given), in one transaction (admin SetUpOrg). It
// returns the org and the user as committed.
func (a *App) SetUpOrg(ctx context.Context, c *Caller, name string, admin NewHuman, roles []string) (*org.Org, *user.User, error) {
	g, err := a.authorize(ctx, Scope{Caller: c}, UseSetUpOrg)
	if err != nil {
		return nil, nil, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, nil, org.ErrNameInvalid
	}
	if err := checkText("name", name, true); err != nil {
		return nil, nil, err
	}
	if len(roles) == 0 {
		roles = []string{"ORG_OWNER"}
	}
	if err := checkRoles(roles); err != nil {
		return nil, nil, err
	}
	roles = slices.Compact(slices.Sorted(slices.Values(roles)))
	orgID := a.ids.Next()
	admin.RequireNames = true
	u, userEv, err := a.newHuman(ctx, g, admin, func() (string, error) { return orgID, nil })
	if err != nil {
		return nil, nil, err
	}
	by := actor(c)
	o := &org.Org{ID: orgID, Name: name, State: org.StateActive, Sequence: 2, CreatedAt: by.At, ChangedAt: by.At}
	err = a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := tx.InsertOrg(ctx, o); err != nil {
			return err
		}
		if err := a.claimGeneratedDomain(ctx, tx, o); err != nil {
			return err
		}
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		m := &org.Member{OrgID: o.ID, UserID: u.ID, Roles: roles, CreatedAt: by.At, ChangedAt: by.At, Sequence: 2}
		if err := tx.PutMember(ctx, m); err != nil {
			return err
		}
		return tx.Append(ctx, orgEvent(o, 1, event.OrgAdded, by, map[string]any{"name": name}), userEv,
			orgEvent(o, 2, event.OrgMemberAdded, by, map[string]any{"userId": u.ID, "roles": roles}))
	})
	if errors.Is(err, store.ErrDuplicate) {
		return nil, nil, errOrgNameTaken // a new org has no users, so the name is what collided
	}
	if err != nil {
		return nil, nil, storeErr(err)
	}
	return o, u, nil
}
