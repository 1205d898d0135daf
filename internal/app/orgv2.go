package app

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// The v2 forms of the org lifecycle (zitadel.org.v2.OrganizationService).
// v2 has no org context: each method names its org, and calls the v1 use case
// in that org's scope, so the rule is the v1 method's.

// OrgAdmin is one admin of AddOrganization: an existing user (UserID) or a
// new human created with the org (Human), with its org roles (ORG_OWNER when
// none are given, as in ZITADEL).
type OrgAdmin struct {
	UserID string
	Human  *NewHuman
	Roles  []string
}

// AddOrganization creates an org with the given id ("" for a new one) and
// admins, in one transaction: a failing admin leaves no org behind. Unlike v1
// AddOrg the caller does not become a member. It returns the org and the
// users it created, in the order of admins.
func (a *App) AddOrganization(ctx context.Context, c *Caller, name, orgID string, admins []OrgAdmin) (*org.Org, []*user.User, error) {
	g, err := a.authorize(ctx, Scope{Caller: c}, UseAddOrg)
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
	if orgID != "" {
		if err := checkUserID(orgID); err != nil { // the same alphabet as chosen user ids
			return nil, nil, errBadOrgID
		}
	} else {
		orgID = a.ids.Next()
	}
	by := actor(c)
	type admin struct {
		userID string
		roles  []string
		human  *user.User
		ev     event.Event
	}
	planned := make([]admin, len(admins))
	for i, ad := range admins {
		roles := ad.Roles
		if len(roles) == 0 {
			roles = []string{"ORG_OWNER"}
		}
		if err := checkRoles(roles); err != nil {
			return nil, nil, err
		}
		roles = slices.Compact(slices.Sorted(slices.Values(roles)))
		if !c.CoversRoles(orgID, roles) {
			return nil, nil, errOutranked // nobody grants what they do not hold
		}
		planned[i].roles = roles
		switch {
		case ad.Human != nil && ad.UserID == "":
			u, ev, err := a.newHuman(ctx, g, *ad.Human, func() (string, error) { return orgID, nil })
			if err != nil {
				return nil, nil, err
			}
			planned[i].userID, planned[i].human, planned[i].ev = u.ID, u, ev
		case ad.Human == nil:
			if err := checkID(ad.UserID, errMemberUserIDMissing); err != nil {
				return nil, nil, err
			}
			planned[i].userID = ad.UserID
		default:
			return nil, nil, errAdminType
		}
	}
	// The org's events: its creation, then one membership each.
	o := &org.Org{ID: orgID, Name: name, State: org.StateActive, Sequence: uint64(1 + len(planned)), CreatedAt: by.At, ChangedAt: by.At}
	err = a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.Org(ctx, orgID); err == nil {
			return errOrgIDTaken
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if other, err := tx.OrgByName(ctx, name); err == nil && other.ID != orgID {
			return errOrgNameTaken
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := tx.InsertOrg(ctx, o); err != nil {
			return err
		}
		if err := a.claimGeneratedDomain(ctx, tx, o); err != nil {
			return err
		}
		evs := []event.Event{orgEvent(o, 1, event.OrgAdded, by, map[string]any{"name": name})}
		seen := map[string]bool{}
		for i, ad := range planned {
			if seen[ad.userID] {
				return errMemberExists
			}
			seen[ad.userID] = true
			if ad.human != nil {
				if _, err := tx.User(ctx, ad.userID); err == nil {
					return errUserHandleTaken
				} else if !errors.Is(err, store.ErrNotFound) {
					return err
				}
				if err := tx.InsertUser(ctx, ad.human); err != nil {
					if errors.Is(err, store.ErrDuplicate) {
						return user.ErrUserNameTaken // the org is new: a user collided
					}
					return err
				}
				evs = append(evs, ad.ev)
			} else if err := joinable(ctx, tx, c, ad.userID, "", errMemberUser); err != nil {
				return err
			}
			seq := uint64(2 + i)
			m := &org.Member{OrgID: o.ID, UserID: ad.userID, Roles: ad.roles, CreatedAt: by.At, ChangedAt: by.At, Sequence: seq}
			if err := tx.PutMember(ctx, m); err != nil {
				return err
			}
			evs = append(evs, orgEvent(o, seq, event.OrgMemberAdded, by, map[string]any{"userId": ad.userID, "roles": ad.roles}))
		}
		return tx.Append(ctx, evs...)
	})
	if errors.Is(err, store.ErrDuplicate) {
		return nil, nil, errOrgNameTaken // a concurrent creation took the name
	}
	if err != nil {
		return nil, nil, storeErr(err)
	}
	var created []*user.User
	for _, ad := range planned {
		if ad.human != nil {
			created = append(created, ad.human)
		}
	}
	a.log.InfoContext(ctx, "organisation added", "org", o.ID, "by", c.UserID, "admins", len(planned))
	return o, created, nil
}

// v2OrgScope is the scope of the org a v2 request names; v2 never falls back
// to the caller's own org.
func v2OrgScope(c *Caller, orgID string) (Scope, error) {
	if err := checkID(orgID, errOrgIDMissing); err != nil {
		return Scope{}, err
	}
	return OrgScope(c, orgID), nil
}

// UpdateOrganization is UpdateOrg (RenameOrg) on the named org.
func (a *App) UpdateOrganization(ctx context.Context, c *Caller, orgID, name string) (*org.Org, error) {
	s, err := v2OrgScope(c, orgID)
	if err != nil {
		return nil, err
	}
	o, err := a.RenameOrg(ctx, s, name)
	if errors.Is(err, fail.OrgNotFound) {
		return nil, org.ErrChangeNotFound
	}
	return o, err
}

// v2NotFound is ZITADEL's not-found error of each lifecycle operation.
var v2NotFound = map[org.Op]error{org.OpDeactivate: org.ErrDeactivateMissing, org.OpReactivate: org.ErrReactivateMissing, org.OpRemove: org.ErrRemoveMissing}

// ChangeOrganizationState is ChangeOrgState (deactivate, reactivate,
// remove) on the named org.
func (a *App) ChangeOrganizationState(ctx context.Context, c *Caller, orgID string, op org.Op) (*org.Org, error) {
	s, err := v2OrgScope(c, orgID)
	if err != nil {
		return nil, err
	}
	o, err := a.ChangeOrgState(ctx, s, op)
	if errors.Is(err, fail.OrgNotFound) {
		return nil, v2NotFound[op]
	}
	return o, err
}

// OrgFilterV2 is ListOrganizations' filter: admin ListOrgs' and the
// default-org query.
type OrgFilterV2 struct {
	OrgFilter
	DefaultOnly bool
}

// OrgSort is ListOrganizations' sorting column
// (zitadel.org.v2.OrganizationFieldName numbers).
type OrgSort int

const (
	SortOrgUnspecified OrgSort = iota
	SortOrgName
	SortOrgCreated
)

// ListOrganizations lists the orgs the caller may read (GetOrg's rule in
// each, as ZITADEL checks org.read per org), filtered by f.
func (a *App) ListOrganizations(ctx context.Context, c *Caller, f OrgFilterV2, sort OrgSort, p store.Page) ([]*org.Org, uint64, error) {
	if c == nil {
		return nil, 0, fail.Unauthenticated
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
	def := ""
	if f.DefaultOnly {
		inst, err := a.store.Instance(ctx)
		if err != nil {
			return nil, 0, storeErr(err)
		}
		def = inst.DefaultOrgID
	}
	domains, err := a.queriedDomains(ctx, f.OrgFilter)
	if err != nil {
		return nil, 0, err
	}
	var out []*org.Org
	for _, o := range all {
		if !o.Exists() || !OrgScope(c, o.ID).May(UseGetOrg) || !a.orgFilterMatches(o, f.OrgFilter, domains) || (f.DefaultOnly && o.ID != def) {
			continue
		}
		out = append(out, o)
	}
	slices.SortStableFunc(out, func(x, y *org.Org) int {
		var d int
		switch sort {
		case SortOrgName:
			d = cmp.Compare(x.Name, y.Name)
		default:
			d = x.CreatedAt.Compare(y.CreatedAt)
		}
		return cmp.Or(d, cmp.Compare(x.ID, y.ID))
	})
	return pageOf(out, p), uint64(len(out)), nil
}

// OrgScopeV2 is the scope of a v2 request on the org it names (an org id is
// required), for the v2 forms that call a v1 use case as they are.
func OrgScopeV2(c *Caller, orgID string) (Scope, error) { return v2OrgScope(c, orgID) }
