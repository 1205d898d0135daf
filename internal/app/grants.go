package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// User grants: a user's roles of a project, owned by the project's org. Each
// change is an event on that org; the store's lookup key (user, project) keeps
// one grant per user and project, and the org's sequence makes concurrent adds
// resolve as if serial.

func putGrant(ctx context.Context, tx store.Tx, gr *project.Grant) error {
	data, err := json.Marshal(gr)
	if err != nil {
		return err
	}
	err = tx.PutArtifact(ctx, &store.Artifact{Kind: project.KindGrant, ID: gr.ID, Key: project.GrantKey(gr.UserID, gr.ProjectID),
		UserID: gr.UserID, OrgID: gr.OrgID, CreatedAt: gr.CreatedAt, Data: data})
	if errors.Is(err, store.ErrDuplicate) {
		return errGrantExists
	}
	return err
}

func decodeGrant(art *store.Artifact) (*project.Grant, error) {
	var gr project.Grant
	if err := json.Unmarshal(art.Data, &gr); err != nil {
		return nil, fmt.Errorf("grant %s: %w", art.ID, err)
	}
	return &gr, nil
}

// orgGrants lists the grants owned by orgID, by id.
func orgGrants(ctx context.Context, r store.Reader, orgID string) ([]*project.Grant, error) {
	arts, err := allArtifacts(ctx, r, project.KindGrant, orgID, "")
	if err != nil {
		return nil, err
	}
	out := make([]*project.Grant, 0, len(arts))
	for _, art := range arts {
		gr, err := decodeGrant(art)
		if err != nil {
			return nil, err
		}
		out = append(out, gr)
	}
	return out, nil
}

// projectGrants lists the grants of one project of orgID.
func projectGrants(ctx context.Context, r store.Reader, orgID, projectID string) ([]*project.Grant, error) {
	all, err := orgGrants(ctx, r, orgID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(g *project.Grant) bool { return g.ProjectID != projectID }), nil
}

// userGrants lists every grant of a user, in any org.
func userGrants(ctx context.Context, r store.Reader, userID string) ([]*project.Grant, error) {
	arts, err := allArtifacts(ctx, r, project.KindGrant, "", userID)
	if err != nil {
		return nil, err
	}
	out := make([]*project.Grant, 0, len(arts))
	for _, art := range arts {
		gr, err := decodeGrant(art)
		if err != nil {
			return nil, err
		}
		out = append(out, gr)
	}
	return out, nil
}

// checkRoleKeys validates the role keys of a user grant or a project grant:
// each one the project has, else notFound (the two grants' own errors).
func checkRoleKeys(ctx context.Context, r store.Reader, p *project.Project, keys []string, notFound *fail.Error) error {
	if len(keys) > maxBulk {
		return errGrantsTooMany
	}
	for _, k := range keys {
		if err := checkID(k, notFound); err != nil {
			return err
		}
		role, err := loadRole(ctx, r, p.ID, k)
		if err != nil {
			return err
		}
		if role == nil {
			return notFound
		}
	}
	return nil
}

// GrantInput is the content of AddUserGrant.
type GrantInput struct {
	UserID, ProjectID, ProjectGrantID string
	RoleKeys                          []string
}

// AddUserGrant gives a user (of any org of the instance, as in ZITADEL) roles
// of a project of the org context.
func (a *App) AddUserGrant(ctx context.Context, s Scope, in GrantInput) (*project.Grant, error) {
	g, err := a.authorize(ctx, s, UseAddUserGrant)
	if err != nil {
		return nil, err
	}
	if in.UserID == "" || in.ProjectID == "" {
		return nil, errGrantInvalid
	}
	if err := checkID(in.UserID, errGrantInvalid); err != nil {
		return nil, err
	}
	if err := checkID(in.ProjectID, errGrantInvalid); err != nil {
		return nil, err
	}
	keys := slices.Compact(slices.Sorted(slices.Values(in.RoleKeys)))
	gid := a.ids.Next()
	if in.ProjectGrantID != "" {
		return a.addGrantedUserGrant(ctx, g, in, keys, gid)
	}
	var out project.Grant
	_, err = a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		u, err := tx.User(ctx, in.UserID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && u.State == user.StateDeleted) {
			return "", nil, errGrantUserNotFound
		} else if err != nil {
			return "", nil, err
		}
		p, err := projectFor(ctx, tx, g, in.ProjectID)
		if errors.Is(err, errProjectNotFound) {
			return "", nil, errGrantProjectNotFound
		} else if err != nil {
			return "", nil, err
		}
		if err := checkRoleKeys(ctx, tx, p, keys, errGrantRoleNotFound); err != nil {
			return "", nil, err
		}
		if _, err := tx.ArtifactByKey(ctx, project.KindGrant, project.GrantKey(u.ID, p.ID)); err == nil {
			return "", nil, errGrantExists
		} else if !errors.Is(err, store.ErrNotFound) {
			return "", nil, err
		}
		out = project.Grant{ID: gid, UserID: u.ID, ProjectID: p.ID, OrgID: p.OrgID, RoleKeys: keys, State: project.StateActive,
			Sequence: ch.o.Sequence, CreatedAt: ch.by.At, ChangedAt: ch.by.At}
		return event.UserGrantAdded, map[string]any{"grantId": gid, "userId": u.ID, "projectId": p.ID, "roleKeys": keys},
			putGrant(ctx, tx, &out)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// grantFor loads, in the org context, the grant grantID of userID ("" = any
// user) on a project the caller may act on for g's use case.
func grantFor(ctx context.Context, r store.Reader, g granted, userID, grantID string, notFound *fail.Error) (*project.Grant, *project.Project, error) {
	art, err := r.Artifact(ctx, project.KindGrant, grantID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, notFound
	} else if err != nil {
		return nil, nil, err
	}
	gr, err := decodeGrant(art)
	if err != nil {
		return nil, nil, err
	}
	if gr.OrgID != g.OrgID || (userID != "" && gr.UserID != userID) {
		return nil, nil, notFound
	}
	p, _, err := grantProject(ctx, r, gr)
	if errors.Is(err, errProjectNotFound) {
		return nil, nil, notFound
	} else if err != nil {
		return nil, nil, err
	}
	if !g.mayUserGrant(gr, p) {
		return nil, nil, fail.PermissionDenied
	}
	return gr, p, nil
}

// changeGrant is a command on one grant: load it (grantFor) inside the
// write, let change decide (returning the event type), commit grant and event.
func (a *App) changeGrant(ctx context.Context, g granted, userID, grantID string, notFound *fail.Error,
	change func(ctx context.Context, tx store.Tx, gr *project.Grant, p *project.Project) (string, error)) (*project.Grant, error) {
	var out project.Grant
	_, err := a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		gr, p, err := grantFor(ctx, tx, g, userID, grantID, notFound)
		if err != nil {
			return "", nil, err
		}
		typ, err := change(ctx, tx, gr, p)
		if err != nil {
			return "", nil, err
		}
		gr.Sequence, gr.ChangedAt = ch.o.Sequence, ch.by.At
		out = *gr
		return typ, map[string]any{"grantId": gr.ID, "userId": gr.UserID, "projectId": gr.ProjectID, "roleKeys": gr.RoleKeys},
			putGrant(ctx, tx, gr)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateUserGrant replaces a grant's role keys.
func (a *App) UpdateUserGrant(ctx context.Context, s Scope, userID, grantID string, roleKeys []string) (*project.Grant, error) {
	g, err := a.authorize(ctx, s, UseUpdateUserGrant)
	if err != nil {
		return nil, err
	}
	if err := checkID(grantID, errGrantUpdateIDMissing); err != nil {
		return nil, err
	}
	if err := checkID(userID, errGrantUserIDMissing); err != nil {
		return nil, err
	}
	keys := slices.Compact(slices.Sorted(slices.Values(roleKeys)))
	return a.changeGrant(ctx, g, userID, grantID, errGrantNotFound, func(ctx context.Context, tx store.Tx, gr *project.Grant, p *project.Project) (string, error) {
		if slices.Equal(gr.RoleKeys, keys) {
			return "", errGrantNotChanged
		}
		if err := checkUserGrantRoles(ctx, tx, gr, p, keys); err != nil {
			return "", err
		}
		gr.RoleKeys = keys
		return event.UserGrantChanged, nil
	})
}

// SetUserGrantActive deactivates (active false) or reactivates a grant; an
// inactive grant gives no roles.
func (a *App) SetUserGrantActive(ctx context.Context, s Scope, userID, grantID string, active bool) (*project.Grant, error) {
	use, missing, notFound := UseDeactivateUserGrant, errGrantDeactIDMissing, errGrantNotFound
	if active {
		use, missing, notFound = UseReactivateUserGrant, errGrantReactIDMissing, errGrantReactNotFound
	}
	g, err := a.authorize(ctx, s, use)
	if err != nil {
		return nil, err
	}
	if err := checkID(grantID, missing); err != nil {
		return nil, err
	}
	if err := checkID(userID, errGrantUserIDMissing); err != nil {
		return nil, err
	}
	return a.changeGrant(ctx, g, userID, grantID, notFound, func(_ context.Context, _ store.Tx, gr *project.Grant, _ *project.Project) (string, error) {
		if active {
			return event.UserGrantReactivated, gr.Reactivate()
		}
		return event.UserGrantDeactivated, gr.Deactivate()
	})
}

// RemoveUserGrants deletes grants of the org context, all or none: bulk is
// BulkRemoveUserGrant (grants of any user), else RemoveUserGrant, whose one
// grant must be userID's.
func (a *App) RemoveUserGrants(ctx context.Context, s Scope, userID string, grantIDs []string, bulk bool) (*org.Org, error) {
	use, missing := UseRemoveUserGrant, errGrantRemoveIDMissing
	if bulk {
		use, missing, userID = UseBulkRemoveUserGrants, errGrantBulkIDMissing, ""
	}
	g, err := a.authorize(ctx, s, use)
	if err != nil {
		return nil, err
	}
	if len(grantIDs) == 0 {
		return nil, missing
	}
	if len(grantIDs) > maxBulk {
		return nil, errGrantsTooMany
	}
	for _, id := range grantIDs {
		if err := checkID(id, missing); err != nil {
			return nil, err
		}
	}
	if !bulk {
		if err := checkID(userID, errGrantUserIDMissing); err != nil {
			return nil, err
		}
	}
	ids := slices.Compact(slices.Sorted(slices.Values(grantIDs)))
	return a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		var removed []map[string]any
		for _, id := range ids {
			gr, _, err := grantFor(ctx, tx, g, userID, id, errGrantRemoveNotFound)
			if err != nil {
				return "", nil, err
			}
			if err := tx.DeleteArtifact(ctx, project.KindGrant, gr.ID); err != nil {
				return "", nil, err
			}
			removed = append(removed, map[string]any{"grantId": gr.ID, "userId": gr.UserID, "projectId": gr.ProjectID})
		}
		return event.UserGrantRemoved, map[string]any{"grants": removed}, nil
	})
}

// GrantView is a grant with what the API shows beside it.
type GrantView struct {
	*project.Grant
	User    *user.User // nil if the user row is gone
	Project *project.Project
	Org     *org.Org // the grant's owner
	UserOrg *org.Org // the user's org (nil with User)
}

// GetUserGrant returns a grant of userID in the org context.
func (a *App) GetUserGrant(ctx context.Context, s Scope, userID, grantID string) (*GrantView, error) {
	g, err := a.authorize(ctx, s, UseGetUserGrant)
	if err != nil {
		return nil, err
	}
	if err := checkID(grantID, errGrantGetNotFound); err != nil {
		return nil, err
	}
	if err := checkID(userID, errGrantUserIDMissing); err != nil {
		return nil, err
	}
	gr, p, err := grantFor(ctx, a.store, g, userID, grantID, errGrantGetNotFound)
	if err != nil {
		return nil, storeErr(err)
	}
	views, err := a.grantViews(ctx, []*project.Grant{gr}, map[string]*project.Project{p.ID: p})
	if err != nil {
		return nil, err
	}
	return views[0], nil
}

// GrantFilter selects grants; every set filter must hold.
type GrantFilter struct {
	UserIDs    []string // any of these users
	ProjectIDs []string // any of these projects
	RoleKeys   []store.TextMatch
	UserNames  []store.TextMatch
}

// ListUserGrants lists the grants of the org context the caller may read.
func (a *App) ListUserGrants(ctx context.Context, s Scope, f GrantFilter, pg store.Page) ([]*GrantView, uint64, error) {
	g, err := a.authorize(ctx, s, UseListUserGrants)
	if err != nil {
		return nil, 0, err
	}
	all, err := orgGrants(ctx, a.store, g.OrgID)
	if err != nil {
		return nil, 0, storeErr(err)
	}
	projects := map[string]*project.Project{}
	var keep []*project.Grant
	for _, gr := range all {
		if f.UserIDs != nil && !slices.Contains(f.UserIDs, gr.UserID) || f.ProjectIDs != nil && !slices.Contains(f.ProjectIDs, gr.ProjectID) {
			continue
		}
		if len(f.RoleKeys) > 0 && !slices.ContainsFunc(gr.RoleKeys, func(k string) bool { return matchAll(f.RoleKeys, k) }) {
			continue
		}
		p, ok := projects[gr.ProjectID]
		if !ok {
			if p, _, err = grantProject(ctx, a.store, gr); errors.Is(err, errProjectNotFound) {
				p = nil
			} else if err != nil {
				return nil, 0, storeErr(err)
			}
			projects[gr.ProjectID] = p
		}
		if p == nil || !g.mayUserGrant(gr, p) {
			continue
		}
		keep = append(keep, gr)
	}
	views, err := a.grantViews(ctx, keep, projects)
	if err != nil {
		return nil, 0, err
	}
	if len(f.UserNames) > 0 {
		views = slices.DeleteFunc(views, func(v *GrantView) bool { return v.User == nil || !matchAll(f.UserNames, v.User.UserName) })
	}
	return pageOf(views, pg), uint64(len(views)), nil
}

func (a *App) grantViews(ctx context.Context, grants []*project.Grant, projects map[string]*project.Project) ([]*GrantView, error) {
	orgs := map[string]*org.Org{}
	out := make([]*GrantView, 0, len(grants))
	for _, gr := range grants {
		v := &GrantView{Grant: gr, Project: projects[gr.ProjectID]}
		u, err := a.store.User(ctx, gr.UserID)
		if err == nil {
			v.User = u
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, storeErr(err)
		}
		orgOf := func(id string) (*org.Org, error) {
			if o, ok := orgs[id]; ok {
				return o, nil
			}
			o, err := a.store.Org(ctx, id)
			if err != nil {
				return nil, storeErr(err)
			}
			orgs[id] = o
			return o, nil
		}
		if v.Org, err = orgOf(gr.OrgID); err != nil {
			return nil, err
		}
		if v.User != nil {
			if v.UserOrg, err = orgOf(v.User.OrgID); err != nil {
				return nil, err
			}
		}
		out = append(out, v)
	}
	return out, nil
}
