package app

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// What a project's settings demand of the users of its apps, and the roles
// its grants put into tokens. Both read the grants from the store at each
// use — no cache holds them — so a change is seen by the next request on
// every node.

// projectAccess tells whether u may use clientID's app now: its project
// active, and its role and project checks passed. A client that is no app
// (a machine user's client credentials) has no project to check.
func projectAccess(ctx context.Context, r store.Reader, clientID string, u *user.User) error {
	if clientID == "" {
		return nil
	}
	_, p, err := clientProject(ctx, r, clientID)
	if p == nil || err != nil {
		return err
	}
	if !p.Active() {
		return ErrProjectInactive
	}
	if p.HasProjectCheck && u.OrgID != p.OrgID {
		// Users of an org the project is granted to (an active grant) pass.
		ok, err := grantedTo(ctx, r, p.ID, u.OrgID)
		if err != nil {
			return err
		}
		if !ok {
			return ErrProjectRequired
		}
	}
	if !p.RoleCheck {
		return nil
	}
	art, err := r.ArtifactByKey(ctx, project.KindGrant, project.GrantKey(u.ID, p.ID))
	if errors.Is(err, store.ErrNotFound) {
		return ErrGrantRequired
	} else if err != nil {
		return err
	}
	gr, err := decodeGrant(art)
	if err != nil {
		return err
	}
	if !gr.Active() {
		return ErrGrantRequired
	}
	if gr.ProjectGrantID != "" {
		// Through a project grant: only while that grant is active.
		if _, pg, err := grantProject(ctx, r, gr); errors.Is(err, errProjectNotFound) || (err == nil && !pg.Active()) {
			return ErrGrantRequired
		} else if err != nil {
			return err
		}
	}
	return nil
}

// grantedTo tells whether projectID is granted to orgID by an active project
// grant.
func grantedTo(ctx context.Context, r store.Reader, projectID, orgID string) (bool, error) {
	art, err := r.ArtifactByKey(ctx, project.KindProjectGrant, project.ProjectGrantKey(projectID, orgID))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	pg, err := decodeProjectGrant(art)
	if err != nil {
		return false, err
	}
	return pg.Active(), nil
}

// clientProject returns clientID's app and its project; nil ones without an
// error for a client that is no app (a machine user's client credentials) or
// the app of no project (Warden's own console).
func clientProject(ctx context.Context, r store.Reader, clientID string) (*project.App, *project.Project, error) {
	ap, err := appByClientID(ctx, r, clientID)
	if errors.Is(err, errAppNotFound) {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	if ap.ProjectID == "" {
		return ap, nil, nil
	}
	p, err := loadProject(ctx, r, ap.OrgID, ap.ProjectID)
	if errors.Is(err, errProjectNotFound) {
		return ap, nil, nil
	}
	return ap, p, err
}

// ClaimsFor names what role claims are rendered into, which decides (as in
// ZITADEL) whether roles are asserted and for which projects.
type ClaimsFor int

const (
	// ClaimsUserinfo: the userinfo endpoint; roles always asserted.
	ClaimsUserinfo ClaimsFor = iota
	// ClaimsIDToken: an ID token; roles if the app asserts them in ID tokens.
	ClaimsIDToken
	// ClaimsAccessToken: a JWT access token; roles if the app asserts them there.
	ClaimsAccessToken
	// ClaimsIntrospection: introspection by a client (an API app): the roles
	// of that client's project only, always asserted.
	ClaimsIntrospection
)

// ProjectRoles maps role key → org id → the org's primary domain: the value
// of ZITADEL's role claims.
type ProjectRoles map[string]map[string]string

// RoleClaims returns the role claims for userID under scopes, as seen by
// clientID (for ClaimsIntrospection the introspecting client, else the client
// the token was issued to): oauth.ClaimProjectRoles with the roles of the
// client's project, and oauth.ProjectRolesClaim(id) for every project in the
// role audience. Inactive grants and projects give none. Without anything to
// assert it returns nil.
func (a *App) RoleClaims(ctx context.Context, userID string, scopes []string, clientID string, target ClaimsFor) (map[string]ProjectRoles, error) {
	var (
		projectID string
		assertion = target == ClaimsUserinfo || target == ClaimsIntrospection
		// projectAssertion: the project's own role assertion.
		projectAssertion bool
	)
	if clientID != "" {
		ap, p, err := clientProject(ctx, a.store, clientID)
		if err != nil {
			return nil, storeErr(err)
		}
		if ap != nil {
			switch target {
			case ClaimsIDToken:
				assertion = ap.IDTokenRoleAssertion
			case ClaimsAccessToken:
				assertion = ap.AccessTokenRoleAssertion
			}
		}
		if p != nil {
			projectID, projectAssertion = p.ID, p.RoleAssertion
		}
	}
	if !assertion {
		return nil, nil
	}
	requested, audience := roleAudience(scopes, projectID, projectAssertion, target == ClaimsIntrospection)
	if !(projectID != "" && len(requested) > 0) && len(audience) == 0 {
		return nil, nil
	}
	grants, err := userGrants(ctx, a.store, userID)
	if err != nil {
		return nil, storeErr(err)
	}
	projects := map[string]ProjectRoles{}
	orgs := map[string]*org.Org{}
	for _, gr := range grants {
		if !gr.Active() || !slices.Contains(audience, gr.ProjectID) {
			continue
		}
		// A grant through a project grant names the granted org in the
		// claim, and counts only while that project grant is active.
		p, pg, err := grantProject(ctx, a.store, gr)
		if errors.Is(err, errProjectNotFound) {
			continue
		} else if err != nil {
			return nil, storeErr(err)
		}
		if !p.Active() || (pg != nil && !pg.Active()) {
			continue
		}
		o, ok := orgs[gr.OrgID]
		if !ok {
			if o, err = a.store.Org(ctx, gr.OrgID); err != nil {
				return nil, storeErr(err)
			}
			orgs[gr.OrgID] = o
		}
		for _, key := range gr.RoleKeys {
			if len(requested) > 0 && !slices.Contains(requested, key) {
				continue
			}
			roles := projects[gr.ProjectID]
			if roles == nil {
				roles = ProjectRoles{}
				projects[gr.ProjectID] = roles
			}
			if roles[key] == nil {
				roles[key] = map[string]string{}
			}
			roles[key][o.ID] = a.OrgDomain(o)
		}
	}
	if len(projects) == 0 {
		return nil, nil
	}
	out := make(map[string]ProjectRoles, len(projects)+1)
	if roles, ok := projects[projectID]; ok && projectID != "" {
		out[oauth.ClaimProjectRoles] = roles
	}
	for id, roles := range projects {
		out[oauth.ProjectRolesClaim(id)] = roles
	}
	return out, nil
}

// roleAudience is ZITADEL's choice of the roles asked for (role scopes) and
// the projects whose roles are asserted: the audience scopes' projects when
// roles are asked for (a role scope or the all-projects scope) and not only
// the current project counts; the client's own project when its project
// asserts roles, when only it counts, or when anything else is asked for.
// Warden also reads urn:zitadel:iam:org:project:roles as asking for the
// client's project's roles.
func roleAudience(scopes []string, projectID string, projectAssertion, currentOnly bool) (requested, audience []string) {
	own := false
	for _, sc := range scopes {
		if key, ok := strings.CutPrefix(sc, oauth.ScopeProjectRolePrefix); ok && key != "" {
			requested = append(requested, key)
		}
		own = own || sc == oauth.ScopeProjectRoles
	}
	if !currentOnly && (len(requested) > 0 || slices.Contains(scopes, oauth.ScopeProjectsRoles)) {
		for _, sc := range scopes {
			if id, ok := oauth.ProjectAudience(sc); ok && id != oauth.APIProjectID && !slices.Contains(audience, id) {
				audience = append(audience, id)
			}
		}
	}
	if (projectAssertion || currentOnly || own || len(audience) > 0 || len(requested) > 0) && projectID != "" && !slices.Contains(audience, projectID) {
		audience = append(audience, projectID)
	}
	return requested, audience
}
