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

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
)

// Application keys: key pairs of apps that authenticate with private_key_jwt
// (RFC 7523 client assertions at the token, introspection and revocation
// endpoints). Each is an artifact of the app's org, and each change an event on
// the org aggregate, like the app itself. Only the public key is kept.

// AppKeyFile is the JSON key file ZITADEL hands out for an app key, in its
// field order; zitadel-go's oauth.DefaultAuthorization and @zitadel/node read it.
type AppKeyFile struct {
	Type     string `json:"type"`
	KeyID    string `json:"keyId"`
	Key      string `json:"key"`
	AppID    string `json:"appId"`
	ClientID string `json:"clientId"`
}

func decodeAppKey(art *store.Artifact) (*project.AppKey, error) {
	var k project.AppKey
	if err := json.Unmarshal(art.Data, &k); err != nil {
		return nil, fmt.Errorf("app key %s: %w", art.ID, err)
	}
	return &k, nil
}

// AddAppKey generates an RSA 2048 key pair for an app that authenticates with
// private_key_jwt and returns the key with its key file (the private key,
// shown once). A zero expiration is ZITADEL's 9999-12-31.
func (a *App) AddAppKey(ctx context.Context, s Scope, projectID, appID string, keyType int, expiration time.Time) (*project.AppKey, []byte, error) {
	g, err := a.authorize(ctx, s, UseAddAppKey)
	if err != nil {
		return nil, nil, err
	}
	if err := checkID(projectID, errAppKeyIDsMissing); err != nil {
		return nil, nil, err
	}
	if err := checkID(appID, errAppKeyIDsMissing); err != nil {
		return nil, nil, err
	}
	if keyType != KeyTypeJSON {
		return nil, nil, errKeyType
	}
	exp := expiration
	if exp.IsZero() {
		exp = NoExpiration
	} else if !exp.After(time.Now()) {
		return nil, nil, errAppKeyExpired
	}
	exp = exp.UTC().Truncate(time.Microsecond)
	// Generated outside the transaction: it is slow, and Write may retry.
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, storeErr(err)
	}
	pubPEM, err := publicKeyPEM(&priv.PublicKey)
	if err != nil {
		return nil, nil, storeErr(err)
	}
	keyID := a.ids.Next()
	var out project.AppKey
	_, err = a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		if _, err := projectFor(ctx, tx, g, projectID); err != nil {
			return "", nil, err
		}
		ap, err := loadApp(ctx, tx, g.OrgID, projectID, appID)
		if errors.Is(err, errAppNotFound) {
			return "", nil, errAppKeyAppMissing
		} else if err != nil {
			return "", nil, err
		}
		if !ap.AcceptsKeys() {
			return "", nil, errAppKeysNotAllowed
		}
		out = project.AppKey{ID: keyID, AppID: ap.ID, ProjectID: ap.ProjectID, OrgID: ap.OrgID, ClientID: ap.ClientID,
			PublicKeyPEM: string(pubPEM), Expiration: exp, CreatedAt: ch.by.At, Sequence: ch.o.Sequence}
		data, err := json.Marshal(&out)
		if err != nil {
			return "", nil, err
		}
		return event.AppKeyAdded, map[string]any{"projectId": ap.ProjectID, "appId": ap.ID, "clientId": ap.ClientID, "keyId": keyID,
				"type": keyType, "expiration": exp},
			tx.PutArtifact(ctx, &store.Artifact{Kind: project.KindAppKey, ID: keyID, OrgID: ap.OrgID, CreatedAt: out.CreatedAt,
				ExpiresAt: exp, Data: data})
	})
	if err != nil {
		return nil, nil, err
	}
	privPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(priv)})
	file, err := json.Marshal(AppKeyFile{Type: "application", KeyID: out.ID, Key: string(privPEM), AppID: out.AppID, ClientID: out.ClientID})
	if err != nil {
		return nil, nil, storeErr(err)
	}
	return &out, file, nil
}

// appKeysOf reads the keys of the apps of an org for which keep is true, in id order.
func appKeysOf(ctx context.Context, r store.Reader, orgID string, keep func(*project.AppKey) bool) ([]*project.AppKey, error) {
	arts, err := allArtifacts(ctx, r, project.KindAppKey, orgID, "")
	if err != nil {
		return nil, err
	}
	var out []*project.AppKey
	for _, art := range arts {
		k, err := decodeAppKey(art)
		if err != nil {
			return nil, err
		}
		if keep(k) {
			out = append(out, k)
		}
	}
	return out, nil
}

// ListAppKeys lists an app's keys, expired ones included (as ZITADEL does,
// until they are removed); an app without keys, or none of that id, has none.
func (a *App) ListAppKeys(ctx context.Context, s Scope, projectID, appID string, pg store.Page) ([]*project.AppKey, uint64, error) {
	g, err := a.authorize(ctx, s, UseListAppKeys)
	if err != nil {
		return nil, 0, err
	}
	if err := checkID(appID, errAppIDMissing); err != nil {
		return nil, 0, err
	}
	if _, err := projectFor(ctx, a.store, g, projectID); err != nil {
		return nil, 0, storeErr(err)
	}
	all, err := appKeysOf(ctx, a.store, g.OrgID, func(k *project.AppKey) bool { return k.ProjectID == projectID && k.AppID == appID })
	if err != nil {
		return nil, 0, storeErr(err)
	}
	return pageOf(all, pg), uint64(len(all)), nil
}

// appKeyOf reads one key of an app of a project of orgID; notFound otherwise.
func appKeyOf(ctx context.Context, r store.Reader, orgID, projectID, appID, keyID string, notFound *fail.Error) (*project.AppKey, error) {
	art, err := r.Artifact(ctx, project.KindAppKey, keyID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound
	} else if err != nil {
		return nil, err
	}
	k, err := decodeAppKey(art)
	if err != nil {
		return nil, err
	}
	if art.OrgID != orgID || k.OrgID != orgID || k.ProjectID != projectID || k.AppID != appID {
		return nil, notFound
	}
	return k, nil
}

// GetAppKey returns one key of an app.
func (a *App) GetAppKey(ctx context.Context, s Scope, projectID, appID, keyID string) (*project.AppKey, error) {
	g, err := a.authorize(ctx, s, UseGetAppKey)
	if err != nil {
		return nil, err
	}
	if err := checkID(appID, errAppIDMissing); err != nil {
		return nil, err
	}
	if err := checkID(keyID, errKeyIDMissing); err != nil {
		return nil, err
	}
	if _, err := projectFor(ctx, a.store, g, projectID); err != nil {
		return nil, storeErr(err)
	}
	k, err := appKeyOf(ctx, a.store, g.OrgID, projectID, appID, keyID, errAppKeyReadNotFound)
	return k, storeErr(err)
}

// RemoveAppKey deletes a key of an app: from this commit on, no assertion
// signed with it authenticates. It returns the org as committed.
func (a *App) RemoveAppKey(ctx context.Context, s Scope, projectID, appID, keyID string) (*org.Org, error) {
	g, err := a.authorize(ctx, s, UseRemoveAppKey)
	if err != nil {
		return nil, err
	}
	if err := checkID(projectID, errProjectIDMissing); err != nil {
		return nil, err
	}
	if err := checkID(appID, errAppIDMissing); err != nil {
		return nil, err
	}
	if err := checkID(keyID, errKeyIDMissing); err != nil {
		return nil, err
	}
	return a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		if _, err := projectFor(ctx, tx, g, projectID); err != nil {
			return "", nil, err
		}
		k, err := appKeyOf(ctx, tx, g.OrgID, projectID, appID, keyID, errAppKeyNotFound)
		if err != nil {
			return "", nil, err
		}
		return event.AppKeyRemoved, map[string]any{"projectId": k.ProjectID, "appId": k.AppID, "keyId": k.ID},
			tx.DeleteArtifact(ctx, project.KindAppKey, k.ID)
	})
}

// deleteAppKeys deletes, inside a removal's write, the keys of the removed
// apps: a removed app's keys must never authenticate a later app.
func deleteAppKeys(ctx context.Context, tx store.Tx, orgID string, appIDs map[string]bool) error {
	keys, err := appKeysOf(ctx, tx, orgID, func(k *project.AppKey) bool { return appIDs[k.AppID] })
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := tx.DeleteArtifact(ctx, project.KindAppKey, k.ID); err != nil {
			return err
		}
	}
	return nil
}
