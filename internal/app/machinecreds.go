package app

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// Machine credentials for the client credentials grant (a secret) and the JWT
// profile grant (key pairs). Each is an artifact of its user, issued by an
// administrator: like a PAT it is refused while the user cannot authenticate
// and valid again after an unlock (compat.md, "What a lock does").

// KeyTypeJSON is zitadel.authn.v1.KeyType KEY_TYPE_JSON.
const KeyTypeJSON = 1

// NoExpiration is the expiration of keys created without one (ZITADEL's).
var NoExpiration = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

// onMachine lets decide change machine users only.
func onMachine(decide userDecision) userDecision {
	return func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error) {
		if u.Type != user.TypeMachine {
			return nil, user.ErrNotMachine
		}
		return decide(ctx, tx, u)
	}
}

// machineForRead loads a machine user for an authorized query.
func (a *App) machineForRead(ctx context.Context, g granted, userID string) (*user.User, error) {
	u, err := a.visibleUser(ctx, g, userID, user.ErrGetNotFound)
	if err != nil {
		return nil, err
	}
	if u.Type != user.TypeMachine {
		return nil, user.ErrNotMachine
	}
	return u, nil
}

// GenerateMachineSecret sets a new client secret for a machine user and returns
// the client id (the user name) and the secret, shown once.
func (a *App) GenerateMachineSecret(ctx context.Context, s Scope, userID string) (string, string, *user.User, error) {
	g, err := a.authorize(ctx, s, UseGenerateMachineSecret)
	if err != nil {
		return "", "", nil, err
	}
	if err := checkID(userID, errUserIDMissing); err != nil {
		return "", "", nil, err
	}
	secret, hash := newSecret()
	u, err := a.changeUser(ctx, g, userID, errMachineUserMissing, onMachine(func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error) {
		if !u.CanAuthenticate() {
			return nil, user.ErrNotActiveOrInitial
		}
		ev := u.Record(event.MachineSecretSet, actor(g.Caller), nil)
		ms := credential.MachineSecret{UserID: u.ID, Hash: hash, CreatedAt: ev.CreatedAt, Epoch: u.CredentialEpoch}
		data, err := json.Marshal(ms)
		if err != nil {
			return nil, err
		}
		return []event.Event{ev}, tx.PutArtifact(ctx, &store.Artifact{Kind: credential.KindMachineSecret, ID: u.ID, UserID: u.ID, OrgID: u.OrgID,
			CreatedAt: ms.CreatedAt, Data: data})
	}))
	if err != nil {
		return "", "", nil, err
	}
	return u.UserName, secret, u, nil
}

// RemoveMachineSecret deletes a machine user's client secret.
func (a *App) RemoveMachineSecret(ctx context.Context, s Scope, userID string) (*user.User, error) {
	g, err := a.authorize(ctx, s, UseRemoveMachineSecret)
	if err != nil {
		return nil, err
	}
	if err := checkID(userID, errUserIDMissing); err != nil {
		return nil, err
	}
	return a.changeUser(ctx, g, userID, errMachineUserMissing, onMachine(func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error) {
		if _, err := tx.Artifact(ctx, credential.KindMachineSecret, u.ID); errors.Is(err, store.ErrNotFound) {
			return nil, errSecretMissing
		} else if err != nil {
			return nil, err
		}
		ev := u.Record(event.MachineSecretRemoved, actor(g.Caller), nil)
		return []event.Event{ev}, tx.DeleteArtifact(ctx, credential.KindMachineSecret, u.ID)
	}))
}

// NewMachineKey is the input of AddMachineKey.
type NewMachineKey struct {
	Type       int       // KeyTypeJSON
	Expiration time.Time // zero: NoExpiration
	PublicKey  []byte    // optional PEM; without it Warden generates the pair
}

// MachineKeyFile is the JSON key file ZITADEL hands out (and its SDKs read).
type MachineKeyFile struct {
	Type   string `json:"type"`
	KeyID  string `json:"keyId"`
	Key    string `json:"key"`
	UserID string `json:"userId"`
}

// AddMachineKey registers a key for a machine user. Without a public key in the
// input it generates an RSA 2048 pair and returns the key file (with the private
// key, shown once); with one it returns no key file.
func (a *App) AddMachineKey(ctx context.Context, s Scope, userID string, in NewMachineKey) (*credential.MachineKey, []byte, *user.User, error) {
	g, err := a.authorize(ctx, s, UseAddMachineKey)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := checkID(userID, errUserIDMissing); err != nil {
		return nil, nil, nil, err
	}
	if in.Type != KeyTypeJSON {
		return nil, nil, nil, errKeyType
	}
	exp := in.Expiration
	if exp.IsZero() {
		exp = NoExpiration
	} else if !exp.After(time.Now()) {
		return nil, nil, nil, errExpiryPast
	}
	exp = exp.UTC().Truncate(time.Microsecond)
	var pubPEM []byte
	var privPEM []byte
	if len(in.PublicKey) > 0 {
		pub, err := parseRSAPublicKey(in.PublicKey)
		if err != nil {
			return nil, nil, nil, errPublicKey.Wrap(err)
		}
		if pubPEM, err = publicKeyPEM(pub); err != nil {
			return nil, nil, nil, storeErr(err)
		}
	} else {
		// Generated outside the transaction: it is slow, and Write may retry.
		priv, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, nil, nil, storeErr(err)
		}
		privPEM = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(priv)})
		if pubPEM, err = publicKeyPEM(&priv.PublicKey); err != nil {
			return nil, nil, nil, storeErr(err)
		}
	}
	k := &credential.MachineKey{ID: a.ids.Next(), UserID: userID, PublicKeyPEM: string(pubPEM), Expiration: exp}
	u, err := a.changeUser(ctx, g, userID, errMachineUserMissing, onMachine(func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error) {
		if !u.CanAuthenticate() {
			return nil, user.ErrNotActiveOrInitial
		}
		ev := u.Record(event.MachineKeyAdded, actor(g.Caller), map[string]any{"keyId": k.ID, "type": in.Type, "expiration": k.Expiration})
		k.CreatedAt, k.Epoch, k.Sequence = ev.CreatedAt, u.CredentialEpoch, u.Sequence
		data, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		return []event.Event{ev}, tx.PutArtifact(ctx, &store.Artifact{Kind: credential.KindMachineKey, ID: k.ID, UserID: u.ID, OrgID: u.OrgID,
			CreatedAt: k.CreatedAt, ExpiresAt: k.Expiration, Data: data})
	}))
	if err != nil {
		return nil, nil, nil, err
	}
	var file []byte
	if privPEM != nil {
		file, err = json.Marshal(MachineKeyFile{Type: "serviceaccount", KeyID: k.ID, Key: string(privPEM), UserID: userID})
		if err != nil {
			return nil, nil, nil, storeErr(err)
		}
	}
	return k, file, u, nil
}

func publicKeyPEM(pub *rsa.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// parseRSAPublicKey reads a PEM "PUBLIC KEY" (PKIX) or "RSA PUBLIC KEY" (PKCS#1).
func parseRSAPublicKey(b []byte) (*rsa.PublicKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("no PEM block")
	}
	var pub *rsa.PublicKey
	switch blk.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(blk.Bytes)
		if err != nil {
			return nil, err
		}
		r, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("not an RSA key: %T", k)
		}
		pub = r
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(blk.Bytes)
		if err != nil {
			return nil, err
		}
		pub = k
	default:
		return nil, fmt.Errorf("PEM block %q", blk.Type)
	}
	if pub.N.BitLen() < 2048 {
		return nil, fmt.Errorf("%d bit key", pub.N.BitLen())
	}
	return pub, nil
}

func decodeMachineKey(art *store.Artifact) (*credential.MachineKey, error) {
	var k credential.MachineKey
	if err := json.Unmarshal(art.Data, &k); err != nil {
		return nil, fmt.Errorf("machine key %s: %w", art.ID, err)
	}
	return &k, nil
}

// ListMachineKeys lists a machine user's keys (expired ones until purged); it
// also returns the user's org for the details.
func (a *App) ListMachineKeys(ctx context.Context, s Scope, userID string, p store.Page) ([]*credential.MachineKey, uint64, string, error) {
	g, err := a.authorize(ctx, s, UseListMachineKeys)
	if err != nil {
		return nil, 0, "", err
	}
	u, err := a.machineForRead(ctx, g, userID)
	if err != nil {
		return nil, 0, "", err
	}
	arts, total, err := a.store.ListArtifacts(ctx, store.ArtifactQuery{Kind: credential.KindMachineKey, UserID: u.ID, Page: p})
	if err != nil {
		return nil, 0, "", storeErr(err)
	}
	out := make([]*credential.MachineKey, 0, len(arts))
	for _, art := range arts {
		k, err := decodeMachineKey(art)
		if err != nil {
			return nil, 0, "", storeErr(err)
		}
		out = append(out, k)
	}
	return out, total, u.OrgID, nil
}

// GetMachineKey returns one key of a machine user and the user's org.
func (a *App) GetMachineKey(ctx context.Context, s Scope, userID, keyID string) (*credential.MachineKey, string, error) {
	g, err := a.authorize(ctx, s, UseGetMachineKey)
	if err != nil {
		return nil, "", err
	}
	if err := checkID(keyID, errKeyIDMissing); err != nil {
		return nil, "", err
	}
	u, err := a.machineForRead(ctx, g, userID)
	if err != nil {
		return nil, "", err
	}
	art, err := a.store.Artifact(ctx, credential.KindMachineKey, keyID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && art.UserID != u.ID) {
		return nil, "", errKeyNotFound
	}
	if err != nil {
		return nil, "", storeErr(err)
	}
	k, err := decodeMachineKey(art)
	return k, u.OrgID, storeErr(err)
}

// RemoveMachineKey deletes a key of a machine user.
func (a *App) RemoveMachineKey(ctx context.Context, s Scope, userID, keyID string) (*user.User, error) {
	g, err := a.authorize(ctx, s, UseRemoveMachineKey)
	if err != nil {
		return nil, err
	}
	if err := checkID(userID, errUserIDMissing); err != nil {
		return nil, err
	}
	if err := checkID(keyID, errKeyIDMissing); err != nil {
		return nil, err
	}
	return a.changeUser(ctx, g, userID, errMachineUserMissing, onMachine(func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error) {
		art, err := tx.Artifact(ctx, credential.KindMachineKey, keyID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && art.UserID != u.ID) {
			return nil, errKeyNotFound
		} else if err != nil {
			return nil, err
		}
		ev := u.Record(event.MachineKeyRemoved, actor(g.Caller), map[string]any{"keyId": keyID})
		return []event.Event{ev}, tx.DeleteArtifact(ctx, credential.KindMachineKey, keyID)
	}))
}
