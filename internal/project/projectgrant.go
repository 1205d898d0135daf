package project

import (
	"slices"
	"time"
)

// KindProjectGrant is the artifact kind of a project grant. Its lookup key is
// ProjectGrantKey(project, granted org), so a project is granted to an org at
// most once.
const KindProjectGrant = "project_grant"

// ProjectGrant delegates some of a project's roles to another org (ZITADEL's
// project grant): OrgID is the project's org (the resource owner),
// GrantedOrgID the org it is granted to. States are
// zitadel.project.v1.ProjectGrantState's numbers (StateActive, StateInactive).
type ProjectGrant struct {
	ID           string    `json:"id"`
	ProjectID    string    `json:"projectId"`
	OrgID        string    `json:"orgId"`
	GrantedOrgID string    `json:"grantedOrgId"`
	RoleKeys     []string  `json:"roleKeys,omitempty"`
	State        int       `json:"state"`
	Sequence     uint64    `json:"sequence"`
	CreatedAt    time.Time `json:"createdAt"`
	ChangedAt    time.Time `json:"changedAt"`
}

// ProjectGrantKey is the lookup key that makes a project grant unique per
// project and granted org.
func ProjectGrantKey(projectID, grantedOrgID string) string { return projectID + ":" + grantedOrgID }

// Active tells whether the grant gives the granted org its roles.
func (g *ProjectGrant) Active() bool { return g.State == StateActive }

// Deactivate moves an active project grant to inactive.
func (g *ProjectGrant) Deactivate() error {
	if !g.Active() {
		return ErrProjectGrantNotActive
	}
	g.State = StateInactive
	return nil
}

// Reactivate moves an inactive project grant back to active.
func (g *ProjectGrant) Reactivate() error {
	if g.State != StateInactive {
		return ErrProjectGrantNotInactive
	}
	g.State = StateActive
	return nil
}

// WithoutRole removes key from the grant's roles; it tells whether it held it.
func (g *ProjectGrant) WithoutRole(key string) bool {
	i := slices.Index(g.RoleKeys, key)
	if i < 0 {
		return false
	}
	g.RoleKeys = slices.Delete(slices.Clone(g.RoleKeys), i, i+1)
	return true
}
