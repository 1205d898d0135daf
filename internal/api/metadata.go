package api

import (
	"context"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/auth"
	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/metadata"
	metav2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/metadata/v2"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
)

// Metadata of users and orgs: Management v1 (user and org), Auth v1 (the
// caller's own) and User v2; Org v2 is in orgv2metadata.go.

func metadataV1(m *app.Metadata) *metadata.Metadata {
	return &metadata.Metadata{Key: m.Key, Value: m.Value,
		Details: &object.ObjectDetails{Sequence: m.Sequence, CreationDate: ts(m.CreatedAt), ChangeDate: ts(m.ChangedAt), ResourceOwner: m.Owner}}
}

func metadataV2(m *app.Metadata) *metav2.Metadata {
	return &metav2.Metadata{Key: m.Key, Value: m.Value, CreationDate: ts(m.CreatedAt), ChangeDate: ts(m.ChangedAt)}
}

// metadataQueryV1 converts v1's key queries (ZITADEL's text query methods).
func metadataQueryV1(qs []*metadata.MetadataQuery) (app.MetadataFilter, error) {
	var f app.MetadataFilter
	if len(qs) > maxQueries {
		return f, errTooManyQueries
	}
	for _, q := range qs {
		kq := q.GetKeyQuery()
		if kq == nil {
			return f, errMetadataQuery
		}
		tm, err := textMatch(kq.GetKey(), kq.GetMethod())
		if err != nil {
			return f, err
		}
		f.Keys = append(f.Keys, tm)
	}
	return f, nil
}

// metadataFilterV2 converts v2's key filters (the same method numbers).
func metadataFilterV2(fs []*metav2.MetadataSearchFilter) (app.MetadataFilter, error) {
	var f app.MetadataFilter
	if len(fs) > maxQueries {
		return f, errTooManyQueries
	}
	for _, q := range fs {
		kf := q.GetKeyFilter()
		if kf == nil {
			return f, errMetadataQuery
		}
		tm, err := textMatch(kf.GetKey(), object.TextQueryMethod(kf.GetMethod()))
		if err != nil {
			return f, err
		}
		f.Keys = append(f.Keys, tm)
	}
	return f, nil
}

func metadataListV1(ms []*app.Metadata) []*metadata.Metadata {
	out := make([]*metadata.Metadata, len(ms))
	for i, m := range ms {
		out[i] = metadataV1(m)
	}
	return out
}

func metadataListV2(ms []*app.Metadata) []*metav2.Metadata {
	out := make([]*metav2.Metadata, len(ms))
	for i, m := range ms {
		out[i] = metadataV2(m)
	}
	return out
}

func userChangeDetails(u *user.User) *object.ObjectDetails {
	return changeDetails(u.Sequence, u.ChangedAt, u.OrgID)
}

// --- Management v1: a user's metadata ---

func (m *Management) SetUserMetadata(ctx context.Context, r *mgmt.SetUserMetadataRequest) (*mgmt.SetUserMetadataResponse, error) {
	u, err := m.app.SetUserMetadata(ctx, scope(ctx), r.GetId(), []app.MetadataEntry{{Key: r.GetKey(), Value: r.GetValue()}}, false)
	if err != nil {
		return nil, err
	}
	return &mgmt.SetUserMetadataResponse{Details: userChangeDetails(u)}, nil
}

func (m *Management) BulkSetUserMetadata(ctx context.Context, r *mgmt.BulkSetUserMetadataRequest) (*mgmt.BulkSetUserMetadataResponse, error) {
	entries := make([]app.MetadataEntry, len(r.GetMetadata()))
	for i, e := range r.GetMetadata() {
		entries[i] = app.MetadataEntry{Key: e.GetKey(), Value: e.GetValue()}
	}
	u, err := m.app.SetUserMetadata(ctx, scope(ctx), r.GetId(), entries, true)
	if err != nil {
		return nil, err
	}
	return &mgmt.BulkSetUserMetadataResponse{Details: userChangeDetails(u)}, nil
}

func (m *Management) RemoveUserMetadata(ctx context.Context, r *mgmt.RemoveUserMetadataRequest) (*mgmt.RemoveUserMetadataResponse, error) {
	u, err := m.app.RemoveUserMetadata(ctx, scope(ctx), r.GetId(), []string{r.GetKey()}, false)
	if err != nil {
		return nil, err
	}
	return &mgmt.RemoveUserMetadataResponse{Details: userChangeDetails(u)}, nil
}

func (m *Management) BulkRemoveUserMetadata(ctx context.Context, r *mgmt.BulkRemoveUserMetadataRequest) (*mgmt.BulkRemoveUserMetadataResponse, error) {
	u, err := m.app.RemoveUserMetadata(ctx, scope(ctx), r.GetId(), r.GetKeys(), true)
	if err != nil {
		return nil, err
	}
	return &mgmt.BulkRemoveUserMetadataResponse{Details: userChangeDetails(u)}, nil
}

func (m *Management) GetUserMetadata(ctx context.Context, r *mgmt.GetUserMetadataRequest) (*mgmt.GetUserMetadataResponse, error) {
	md, err := m.app.GetUserMetadata(ctx, scope(ctx), r.GetId(), r.GetKey())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetUserMetadataResponse{Metadata: metadataV1(md)}, nil
}

func (m *Management) ListUserMetadata(ctx context.Context, r *mgmt.ListUserMetadataRequest) (*mgmt.ListUserMetadataResponse, error) {
	f, pg, err := metadataListV1Args(r.GetQueries(), r.GetQuery())
	if err != nil {
		return nil, err
	}
	ms, total, err := m.app.ListUserMetadata(ctx, scope(ctx), r.GetId(), f, pg)
	if err != nil {
		return nil, err
	}
	return &mgmt.ListUserMetadataResponse{Details: listDetails(total), Result: metadataListV1(ms)}, nil
}

// --- Management v1: the org's metadata ---

func orgMetadataDetails(d *app.OrgMetadataDetails) *object.ObjectDetails {
	return changeDetails(d.Sequence, d.ChangedAt, d.OrgID)
}

func (m *Management) SetOrgMetadata(ctx context.Context, r *mgmt.SetOrgMetadataRequest) (*mgmt.SetOrgMetadataResponse, error) {
	d, err := m.app.SetOrgMetadata(ctx, scope(ctx), []app.MetadataEntry{{Key: r.GetKey(), Value: r.GetValue()}}, false)
	if err != nil {
		return nil, err
	}
	return &mgmt.SetOrgMetadataResponse{Details: orgMetadataDetails(d)}, nil
}

func (m *Management) BulkSetOrgMetadata(ctx context.Context, r *mgmt.BulkSetOrgMetadataRequest) (*mgmt.BulkSetOrgMetadataResponse, error) {
	entries := make([]app.MetadataEntry, len(r.GetMetadata()))
	for i, e := range r.GetMetadata() {
		entries[i] = app.MetadataEntry{Key: e.GetKey(), Value: e.GetValue()}
	}
	d, err := m.app.SetOrgMetadata(ctx, scope(ctx), entries, true)
	if err != nil {
		return nil, err
	}
	return &mgmt.BulkSetOrgMetadataResponse{Details: orgMetadataDetails(d)}, nil
}

func (m *Management) RemoveOrgMetadata(ctx context.Context, r *mgmt.RemoveOrgMetadataRequest) (*mgmt.RemoveOrgMetadataResponse, error) {
	d, err := m.app.RemoveOrgMetadata(ctx, scope(ctx), []string{r.GetKey()}, false)
	if err != nil {
		return nil, err
	}
	return &mgmt.RemoveOrgMetadataResponse{Details: orgMetadataDetails(d)}, nil
}

func (m *Management) BulkRemoveOrgMetadata(ctx context.Context, r *mgmt.BulkRemoveOrgMetadataRequest) (*mgmt.BulkRemoveOrgMetadataResponse, error) {
	d, err := m.app.RemoveOrgMetadata(ctx, scope(ctx), r.GetKeys(), true)
	if err != nil {
		return nil, err
	}
	return &mgmt.BulkRemoveOrgMetadataResponse{Details: orgMetadataDetails(d)}, nil
}

func (m *Management) GetOrgMetadata(ctx context.Context, r *mgmt.GetOrgMetadataRequest) (*mgmt.GetOrgMetadataResponse, error) {
	md, err := m.app.GetOrgMetadata(ctx, scope(ctx), r.GetKey())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetOrgMetadataResponse{Metadata: metadataV1(md)}, nil
}

func (m *Management) ListOrgMetadata(ctx context.Context, r *mgmt.ListOrgMetadataRequest) (*mgmt.ListOrgMetadataResponse, error) {
	f, pg, err := metadataListV1Args(r.GetQueries(), r.GetQuery())
	if err != nil {
		return nil, err
	}
	ms, total, err := m.app.ListOrgMetadata(ctx, scope(ctx), f, pg)
	if err != nil {
		return nil, err
	}
	return &mgmt.ListOrgMetadataResponse{Details: listDetails(total), Result: metadataListV1(ms)}, nil
}

// --- Auth v1: the caller's own ---

func (s *Auth) ListMyMetadata(ctx context.Context, r *auth.ListMyMetadataRequest) (*auth.ListMyMetadataResponse, error) {
	f, pg, err := metadataListV1Args(r.GetQueries(), r.GetQuery())
	if err != nil {
		return nil, err
	}
	ms, total, err := s.app.ListMyMetadata(ctx, scope(ctx), f, pg)
	if err != nil {
		return nil, err
	}
	return &auth.ListMyMetadataResponse{Details: listDetails(total), Result: metadataListV1(ms)}, nil
}

func (s *Auth) GetMyMetadata(ctx context.Context, r *auth.GetMyMetadataRequest) (*auth.GetMyMetadataResponse, error) {
	md, err := s.app.GetMyMetadata(ctx, scope(ctx), r.GetKey())
	if err != nil {
		return nil, err
	}
	return &auth.GetMyMetadataResponse{Metadata: metadataV1(md)}, nil
}

// --- User v2 ---

func (s *UserV2) SetUserMetadata(ctx context.Context, r *userv2.SetUserMetadataRequest) (*userv2.SetUserMetadataResponse, error) {
	entries := make([]app.MetadataEntry, len(r.GetMetadata()))
	for i, e := range r.GetMetadata() {
		entries[i] = app.MetadataEntry{Key: e.GetKey(), Value: e.GetValue()}
	}
	u, err := s.app.SetUserMetadata(ctx, scopeV2(ctx), r.GetUserId(), entries, true)
	if err != nil {
		return nil, err
	}
	return &userv2.SetUserMetadataResponse{SetDate: ts(u.ChangedAt)}, nil
}

func (s *UserV2) DeleteUserMetadata(ctx context.Context, r *userv2.DeleteUserMetadataRequest) (*userv2.DeleteUserMetadataResponse, error) {
	u, err := s.app.RemoveUserMetadata(ctx, scopeV2(ctx), r.GetUserId(), r.GetKeys(), true)
	if err != nil {
		return nil, err
	}
	return &userv2.DeleteUserMetadataResponse{DeletionDate: ts(u.ChangedAt)}, nil
}

func (s *UserV2) ListUserMetadata(ctx context.Context, r *userv2.ListUserMetadataRequest) (*userv2.ListUserMetadataResponse, error) {
	f, pg, err := metadataListV2Args(r.GetFilters(), r.GetPagination())
	if err != nil {
		return nil, err
	}
	ms, total, err := s.app.ListUserMetadata(ctx, scopeV2(ctx), r.GetUserId(), f, pg)
	if err != nil {
		return nil, err
	}
	return &userv2.ListUserMetadataResponse{Metadata: metadataListV2(ms),
		Pagination: &filterv2.PaginationResponse{TotalResult: total, AppliedLimit: uint64(store.ClampLimit(pg.Limit))}}, nil
}

// pageV2 is v2's pagination: by creation date, newest first unless asc.
func pageV2(p *filterv2.PaginationRequest) (store.Page, error) {
	return page(p.GetOffset(), p.GetLimit(), p.GetAsc())
}

// pageMetadataV1 is v1's list query: v1 sorts metadata by nothing it names,
// so Warden answers in creation order and ignores asc.
func pageMetadataV1(q *object.ListQuery) (store.Page, error) {
	return page(q.GetOffset(), q.GetLimit(), true)
}

// metadataListV1Args reads a v1 metadata list's queries and page.
func metadataListV1Args(qs []*metadata.MetadataQuery, q *object.ListQuery) (app.MetadataFilter, store.Page, error) {
	f, err := metadataQueryV1(qs)
	if err != nil {
		return f, store.Page{}, err
	}
	pg, err := pageMetadataV1(q)
	return f, pg, err
}

// metadataListV2Args reads a v2 metadata list's filters and pagination.
func metadataListV2Args(fs []*metav2.MetadataSearchFilter, p *filterv2.PaginationRequest) (app.MetadataFilter, store.Page, error) {
	f, err := metadataFilterV2(fs)
	if err != nil {
		return f, store.Page{}, err
	}
	pg, err := pageV2(p)
	return f, pg, err
}
