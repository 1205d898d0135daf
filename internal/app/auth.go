package app

import (
	"context"
	"errors"
	"time"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// Caller is an authenticated principal with its memberships.
type Caller struct {
	UserID string
	OrgID  string // the caller's own org
	// ClientID is the OAuth client an access token was issued to ("" for a
	// PAT): its app's project is the one ListMyProjectPermissions answers for.
	ClientID string
	// roles by scope: org id, or org.InstanceScope for IAM roles.
	roles map[string][]string
}

// Can tells whether the caller holds perm in orgID, through an instance role or
// a role in that org.
//
// orgID may be a project scope (org.ProjectScope): then a role on that
// project counts, beside the roles in the project's org.
func (c *Caller) Can(perm, orgID string) bool {
	if org.Grants(c.roles[org.InstanceScope], perm) {
		return true
	}
	if orgID == "" {
		return false
	}
	if org.Grants(c.roles[orgID], perm) {
		return true
	}
	o, p := org.SplitScope(orgID)
	return p != "" && o != "" && org.Grants(c.roles[o], perm)
}

// inProjectOf tells whether the caller holds a role on some project of orgID
// (the org context its project use cases need).
func (c *Caller) inProjectOf(orgID string) bool {
	for scope, roles := range c.roles {
		if o, p := org.SplitScope(scope); p != "" && o == orgID && len(roles) > 0 {
			return true
		}
	}
	return false
}

// Covers tells whether the caller holds, in every scope, every permission the
// memberships ms give there — so that acting on their user (its credentials,
// its password, its state, its roles) cannot lift the caller above what it
// already may do. An IAM owner covers everyone.
func (c *Caller) Covers(ms []*org.Member) bool {
	if c.IsIAMOwner() {
		return true
	}
	for _, m := range ms {
		if !c.CoversRoles(m.OrgID, m.Roles) {
			return false
		}
	}
	return true
}

// CoversRoles tells whether the caller holds, in scope orgID, every permission
// roles carry there (instance roles count in every org; org roles only at home).
func (c *Caller) CoversRoles(orgID string, roles []string) bool {
	if c.IsIAMOwner() {
		return true
	}
	for _, p := range org.Permissions(roles) {
		if org.SelfOnly(p) {
			continue
		}
		if orgID == org.InstanceScope {
			if !org.Grants(c.roles[org.InstanceScope], p) {
				return false
			}
		} else if !c.Can(p, orgID) {
			return false
		}
	}
	return true
}

// Roles returns the caller's roles in a scope.
func (c *Caller) Roles(scope string) []string { return c.roles[scope] }

// Authenticate resolves a bearer token. The user's state and credential epoch are
// read at every use, never cached, so a lock committed on any node is enforced by
// the next request everywhere.
func (a *App) Authenticate(ctx context.Context, token string) (*Caller, error) {
	if token == "" || len(token) > 4096 {
		return nil, fail.Unauthenticated
	}
	u, ms, err := a.patPrincipal(ctx, token)
	clientID := ""
	if errors.Is(err, errNoSuchPAT) {
		if u, clientID, err = a.oauthCaller(ctx, token); err != nil {
			return nil, err
		}
		if ms, err = a.store.MembershipsOf(ctx, u.ID); err != nil {
			return nil, storeErr(err)
		}
	}
	if err != nil {
		return nil, err
	}
	c := &Caller{UserID: u.ID, OrgID: u.OrgID, ClientID: clientID, roles: make(map[string][]string, len(ms))}
	for _, m := range ms {
		c.roles[m.OrgID] = m.Roles
	}
	return c, nil
}

var errNoSuchPAT = errors.New("no such PAT")

// patPrincipal resolves a personal access token to its live user and the
// user's memberships, in one store read (one round trip).
func (a *App) patPrincipal(ctx context.Context, token string) (*user.User, []*org.Member, error) {
	p, u, ms, err := a.store.Principal(ctx, credential.HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, errNoSuchPAT
	}
	if err != nil {
		return nil, nil, storeErr(err)
	}
	// Administrator-issued: refused while the user cannot authenticate, valid
	// again after an unlock or reactivation.
	if !p.Valid(time.Now()) || u == nil || !u.CanAuthenticate() {
		return nil, nil, fail.Unauthenticated
	}
	return u, ms, nil
}
