package api

import (
	"context"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/org"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	objv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object/v2"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// OrgV2 implements zitadel.org.v2.OrganizationService: the org lifecycle of
// Management and Admin v1 under v2's names, the org named in each request.
// Its domain methods are in orgdomains.go, its metadata methods in
// orgv2metadata.go.
type OrgV2 struct {
	orgv2.UnimplementedOrganizationServiceServer
	app *app.App
}

// NewOrgV2 returns the v2 organization service.
func NewOrgV2(a *app.App) *OrgV2 { return &OrgV2{app: a} }

func (s *OrgV2) AddOrganization(ctx context.Context, r *orgv2.AddOrganizationRequest) (*orgv2.AddOrganizationResponse, error) {
	orgID := r.GetOrgId() // deprecated; organization_id wins when both are set
	if r.OrganizationId != nil {
		orgID = r.GetOrganizationId()
	}
	admins := make([]app.OrgAdmin, len(r.GetAdmins()))
	for i, ad := range r.GetAdmins() {
		admins[i].Roles = ad.GetRoles()
		switch t := ad.GetUserType().(type) {
		case *orgv2.AddOrganizationRequest_Admin_UserId:
			admins[i].UserID = t.UserId
		case *orgv2.AddOrganizationRequest_Admin_Human:
			in, err := newHumanV2(t.Human)
			if err != nil {
				return nil, err
			}
			in.OrgID = "" // the new org's, whatever the request says
			admins[i].Human = &in
		default:
			return nil, errOrgAdminType
		}
	}
	o, created, err := s.app.AddOrganization(ctx, caller(ctx), r.GetName(), orgID, admins)
	if err != nil {
		return nil, err
	}
	out := &orgv2.AddOrganizationResponse{OrganizationId: o.ID,
		Details:       &objv2.Details{Sequence: o.Sequence, CreationDate: ts(o.CreatedAt), ChangeDate: ts(o.ChangedAt), ResourceOwner: o.ID},
		CreatedAdmins: make([]*orgv2.AddOrganizationResponse_CreatedAdmin, len(created))}
	for i, u := range created {
		out.CreatedAdmins[i] = &orgv2.AddOrganizationResponse_CreatedAdmin{UserId: u.ID}
	}
	return out, nil
}

func (s *OrgV2) UpdateOrganization(ctx context.Context, r *orgv2.UpdateOrganizationRequest) (*orgv2.UpdateOrganizationResponse, error) {
	o, err := s.app.UpdateOrganization(ctx, caller(ctx), r.GetOrganizationId(), r.GetName())
	if err != nil {
		return nil, err
	}
	return &orgv2.UpdateOrganizationResponse{ChangeDate: ts(o.ChangedAt)}, nil
}

func (s *OrgV2) DeleteOrganization(ctx context.Context, r *orgv2.DeleteOrganizationRequest) (*orgv2.DeleteOrganizationResponse, error) {
	o, err := s.app.ChangeOrganizationState(ctx, caller(ctx), r.GetOrganizationId(), org.OpRemove)
	if err != nil {
		return nil, err
	}
	return &orgv2.DeleteOrganizationResponse{DeletionDate: ts(o.ChangedAt)}, nil
}

func (s *OrgV2) DeactivateOrganization(ctx context.Context, r *orgv2.DeactivateOrganizationRequest) (*orgv2.DeactivateOrganizationResponse, error) {
	o, err := s.app.ChangeOrganizationState(ctx, caller(ctx), r.GetOrganizationId(), org.OpDeactivate)
	if err != nil {
		return nil, err
	}
	return &orgv2.DeactivateOrganizationResponse{ChangeDate: ts(o.ChangedAt)}, nil
}

func (s *OrgV2) ActivateOrganization(ctx context.Context, r *orgv2.ActivateOrganizationRequest) (*orgv2.ActivateOrganizationResponse, error) {
	o, err := s.app.ChangeOrganizationState(ctx, caller(ctx), r.GetOrganizationId(), org.OpReactivate)
	if err != nil {
		return nil, err
	}
	return &orgv2.ActivateOrganizationResponse{ChangeDate: ts(o.ChangedAt)}, nil
}

func (s *OrgV2) ListOrganizations(ctx context.Context, r *orgv2.ListOrganizationsRequest) (*orgv2.ListOrganizationsResponse, error) {
	var f app.OrgFilterV2
	if len(r.GetQueries()) > maxQueries {
		return nil, errTooManyQueries
	}
	for _, q := range r.GetQueries() {
		switch x := q.GetQuery().(type) {
		case *orgv2.SearchQuery_NameQuery:
			tm, err := textMatch(x.NameQuery.GetName(), object.TextQueryMethod(x.NameQuery.GetMethod())) // the same numbers
			if err != nil {
				return nil, err
			}
			f.Names = append(f.Names, tm)
		case *orgv2.SearchQuery_DomainQuery:
			tm, err := textMatch(x.DomainQuery.GetDomain(), object.TextQueryMethod(x.DomainQuery.GetMethod()))
			if err != nil {
				return nil, err
			}
			f.Domains = append(f.Domains, tm)
		case *orgv2.SearchQuery_StateQuery:
			f.States = append(f.States, org.State(x.StateQuery.GetState()))
		case *orgv2.SearchQuery_IdQuery:
			f.IDs = append(f.IDs, x.IdQuery.GetId())
		case *orgv2.SearchQuery_DefaultQuery:
			f.DefaultOnly = true
		default:
			return nil, errOrgQuery
		}
	}
	col := r.GetSortingColumn()
	if col < 0 || col > orgv2.OrganizationFieldName_ORGANIZATION_FIELD_NAME_CREATION_DATE {
		return nil, errSortColumn
	}
	pg, err := page(r.GetQuery().GetOffset(), r.GetQuery().GetLimit(), r.GetQuery().GetAsc())
	if err != nil {
		return nil, err
	}
	orgs, total, err := s.app.ListOrganizations(ctx, caller(ctx), f, app.OrgSort(col), pg)
	if err != nil {
		return nil, err
	}
	out := &orgv2.ListOrganizationsResponse{Details: &objv2.ListDetails{TotalResult: total, Timestamp: timestamppb.Now()},
		SortingColumn: col, Result: make([]*orgv2.Organization, len(orgs))}
	for i, o := range orgs {
		out.Result[i] = &orgv2.Organization{Id: o.ID, Name: o.Name, State: orgv2.OrganizationState(o.State),
			PrimaryDomain: s.app.OrgDomain(o),
			Details:       &objv2.Details{Sequence: o.Sequence, CreationDate: ts(o.CreatedAt), ChangeDate: ts(o.ChangedAt), ResourceOwner: o.ID}}
	}
	return out, nil
}
