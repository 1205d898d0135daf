package app

import (
	"context"
	"errors"
	"time"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// AddPAT issues a personal access token for a machine user and returns the token
// (shown once; only its hash is stored).
func (a *App) AddPAT(ctx context.Context, s Scope, userID string, expiration time.Time) (*credential.PAT, string, *user.User, error) {
	g, err := a.authorize(ctx, s, UseAddPAT)
	if err != nil {
		return nil, "", nil, err
	}
	if err := checkID(userID, errUserIDMissing); err != nil {
		return nil, "", nil, err
	}
	if !expiration.IsZero() && !expiration.After(time.Now()) {
		return nil, "", nil, errExpiryPast
	}
	token, hash := credential.NewToken()
	p := &credential.PAT{ID: a.ids.Next(), UserID: userID, Hash: hash, Expiration: expiration.UTC().Truncate(time.Microsecond)}
	u, err := a.changeUser(ctx, g, userID, errPATUserMissing, func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error) {
		if u.Type != user.TypeMachine {
			return nil, errPATNotMachine
		}
		if !u.CanAuthenticate() {
			return nil, user.ErrNotActiveOrInitial
		}
		ev := u.Record(event.PATAdded, actor(g.Caller), map[string]any{"tokenId": p.ID, "expiration": p.Expiration})
		p.OrgID, p.CreatedAt, p.Epoch, p.Sequence = u.OrgID, ev.CreatedAt, u.CredentialEpoch, u.Sequence
		return []event.Event{ev}, tx.InsertPAT(ctx, p)
	})
	if err != nil {
		return nil, "", nil, err
	}
	return p, token, u, nil
}

// RemovePAT deletes a token of a user.
func (a *App) RemovePAT(ctx context.Context, s Scope, userID, patID string) (*user.User, error) {
	g, err := a.authorize(ctx, s, UseRemovePAT)
	if err != nil {
		return nil, err
	}
	if err := checkID(userID, errUserIDMissing); err != nil {
		return nil, err
	}
	if err := checkID(patID, errPATIDMissing); err != nil {
		return nil, err
	}
	return a.changeUser(ctx, g, userID, errPATUserMissing, func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error) {
		if _, err := tx.PAT(ctx, userID, patID); errors.Is(err, store.ErrNotFound) {
			return nil, errPATNotFound
		} else if err != nil {
			return nil, err
		}
		ev := u.Record(event.PATRemoved, actor(g.Caller), map[string]any{"tokenId": patID})
		return []event.Event{ev}, tx.DeletePAT(ctx, userID, patID)
	})
}

// ListPATs lists a user's tokens.
func (a *App) ListPATs(ctx context.Context, s Scope, userID string, p store.Page) ([]*credential.PAT, uint64, error) {
	g, err := a.authorize(ctx, s, UseListPATs)
	if err != nil {
		return nil, 0, err
	}
	if _, err := a.visibleUser(ctx, g, userID, user.ErrGetNotFound); err != nil {
		return nil, 0, err
	}
	pats, total, err := a.store.ListPATs(ctx, userID, p)
	return pats, total, storeErr(err)
}
