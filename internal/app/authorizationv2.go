package app

import (
	"cmp"
	"context"
	"errors"
	"slices"

	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
)

// The v2 forms of the user grants (zitadel.authorization.v2, "authorizations").
// v2 has no org context: a new grant's org is named in the request, an
// existing grant's is its own. Each form finds that org and then calls the v1
// use case in it, so every rule (permissions, checks, errors, events) is the
// v1 one.

// grantOrgScope is the org scope of an existing grant: the grant's own org,
// with its user (the v1 use cases check the grant is that user's). No id is
// missing, a grant that does not exist notFound. Loading it before the permission check
// tells a caller without the permission that the id exists, as ZITADEL's v2
// does (it loads the grant, then checks the permission in its org).
func (a *App) grantOrgScope(ctx context.Context, c *Caller, grantID string, missing, notFound *fail.Error) (Scope, *project.Grant, error) {
	if err := checkID(grantID, missing); err != nil {
		return Scope{}, nil, err
	}
	art, err := a.store.Artifact(ctx, project.KindGrant, grantID)
	if errors.Is(err, store.ErrNotFound) {
		return Scope{}, nil, notFound
	} else if err != nil {
		return Scope{}, nil, storeErr(err)
	}
	gr, err := decodeGrant(art)
	if err != nil {
		return Scope{}, nil, storeErr(err)
	}
	return OrgScope(c, gr.OrgID), gr, nil
}

// CreateAuthorization is AddUserGrant in orgID (the grant's owner; "" is the
// caller's org, as v1 without x-zitadel-orgid).
func (a *App) CreateAuthorization(ctx context.Context, c *Caller, orgID string, in GrantInput) (*project.Grant, error) {
	return a.AddUserGrant(ctx, OrgScope(c, orgID), in)
}

// UpdateAuthorization is UpdateUserGrant on the grant's org; unlike v1, the
// same role keys again change nothing and are no error (ZITADEL's v2).
func (a *App) UpdateAuthorization(ctx context.Context, c *Caller, grantID string, roleKeys []string) (*project.Grant, error) {
	s, gr, err := a.grantOrgScope(ctx, c, grantID, errGrantUpdateIDMissing, errGrantNotFound)
	if err != nil {
		return nil, err
	}
	out, err := a.UpdateUserGrant(ctx, s, gr.UserID, grantID, roleKeys)
	if errors.Is(err, errGrantNotChanged) {
		// The use case decided the permission before it found nothing to change.
		return gr, nil
	}
	return out, err
}

// SetAuthorizationActive is SetUserGrantActive on the grant's org.
func (a *App) SetAuthorizationActive(ctx context.Context, c *Caller, grantID string, active bool) (*project.Grant, error) {
	missing, notFound := errGrantDeactIDMissing, errGrantNotFound
	if active {
		missing, notFound = errGrantReactIDMissing, errGrantReactNotFound
	}
	s, gr, err := a.grantOrgScope(ctx, c, grantID, missing, notFound)
	if err != nil {
		return nil, err
	}
	return a.SetUserGrantActive(ctx, s, gr.UserID, grantID, active)
}

// DeleteAuthorization is RemoveUserGrant on the grant's org.
func (a *App) DeleteAuthorization(ctx context.Context, c *Caller, grantID string) (*org.Org, error) {
	s, gr, err := a.grantOrgScope(ctx, c, grantID, errGrantRemoveIDMissing, errGrantRemoveNotFound)
	if err != nil {
		return nil, err
	}
	return a.RemoveUserGrants(ctx, s, gr.UserID, []string{grantID}, false)
}

// AuthorizationFilter selects grants for ListAuthorizations: GrantFilter's
// filters and v2's own; every set filter must hold.
type AuthorizationFilter struct {
	GrantFilter
	IDs             []string // nil: any
	ProjectGrantIDs []string // the project grants given through; nil: any (a direct grant too)
	OrgIDs          []string // the grants' owners; nil: every org the caller may read grants of
	UserOrgIDs      []string
	States          []int
	ProjectNames    []store.TextMatch
	DisplayNames    []store.TextMatch
	LoginNames      []store.TextMatch
}

// AuthorizationSort is the column ListAuthorizations sorts by
// (zitadel.authorization.v2.AuthorizationFieldName numbers).
type AuthorizationSort int

const (
	SortGrantCreated AuthorizationSort = iota + 1
	SortGrantChanged
	SortGrantID
	SortGrantUserID
	SortGrantProjectID
	SortGrantOrgID
	SortGrantUserOrgID
)

// ListAuthorizations lists the grants of every org the caller may list grants
// in (ListUserGrants's rule in each), filtered by f; ZITADEL's v2 filters by
// permission instead of refusing, so an org the caller may not read adds
// nothing.
func (a *App) ListAuthorizations(ctx context.Context, c *Caller, f AuthorizationFilter, sort AuthorizationSort, pg store.Page) ([]*AuthorizationView, uint64, error) {
	if c == nil {
		return nil, 0, fail.Unauthenticated
	}
	orgIDs, err := a.grantOrgs(ctx, c, f.OrgIDs)
	if err != nil {
		return nil, 0, err
	}
	var all []*GrantView
	for _, id := range orgIDs {
		s := OrgScope(c, id)
		if !s.May(UseListUserGrants) {
			continue
		}
		for off := 0; ; {
			views, total, err := a.ListUserGrants(ctx, s, f.GrantFilter, store.Page{Offset: off, Limit: 1000, Asc: true})
			if errors.Is(err, fail.PermissionDenied) || errors.Is(err, fail.OrgNotFound) {
				break
			} else if err != nil {
				return nil, 0, err
			}
			all = append(all, views...)
			off += len(views)
			if len(views) == 0 || uint64(off) >= total {
				break
			}
		}
	}
	all = slices.DeleteFunc(all, func(v *GrantView) bool { return !a.authorizationMatches(v, f) })
	slices.SortStableFunc(all, func(x, y *GrantView) int { return cmp.Or(compareGrants(x, y, sort), cmp.Compare(x.ID, y.ID)) })
	page := pageOf(all, pg)
	out := make([]*AuthorizationView, len(page))
	roles := map[string]map[string]*project.Role{} // project → key → role
	for i, v := range page {
		byKey, ok := roles[v.ProjectID]
		if !ok {
			rs, err := projectRoles(ctx, a.store, v.OrgID, v.ProjectID)
			if err != nil {
				return nil, 0, storeErr(err)
			}
			byKey = map[string]*project.Role{}
			for _, r := range rs {
				byKey[r.Key] = r
			}
			roles[v.ProjectID] = byKey
		}
		av := &AuthorizationView{GrantView: v}
		for _, k := range v.RoleKeys {
			r := byKey[k]
			if r == nil { // removed since: the key alone
				r = &project.Role{Key: k}
			}
			av.Roles = append(av.Roles, r)
		}
		out[i] = av
	}
	return out, uint64(len(all)), nil
}

// AuthorizationView is a grant as v2 shows it: with its roles' names.
type AuthorizationView struct {
	*GrantView
	Roles []*project.Role // in the grant's key order
}

// grantOrgs is the orgs the v2 lists look in: those asked for, else the
// caller's own and those it has a role in, or, with an instance role, all.
func (a *App) grantOrgs(ctx context.Context, c *Caller, asked []string) ([]string, error) {
	if asked != nil {
		return slices.Compact(slices.Sorted(slices.Values(asked))), nil
	}
	if len(c.roles[org.InstanceScope]) == 0 {
		ids := []string{c.OrgID}
		for id := range c.roles {
			if id != org.InstanceScope {
				ids = append(ids, id)
			}
		}
		return slices.Compact(slices.Sorted(slices.Values(ids))), nil
	}
	var ids []string
	for off := 0; ; {
		page, total, err := a.store.ListOrgs(ctx, store.Page{Offset: off, Limit: 1000, Asc: true})
		if err != nil {
			return nil, storeErr(err)
		}
		for _, o := range page {
			ids = append(ids, o.ID)
		}
		off += len(page)
		if len(page) == 0 || uint64(off) >= total {
			break
		}
	}
	return ids, nil
}

func (a *App) authorizationMatches(v *GrantView, f AuthorizationFilter) bool {
	userOrg, display, login := "", "", ""
	if v.User != nil {
		userOrg = v.User.OrgID
		login = a.LoginName(v.User, v.UserOrg)
		if h := v.User.Human; h != nil {
			display = h.DisplayName
		} else if m := v.User.Machine; m != nil {
			display = m.Name
		}
	}
	projectName := ""
	if v.Project != nil {
		projectName = v.Project.Name
	}
	switch {
	case f.IDs != nil && !slices.Contains(f.IDs, v.ID),
		f.ProjectGrantIDs != nil && !slices.Contains(f.ProjectGrantIDs, v.ProjectGrantID),
		f.UserOrgIDs != nil && !slices.Contains(f.UserOrgIDs, userOrg),
		f.States != nil && !slices.Contains(f.States, v.State),
		!matchAll(f.ProjectNames, projectName),
		!matchAll(f.DisplayNames, display),
		!matchAll(f.LoginNames, login):
		return false
	}
	return true
}

func compareGrants(x, y *GrantView, sort AuthorizationSort) int {
	userOrg := func(v *GrantView) string {
		if v.User == nil {
			return ""
		}
		return v.User.OrgID
	}
	switch sort {
	case SortGrantChanged:
		return x.ChangedAt.Compare(y.ChangedAt)
	case SortGrantID:
		return cmp.Compare(x.ID, y.ID)
	case SortGrantUserID:
		return cmp.Compare(x.UserID, y.UserID)
	case SortGrantProjectID:
		return cmp.Compare(x.ProjectID, y.ProjectID)
	case SortGrantOrgID:
		return cmp.Compare(x.OrgID, y.OrgID)
	case SortGrantUserOrgID:
		return cmp.Compare(userOrg(x), userOrg(y))
	}
	return x.CreatedAt.Compare(y.CreatedAt)
}
