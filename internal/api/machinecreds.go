package api

import (
	"context"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/credential"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/authn"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
)

func machineKeyV1(k *credential.MachineKey, orgID string) *authn.Key {
	return &authn.Key{Id: k.ID, Details: createDetails(k.Sequence, k.CreatedAt, orgID), Type: authn.KeyType_KEY_TYPE_JSON,
		ExpirationDate: ts(k.Expiration)}
}

func (m *Management) GenerateMachineSecret(ctx context.Context, r *mgmt.GenerateMachineSecretRequest) (*mgmt.GenerateMachineSecretResponse, error) {
	s := scope(ctx)
	clientID, secret, u, err := m.app.GenerateMachineSecret(ctx, s, r.GetUserId())
	if err != nil {
		return nil, err
	}
	return &mgmt.GenerateMachineSecretResponse{ClientId: clientID, ClientSecret: secret, Details: changeDetails(u.Sequence, u.ChangedAt, u.OrgID)}, nil
}

func (m *Management) RemoveMachineSecret(ctx context.Context, r *mgmt.RemoveMachineSecretRequest) (*mgmt.RemoveMachineSecretResponse, error) {
	s := scope(ctx)
	u, err := m.app.RemoveMachineSecret(ctx, s, r.GetUserId())
	if err != nil {
		return nil, err
	}
	return &mgmt.RemoveMachineSecretResponse{Details: changeDetails(u.Sequence, u.ChangedAt, u.OrgID)}, nil
}

func (m *Management) AddMachineKey(ctx context.Context, r *mgmt.AddMachineKeyRequest) (*mgmt.AddMachineKeyResponse, error) {
	s := scope(ctx)
	var exp time.Time
	if r.GetExpirationDate() != nil {
		if err := r.GetExpirationDate().CheckValid(); err != nil {
			return nil, errExpiration
		}
		exp = r.GetExpirationDate().AsTime()
	}
	k, file, u, err := m.app.AddMachineKey(ctx, s, r.GetUserId(), app.NewMachineKey{Type: int(r.GetType()), Expiration: exp, PublicKey: r.GetPublicKey()})
	if err != nil {
		return nil, err
	}
	return &mgmt.AddMachineKeyResponse{KeyId: k.ID, KeyDetails: file, Details: createDetails(u.Sequence, k.CreatedAt, u.OrgID)}, nil
}

func (m *Management) ListMachineKeys(ctx context.Context, r *mgmt.ListMachineKeysRequest) (*mgmt.ListMachineKeysResponse, error) {
	s := scope(ctx)
	pg, err := page(r.GetQuery().GetOffset(), r.GetQuery().GetLimit(), r.GetQuery().GetAsc())
	if err != nil {
		return nil, err
	}
	keys, total, orgID, err := m.app.ListMachineKeys(ctx, s, r.GetUserId(), pg)
	if err != nil {
		return nil, err
	}
	out := &mgmt.ListMachineKeysResponse{Details: listDetails(total), Result: make([]*authn.Key, len(keys))}
	for i, k := range keys {
		out.Result[i] = machineKeyV1(k, orgID)
	}
	return out, nil
}

func (m *Management) GetMachineKeyByIDs(ctx context.Context, r *mgmt.GetMachineKeyByIDsRequest) (*mgmt.GetMachineKeyByIDsResponse, error) {
	s := scope(ctx)
	k, orgID, err := m.app.GetMachineKey(ctx, s, r.GetUserId(), r.GetKeyId())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetMachineKeyByIDsResponse{Key: machineKeyV1(k, orgID)}, nil
}

func (m *Management) RemoveMachineKey(ctx context.Context, r *mgmt.RemoveMachineKeyRequest) (*mgmt.RemoveMachineKeyResponse, error) {
	s := scope(ctx)
	u, err := m.app.RemoveMachineKey(ctx, s, r.GetUserId(), r.GetKeyId())
	if err != nil {
		return nil, err
	}
	return &mgmt.RemoveMachineKeyResponse{Details: changeDetails(u.Sequence, u.ChangedAt, u.OrgID)}, nil
}
