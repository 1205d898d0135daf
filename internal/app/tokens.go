package app

import (
	"context"
	"errors"
	"time"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
	"google.golang.org/grpc/codes"
)

var (
	errPATUserMissing = fail.New(codes.NotFound, "COMMAND-Dggw2", "User could not be found")
	errPATNotMachine  = fail.New(codes.FailedPrecondition, "COMMAND-Sfg3h", "Personal access tokens are only for machine users")
	errPATNotFound    = fail.New(codes.NotFound, "COMMAND-4m77G", "Personal access token not found")
	errPATExpired     = fail.Invalid("COMMAND-dv3t5", "Expiration date must be in the future")
)

// AddPAT issues a personal access token for a machine user and returns the token
// (shown once; only its hash is stored).
func (a *App) AddPAT(ctx context.Context, s Scope, userID string, expiration time.Time) (*credential.PAT, string, *user.User, error) {
	if err := checkID(userID, fail.Invalid("COMMAND-lk9Fs", "User id is missing")); err != nil {
		return nil, "", nil, err
	}
	if !expiration.IsZero() && !expiration.After(time.Now()) {
		return nil, "", nil, errPATExpired
	}
	token, hash := credential.NewToken()
	p := &credential.PAT{ID: a.ids.Next(), UserID: userID, Hash: hash, Expiration: expiration.UTC().Truncate(time.Microsecond)}
	var out user.User
	err := a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		u, err := a.loadForWrite(ctx, tx, s, userID, errPATUserMissing)
		if err != nil {
			return err
		}
		if u.Type != user.TypeMachine {
			return errPATNotMachine
		}
		if !u.CanAuthenticate() {
			return user.ErrNotActiveOrInitial
		}
		prev := u.Sequence
		ev := u.Record(event.PATAdded, actor(s.Caller), map[string]any{"tokenId": p.ID, "expiration": p.Expiration})
		p.OrgID, p.CreatedAt, p.Epoch, p.Sequence = u.OrgID, ev.CreatedAt, u.CredentialEpoch, u.Sequence
		if err := tx.UpdateUser(ctx, u, prev); err != nil {
			return err
		}
		if err := tx.InsertPAT(ctx, p); err != nil {
			return err
		}
		out = *u
		return tx.Append(ctx, ev)
	})
	if err != nil {
		return nil, "", nil, storeErr(err)
	}
	return p, token, &out, nil
}

// RemovePAT deletes a token of a user.
func (a *App) RemovePAT(ctx context.Context, s Scope, userID, patID string) (*user.User, error) {
	if err := checkID(userID, fail.Invalid("COMMAND-lk9Fs", "User id is missing")); err != nil {
		return nil, err
	}
	if err := checkID(patID, fail.Invalid("COMMAND-2M9fs", "Token id is missing")); err != nil {
		return nil, err
	}
	var out user.User
	err := a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		u, err := a.loadForWrite(ctx, tx, s, userID, errPATUserMissing)
		if err != nil {
			return err
		}
		if _, err := tx.PAT(ctx, userID, patID); errors.Is(err, store.ErrNotFound) {
			return errPATNotFound
		} else if err != nil {
			return err
		}
		prev := u.Sequence
		ev := u.Record(event.PATRemoved, actor(s.Caller), map[string]any{"tokenId": patID})
		if err := tx.UpdateUser(ctx, u, prev); err != nil {
			return err
		}
		if err := tx.DeletePAT(ctx, userID, patID); err != nil {
			return err
		}
		out = *u
		return tx.Append(ctx, ev)
	})
	if err != nil {
		return nil, storeErr(err)
	}
	return &out, nil
}

// ListPATs lists a user's tokens.
func (a *App) ListPATs(ctx context.Context, s Scope, userID string, p store.Page) ([]*credential.PAT, uint64, error) {
	if err := checkID(userID, fail.Invalid("QUERY-Dbf3a", "User id is missing")); err != nil {
		return nil, 0, err
	}
	u, err := a.store.User(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, 0, user.ErrGetNotFound
	}
	if err != nil {
		return nil, 0, storeErr(err)
	}
	if err := s.visible(u, "user.read", user.ErrGetNotFound); err != nil {
		return nil, 0, err
	}
	pats, total, err := a.store.ListPATs(ctx, userID, p)
	return pats, total, storeErr(err)
}

// loadForWrite loads a user inside a write for a change of its credentials or
// password (user.write, and the caller covers the user's roles).
func (a *App) loadForWrite(ctx context.Context, tx store.Reader, s Scope, userID string, notFound *fail.Error) (*user.User, error) {
	return a.loadForChange(ctx, tx, s, userID, org.PermUserWrite, notFound)
}
