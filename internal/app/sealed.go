package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/warden-id/warden/internal/store"
)

// Keys at rest. Every key Warden keeps in the store is sealed with the master
// key (package masterkey), which is never in the store, so a copy of the
// database or a backup yields no key. The check value below tells, at start,
// whether the master key given is the one the store was set up with.

// KindMasterKeyCheck is the artifact kind of the master key's check value: a
// known constant sealed with the master key, recorded at the first start (Key
// "current").
const KindMasterKeyCheck = "masterkey_check"

const masterKeyCheckPlain = "warden master key check v1"

// SealSecret seals a secret kept in the artifact kind/id. The artifact's place
// is the additional data, so a sealed value copied into another row does not
// open there.
func (a *App) SealSecret(kind, id string, plain []byte) []byte {
	return a.keys.Seal(plain, sealAAD(kind, id))
}

// OpenSecret opens what SealSecret sealed for the same kind and id; anything
// else (another row's value, another master key, a clear value) is an error
// wrapping masterkey.ErrSealed.
func (a *App) OpenSecret(kind, id string, sealed []byte) ([]byte, error) {
	plain, err := a.keys.Open(sealed, sealAAD(kind, id))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", kind, id, err)
	}
	return plain, nil
}

func sealAAD(kind, id string) []byte { return []byte(kind + "/" + id) }

// CheckMasterKey makes sure the master key is the one this store was set up
// with, and records the check value at the first start. It is idempotent and
// safe with several nodes starting at once: the unique artifact key makes them
// agree on one check value, and a node whose key differs from the winner's
// gets ErrMasterKeyMismatch.
//
// Recording the check value is when a store written by an earlier version
// moves to keys at rest; in the same write, console sessions that version kept
// with their tokens in clear are dropped (they cannot be sealed: their key is
// the cookie, which the store never had), and their users sign in again. The
// provider seals its own keys (oidc.New).
func (a *App) CheckMasterKey(ctx context.Context) error {
	for attempt := 0; attempt < 2; attempt++ {
		art, err := a.store.ArtifactByKey(ctx, KindMasterKeyCheck, "current")
		if err == nil {
			plain, err := a.OpenSecret(art.Kind, art.ID, art.Data)
			if err != nil || string(plain) != masterKeyCheckPlain {
				return ErrMasterKeyMismatch
			}
			return nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("master key check: %w", err)
		}
		id := a.ids.Next()
		err = a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			err := tx.PutArtifact(ctx, &store.Artifact{Kind: KindMasterKeyCheck, ID: id, Key: "current", CreatedAt: store.Now(),
				Data: a.SealSecret(KindMasterKeyCheck, id, []byte(masterKeyCheckPlain))})
			if err != nil {
				return err
			}
			return dropClearConsoleSessions(ctx, tx)
		})
		if err == nil {
			return nil
		}
		if !errors.Is(err, store.ErrDuplicate) {
			return fmt.Errorf("master key check: record: %w", err)
		}
		// Another node recorded its check value first: compare with that one.
	}
	return errors.New("master key check: could not record or read the check value")
}

// dropClearConsoleSessions deletes the console sessions whose tokens are not
// sealed (an earlier version's).
func dropClearConsoleSessions(ctx context.Context, tx store.Tx) error {
	var clear []string
	for off := 0; ; off += 1000 {
		arts, _, err := tx.ListArtifacts(ctx, store.ArtifactQuery{Kind: KindConsoleSession, Page: store.Page{Offset: off, Limit: 1000, Asc: true}})
		if err != nil {
			return err
		}
		for _, art := range arts {
			var rec consoleRecord
			if json.Unmarshal(art.Data, &rec) != nil || len(rec.Tokens) == 0 {
				clear = append(clear, art.ID)
			}
		}
		if len(arts) < 1000 {
			break
		}
	}
	for _, id := range clear {
		if err := tx.DeleteArtifact(ctx, KindConsoleSession, id); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("drop clear console session %s: %w", id, err)
		}
	}
	return nil
}
