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
)

// Project roles and project states. Like the project itself, every change is
// an event on the project's org, so the details carry the org's sequence.

// maxBulk bounds the items of one bulk request (roles added, grants removed).
const maxBulk = 1000

// RoleInput is one role to add or change.
type RoleInput struct {
	Key, DisplayName, Group string
}

func (in RoleInput) check(invalid *fail.Error) error {
	if strings.TrimSpace(in.Key) == "" {
		return invalid
	}
	if err := checkText("role key", in.Key, true); err != nil {
		return err
	}
	if err := checkText("display name", in.DisplayName, false); err != nil {
		return err
	}
	return checkText("group", in.Group, false)
}

func putRole(ctx context.Context, tx store.Tx, r *project.Role) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.PutArtifact(ctx, &store.Artifact{Kind: project.KindRole, ID: project.RoleID(r.ProjectID, r.Key), OrgID: r.OrgID, CreatedAt: r.CreatedAt, Data: data})
}

// loadRole reads a role of a project; nil without an error if there is none.
func loadRole(ctx context.Context, r store.Reader, projectID, key string) (*project.Role, error) {
	art, err := r.Artifact(ctx, project.KindRole, project.RoleID(projectID, key))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var role project.Role
	if err := json.Unmarshal(art.Data, &role); err != nil {
		return nil, fmt.Errorf("role %s: %w", art.ID, err)
	}
	return &role, nil
}

// projectRoles lists the roles of a project of orgID, by key.
func projectRoles(ctx context.Context, r store.Reader, orgID, projectID string) ([]*project.Role, error) {
	arts, err := allArtifacts(ctx, r, project.KindRole, orgID, "")
	if err != nil {
		return nil, err
	}
	var out []*project.Role
	for _, art := range arts {
		var role project.Role
		if err := json.Unmarshal(art.Data, &role); err != nil {
			return nil, fmt.Errorf("role %s: %w", art.ID, err)
		}
		if role.ProjectID == projectID {
			out = append(out, &role)
		}
	}
	slices.SortFunc(out, func(a, b *project.Role) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// AddProjectRoles adds roles to a project, all or none: a key the project has,
// or one given twice, is AlreadyExists. bulk: BulkAddProjectRoles, else
// AddProjectRole (one role); the answer is the org as committed.
func (a *App) AddProjectRoles(ctx context.Context, s Scope, projectID string, roles []RoleInput, bulk bool) (*org.Org, error) {
	use := UseAddProjectRole
	if bulk {
		use = UseBulkAddProjectRoles
	}
	g, err := a.authorize(ctx, s, use)
	if err != nil {
		return nil, err
	}
	if err := checkID(projectID, errRoleInvalid); err != nil {
		return nil, err
	}
	switch {
	case len(roles) == 0:
		return nil, errProjectRolesMissing
	case len(roles) > maxBulk:
		return nil, errRolesTooMany
	}
	seen := map[string]bool{}
	for _, in := range roles {
		if err := in.check(errRoleInvalid); err != nil {
			return nil, err
		}
		if seen[in.Key] {
			return nil, errRoleExists
		}
		seen[in.Key] = true
	}
	return a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		p, err := projectFor(ctx, tx, g, projectID)
		if err != nil {
			return "", nil, err
		}
		keys := make([]string, 0, len(roles))
		for _, in := range roles {
			if old, err := loadRole(ctx, tx, p.ID, in.Key); err != nil {
				return "", nil, err
			} else if old != nil {
				return "", nil, errRoleExists
			}
			r := &project.Role{ProjectID: p.ID, OrgID: p.OrgID, Key: in.Key, DisplayName: in.DisplayName, Group: in.Group,
				Sequence: ch.o.Sequence, CreatedAt: ch.by.At, ChangedAt: ch.by.At}
			if err := putRole(ctx, tx, r); err != nil {
				return "", nil, err
			}
			keys = append(keys, in.Key)
		}
		return event.ProjectRoleAdded, map[string]any{"projectId": p.ID, "keys": keys}, nil
	})
}

// UpdateProjectRole changes a role's display name and group.
func (a *App) UpdateProjectRole(ctx context.Context, s Scope, projectID string, in RoleInput) (*project.Role, error) {
	g, err := a.authorize(ctx, s, UseUpdateProjectRole)
	if err != nil {
		return nil, err
	}
	if err := checkID(projectID, errRoleChangeInvalid); err != nil {
		return nil, err
	}
	if err := in.check(errRoleChangeInvalid); err != nil {
		return nil, err
	}
	var out project.Role
	_, err = a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		p, err := projectFor(ctx, tx, g, projectID)
		if err != nil {
			return "", nil, err
		}
		r, err := loadRole(ctx, tx, p.ID, in.Key)
		if err != nil {
			return "", nil, err
		}
		if r == nil {
			return "", nil, errRoleChangeNotFound
		}
		if r.DisplayName == in.DisplayName && r.Group == in.Group {
			return "", nil, errRoleNoChanges
		}
		r.DisplayName, r.Group = in.DisplayName, in.Group
		r.Sequence, r.ChangedAt = ch.o.Sequence, ch.by.At
		out = *r
		return event.ProjectRoleChanged, map[string]any{"projectId": p.ID, "key": r.Key}, putRole(ctx, tx, r)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// RemoveProjectRole deletes a role and takes it out of every grant of the
// project, in one transaction.
func (a *App) RemoveProjectRole(ctx context.Context, s Scope, projectID, key string) (*org.Org, error) {
	g, err := a.authorize(ctx, s, UseRemoveProjectRole)
	if err != nil {
		return nil, err
	}
	if projectID == "" || key == "" {
		return nil, errRoleRemoveInvalid
	}
	if err := checkID(projectID, errRoleRemoveInvalid); err != nil {
		return nil, err
	}
	if err := checkID(key, errRoleRemoveInvalid); err != nil {
		return nil, err
	}
	return a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		p, err := projectFor(ctx, tx, g, projectID)
		if err != nil {
			return "", nil, err
		}
		r, err := loadRole(ctx, tx, p.ID, key)
		if err != nil {
			return "", nil, err
		}
		if r == nil {
			return "", nil, errRoleRemoveNotFound
		}
		grants, err := projectGrants(ctx, tx, p.OrgID, p.ID)
		if err != nil {
			return "", nil, err
		}
		var changed []string
		for _, gr := range grants {
			if !gr.WithoutRole(key) {
				continue
			}
			gr.Sequence, gr.ChangedAt = ch.o.Sequence, ch.by.At
			if err := putGrant(ctx, tx, gr); err != nil {
				return "", nil, err
			}
			changed = append(changed, gr.ID)
		}
		// The role leaves the project grants that delegate it, too.
		changedPG, err := withoutRoleInProjectGrants(ctx, tx, ch, p.OrgID, p.ID, key)
		if err != nil {
			return "", nil, err
		}
		return event.ProjectRoleRemoved, map[string]any{"projectId": p.ID, "key": key, "cascadedGrantIds": changed, "cascadedProjectGrantIds": changedPG},
			tx.DeleteArtifact(ctx, project.KindRole, project.RoleID(p.ID, key))
	})
}

// RoleFilter selects roles by key and display name (every match must hold).
type RoleFilter struct {
	Keys, DisplayNames []store.TextMatch
}

// ListProjectRoles lists a project's roles by key.
func (a *App) ListProjectRoles(ctx context.Context, s Scope, projectID string, f RoleFilter, pg store.Page) ([]*project.Role, uint64, error) {
	g, err := a.authorize(ctx, s, UseListProjectRoles)
	if err != nil {
		return nil, 0, err
	}
	p, err := projectFor(ctx, a.store, g, projectID)
	if err != nil {
		return nil, 0, storeErr(err)
	}
	roles, err := projectRoles(ctx, a.store, p.OrgID, p.ID)
	if err != nil {
		return nil, 0, storeErr(err)
	}
	var all []*project.Role
	for _, r := range roles {
		if matchAll(f.Keys, r.Key) && matchAll(f.DisplayNames, r.DisplayName) {
			all = append(all, r)
		}
	}
	return pageOf(all, pg), uint64(len(all)), nil
}

// SetProjectActive deactivates (active false) or reactivates a project. An
// inactive project's grants give no roles and its role and project checks
// admit nobody.
func (a *App) SetProjectActive(ctx context.Context, s Scope, projectID string, active bool) (*project.Project, error) {
	use, missing := UseDeactivateProject, errDeactivateIDMiss
	if active {
		use, missing = UseReactivateProject, errReactivateIDMiss
	}
	g, err := a.authorize(ctx, s, use)
	if err != nil {
		return nil, err
	}
	if err := checkID(projectID, missing); err != nil {
		return nil, err
	}
	var out project.Project
	_, err = a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		p, err := projectFor(ctx, tx, g, projectID)
		if err != nil {
			return "", nil, err
		}
		typ := event.ProjectDeactivated
		if active {
			typ, err = event.ProjectReactivated, p.Reactivate()
		} else {
			err = p.Deactivate()
		}
		if err != nil {
			return "", nil, err
		}
		p.Sequence, p.ChangedAt = ch.o.Sequence, ch.by.At
		out = *p
		return typ, map[string]any{"projectId": p.ID}, putProject(ctx, tx, p)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// deleteProjectAuthz deletes a removed project's members, project grants,
// roles and user grants, inside the removal's transaction.
func deleteProjectAuthz(ctx context.Context, tx store.Tx, orgID, projectID string) error {
	if err := deleteProjectMembers(ctx, tx, orgID, projectID); err != nil {
		return err
	}
	if err := deleteProjectGrants(ctx, tx, orgID, projectID); err != nil {
		return err
	}
	roles, err := projectRoles(ctx, tx, orgID, projectID)
	if err != nil {
		return err
	}
	for _, r := range roles {
		if err := tx.DeleteArtifact(ctx, project.KindRole, project.RoleID(r.ProjectID, r.Key)); err != nil {
			return err
		}
	}
	grants, err := projectGrants(ctx, tx, orgID, projectID)
	if err != nil {
		return err
	}
	for _, gr := range grants {
		if err := tx.DeleteArtifact(ctx, project.KindGrant, gr.ID); err != nil {
			return err
		}
	}
	return nil
}
