package oidc

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/sqlite"
)

// TestKeyRotation: the first key signs at once; a key near its end gets a
// successor that is published at once but signs only after publishLead, and
// the old key stays published after its end.
func TestKeyRotation(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := &keyring{store: s, seal: app.New(s, slog.New(slog.DiscardHandler), "localhost")}
	first, err := r.current(ctx)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := r.current(ctx)
	if again.ID() != first.ID() {
		t.Fatal("a second call made another key")
	}

	// Age the key: one day of signing left, inside the rotation window.
	err = s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		a, err := tx.Artifact(ctx, oauth.KindSigningKey, first.ID())
		if err != nil {
			return err
		}
		var m oauth.SigningKey
		if err := json.Unmarshal(a.Data, &m); err != nil {
			return err
		}
		m.NotBefore = time.Now().Add(-signLife + 24*time.Hour)
		m.NotAfter = time.Now().Add(24 * time.Hour)
		a.Data, _ = json.Marshal(m)
		return tx.PutArtifact(ctx, a)
	})
	if err != nil {
		t.Fatal(err)
	}
	r.keys = nil // drop the cache, as cacheTTL would
	cur, err := r.current(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cur.ID() != first.ID() {
		t.Fatal("the successor signs before its publish lead")
	}
	pub, err := r.published(ctx)
	if err != nil || len(pub) != 2 {
		t.Fatalf("published %d keys, %v; want the old and the next", len(pub), err)
	}
	next := r.keys[len(r.keys)-1]
	if d := time.Until(next.meta.NotBefore); d < publishLead-time.Minute || d > publishLead {
		t.Fatalf("successor starts in %v, want about %v", d, publishLead)
	}
	// No third key while the successor waits.
	r.keys = nil
	if _, err := r.current(ctx); err != nil {
		t.Fatal(err)
	}
	if pub, _ := r.published(ctx); len(pub) != 2 {
		t.Fatalf("%d keys after a second ensure", len(pub))
	}
}

// TestCryptoKeyOnce: concurrent first uses agree on one key.
func TestCryptoKeyOnce(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a := app.New(s, slog.New(slog.DiscardHandler), "localhost")
	keys := make(chan [32]byte, 8)
	for i := 0; i < 8; i++ {
		go func() {
			k, _, err := cryptoKey(ctx, s, a)
			if err != nil {
				t.Error(err)
			}
			keys <- k
		}()
	}
	first := <-keys
	for i := 1; i < 8; i++ {
		if k := <-keys; k != first {
			t.Fatal("two different crypto keys")
		}
	}
}
