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

// maxOrgList bounds how many orgs an instance-level caller is offered at once;
// past it the console still switches to any org by id (OrgContext checks it).
const maxOrgList = 1000

// VisibleOrgs lists the orgs the caller can pick as its org context, sorted by
// name: its own org and every org it holds a membership in, and for callers
// with an instance role that reads orgs, every org of the instance.
func (a *App) VisibleOrgs(ctx context.Context, c *Caller) ([]*org.Org, error) {
	ids := []string{c.OrgID}
	known := map[string]*org.Org{} // orgs already read, by id
	ms, err := a.store.MembershipsOf(ctx, c.UserID)
	if err != nil {
		return nil, storeErr(err)
	}
	for _, m := range ms {
		if m.OrgID != org.InstanceScope {
			id, _ := org.SplitScope(m.OrgID) // a project membership: its org
			ids = append(ids, id)
		}
	}
	if c.Can(org.PermOrgRead, org.InstanceScope) {
		all, _, err := a.store.ListOrgs(ctx, store.Page{Limit: maxOrgList, Asc: true})
		if err != nil {
			return nil, storeErr(err)
		}
		for _, o := range all {
			ids = append(ids, o.ID)
			known[o.ID] = o
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
		o := known[id]
		if o == nil {
			var err error
			o, err = a.store.Org(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, storeErr(err)
			}
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

// GrantOrgID resolves what was typed into the console's project-grant form —
// an org's id or its exact name — to an org id; what it cannot resolve comes
// back as typed, for AddProjectGrant to refuse. It answers only callers the
// scope's org context admits to AddProjectGrant, and its answer only feeds that
// use case, so the caller learns no more about which orgs exist than the add's
// own answer (ZITADEL's console finds the org by its domain, a lookup open to
// any signed-in user).
func (a *App) GrantOrgID(ctx context.Context, s Scope, typed string) string {
	if typed == "" || len(typed) > MaxNameLen || !pgText(typed) {
		return typed
	}
	if _, err := a.authorize(ctx, s, UseAddProjectGrant); err != nil {
		return typed
	}
	if checkID(typed, errOrgIDMissing) == nil {
		if _, err := a.store.Org(ctx, typed); err == nil {
			return typed
		}
	}
	o, err := a.store.OrgByName(ctx, typed)
	if err != nil || o.State == org.StateRemoved {
		return typed
	}
	return o.ID
}
