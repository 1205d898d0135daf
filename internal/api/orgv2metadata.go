package api

import (
	"context"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/store"
	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
)

// The org's metadata under OrganizationService v2's names (the org named in
// each request; the v1 rule, app/metadata.go).

func (s *OrgV2) SetOrganizationMetadata(ctx context.Context, r *orgv2.SetOrganizationMetadataRequest) (*orgv2.SetOrganizationMetadataResponse, error) {
	entries := make([]app.MetadataEntry, len(r.GetMetadata()))
	for i, e := range r.GetMetadata() {
		entries[i] = app.MetadataEntry{Key: e.GetKey(), Value: e.GetValue()}
	}
	d, err := s.app.SetOrganizationMetadata(ctx, caller(ctx), r.GetOrganizationId(), entries)
	if err != nil {
		return nil, err
	}
	return &orgv2.SetOrganizationMetadataResponse{SetDate: ts(d.ChangedAt)}, nil
}

func (s *OrgV2) DeleteOrganizationMetadata(ctx context.Context, r *orgv2.DeleteOrganizationMetadataRequest) (*orgv2.DeleteOrganizationMetadataResponse, error) {
	d, err := s.app.DeleteOrganizationMetadata(ctx, caller(ctx), r.GetOrganizationId(), r.GetKeys())
	if err != nil {
		return nil, err
	}
	return &orgv2.DeleteOrganizationMetadataResponse{DeletionDate: ts(d.ChangedAt)}, nil
}

func (s *OrgV2) ListOrganizationMetadata(ctx context.Context, r *orgv2.ListOrganizationMetadataRequest) (*orgv2.ListOrganizationMetadataResponse, error) {
	f, pg, err := metadataListV2Args(r.GetFilters(), r.GetPagination())
	if err != nil {
		return nil, err
	}
	ms, total, err := s.app.ListOrganizationMetadata(ctx, caller(ctx), r.GetOrganizationId(), f, pg)
	if err != nil {
		return nil, err
	}
	return &orgv2.ListOrganizationMetadataResponse{Metadata: metadataListV2(ms),
		Pagination: &filterv2.PaginationResponse{TotalResult: total, AppliedLimit: uint64(store.ClampLimit(pg.Limit))}}, nil
}
