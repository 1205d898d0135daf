package api

import (
	"context"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	orgpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
)

// Org domains: Management v1 on the org context, OrganizationService v2 on
// the org each request names, over the same use cases (app/orgdomains.go).

func (m *Management) AddOrgDomain(ctx context.Context, r *mgmt.AddOrgDomainRequest) (*mgmt.AddOrgDomainResponse, error) {
	o, err := m.app.AddOrgDomain(ctx, scope(ctx), r.GetDomain())
	if err != nil {
		return nil, err
	}
	return &mgmt.AddOrgDomainResponse{Details: createDetails(o.Sequence, o.ChangedAt, o.ID)}, nil
}

func (m *Management) ListOrgDomains(ctx context.Context, r *mgmt.ListOrgDomainsRequest) (*mgmt.ListOrgDomainsResponse, error) {
	if len(r.GetQueries()) > maxQueries {
		return nil, errTooManyQueries
	}
	var f app.DomainFilter
	for _, q := range r.GetQueries() {
		nq := q.GetDomainNameQuery()
		if nq == nil {
			return nil, errDomainQuery
		}
		tm, err := textMatch(nq.GetName(), nq.GetMethod())
		if err != nil {
			return nil, err
		}
		f.Names = append(f.Names, tm)
	}
	pg, err := page(r.GetQuery().GetOffset(), r.GetQuery().GetLimit(), r.GetQuery().GetAsc())
	if err != nil {
		return nil, err
	}
	f.Page = pg
	ds, total, err := m.app.ListOrgDomains(ctx, scope(ctx), f)
	if err != nil {
		return nil, err
	}
	out := &mgmt.ListOrgDomainsResponse{Details: listDetails(total), Result: make([]*orgpb.Domain, len(ds))}
	for i, d := range ds {
		out.Result[i] = &orgpb.Domain{OrgId: d.OrgID, DomainName: d.Domain, IsVerified: d.Verified, IsPrimary: d.Primary,
			ValidationType: orgpb.DomainValidationType(d.ValidationType),
			Details:        &object.ObjectDetails{Sequence: d.Sequence, CreationDate: ts(d.CreatedAt), ChangeDate: ts(d.ChangedAt), ResourceOwner: d.OrgID}}
	}
	return out, nil
}

func (m *Management) RemoveOrgDomain(ctx context.Context, r *mgmt.RemoveOrgDomainRequest) (*mgmt.RemoveOrgDomainResponse, error) {
	o, err := m.app.RemoveOrgDomain(ctx, scope(ctx), r.GetDomain())
	if err != nil {
		return nil, err
	}
	return &mgmt.RemoveOrgDomainResponse{Details: changeDetails(o.Sequence, o.ChangedAt, o.ID)}, nil
}

func (m *Management) SetPrimaryOrgDomain(ctx context.Context, r *mgmt.SetPrimaryOrgDomainRequest) (*mgmt.SetPrimaryOrgDomainResponse, error) {
	o, err := m.app.SetPrimaryOrgDomain(ctx, scope(ctx), r.GetDomain())
	if err != nil {
		return nil, err
	}
	return &mgmt.SetPrimaryOrgDomainResponse{Details: changeDetails(o.Sequence, o.ChangedAt, o.ID)}, nil
}

func (m *Management) GenerateOrgDomainValidation(ctx context.Context, r *mgmt.GenerateOrgDomainValidationRequest) (*mgmt.GenerateOrgDomainValidationResponse, error) {
	token, url, _, err := m.app.GenerateOrgDomainValidation(ctx, scope(ctx), r.GetDomain(), org.ValidationType(r.GetType()))
	if err != nil {
		return nil, err
	}
	return &mgmt.GenerateOrgDomainValidationResponse{Token: token, Url: url}, nil
}

func (m *Management) ValidateOrgDomain(ctx context.Context, r *mgmt.ValidateOrgDomainRequest) (*mgmt.ValidateOrgDomainResponse, error) {
	o, err := m.app.ValidateOrgDomain(ctx, scope(ctx), r.GetDomain())
	if err != nil {
		return nil, err
	}
	return &mgmt.ValidateOrgDomainResponse{Details: changeDetails(o.Sequence, o.ChangedAt, o.ID)}, nil
}

func (m *Management) GetOrgByDomainGlobal(ctx context.Context, r *mgmt.GetOrgByDomainGlobalRequest) (*mgmt.GetOrgByDomainGlobalResponse, error) {
	o, err := m.app.OrgByDomain(ctx, scope(ctx), r.GetDomain())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetOrgByDomainGlobalResponse{Org: orgV1(m.app, o)}, nil
}

func (s *OrgV2) AddOrganizationDomain(ctx context.Context, r *orgv2.AddOrganizationDomainRequest) (*orgv2.AddOrganizationDomainResponse, error) {
	sc, err := app.OrgScopeV2(caller(ctx), r.GetOrganizationId())
	if err != nil {
		return nil, err
	}
	o, err := s.app.AddOrgDomain(ctx, sc, r.GetDomain())
	if err != nil {
		return nil, err
	}
	return &orgv2.AddOrganizationDomainResponse{CreationDate: ts(o.ChangedAt)}, nil
}

func (s *OrgV2) ListOrganizationDomains(ctx context.Context, r *orgv2.ListOrganizationDomainsRequest) (*orgv2.ListOrganizationDomainsResponse, error) {
	sc, err := app.OrgScopeV2(caller(ctx), r.GetOrganizationId())
	if err != nil {
		return nil, err
	}
	if len(r.GetFilters()) > maxQueries {
		return nil, errTooManyQueries
	}
	col := r.GetSortingColumn()
	// Domains list by name; a creation-date order is not kept apart from it.
	if col < 0 || col > orgv2.DomainFieldName_DOMAIN_FIELD_NAME_NAME {
		return nil, errSortColumn
	}
	var f app.DomainFilter
	for _, q := range r.GetFilters() {
		df := q.GetDomainFilter()
		if df == nil {
			return nil, errDomainQuery
		}
		tm, err := textMatch(df.GetDomain(), object.TextQueryMethod(df.GetMethod())) // the same numbers
		if err != nil {
			return nil, err
		}
		f.Names = append(f.Names, tm)
	}
	p := r.GetPagination()
	pg, err := page(p.GetOffset(), p.GetLimit(), p.GetAsc())
	if err != nil {
		return nil, err
	}
	f.Page = pg
	ds, total, err := s.app.ListOrgDomains(ctx, sc, f)
	if err != nil {
		return nil, err
	}
	out := &orgv2.ListOrganizationDomainsResponse{Pagination: &filterv2.PaginationResponse{TotalResult: total, AppliedLimit: uint64(store.ClampLimit(pg.Limit))},
		Domains: make([]*orgv2.Domain, len(ds))}
	for i, d := range ds {
		out.Domains[i] = &orgv2.Domain{OrganizationId: d.OrgID, Domain: d.Domain, IsVerified: d.Verified, IsPrimary: d.Primary,
			ValidationType: orgv2.DomainValidationType(d.ValidationType)}
	}
	return out, nil
}

func (s *OrgV2) DeleteOrganizationDomain(ctx context.Context, r *orgv2.DeleteOrganizationDomainRequest) (*orgv2.DeleteOrganizationDomainResponse, error) {
	sc, err := app.OrgScopeV2(caller(ctx), r.GetOrganizationId())
	if err != nil {
		return nil, err
	}
	o, err := s.app.RemoveOrgDomain(ctx, sc, r.GetDomain())
	if err != nil {
		return nil, err
	}
	return &orgv2.DeleteOrganizationDomainResponse{DeletionDate: ts(o.ChangedAt)}, nil
}

func (s *OrgV2) GenerateOrganizationDomainValidation(ctx context.Context, r *orgv2.GenerateOrganizationDomainValidationRequest) (*orgv2.GenerateOrganizationDomainValidationResponse, error) {
	sc, err := app.OrgScopeV2(caller(ctx), r.GetOrganizationId())
	if err != nil {
		return nil, err
	}
	token, url, _, err := s.app.GenerateOrgDomainValidation(ctx, sc, r.GetDomain(), org.ValidationType(r.GetType()))
	if err != nil {
		return nil, err
	}
	return &orgv2.GenerateOrganizationDomainValidationResponse{Token: token, Url: url}, nil
}

func (s *OrgV2) VerifyOrganizationDomain(ctx context.Context, r *orgv2.VerifyOrganizationDomainRequest) (*orgv2.VerifyOrganizationDomainResponse, error) {
	sc, err := app.OrgScopeV2(caller(ctx), r.GetOrganizationId())
	if err != nil {
		return nil, err
	}
	o, err := s.app.ValidateOrgDomain(ctx, sc, r.GetDomain())
	if err != nil {
		return nil, err
	}
	return &orgv2.VerifyOrganizationDomainResponse{ChangeDate: ts(o.ChangedAt)}, nil
}
