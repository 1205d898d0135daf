package app

import (
	"context"
	"errors"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
)

// v2's ListKeys and ListPersonalAccessTokens search the credentials of every
// user the caller may read, as ZITADEL filters its results by permission: a
// credential of an org where the caller lacks user.read is simply not listed.

// OrgMachineKey is a machine key with its user's org.
type OrgMachineKey struct {
	*credential.MachineKey
	OrgID string
}

// readableOrgs narrows q to the orgs where the caller holds perm: every org
// for an instance role (nil), else the orgs of its org roles. A caller that
// holds perm nowhere is refused, as v2 ListUsers refuses it, where ZITADEL
// answers an empty list.
func readableOrgs(c *Caller, perm string, q *store.CredentialQuery) error {
	if c.Can(perm, org.InstanceScope) {
		q.InOrgs = nil
		return nil
	}
	q.InOrgs = []string{}
	for scope, roles := range c.roles {
		if _, p := org.SplitScope(scope); p == "" && scope != org.InstanceScope && org.Grants(roles, perm) {
			q.InOrgs = append(q.InOrgs, scope)
		}
	}
	if len(q.InOrgs) == 0 {
		return fail.PermissionDenied
	}
	return nil
}

// credentialSearch authorizes a credential search and bounds q to the orgs
// whose users the caller may read.
func (a *App) credentialSearch(ctx context.Context, s Scope, use Use, q *store.CredentialQuery) error {
	g, err := a.authorize(ctx, s, use)
	if err != nil {
		return err
	}
	if err := checkCredentialQuery(*q); err != nil {
		return err
	}
	return readableOrgs(g.Caller, g.perm(), q)
}

// SearchMachineKeys lists the machine keys matching q among the users the
// caller may read (v2 ListKeys).
func (a *App) SearchMachineKeys(ctx context.Context, s Scope, q store.CredentialQuery) ([]OrgMachineKey, uint64, error) {
	if err := a.credentialSearch(ctx, s, UseListMachineKeys, &q); err != nil {
		return nil, 0, err
	}
	arts, total, err := a.store.SearchMachineKeys(ctx, q)
	if err != nil {
		return nil, 0, storeErr(err)
	}
	out := make([]OrgMachineKey, 0, len(arts))
	for _, art := range arts {
		k, err := decodeMachineKey(art)
		if err != nil {
			return nil, 0, storeErr(err)
		}
		out = append(out, OrgMachineKey{MachineKey: k, OrgID: art.OrgID})
	}
	return out, total, nil
}

// SearchPATs lists the personal access tokens matching q among the users the
// caller may read (v2 ListPersonalAccessTokens).
func (a *App) SearchPATs(ctx context.Context, s Scope, q store.CredentialQuery) ([]*credential.PAT, uint64, error) {
	if err := a.credentialSearch(ctx, s, UseListPATs, &q); err != nil {
		return nil, 0, err
	}
	pats, total, err := a.store.SearchPATs(ctx, q)
	return pats, total, storeErr(err)
}

// maxCredentialFilters bounds a search's conditions (each is a clause).
const maxCredentialFilters = 20

func checkCredentialQuery(q store.CredentialQuery) error {
	n := len(q.IDs) + len(q.UserIDs) + len(q.OrgIDs) + len(q.Created) + len(q.Expires)
	if n > maxCredentialFilters {
		return errTooManyCredentialFilters
	}
	for _, ids := range [][]string{q.IDs, q.UserIDs, q.OrgIDs} {
		for _, id := range ids {
			if !pgText(id) || len(id) > 200 {
				return errIDChars
			}
		}
	}
	return nil
}

// GetPAT returns one token of a user (v1 GetPersonalAccessTokenByIDs).
func (a *App) GetPAT(ctx context.Context, s Scope, userID, patID string) (*credential.PAT, error) {
	g, err := a.authorize(ctx, s, UseGetPAT)
	if err != nil {
		return nil, err
	}
	if err := checkID(patID, errPATIDMissing); err != nil {
		return nil, err
	}
	// A missing user, as a missing token, is ZITADEL's token not found.
	if _, err := a.visibleUser(ctx, g, userID, errPATGetNotFound); err != nil {
		return nil, err
	}
	p, err := a.store.PAT(ctx, userID, patID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errPATGetNotFound
	}
	return p, storeErr(err)
}
