package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
)

// TestPurgeExpired: the purge deletes every expired artifact of the kinds no
// one reads after expiry — more than one batch of them — keeps live ones and
// every other kind, and keeps a machine key past its expiration, which the API
// still lists and returns (as ZITADEL does).
func TestPurgeExpired(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, sc := testApp(t, open)
		ctx := context.Background()
		now := store.Now()
		before, _, err := a.store.ListArtifacts(ctx, store.ArtifactQuery{Kind: "signing_key"})
		if err != nil {
			t.Fatal(err)
		}

		const batch = 100
		var expired, live []*store.Artifact
		for _, kind := range purgeKinds {
			for i := range 3 {
				expired = append(expired, &store.Artifact{Kind: kind, ID: fmt.Sprintf("old-%d", i), Key: fmt.Sprintf("old-key-%d", i),
					CreatedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Duration(i+1) * time.Minute)})
			}
			live = append(live, &store.Artifact{Kind: kind, ID: "live", Key: "live-key", CreatedAt: now, ExpiresAt: now.Add(time.Hour)})
		}
		// Two and a half batches of one kind (client-credentials load makes access tokens).
		for i := range 5 * batch / 2 {
			expired = append(expired, &store.Artifact{Kind: "access_token", ID: fmt.Sprintf("bulk-%d", i),
				CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-time.Second)})
		}
		// Expired, but of kinds that are read after expiry or never expire.
		other := &store.Artifact{Kind: "api_consent", ID: "c", CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-time.Minute)}
		purgePut(t, a, append(append(expired, live...), other)...)

		// A machine key whose expiration passed: written through the API with a
		// future one, then moved into the past as time would.
		m, err := a.AddMachine(ctx, sc, NewMachine{UserName: "robot", Name: "Robot"})
		if err != nil {
			t.Fatal(err)
		}
		k, _, _, err := a.AddMachineKey(ctx, sc, m.ID, NewMachineKey{Type: KeyTypeJSON, Expiration: now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		art, err := a.store.Artifact(ctx, credential.KindMachineKey, k.ID)
		if err != nil {
			t.Fatal(err)
		}
		k.Expiration = now.Add(-time.Hour)
		art.ExpiresAt = k.Expiration
		if art.Data, err = json.Marshal(k); err != nil {
			t.Fatal(err)
		}
		purgePut(t, a, art)

		n, err := a.PurgeExpired(ctx, batch)
		if err != nil || n != int64(len(expired)) {
			t.Fatalf("purge: %d deleted, %v; want %d", n, err, len(expired))
		}
		for _, x := range expired {
			if _, err := a.store.Artifact(ctx, x.Kind, x.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s/%s expired but still there (%v)", x.Kind, x.ID, err)
			}
		}
		for _, x := range append(live, other) {
			if _, err := a.store.Artifact(ctx, x.Kind, x.ID); err != nil {
				t.Errorf("%s/%s should stay: %v", x.Kind, x.ID, err)
			}
		}
		// The bootstrap's signing keys are live and stay.
		if after, _, err := a.store.ListArtifacts(ctx, store.ArtifactQuery{Kind: "signing_key"}); err != nil || len(after) != len(before)+1 {
			t.Errorf("signing keys: %d before (+1 live added), %d after, %v", len(before), len(after), err)
		}
		keys, total, _, err := a.ListMachineKeys(ctx, sc, m.ID, store.Page{})
		if err != nil || total != 1 || len(keys) != 1 || keys[0].ID != k.ID {
			t.Fatalf("expired machine key not listed after the purge: %d keys (%d), %v", len(keys), total, err)
		}
		if got, _, err := a.GetMachineKey(ctx, sc, m.ID, k.ID); err != nil || !got.Expiration.Equal(k.Expiration) {
			t.Fatalf("expired machine key after the purge: %+v, %v", got, err)
		}

		if n, err := a.PurgeExpired(ctx, batch); err != nil || n != 0 {
			t.Errorf("second purge: %d, %v", n, err)
		}
	})
}

// TestPurgeStopsBetweenBatches: a purge whose context has ended (shutdown)
// starts no batch and is no failure; the next run deletes what is left.
func TestPurgeStopsBetweenBatches(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, _ := testApp(t, open)
		now := store.Now()
		purgePut(t, a, &store.Artifact{Kind: "access_token", ID: "old", CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-time.Second)})
		stopped, cancel := context.WithCancel(context.Background())
		cancel()
		if n, err := a.PurgeExpired(stopped, PurgeBatch); err != nil || n != 0 {
			t.Fatalf("stopped purge: %d, %v; want 0, nil", n, err)
		}
		if n, err := a.PurgeJobEvery(time.Minute).Run(context.Background()); err != nil || n != 1 {
			t.Fatalf("next run: %d, %v; want 1", n, err)
		}
	})
}

func purgePut(t *testing.T, a *App, arts ...*store.Artifact) {
	t.Helper()
	err := a.store.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
		for _, x := range arts {
			if err := tx.PutArtifact(ctx, x); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
