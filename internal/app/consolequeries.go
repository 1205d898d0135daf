package app

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// Read-only queries the console needs beside the API's use cases. They reveal
// nothing the API would not: the orgs a caller can already address, and the
// login names behind the editor ids that ListUserChanges hands out.

// maxOrgScan bounds how many users VisibleOrgs looks at to find orgs.
const maxOrgScan = 1000

// VisibleOrgs lists the orgs the caller can pick as its org context, sorted by
// name: its own org, every org it holds a membership in, and — for callers with
// an instance role that reads orgs — the default org and the orgs of the users
// it can list. The store has no org listing of its own, so an org without
// users and without the caller among its members is not offered; the console
// still switches to it by id (OrgContext checks it).
func (a *App) VisibleOrgs(ctx context.Context, c *Caller) ([]*org.Org, error) {
	ids := []string{c.OrgID}
	ms, err := a.store.MembershipsOf(ctx, c.UserID)
	if err != nil {
		return nil, storeErr(err)
	}
	for _, m := range ms {
		if m.OrgID != org.InstanceScope {
			ids = append(ids, m.OrgID)
		}
	}
	if c.Can(org.PermOrgRead, org.InstanceScope) {
		inst, err := a.store.Instance(ctx)
		if err != nil {
			return nil, storeErr(err)
		}
		ids = append(ids, inst.DefaultOrgID)
		if c.Can(org.PermUserRead, org.InstanceScope) {
			page, err := a.store.ListUsers(ctx, store.UserQuery{Limit: maxOrgScan})
			if err != nil {
				return nil, storeErr(err)
			}
			for _, u := range page.Users {
				ids = append(ids, u.OrgID)
			}
		}
	}
	seen := map[string]bool{}
	var out []*org.Org
	for _, id := range ids {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		if !c.Can(org.PermOrgRead, id) {
			continue
		}
		o, err := a.store.Org(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, storeErr(err)
		}
		if o.State == org.StateRemoved {
			continue
		}
		out = append(out, o)
	}
	slices.SortFunc(out, func(x, y *org.Org) int {
		if c := strings.Compare(strings.ToLower(x.Name), strings.ToLower(y.Name)); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	return out, nil
}

// LoginNames resolves user ids (event editors, members) to login names for
// display; unknown ids are left out. Removed users keep their name, so history
// still says who did what.
func (a *App) LoginNames(ctx context.Context, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	orgs := map[string]*org.Org{}
	for _, id := range ids {
		if id == "" || out[id] != "" {
			continue
		}
		u, err := a.store.User(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, storeErr(err)
		}
		o, ok := orgs[u.OrgID]
		if !ok {
			o, err = a.store.Org(ctx, u.OrgID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return nil, storeErr(err)
			}
			orgs[u.OrgID] = o // nil for a vanished org: the bare user name
		}
		out[id] = a.LoginName(u, o)
	}
	return out, nil
}

// Me returns the caller's own user and org (for "signed in as").
func (a *App) Me(ctx context.Context, c *Caller) (*user.User, *org.Org, error) {
	u, err := a.store.User(ctx, c.UserID)
	if err != nil {
		return nil, nil, storeErr(err)
	}
	o, err := a.store.Org(ctx, u.OrgID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, nil, storeErr(err)
	}
	return u, o, nil
}
