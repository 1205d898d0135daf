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

// keyring caches the signing keys stored in the database.
type keyring struct {
	store store.Store
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
		block, _ := pem.Decode([]byte(m.PrivatePEM))
		if block == nil {
			return nil, fmt.Errorf("signing key %s: no PEM block", a.ID)
		}
		priv, err := x509.ParsePKCS1PrivateKey(block.Bytes)
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
	m := oauth.SigningKey{ID: hex.EncodeToString(b), Algorithm: "RS256",
		PrivatePEM: string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(priv)})),
		NotBefore:  notBefore.UTC().Truncate(time.Microsecond), NotAfter: notBefore.Add(signLife).UTC().Truncate(time.Microsecond),
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

// cryptoKey returns the instance's AES key for opaque access tokens, creating it
// once. The unique artifact key makes concurrent first starts agree on one.
func cryptoKey(ctx context.Context, s store.Store) ([32]byte, error) {
	var key [32]byte
	for attempt := 0; attempt < 2; attempt++ {
		art, err := s.ArtifactByKey(ctx, oauth.KindCryptoKey, "current")
		if err == nil {
			if len(art.Data) != 32 {
				return key, fmt.Errorf("crypto key: %d bytes", len(art.Data))
			}
			copy(key[:], art.Data)
			return key, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return key, err
		}
		if _, err := rand.Read(key[:]); err != nil {
			return key, err
		}
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		err = s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			return tx.PutArtifact(ctx, &store.Artifact{Kind: oauth.KindCryptoKey, ID: hex.EncodeToString(b), Key: "current",
				CreatedAt: store.Now(), Data: append([]byte(nil), key[:]...)})
		})
		if err == nil {
			return key, nil
		}
		if !errors.Is(err, store.ErrDuplicate) {
			return key, err
		}
		// another node created it first: read theirs
	}
	return key, errors.New("crypto key: could not create or read")
}
