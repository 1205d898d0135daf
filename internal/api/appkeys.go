package api

import (
	"context"
	"time"

	"github.com/warden-id/warden/internal/project"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/authn"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
)

func appKeyV1(k *project.AppKey) *authn.Key {
	return &authn.Key{Id: k.ID, Details: createDetails(k.Sequence, k.CreatedAt, k.OrgID), Type: authn.KeyType_KEY_TYPE_JSON,
		ExpirationDate: ts(k.Expiration)}
}

func (m *Management) AddAppKey(ctx context.Context, r *mgmt.AddAppKeyRequest) (*mgmt.AddAppKeyResponse, error) {
	s := scope(ctx)
	var exp time.Time
	if r.GetExpirationDate() != nil {
		if err := r.GetExpirationDate().CheckValid(); err != nil {
			return nil, errExpiration
		}
		exp = r.GetExpirationDate().AsTime()
	}
	k, file, err := m.app.AddAppKey(ctx, s, r.GetProjectId(), r.GetAppId(), int(r.GetType()), exp)
	if err != nil {
		return nil, err
	}
	return &mgmt.AddAppKeyResponse{Id: k.ID, Details: createDetails(k.Sequence, k.CreatedAt, k.OrgID), KeyDetails: file}, nil
}

func (m *Management) GetAppKey(ctx context.Context, r *mgmt.GetAppKeyRequest) (*mgmt.GetAppKeyResponse, error) {
	s := scope(ctx)
	k, err := m.app.GetAppKey(ctx, s, r.GetProjectId(), r.GetAppId(), r.GetKeyId())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetAppKeyResponse{Key: appKeyV1(k)}, nil
}

func (m *Management) ListAppKeys(ctx context.Context, r *mgmt.ListAppKeysRequest) (*mgmt.ListAppKeysResponse, error) {
	s := scope(ctx)
	pg, err := page(r.GetQuery().GetOffset(), r.GetQuery().GetLimit(), r.GetQuery().GetAsc())
	if err != nil {
		return nil, err
	}
	keys, total, err := m.app.ListAppKeys(ctx, s, r.GetProjectId(), r.GetAppId(), pg)
	if err != nil {
		return nil, err
	}
	out := &mgmt.ListAppKeysResponse{Details: listDetails(total), Result: make([]*authn.Key, len(keys))}
	for i, k := range keys {
		out.Result[i] = appKeyV1(k)
	}
	return out, nil
}

func (m *Management) RemoveAppKey(ctx context.Context, r *mgmt.RemoveAppKeyRequest) (*mgmt.RemoveAppKeyResponse, error) {
	s := scope(ctx)
	o, err := m.app.RemoveAppKey(ctx, s, r.GetProjectId(), r.GetAppId(), r.GetKeyId())
	if err != nil {
		return nil, err
	}
	return &mgmt.RemoveAppKeyResponse{Details: changeDetails(o.Sequence, o.ChangedAt, o.ID)}, nil
}
