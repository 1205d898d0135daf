package oidc

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/store"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Key rotation: a key signs for signLife; the next key is made rotateBefore the
// current one ends and starts signing only after publishLead, so every node's
// key set (cached for at most cacheTTL < publishLead) lists it before any token
// it signed exists. Keys stay published keepAfter their end, past the longest
// token lifetime.
const (
	signLife     = 30 * 24 * time.Hour
	rotateBefore = 2 * 24 * time.Hour
	publishLead  = 10 * time.Minute
	keepAfter    = 24 * time.Hour
	cacheTTL     = time.Minute
)

type signingKey struct {
	meta oauth.SigningKey
	priv *rsa.PrivateKey
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *signingKey) Key() any                                    { return k.priv }
func (k *signingKey) ID() string                                  { return k.meta.ID }

type publicKey struct{ k *signingKey }

func (p publicKey) ID() string                         { return p.k.meta.ID }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return &p.k.priv.PublicKey }

// sealer seals the secrets the provider keeps in the store with the master
// key (app.App implements it), bound to the artifact they are kept in.
type sealer interface {
	SealSecret(kind, id string, plain []byte) []byte
	OpenSecret(kind, id string, sealed []byte) ([]byte, error)
}

// keyring caches the signing keys stored in the database; their private keys
// are stored sealed.
type keyring struct {
	store store.Store
	seal  sealer
	mu    sync.Mutex
	keys  []*signingKey // sorted by NotBefore, oldest first
	at    time.Time
}

func (r *keyring) load(ctx context.Context) ([]*signingKey, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.keys != nil && time.Since(r.at) < cacheTTL {
		return r.keys, nil
	}
	arts, _, err := r.store.ListArtifacts(ctx, store.ArtifactQuery{Kind: oauth.KindSigningKey, Page: store.Page{Limit: 1000, Asc: true}})
	if err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	keys := make([]*signingKey, 0, len(arts))
	for _, a := range arts {
		var m oauth.SigningKey
		if err := json.Unmarshal(a.Data, &m); err != nil {
			return nil, fmt.Errorf("signing key %s: %w", a.ID, err)
		}
		// A key in clear is refused, not used: start seals the ones an
		// earlier version left, and only someone writing the database
		// behind Warden's back could add another.
		if len(m.Sealed) == 0 {
			return nil, fmt.Errorf("signing key %s has no sealed private key (start seals clear ones; is an older Warden writing to this database?)", a.ID)
		}
		der, err := r.seal.OpenSecret(oauth.KindSigningKey, a.ID, m.Sealed)
		if err != nil {
			return nil, fmt.Errorf("signing key: %w", err)
		}
		priv, err := x509.ParsePKCS1PrivateKey(der)
		if err != nil {
			return nil, fmt.Errorf("signing key %s: %w", a.ID, err)
		}
		keys = append(keys, &signingKey{meta: m, priv: priv})
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].meta.NotBefore.Before(keys[j].meta.NotBefore) })
	r.keys, r.at = keys, time.Now()
	return keys, nil
}

// ensure makes sure a key signs now and the next one is published in time.
func (r *keyring) ensure(ctx context.Context) error {
	keys, err := r.load(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	var newest *signingKey
	for _, k := range keys {
		if newest == nil || k.meta.NotAfter.After(newest.meta.NotAfter) {
			newest = k
		}
	}
	switch {
	case newest == nil || newest.meta.NotAfter.Before(now):
		err = r.create(ctx, now) // first start (or all expired): sign at once
	case newest.meta.NotAfter.Sub(now) < rotateBefore:
		err = r.create(ctx, now.Add(publishLead))
	default:
		return nil
	}
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.keys = nil // reload
	r.mu.Unlock()
	return nil
}

func (r *keyring) create(ctx context.Context, notBefore time.Time) error {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fmt.Errorf("generate signing key: %w", err)
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	id := hex.EncodeToString(b)
	m := oauth.SigningKey{ID: id, Algorithm: "RS256",
		Sealed:    r.seal.SealSecret(oauth.KindSigningKey, id, x509.MarshalPKCS1PrivateKey(priv)),
		NotBefore: notBefore.UTC().Truncate(time.Microsecond), NotAfter: notBefore.Add(signLife).UTC().Truncate(time.Microsecond),
		CreatedAt: store.Now()}
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return r.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return tx.PutArtifact(ctx, &store.Artifact{Kind: oauth.KindSigningKey, ID: m.ID, CreatedAt: m.CreatedAt,
			ExpiresAt: m.NotAfter.Add(keepAfter), Data: data})
	})
}

// current is the key that signs now: the newest whose NotBefore has passed.
func (r *keyring) current(ctx context.Context) (*signingKey, error) {
	if err := r.ensure(ctx); err != nil {
		return nil, err
	}
	keys, err := r.load(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	for i := len(keys) - 1; i >= 0; i-- {
		if !keys[i].meta.NotBefore.After(now) && keys[i].meta.NotAfter.After(now) {
			return keys[i], nil
		}
	}
	return nil, errors.New("no signing key in force")
}

// published lists every key a verifier may meet.
func (r *keyring) published(ctx context.Context) ([]op.Key, error) {
	keys, err := r.load(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]op.Key, 0, len(keys))
	for _, k := range keys {
		if time.Now().Before(k.meta.NotAfter.Add(keepAfter)) {
			out = append(out, publicKey{k})
		}
	}
	return out, nil
}

// sealClear seals, in place, the private keys of signing keys that versions
// before the master key stored in clear. It is idempotent, and safe with
// several nodes at once: each key is rewritten in a write that reads it again
// first, and whichever node's sealed value lands last, every node (sharing the
// master key, which CheckMasterKey ensured) opens it.
func (r *keyring) sealClear(ctx context.Context) error {
	arts, _, err := r.store.ListArtifacts(ctx, store.ArtifactQuery{Kind: oauth.KindSigningKey, Page: store.Page{Limit: 1000, Asc: true}})
	if err != nil {
		return fmt.Errorf("signing keys: %w", err)
	}
	for _, a := range arts {
		var m oauth.SigningKey
		if err := json.Unmarshal(a.Data, &m); err != nil {
			return fmt.Errorf("signing key %s: %w", a.ID, err)
		}
		if len(m.Sealed) > 0 && m.PrivatePEM == "" {
			continue
		}
		err := r.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			cur, err := tx.Artifact(ctx, oauth.KindSigningKey, a.ID)
			if errors.Is(err, store.ErrNotFound) {
				return nil // purged meanwhile
			}
			if err != nil {
				return err
			}
			var m oauth.SigningKey
			if err := json.Unmarshal(cur.Data, &m); err != nil {
				return err
			}
			if m.PrivatePEM == "" {
				return nil // sealed meanwhile by another node
			}
			block, _ := pem.Decode([]byte(m.PrivatePEM))
			if block == nil {
				return errors.New("no PEM block")
			}
			priv, err := x509.ParsePKCS1PrivateKey(block.Bytes)
			if err != nil {
				return err
			}
			m.Sealed = r.seal.SealSecret(oauth.KindSigningKey, cur.ID, x509.MarshalPKCS1PrivateKey(priv))
			m.PrivatePEM = ""
			if cur.Data, err = json.Marshal(m); err != nil {
				return err
			}
			return tx.PutArtifact(ctx, cur)
		})
		if err != nil {
			return fmt.Errorf("seal signing key %s: %w", a.ID, err)
		}
	}
	r.mu.Lock()
	r.keys = nil // reload
	r.mu.Unlock()
	return nil
}

// cryptoKey returns the instance's AES key for opaque access tokens and the id
// of its artifact, creating it once, sealed. The unique artifact key makes
// concurrent first starts agree on one. A key an earlier version stored in
// clear (32 bytes) is sealed in place.
func cryptoKey(ctx context.Context, s store.Store, sl sealer) (key [32]byte, id string, err error) {
	for attempt := 0; attempt < 2; attempt++ {
		art, err := s.ArtifactByKey(ctx, oauth.KindCryptoKey, "current")
		if err == nil {
			if len(art.Data) == len(key) {
				return sealClearCryptoKey(ctx, s, sl, art.ID)
			}
			raw, err := sl.OpenSecret(art.Kind, art.ID, art.Data)
			if err != nil {
				return key, "", fmt.Errorf("crypto key: %w", err)
			}
			if len(raw) != len(key) {
				return key, "", fmt.Errorf("crypto key: %d bytes", len(raw))
			}
			copy(key[:], raw)
			return key, art.ID, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return key, "", err
		}
		if _, err := rand.Read(key[:]); err != nil {
			return key, "", err
		}
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id := hex.EncodeToString(b)
		err = s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			return tx.PutArtifact(ctx, &store.Artifact{Kind: oauth.KindCryptoKey, ID: id, Key: "current",
				CreatedAt: store.Now(), Data: sl.SealSecret(oauth.KindCryptoKey, id, key[:])})
		})
		if err == nil {
			return key, id, nil
		}
		if !errors.Is(err, store.ErrDuplicate) {
			return key, "", err
		}
		// another node created it first: read theirs
	}
	return key, "", errors.New("crypto key: could not create or read")
}

// sealClearCryptoKey seals the clear crypto key of artifact id in place and
// returns it. Like sealClear it reads the row again in its write, so nodes
// starting together each either seal it or find it sealed.
func sealClearCryptoKey(ctx context.Context, s store.Store, sl sealer, id string) (key [32]byte, _ string, err error) {
	err = s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		art, err := tx.Artifact(ctx, oauth.KindCryptoKey, id)
		if err != nil {
			return err
		}
		if len(art.Data) != len(key) {
			raw, err := sl.OpenSecret(art.Kind, art.ID, art.Data)
			if err != nil {
				return err
			}
			if copy(key[:], raw) != len(key) {
				return fmt.Errorf("%d bytes", len(raw))
			}
			return nil // sealed meanwhile by another node
		}
		copy(key[:], art.Data)
		art.Data = sl.SealSecret(art.Kind, art.ID, key[:])
		return tx.PutArtifact(ctx, art)
	})
	if err != nil {
		return key, "", fmt.Errorf("seal crypto key: %w", err)
	}
	return key, id, nil
}
