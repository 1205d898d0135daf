package api

import (
	"context"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/store"
	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	userpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Machine credentials in user v2: converters over the use cases management
// v1 calls (app/machinecreds.go, app/tokens.go); the lists search every user
// the caller may read (app/credsearch.go).

// expirationArg reads an optional expiration date (zero: none).
func expirationArg(t *timestamppb.Timestamp) (time.Time, error) {
	if t == nil {
		return time.Time{}, nil
	}
	if err := t.CheckValid(); err != nil {
		return time.Time{}, errExpiration
	}
	return t.AsTime(), nil
}

func (s *UserV2) AddSecret(ctx context.Context, r *userv2.AddSecretRequest) (*userv2.AddSecretResponse, error) {
	_, secret, u, err := s.app.GenerateMachineSecret(ctx, scopeV2(ctx), r.GetUserId())
	if err != nil {
		return nil, err
	}
	return &userv2.AddSecretResponse{CreationDate: ts(u.ChangedAt), ClientSecret: secret}, nil
}

func (s *UserV2) RemoveSecret(ctx context.Context, r *userv2.RemoveSecretRequest) (*userv2.RemoveSecretResponse, error) {
	u, err := s.app.RemoveMachineSecret(ctx, scopeV2(ctx), r.GetUserId())
	if err != nil {
		return nil, err
	}
	return &userv2.RemoveSecretResponse{DeletionDate: ts(u.ChangedAt)}, nil
}

// AddKey adds a JSON key (v2 has no other type); without a public key the
// answer carries the generated key file, as ZITADEL's.
func (s *UserV2) AddKey(ctx context.Context, r *userv2.AddKeyRequest) (*userv2.AddKeyResponse, error) {
	exp, err := expirationArg(r.GetExpirationDate())
	if err != nil {
		return nil, err
	}
	k, file, _, err := s.app.AddMachineKey(ctx, scopeV2(ctx), r.GetUserId(), app.NewMachineKey{Type: app.KeyTypeJSON, Expiration: exp, PublicKey: r.GetPublicKey()})
	if err != nil {
		return nil, err
	}
	return &userv2.AddKeyResponse{CreationDate: ts(k.CreatedAt), KeyId: k.ID, KeyContent: file}, nil
}

func (s *UserV2) RemoveKey(ctx context.Context, r *userv2.RemoveKeyRequest) (*userv2.RemoveKeyResponse, error) {
	u, err := s.app.RemoveMachineKey(ctx, scopeV2(ctx), r.GetUserId(), r.GetKeyId())
	if err != nil {
		return nil, err
	}
	return &userv2.RemoveKeyResponse{DeletionDate: ts(u.ChangedAt)}, nil
}

func (s *UserV2) AddPersonalAccessToken(ctx context.Context, r *userv2.AddPersonalAccessTokenRequest) (*userv2.AddPersonalAccessTokenResponse, error) {
	exp, err := expirationArg(r.GetExpirationDate())
	if err != nil {
		return nil, err
	}
	p, token, _, err := s.app.AddPAT(ctx, scopeV2(ctx), r.GetUserId(), exp)
	if err != nil {
		return nil, err
	}
	return &userv2.AddPersonalAccessTokenResponse{CreationDate: ts(p.CreatedAt), TokenId: p.ID, Token: token}, nil
}

func (s *UserV2) RemovePersonalAccessToken(ctx context.Context, r *userv2.RemovePersonalAccessTokenRequest) (*userv2.RemovePersonalAccessTokenResponse, error) {
	u, err := s.app.RemovePAT(ctx, scopeV2(ctx), r.GetUserId(), r.GetTokenId())
	if err != nil {
		return nil, err
	}
	return &userv2.RemovePersonalAccessTokenResponse{DeletionDate: ts(u.ChangedAt)}, nil
}

// credentialFilter is one of the five filters ListKeys and
// ListPersonalAccessTokens share (same numbers, same kinds).
type credentialFilter struct {
	id, userID, orgID *filterv2.IDFilter
	created, expires  *filterv2.TimestampFilter
}

// credentialQuery reads the shared filters, sorting column and pagination.
func credentialQuery(fs []credentialFilter, sort int32, p *filterv2.PaginationRequest) (store.CredentialQuery, error) {
	var q store.CredentialQuery
	if sort < int32(store.SortCredCreated) || sort > int32(store.SortCredExpiration) {
		return q, errSortColumn
	}
	q.Sort = store.CredentialSort(sort)
	pg, err := pageV2(p)
	if err != nil {
		return q, err
	}
	q.Page = pg
	cond := func(f *filterv2.TimestampFilter) (store.TimeCond, error) {
		m, err := timeMatch(f)
		if err != nil {
			return store.TimeCond{}, err
		}
		// TimestampFilterMethod numbers are store.TimeOp's.
		return store.TimeCond{Op: store.TimeOp(m.Method), At: m.At}, nil
	}
	for _, f := range fs {
		switch {
		case f.id != nil:
			q.IDs = append(q.IDs, f.id.GetId())
		case f.userID != nil:
			q.UserIDs = append(q.UserIDs, f.userID.GetId())
		case f.orgID != nil:
			q.OrgIDs = append(q.OrgIDs, f.orgID.GetId())
		case f.created != nil:
			c, err := cond(f.created)
			if err != nil {
				return q, err
			}
			q.Created = append(q.Created, c)
		case f.expires != nil:
			c, err := cond(f.expires)
			if err != nil {
				return q, err
			}
			q.Expires = append(q.Expires, c)
		default:
			return q, errListQuery
		}
	}
	return q, nil
}

func (s *UserV2) ListKeys(ctx context.Context, r *userv2.ListKeysRequest) (*userv2.ListKeysResponse, error) {
	fs := make([]credentialFilter, len(r.GetFilters()))
	for i, f := range r.GetFilters() {
		fs[i] = credentialFilter{id: f.GetKeyIdFilter(), userID: f.GetUserIdFilter(), orgID: f.GetOrganizationIdFilter(),
			created: f.GetCreatedDateFilter(), expires: f.GetExpirationDateFilter()}
	}
	q, err := credentialQuery(fs, int32(r.GetSortingColumn()), r.GetPagination())
	if err != nil {
		return nil, err
	}
	keys, total, err := s.app.SearchMachineKeys(ctx, scopeV2(ctx), q)
	if err != nil {
		return nil, err
	}
	out := &userv2.ListKeysResponse{Pagination: &filterv2.PaginationResponse{TotalResult: total, AppliedLimit: uint64(store.ClampLimit(q.Page.Limit))},
		Result: make([]*userv2.Key, len(keys))}
	for i, k := range keys {
		// A key never changes: its change date is its creation.
		out.Result[i] = &userv2.Key{CreationDate: ts(k.CreatedAt), ChangeDate: ts(k.CreatedAt), Id: k.ID, UserId: k.UserID,
			OrganizationId: k.OrgID, ExpirationDate: ts(k.Expiration)}
	}
	return out, nil
}

func (s *UserV2) ListPersonalAccessTokens(ctx context.Context, r *userv2.ListPersonalAccessTokensRequest) (*userv2.ListPersonalAccessTokensResponse, error) {
	fs := make([]credentialFilter, len(r.GetFilters()))
	for i, f := range r.GetFilters() {
		fs[i] = credentialFilter{id: f.GetTokenIdFilter(), userID: f.GetUserIdFilter(), orgID: f.GetOrganizationIdFilter(),
			created: f.GetCreatedDateFilter(), expires: f.GetExpirationDateFilter()}
	}
	q, err := credentialQuery(fs, int32(r.GetSortingColumn()), r.GetPagination())
	if err != nil {
		return nil, err
	}
	pats, total, err := s.app.SearchPATs(ctx, scopeV2(ctx), q)
	if err != nil {
		return nil, err
	}
	out := &userv2.ListPersonalAccessTokensResponse{Pagination: &filterv2.PaginationResponse{TotalResult: total, AppliedLimit: uint64(store.ClampLimit(q.Page.Limit))},
		Result: make([]*userv2.PersonalAccessToken, len(pats))}
	for i, p := range pats {
		out.Result[i] = &userv2.PersonalAccessToken{CreationDate: ts(p.CreatedAt), ChangeDate: ts(p.CreatedAt), Id: p.ID, UserId: p.UserID,
			OrganizationId: p.OrgID, ExpirationDate: ts(patExpiration(p))}
	}
	return out, nil
}

// patExpiration is a token's expiry as ZITADEL reports it: a token without
// one expires at the end of year 9999.
func patExpiration(p *credential.PAT) time.Time {
	if p.Expiration.IsZero() {
		return store.NoExpiry
	}
	return p.Expiration
}

func (m *Management) GetPersonalAccessTokenByIDs(ctx context.Context, r *mgmt.GetPersonalAccessTokenByIDsRequest) (*mgmt.GetPersonalAccessTokenByIDsResponse, error) {
	p, err := m.app.GetPAT(ctx, scope(ctx), r.GetUserId(), r.GetTokenId())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetPersonalAccessTokenByIDsResponse{Token: &userpb.PersonalAccessToken{Id: p.ID,
		Details: createDetails(p.Sequence, p.CreatedAt, p.OrgID), ExpirationDate: ts(patExpiration(p))}}, nil
}
