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
	// roles by scope: org id, or org.InstanceScope for IAM roles.
	roles map[string][]string
}

// Can tells whether the caller holds perm in orgID, through an instance role or
// a role in that org.
func (c *Caller) Can(perm, orgID string) bool {
	if org.Grants(c.roles[org.InstanceScope], perm) {
		return true
	}
	return orgID != "" && org.Grants(c.roles[orgID], perm)
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
	u, err := a.patUser(ctx, token)
	if errors.Is(err, errNoSuchPAT) {
		u, err = a.oauthCaller(ctx, token)
	}
	if err != nil {
		return nil, err
	}
	ms, err := a.store.MembershipsOf(ctx, u.ID)
	if err != nil {
		return nil, storeErr(err)
	}
	c := &Caller{UserID: u.ID, OrgID: u.OrgID, roles: make(map[string][]string, len(ms))}
	for _, m := range ms {
		c.roles[m.OrgID] = m.Roles
	}
	return c, nil
}

var errNoSuchPAT = errors.New("no such PAT")

// patUser resolves a personal access token to its live user.
func (a *App) patUser(ctx context.Context, token string) (*user.User, error) {
	p, err := a.store.PATByHash(ctx, credential.HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoSuchPAT
	}
	if err != nil {
		return nil, storeErr(err)
	}
	if !p.Valid(p.Epoch, time.Now()) { // expired
		return nil, fail.Unauthenticated
	}
	return a.LiveUser(ctx, p.UserID, p.Epoch)
}

// OrgContext resolves the v1 org context: the x-zitadel-orgid header if given,
// else the caller's org. It checks perm there before anything is loaded, so a
// caller without it learns nothing about that org's users.
func (a *App) OrgContext(ctx context.Context, c *Caller, header, perm string) (string, error) {
	orgID := header
	if orgID == "" {
		orgID = c.OrgID
	}
	if err := checkID(orgID, fail.Invalid("WARDEN-ORGID", "organisation id is missing")); err != nil {
		return "", err
	}
	if !c.Can(perm, orgID) {
		return "", fail.PermissionDenied
	}
	if orgID != c.OrgID {
		// Only instance roles reach other orgs; make sure the org is real.
		if _, err := a.store.Org(ctx, orgID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return "", fail.OrgNotFound
			}
			return "", storeErr(err)
		}
	}
	return orgID, nil
}
