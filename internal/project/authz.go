package project

import (
	"slices"
	"time"
)

// Artifact kinds of the authorization model. A role's artifact id is
// RoleID(project, key), so a key is unique within its project by the store's
// primary key; a grant's lookup key is GrantKey(user, project), so a user has
// at most one grant per project.
const (
	KindRole  = "project_role"
	KindGrant = "user_grant"
)

// States of a project and of a user grant (zitadel.project.v1.ProjectState and
// zitadel.user.v1.UserGrantState numbers; both use 1 and 2 alike). A project
// stored before it had a state is active.
const (
	StateActive   = 1
	StateInactive = 2
)

// Active tells whether the project gives roles and admits sign-ins.
func (p *Project) Active() bool { return p.State != StateInactive }

// Deactivate moves an active project to inactive.
func (p *Project) Deactivate() error {
	if !p.Active() {
		return ErrProjectNotActive
	}
	p.State = StateInactive
	return nil
}

// Reactivate moves an inactive project back to active.
func (p *Project) Reactivate() error {
	if p.Active() {
		return ErrProjectNotInactive
	}
	p.State = StateActive
	return nil
}

// Role is a role of a project, which user grants hand out.
type Role struct {
	ProjectID   string    `json:"projectId"`
	OrgID       string    `json:"orgId"`
	Key         string    `json:"key"`
	DisplayName string    `json:"displayName,omitempty"`
	Group       string    `json:"group,omitempty"`
	Sequence    uint64    `json:"sequence"`
	CreatedAt   time.Time `json:"createdAt"`
	ChangedAt   time.Time `json:"changedAt"`
}

// RoleID is the artifact id of a project's role.
func RoleID(projectID, key string) string { return projectID + ":" + key }

// Grant gives a user roles of a project (ZITADEL's user grant, an
// "authorization" in v2). OrgID is its resource owner: the project's org, or
// the granted org of its project grant.
type Grant struct {
	ID        string `json:"id"`
	UserID    string `json:"userId"`
	ProjectID string `json:"projectId"`
	OrgID     string `json:"orgId"`
	// ProjectGrantID: given through that project grant by the granted org
	// (then OrgID is the granted org, and the roles are the grant's).
	ProjectGrantID string    `json:"projectGrantId,omitempty"`
	RoleKeys       []string  `json:"roleKeys,omitempty"`
	State          int       `json:"state"`
	Sequence       uint64    `json:"sequence"`
	CreatedAt      time.Time `json:"createdAt"`
	ChangedAt      time.Time `json:"changedAt"`
}

// GrantKey is the lookup key that makes a grant unique per user and project.
func GrantKey(userID, projectID string) string { return userID + ":" + projectID }

// Active tells whether the grant gives its roles.
func (g *Grant) Active() bool { return g.State == StateActive }

// Deactivate moves an active grant to inactive.
func (g *Grant) Deactivate() error {
	if !g.Active() {
		return ErrGrantNotActive
	}
	g.State = StateInactive
	return nil
}

// Reactivate moves an inactive grant back to active.
func (g *Grant) Reactivate() error {
	if g.State != StateInactive {
		return ErrGrantNotInactive
	}
	g.State = StateActive
	return nil
}

// WithoutRole removes key from the grant's roles; it tells whether it held it.
func (g *Grant) WithoutRole(key string) bool {
	i := slices.Index(g.RoleKeys, key)
	if i < 0 {
		return false
	}
	g.RoleKeys = slices.Delete(slices.Clone(g.RoleKeys), i, i+1)
	return true
}
