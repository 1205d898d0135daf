package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// Project grants, the granting side: a project's org delegates a subset of
// the project's roles to another org. A grant is an artifact of the project's
// org, unique per project and granted org by its lookup key, and each change
// is an event on the project's org guarded by its sequence — so of two
// concurrent adds for the same org, one wins and the other is AlreadyExists.

func putProjectGrant(ctx context.Context, tx store.Tx, pg *project.ProjectGrant) error {
	data, err := json.Marshal(pg)
	if err != nil {
		return err
	}
	err = tx.PutArtifact(ctx, &store.Artifact{Kind: project.KindProjectGrant, ID: pg.ID, Key: project.ProjectGrantKey(pg.ProjectID, pg.GrantedOrgID),
		OrgID: pg.OrgID, CreatedAt: pg.CreatedAt, Data: data})
	if errors.Is(err, store.ErrDuplicate) {
		return errPGrantExists
	}
	return err
}

func decodeProjectGrant(art *store.Artifact) (*project.ProjectGrant, error) {
	var pg project.ProjectGrant
	if err := json.Unmarshal(art.Data, &pg); err != nil {
		return nil, fmt.Errorf("project grant %s: %w", art.ID, err)
	}
	return &pg, nil
}

// orgProjectGrants lists the project grants orgID gave, of projectID only
// unless it is "".
func orgProjectGrants(ctx context.Context, r store.Reader, orgID, projectID string) ([]*project.ProjectGrant, error) {
	arts, err := allArtifacts(ctx, r, project.KindProjectGrant, orgID, "")
	if err != nil {
		return nil, err
	}
	out := make([]*project.ProjectGrant, 0, len(arts))
	for _, art := range arts {
		pg, err := decodeProjectGrant(art)
		if err != nil {
			return nil, err
		}
		if projectID == "" || pg.ProjectID == projectID {
			out = append(out, pg)
		}
	}
	return out, nil
}

// AddProjectGrant grants a project of the org context to another org with
// some of the project's roles.
func (a *App) AddProjectGrant(ctx context.Context, s Scope, projectID, grantedOrgID string, roleKeys []string) (*project.ProjectGrant, error) {
	g, err := a.authorize(ctx, s, UseAddProjectGrant)
	if err != nil {
		return nil, err
	}
	if err := checkID(projectID, errPGrantInvalid); err != nil {
		return nil, err
	}
	if err := checkID(grantedOrgID, errPGrantInvalid); err != nil {
		return nil, err
	}
	if grantedOrgID == g.OrgID {
		return nil, errPGrantOwnOrg
	}
	keys := slices.Compact(slices.Sorted(slices.Values(roleKeys)))
	id := a.ids.Next()
	var out project.ProjectGrant
	_, err = a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		p, err := projectFor(ctx, tx, g, projectID)
		if errors.Is(err, errProjectNotFound) {
			return "", nil, errPGrantProjectNotFound
		} else if err != nil {
			return "", nil, err
		}
		if o, err := tx.Org(ctx, grantedOrgID); errors.Is(err, store.ErrNotFound) || (err == nil && o.State == org.StateRemoved) {
			return "", nil, errPGrantOrgNotFound
		} else if err != nil {
			return "", nil, err
		}
		if err := checkRoleKeys(ctx, tx, p, keys, errPGrantRoleNotFound); err != nil {
			return "", nil, err
		}
		out = project.ProjectGrant{ID: id, ProjectID: p.ID, OrgID: p.OrgID, GrantedOrgID: grantedOrgID, RoleKeys: keys,
			State: project.StateActive, Sequence: ch.o.Sequence, CreatedAt: ch.by.At, ChangedAt: ch.by.At}
		return event.ProjectGrantAdded, map[string]any{"projectId": p.ID, "grantId": id, "grantedOrgId": grantedOrgID, "roleKeys": keys},
			putProjectGrant(ctx, tx, &out)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// projectGrantFor loads, in the org context, the grant grantID of projectID
// on a project the caller may act on for g's use case.
func projectGrantFor(ctx context.Context, r store.Reader, g granted, projectID, grantID string, notFound *fail.Error) (*project.ProjectGrant, *project.Project, error) {
	p, err := projectFor(ctx, r, g, projectID)
	if err != nil {
		return nil, nil, err
	}
	art, err := r.Artifact(ctx, project.KindProjectGrant, grantID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, notFound
	} else if err != nil {
		return nil, nil, err
	}
	pg, err := decodeProjectGrant(art)
	if err != nil {
		return nil, nil, err
	}
	if pg.OrgID != p.OrgID || pg.ProjectID != p.ID {
		return nil, nil, notFound
	}
	return pg, p, nil
}

// changeProjectGrant is a command on one project grant: load it inside the
// write, let change decide (returning the event type), commit grant and
// event, or delete it when change says so.
func (a *App) changeProjectGrant(ctx context.Context, g granted, projectID, grantID string, notFound *fail.Error,
	change func(ctx context.Context, tx store.Tx, pg *project.ProjectGrant, p *project.Project) (typ string, remove bool, err error)) (*org.Org, *project.ProjectGrant, error) {
	var out project.ProjectGrant
	o, err := a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		pg, p, err := projectGrantFor(ctx, tx, g, projectID, grantID, notFound)
		if err != nil {
			return "", nil, err
		}
		typ, remove, err := change(ctx, tx, pg, p)
		if err != nil {
			return "", nil, err
		}
		payload := map[string]any{"projectId": pg.ProjectID, "grantId": pg.ID, "grantedOrgId": pg.GrantedOrgID}
		// The user grants given through it follow in the same transaction:
		// removed with it, or without the roles it no longer has.
		if remove || typ == event.ProjectGrantChanged {
			cascaded, err := cascadeProjectGrant(ctx, tx, ch, pg, remove)
			if err != nil {
				return "", nil, err
			}
			payload["cascadedUserGrantIds"] = cascaded
		}
		if remove {
			if err := deleteGrantMembers(ctx, tx, pg.GrantedOrgID, pg.ID); err != nil {
				return "", nil, err
			}
			return typ, payload, tx.DeleteArtifact(ctx, project.KindProjectGrant, pg.ID)
		}
		payload["roleKeys"] = pg.RoleKeys
		pg.Sequence, pg.ChangedAt = ch.o.Sequence, ch.by.At
		out = *pg
		return typ, payload, putProjectGrant(ctx, tx, pg)
	})
	if err != nil {
		return nil, nil, err
	}
	return o, &out, nil
}

// UpdateProjectGrant replaces a project grant's role keys.
func (a *App) UpdateProjectGrant(ctx context.Context, s Scope, projectID, grantID string, roleKeys []string) (*project.ProjectGrant, error) {
	g, err := a.authorize(ctx, s, UseUpdateProjectGrant)
	if err != nil {
		return nil, err
	}
	if err := checkID(projectID, errPGrantUpdateIDMissing); err != nil {
		return nil, err
	}
	if err := checkID(grantID, errPGrantUpdateIDMissing); err != nil {
		return nil, err
	}
	keys := slices.Compact(slices.Sorted(slices.Values(roleKeys)))
	_, pg, err := a.changeProjectGrant(ctx, g, projectID, grantID, errPGrantNotFound, func(ctx context.Context, tx store.Tx, pg *project.ProjectGrant, p *project.Project) (string, bool, error) {
		if slices.Equal(pg.RoleKeys, keys) {
			return "", false, errPGrantNotChanged
		}
		if err := checkRoleKeys(ctx, tx, p, keys, errPGrantRoleNotFound); err != nil {
			return "", false, err
		}
		pg.RoleKeys = keys
		return event.ProjectGrantChanged, false, nil
	})
	return pg, err
}

// SetProjectGrantActive deactivates (active false) or reactivates a project
// grant.
func (a *App) SetProjectGrantActive(ctx context.Context, s Scope, projectID, grantID string, active bool) (*project.ProjectGrant, error) {
	use := UseDeactivateProjectGrant
	if active {
		use = UseReactivateProjectGrant
	}
	g, err := a.authorize(ctx, s, use)
	if err != nil {
		return nil, err
	}
	if err := checkID(projectID, errPGrantStateIDMissing); err != nil {
		return nil, err
	}
	if err := checkID(grantID, errPGrantStateIDMissing); err != nil {
		return nil, err
	}
	_, pg, err := a.changeProjectGrant(ctx, g, projectID, grantID, errPGrantNotFound, func(_ context.Context, _ store.Tx, pg *project.ProjectGrant, _ *project.Project) (string, bool, error) {
		if active {
			return event.ProjectGrantReactivated, false, pg.Reactivate()
		}
		return event.ProjectGrantDeactivated, false, pg.Deactivate()
	})
	return pg, err
}

// RemoveProjectGrant deletes a project grant; the answer is the org as
// committed.
func (a *App) RemoveProjectGrant(ctx context.Context, s Scope, projectID, grantID string) (*org.Org, error) {
	g, err := a.authorize(ctx, s, UseRemoveProjectGrant)
	if err != nil {
		return nil, err
	}
	if err := checkID(projectID, errPGrantRemoveIDMissing); err != nil {
		return nil, err
	}
	if err := checkID(grantID, errPGrantRemoveIDMissing); err != nil {
		return nil, err
	}
	o, _, err := a.changeProjectGrant(ctx, g, projectID, grantID, errPGrantNotFound, func(context.Context, store.Tx, *project.ProjectGrant, *project.Project) (string, bool, error) {
		return event.ProjectGrantRemoved, true, nil
	})
	return o, err
}

// ProjectGrantView is a project grant with the names the API shows beside it.
type ProjectGrantView struct {
	*project.ProjectGrant
	Project    *project.Project
	Owner      *org.Org // the project's org
	GrantedOrg *org.Org // nil if the org is gone
}

// GetProjectGrant returns a grant of a project of the org context.
func (a *App) GetProjectGrant(ctx context.Context, s Scope, projectID, grantID string) (*ProjectGrantView, error) {
	g, err := a.authorize(ctx, s, UseGetProjectGrant)
	if err != nil {
		return nil, err
	}
	if err := checkID(projectID, errPGrantGetNotFound); err != nil {
		return nil, err
	}
	if err := checkID(grantID, errPGrantGetNotFound); err != nil {
		return nil, err
	}
	pg, p, err := projectGrantFor(ctx, a.store, g, projectID, grantID, errPGrantGetNotFound)
	if errors.Is(err, errProjectNotFound) {
		return nil, errPGrantGetNotFound
	} else if err != nil {
		return nil, storeErr(err)
	}
	vs, err := a.projectGrantViews(ctx, []*project.ProjectGrant{pg}, map[string]*project.Project{p.ID: p})
	if err != nil {
		return nil, err
	}
	return vs[0], nil
}

// ProjectGrantFilter selects project grants; every set filter must hold.
type ProjectGrantFilter struct {
	ProjectIDs    []string // any of these projects
	GrantedOrgIDs []string // any of these granted orgs
	ProjectNames  []store.TextMatch
	RoleKeys      []store.TextMatch // some role key matches
}

// ListProjectGrants lists the grants the org context gave, of one project
// (projectID), or with all (ListAllProjectGrants) of every project the caller
// may read grants of.
func (a *App) ListProjectGrants(ctx context.Context, s Scope, projectID string, all bool, f ProjectGrantFilter, pg store.Page) ([]*ProjectGrantView, uint64, error) {
	use := UseListProjectGrants
	if all {
		use, projectID = UseListAllProjectGrants, ""
	}
	g, err := a.authorize(ctx, s, use)
	if err != nil {
		return nil, 0, err
	}
	projects := map[string]*project.Project{}
	if !all {
		p, err := projectFor(ctx, a.store, g, projectID)
		if err != nil {
			return nil, 0, storeErr(err)
		}
		projects[p.ID] = p
	}
	grants, err := orgProjectGrants(ctx, a.store, g.OrgID, projectID)
	if err != nil {
		return nil, 0, storeErr(err)
	}
	var keep []*project.ProjectGrant
	for _, gr := range grants {
		if f.ProjectIDs != nil && !slices.Contains(f.ProjectIDs, gr.ProjectID) || f.GrantedOrgIDs != nil && !slices.Contains(f.GrantedOrgIDs, gr.GrantedOrgID) {
			continue
		}
		if len(f.RoleKeys) > 0 && !slices.ContainsFunc(gr.RoleKeys, func(k string) bool { return matchAll(f.RoleKeys, k) }) {
			continue
		}
		p, ok := projects[gr.ProjectID]
		if !ok {
			if p, err = loadProject(ctx, a.store, g.OrgID, gr.ProjectID); errors.Is(err, errProjectNotFound) {
				p = nil
			} else if err != nil {
				return nil, 0, storeErr(err)
			}
			projects[gr.ProjectID] = p
		}
		if p == nil || !g.mayProject(p) || !matchAll(f.ProjectNames, p.Name) {
			continue
		}
		keep = append(keep, gr)
	}
	// By creation, then id: the order ZITADEL's list has without a sort.
	slices.SortStableFunc(keep, func(x, y *project.ProjectGrant) int {
		if c := x.CreatedAt.Compare(y.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	vs, err := a.projectGrantViews(ctx, pageOf(keep, pg), projects)
	if err != nil {
		return nil, 0, err
	}
	return vs, uint64(len(keep)), nil
}

func (a *App) projectGrantViews(ctx context.Context, grants []*project.ProjectGrant, projects map[string]*project.Project) ([]*ProjectGrantView, error) {
	orgs := map[string]*org.Org{}
	orgOf := func(id string) (*org.Org, error) {
		if o, ok := orgs[id]; ok {
			return o, nil
		}
		o, err := a.store.Org(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			o, err = nil, nil
		}
		if err != nil {
			return nil, storeErr(err)
		}
		orgs[id] = o
		return o, nil
	}
	out := make([]*ProjectGrantView, 0, len(grants))
	for _, gr := range grants {
		v := &ProjectGrantView{ProjectGrant: gr, Project: projects[gr.ProjectID]}
		var err error
		if v.Owner, err = orgOf(gr.OrgID); err != nil {
			return nil, err
		}
		if v.GrantedOrg, err = orgOf(gr.GrantedOrgID); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// deleteProjectGrants deletes a removed project's project grants, their
// members and the user grants given through them, inside the removal's transaction.
func deleteProjectGrants(ctx context.Context, tx store.Tx, orgID, projectID string) error {
	grants, err := orgProjectGrants(ctx, tx, orgID, projectID)
	if err != nil {
		return err
	}
	for _, pg := range grants {
		if _, err := cascadeProjectGrant(ctx, tx, nil, pg, true); err != nil {
			return err
		}
		if err := deleteGrantMembers(ctx, tx, pg.GrantedOrgID, pg.ID); err != nil {
			return err
		}
		if err := tx.DeleteArtifact(ctx, project.KindProjectGrant, pg.ID); err != nil {
			return err
		}
	}
	return nil
}

// withoutRoleInProjectGrants takes a removed role out of every grant of the
// project and the user grants given through them, inside the removal's
// transaction; it returns the project grants changed.
func withoutRoleInProjectGrants(ctx context.Context, tx store.Tx, ch *orgChange, orgID, projectID, key string) ([]string, error) {
	grants, err := orgProjectGrants(ctx, tx, orgID, projectID)
	if err != nil {
		return nil, err
	}
	var changed []string
	for _, pg := range grants {
		if !pg.WithoutRole(key) {
			continue
		}
		pg.Sequence, pg.ChangedAt = ch.o.Sequence, ch.by.At
		if err := putProjectGrant(ctx, tx, pg); err != nil {
			return nil, err
		}
		if _, err := cascadeProjectGrant(ctx, tx, ch, pg, false); err != nil {
			return nil, err
		}
		changed = append(changed, pg.ID)
	}
	return changed, nil
}

// loadProjectGrant reads a project grant by id; nil without an error if there
// is none.
func loadProjectGrant(ctx context.Context, r store.Reader, id string) (*project.ProjectGrant, error) {
	art, err := r.Artifact(ctx, project.KindProjectGrant, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return decodeProjectGrant(art)
}

// grantProject loads the project of user grant gr and, for one given through
// a project grant, that grant (nil otherwise): errProjectNotFound when either
// is gone.
func grantProject(ctx context.Context, r store.Reader, gr *project.Grant) (*project.Project, *project.ProjectGrant, error) {
	if gr.ProjectGrantID == "" {
		p, err := loadProject(ctx, r, gr.OrgID, gr.ProjectID)
		return p, nil, err
	}
	pg, err := loadProjectGrant(ctx, r, gr.ProjectGrantID)
	if err != nil {
		return nil, nil, err
	}
	if pg == nil || pg.GrantedOrgID != gr.OrgID || pg.ProjectID != gr.ProjectID {
		return nil, nil, errProjectNotFound
	}
	p, err := loadProject(ctx, r, pg.OrgID, pg.ProjectID)
	return p, pg, err
}

// projectGrantUserGrants lists the user grants the granted org gave through
// pg.
func projectGrantUserGrants(ctx context.Context, r store.Reader, pg *project.ProjectGrant) ([]*project.Grant, error) {
	all, err := orgGrants(ctx, r, pg.GrantedOrgID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(g *project.Grant) bool { return g.ProjectGrantID != pg.ID }), nil
}

// cascadeProjectGrant applies a project grant's change to the user grants
// given through it, inside the change's transaction: with removed, it deletes
// them; else it takes out the roles pg no longer has. It returns the user
// grants it changed.
func cascadeProjectGrant(ctx context.Context, tx store.Tx, ch *orgChange, pg *project.ProjectGrant, removed bool) ([]string, error) {
	grants, err := projectGrantUserGrants(ctx, tx, pg)
	if err != nil {
		return nil, err
	}
	var changed []string
	for _, gr := range grants {
		if removed {
			if err := tx.DeleteArtifact(ctx, project.KindGrant, gr.ID); err != nil {
				return nil, err
			}
			changed = append(changed, gr.ID)
			continue
		}
		keys := slices.DeleteFunc(slices.Clone(gr.RoleKeys), func(k string) bool { return !slices.Contains(pg.RoleKeys, k) })
		if len(keys) == len(gr.RoleKeys) {
			continue
		}
		// The user grant's sequence is its own org's, which this change does
		// not move.
		gr.RoleKeys, gr.ChangedAt = keys, ch.by.At
		if err := putGrant(ctx, tx, gr); err != nil {
			return nil, err
		}
		changed = append(changed, gr.ID)
	}
	return changed, nil
}

// mayUserGrant tells whether g's caller may do the use case's permission on
// user grant gr of project p: a grant of the org's own project is decided on
// the project (mayProject); one given through a project grant, by the
// permission in the granted org (the org context), since the project is
// another org's.
func (g granted) mayUserGrant(gr *project.Grant, p *project.Project) bool {
	if gr.ProjectGrantID == "" {
		return g.mayProject(p)
	}
	return g.mayGrantedUserGrants(gr.ProjectGrantID)
}

// mayGrantedUserGrants tells whether g's caller may do the use case's
// permission on the user grants given through project grant grantID to the
// org context: through a role in that org, or on that grant (a project grant
// member).
func (g granted) mayGrantedUserGrants(grantID string) bool {
	return g.Caller.Can(g.perm(), g.OrgID) || g.Caller.Can(g.perm(), org.GrantScope(g.OrgID, grantID))
}

// checkUserGrantRoles validates a user grant's new role keys: roles of the
// project, or, through a project grant, roles that grant delegates.
func checkUserGrantRoles(ctx context.Context, r store.Reader, gr *project.Grant, p *project.Project, keys []string) error {
	if gr.ProjectGrantID == "" {
		return checkRoleKeys(ctx, r, p, keys, errGrantRoleNotFound)
	}
	pg, err := loadProjectGrant(ctx, r, gr.ProjectGrantID)
	if err != nil {
		return err
	}
	if pg == nil {
		return errGrantProjectGrantNotFound
	}
	return checkDelegatedRoles(pg, keys)
}

func checkDelegatedRoles(pg *project.ProjectGrant, keys []string) error {
	if len(keys) > maxBulk {
		return errGrantsTooMany
	}
	for _, k := range keys {
		if !slices.Contains(pg.RoleKeys, k) {
			return errGrantRoleNotFound
		}
	}
	return nil
}

// addGrantedUserGrant is AddUserGrant through a project grant: the org
// context is the granted org, the user one of its users, the roles some of
// those the grant delegates. The caller needs user.grant.write there.
func (a *App) addGrantedUserGrant(ctx context.Context, g granted, in GrantInput, keys []string, gid string) (*project.Grant, error) {
	if err := checkID(in.ProjectGrantID, errGrantProjectGrantNotFound); err != nil {
		return nil, err
	}
	var out project.Grant
	_, err := a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		pg, err := loadProjectGrant(ctx, tx, in.ProjectGrantID)
		if err != nil {
			return "", nil, err
		}
		if pg == nil || pg.GrantedOrgID != g.OrgID || pg.ProjectID != in.ProjectID {
			return "", nil, errGrantProjectGrantNotFound
		}
		if !g.mayGrantedUserGrants(pg.ID) {
			return "", nil, fail.PermissionDenied
		}
		if _, err := loadProject(ctx, tx, pg.OrgID, pg.ProjectID); errors.Is(err, errProjectNotFound) {
			return "", nil, errGrantProjectNotFound
		} else if err != nil {
			return "", nil, err
		}
		u, err := tx.User(ctx, in.UserID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && (u.State == user.StateDeleted || u.OrgID != g.OrgID)) {
			// Only the granted org's own users: another's is as unknown as a
			// missing one.
			return "", nil, errGrantUserNotFound
		} else if err != nil {
			return "", nil, err
		}
		if err := checkDelegatedRoles(pg, keys); err != nil {
			return "", nil, err
		}
		out = project.Grant{ID: gid, UserID: u.ID, ProjectID: pg.ProjectID, OrgID: g.OrgID, ProjectGrantID: pg.ID, RoleKeys: keys,
			State: project.StateActive, Sequence: ch.o.Sequence, CreatedAt: ch.by.At, ChangedAt: ch.by.At}
		return event.UserGrantAdded, map[string]any{"grantId": gid, "userId": u.ID, "projectId": pg.ProjectID, "projectGrantId": pg.ID, "roleKeys": keys},
			putGrant(ctx, tx, &out)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
