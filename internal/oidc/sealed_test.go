package oidc

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/masterkey"
	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/zitadel/oidc/v3/pkg/crypto"
	"github.com/zitadel/oidc/v3/pkg/op"
)

func newKey(t testing.TB) *masterkey.Key {
	t.Helper()
	k, err := masterkey.New(masterkey.Generate())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newProvider(ctx context.Context, s store.Store, mk *masterkey.Key) (*Provider, error) {
	log := slog.New(slog.DiscardHandler)
	return New(ctx, app.New(s, log, "localhost", app.WithMasterKey(mk)), s, "http://127.0.0.1:1", log)
}

func signingKeys(t testing.TB, s store.Store) []oauth.SigningKey {
	t.Helper()
	arts, _, err := s.ListArtifacts(context.Background(), store.ArtifactQuery{Kind: oauth.KindSigningKey, Page: store.Page{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]oauth.SigningKey, len(arts))
	for i, a := range arts {
		if bytes.Contains(a.Data, []byte("PRIVATE KEY")) {
			t.Errorf("signing key %s is stored in clear: %s", a.ID, a.Data)
		}
		if err := json.Unmarshal(a.Data, &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestKeysSealedAtRest: the provider stores its signing keys and the opaque
// token key only sealed with the master key, bound to their rows; a sealed
// value moved to another row does not open; and a token encrypted with AES-CFB
// under the real key does not decode.
func TestKeysSealedAtRest(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		ctx := context.Background()
		s := open(t)
		mk := newKey(t)
		p, err := newProvider(ctx, s, mk)
		if err != nil {
			t.Fatal(err)
		}
		keys := signingKeys(t, s)
		if len(keys) != 1 || len(keys[0].Sealed) == 0 || keys[0].PrivatePEM != "" {
			t.Fatalf("signing keys: %+v", keys)
		}
		der, err := mk.Open(keys[0].Sealed, []byte("signing_key/"+keys[0].ID))
		if err != nil {
			t.Fatalf("the signing key does not open with the master key: %v", err)
		}
		if _, err := x509.ParsePKCS1PrivateKey(der); err != nil {
			t.Fatal(err)
		}

		art, err := s.ArtifactByKey(ctx, oauth.KindCryptoKey, "current")
		if err != nil {
			t.Fatal(err)
		}
		if len(art.Data) == 32 {
			t.Fatal("the crypto key is stored in clear")
		}
		raw, err := mk.Open(art.Data, []byte("crypto_key/"+art.ID))
		if err != nil || len(raw) != 32 {
			t.Fatalf("the crypto key does not open: %d %v", len(raw), err)
		}
		if _, err := mk.Open(art.Data, []byte("crypto_key/elsewhere")); !errors.Is(err, masterkey.ErrSealed) {
			t.Fatalf("a sealed value opened in another row: %v", err)
		}
		if _, err := mk.Open(art.Data, []byte("signing_key/"+art.ID)); !errors.Is(err, masterkey.ErrSealed) {
			t.Fatalf("a sealed value opened as another kind: %v", err)
		}

		var key [32]byte
		copy(key[:], raw)
		gcm, err := op.NewAES256GCMCrypto(key, "").Encrypt("tok1:user1")
		if err != nil {
			t.Fatal(err)
		}
		if id, sub, ok := p.Decode(ctx, gcm); !ok || id != "tok1" || sub != "user1" {
			t.Fatalf("an AES-GCM token under the key: %q %q %v", id, sub, ok)
		}
		//lint:ignore SA1019 AES-CFB is what must be refused
		cfb, err := crypto.EncryptAES("tok1:user1", string(key[:]))
		if err != nil {
			t.Fatal(err)
		}
		if id, sub, ok := p.Decode(ctx, cfb); ok {
			t.Fatalf("an AES-CFB token under the key decoded to %q %q", id, sub)
		}
	})
}

// TestWrongMasterKeyMakesNoKeys: a store set up with one master key refuses a
// provider with another, with ErrMasterKeyMismatch, and nothing new is stored.
func TestWrongMasterKeyMakesNoKeys(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		ctx := context.Background()
		s := open(t)
		if _, err := newProvider(ctx, s, newKey(t)); err != nil {
			t.Fatal(err)
		}
		before := dumpArtifacts(t, s)
		_, err := newProvider(ctx, s, newKey(t))
		if !errors.Is(err, app.ErrMasterKeyMismatch) {
			t.Fatalf("another master key: %v, want ErrMasterKeyMismatch", err)
		}
		t.Log(err)
		if after := dumpArtifacts(t, s); after != before {
			t.Fatal("a refused start changed the stored keys")
		}
	})
}

func dumpArtifacts(t testing.TB, s store.Store) string {
	t.Helper()
	var b bytes.Buffer
	for _, kind := range []string{oauth.KindSigningKey, oauth.KindCryptoKey, app.KindMasterKeyCheck} {
		arts, _, err := s.ListArtifacts(context.Background(), store.ArtifactQuery{Kind: kind, Page: store.Page{Limit: 100, Asc: true}})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range arts {
			b.WriteString(a.Kind + "/" + a.ID + "=")
			b.Write(a.Data)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// TestUpgradeSealsClearKeys: a store an earlier version wrote (a clear crypto
// key, a signing key as clear PEM, no check value) is sealed in place when
// several nodes start on it at once; the keys stay the same (tokens issued
// before still decode, the old key is still published), and a later start
// changes nothing.
func TestUpgradeSealsClearKeys(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		ctx := context.Background()
		s := open(t)

		// What the previous version stored.
		var clear [32]byte
		_, _ = rand.Read(clear[:])
		priv, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		now := store.Now()
		old := oauth.SigningKey{ID: "0123456789abcdef0123456789abcdef", Algorithm: "RS256",
			PrivatePEM: string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(priv)})),
			NotBefore:  now.Add(-time.Hour), NotAfter: now.Add(signLife - time.Hour), CreatedAt: now.Add(-time.Hour)}
		data, _ := json.Marshal(old)
		err = s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			if err := tx.PutArtifact(ctx, &store.Artifact{Kind: oauth.KindCryptoKey, ID: "c0ffee", Key: "current", CreatedAt: now,
				Data: append([]byte(nil), clear[:]...)}); err != nil {
				return err
			}
			return tx.PutArtifact(ctx, &store.Artifact{Kind: oauth.KindSigningKey, ID: old.ID, CreatedAt: old.CreatedAt,
				ExpiresAt: old.NotAfter.Add(keepAfter), Data: data})
		})
		if err != nil {
			t.Fatal(err)
		}
		issued, err := op.NewAES256GCMCrypto(clear, "").Encrypt("before:upgrade")
		if err != nil {
			t.Fatal(err)
		}

		// Four nodes start at once on it.
		mk := newKey(t)
		var wg sync.WaitGroup
		provs := make([]*Provider, 4)
		errs := make([]error, 4)
		for i := range provs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				provs[i], errs[i] = newProvider(ctx, s, mk)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("node %d: %v", i, err)
			}
		}

		art, err := s.ArtifactByKey(ctx, oauth.KindCryptoKey, "current")
		if err != nil || art.ID != "c0ffee" {
			t.Fatalf("crypto key: %+v %v", art, err)
		}
		raw, err := mk.Open(art.Data, []byte("crypto_key/c0ffee"))
		if err != nil || !bytes.Equal(raw, clear[:]) {
			t.Fatalf("the crypto key was not sealed as it was: %v", err)
		}
		keys := signingKeys(t, s)
		if len(keys) != 1 || keys[0].ID != old.ID || keys[0].PrivatePEM != "" {
			t.Fatalf("signing keys after the upgrade: %+v", keys)
		}
		der, err := mk.Open(keys[0].Sealed, []byte("signing_key/"+old.ID))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := x509.ParsePKCS1PrivateKey(der); err != nil || !got.Equal(priv) {
			t.Fatalf("the signing key changed in sealing: %v", err)
		}
		for i, p := range provs {
			if id, sub, ok := p.Decode(ctx, issued); !ok || id != "before" || sub != "upgrade" {
				t.Errorf("node %d: a token issued before the upgrade: %q %q %v", i, id, sub, ok)
			}
			k, err := p.storage.SigningKey(ctx)
			if err != nil || k.ID() != old.ID {
				t.Errorf("node %d signs with %v, %v; want the upgraded key", i, k, err)
			}
		}

		// A later start finds nothing to do.
		before := dumpArtifacts(t, s)
		if _, err := newProvider(ctx, s, mk); err != nil {
			t.Fatal(err)
		}
		if after := dumpArtifacts(t, s); after != before {
			t.Fatalf("a second start rewrote sealed keys:\n%s\n%s", before, after)
		}
	})
}
