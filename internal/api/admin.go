package api

import (
	"context"
	"log/slog"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/user"
	admin "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/admin"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/member"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	orgpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org"
)

// Admin implements zitadel.admin.v1.AdminService: the instance's orgs and
// members. Methods Warden does not serve fall through to the embedded
// Unimplemented server. Admin methods have no org context: their rules are
// instance-wide (app.InInstance).
type Admin struct {
	admin.UnimplementedAdminServiceServer
	app *app.App
	log *slog.Logger
}

// NewAdmin returns the admin v1 service.
func NewAdmin(a *app.App, log *slog.Logger) *Admin { return &Admin{app: a, log: log} }

func (s *Admin) Healthz(context.Context, *admin.HealthzRequest) (*admin.HealthzResponse, error) {
	return &admin.HealthzResponse{}, nil
}

func (s *Admin) GetOrgByID(ctx context.Context, r *admin.GetOrgByIDRequest) (*admin.GetOrgByIDResponse, error) {
	o, err := s.app.AdminGetOrg(ctx, caller(ctx), r.GetId())
	if err != nil {
		return nil, err
	}
	return &admin.GetOrgByIDResponse{Org: orgV1(s.app, o)}, nil
}

func (s *Admin) ListOrgs(ctx context.Context, r *admin.ListOrgsRequest) (*admin.ListOrgsResponse, error) {
	var f app.OrgFilter
	if len(r.GetQueries()) > maxQueries {
		return nil, errOrgQueryAdmin
	}
	for _, q := range r.GetQueries() {
		switch x := q.GetQuery().(type) {
		case *orgpb.OrgQuery_NameQuery:
			tm, err := textMatch(x.NameQuery.GetName(), x.NameQuery.GetMethod())
			if err != nil {
				return nil, err
			}
			f.Names = append(f.Names, tm)
		case *orgpb.OrgQuery_DomainQuery:
			tm, err := textMatch(x.DomainQuery.GetDomain(), x.DomainQuery.GetMethod())
			if err != nil {
				return nil, err
			}
			f.Domains = append(f.Domains, tm)
		case *orgpb.OrgQuery_StateQuery:
			f.States = append(f.States, org.State(x.StateQuery.GetState()))
		case *orgpb.OrgQuery_IdQuery:
			f.IDs = append(f.IDs, x.IdQuery.GetId())
		default:
			return nil, errOrgQueryAdmin
		}
	}
	pg, err := page(r.GetQuery().GetOffset(), r.GetQuery().GetLimit(), r.GetQuery().GetAsc())
	if err != nil {
		return nil, err
	}
	orgs, total, err := s.app.AdminListOrgs(ctx, caller(ctx), f, pg)
	if err != nil {
		return nil, err
	}
	out := &admin.ListOrgsResponse{Details: listDetails(total), SortingColumn: r.GetSortingColumn(), Result: make([]*orgpb.Org, len(orgs))}
	for i, o := range orgs {
		out.Result[i] = orgV1(s.app, o)
	}
	return out, nil
}

func (s *Admin) IsOrgUnique(ctx context.Context, r *admin.IsOrgUniqueRequest) (*admin.IsOrgUniqueResponse, error) {
	ok, err := s.app.IsOrgUnique(ctx, caller(ctx), r.GetName(), r.GetDomain())
	if err != nil {
		return nil, err
	}
	return &admin.IsOrgUniqueResponse{IsUnique: ok}, nil
}

func (s *Admin) SetUpOrg(ctx context.Context, r *admin.SetUpOrgRequest) (*admin.SetUpOrgResponse, error) {
	h := r.GetHuman()
	if h == nil {
		return nil, errSetUpOrgHuman
	}
	p := h.GetProfile()
	in := app.NewHuman{UserName: h.GetUserName(), Password: h.GetPassword(), Profile: user.Human{
		FirstName: p.GetFirstName(), LastName: p.GetLastName(), NickName: p.GetNickName(), DisplayName: p.GetDisplayName(),
		PreferredLanguage: p.GetPreferredLanguage(), Gender: int(p.GetGender()),
		Email: h.GetEmail().GetEmail(), EmailVerified: h.GetEmail().GetIsEmailVerified(),
		Phone: h.GetPhone().GetPhone(), PhoneVerified: h.GetPhone().GetIsPhoneVerified()}}
	o, u, err := s.app.SetUpOrg(ctx, caller(ctx), r.GetOrg().GetName(), in, r.GetRoles())
	if err != nil {
		return nil, err
	}
	return &admin.SetUpOrgResponse{Details: createDetails(o.Sequence, o.CreatedAt, o.ID), OrgId: o.ID, UserId: u.ID}, nil
}

func (s *Admin) RemoveOrg(ctx context.Context, r *admin.RemoveOrgRequest) (*admin.RemoveOrgResponse, error) {
	o, err := s.app.AdminRemoveOrg(ctx, caller(ctx), r.GetOrgId())
	if err != nil {
		return nil, err
	}
	return &admin.RemoveOrgResponse{Details: changeDetails(o.Sequence, o.ChangedAt, s.instanceID(ctx))}, nil
}

func (s *Admin) GetDefaultOrg(ctx context.Context, _ *admin.GetDefaultOrgRequest) (*admin.GetDefaultOrgResponse, error) {
	o, err := s.app.DefaultOrg(ctx, caller(ctx))
	if err != nil {
		return nil, err
	}
	return &admin.GetDefaultOrgResponse{Org: orgV1(s.app, o)}, nil
}

func (s *Admin) SetDefaultOrg(ctx context.Context, r *admin.SetDefaultOrgRequest) (*admin.SetDefaultOrgResponse, error) {
	d, err := s.app.SetDefaultOrg(ctx, caller(ctx), r.GetOrgId())
	if err != nil {
		return nil, err
	}
	return &admin.SetDefaultOrgResponse{Details: instanceDetails(d)}, nil
}

func (s *Admin) ListIAMMemberRoles(ctx context.Context, _ *admin.ListIAMMemberRolesRequest) (*admin.ListIAMMemberRolesResponse, error) {
	roles, err := s.app.IAMMemberRoles(ctx, caller(ctx))
	if err != nil {
		return nil, err
	}
	return &admin.ListIAMMemberRolesResponse{Details: listDetails(uint64(len(roles))), Roles: roles}, nil
}

func (s *Admin) ListIAMMembers(ctx context.Context, r *admin.ListIAMMembersRequest) (*admin.ListIAMMembersResponse, error) {
	f, err := memberFilter(r.GetQueries())
	if err != nil {
		return nil, err
	}
	pg, err := page(r.GetQuery().GetOffset(), r.GetQuery().GetLimit(), r.GetQuery().GetAsc())
	if err != nil {
		return nil, err
	}
	ms, users, total, err := s.app.ListIAMMembers(ctx, caller(ctx), f, pg)
	if err != nil {
		return nil, err
	}
	owner := s.instanceID(ctx)
	orgs := map[string]*org.Org{}
	out := &admin.ListIAMMembersResponse{Details: listDetails(total), Result: make([]*member.Member, 0, len(ms))}
	for _, mb := range ms {
		u := users[mb.UserID]
		var uo *org.Org
		if u != nil {
			if uo = orgs[u.OrgID]; uo == nil {
				if o, err := s.app.GetOrg(ctx, u.OrgID); err == nil {
					uo, orgs[u.OrgID] = o, o
				}
			}
		}
		out.Result = append(out.Result, memberV1(s.app, mb, owner, u, uo))
	}
	return out, nil
}

func (s *Admin) iamMember(ctx context.Context, userID string, roles []string, kind app.MemberChange) (*object.ObjectDetails, error) {
	d, err := s.app.ChangeIAMMember(ctx, caller(ctx), userID, roles, kind)
	if err != nil {
		return nil, err
	}
	if kind == app.MemberAdd {
		return createDetails(d.Sequence, d.ChangedAt, d.ID), nil
	}
	return instanceDetails(d), nil
}

func (s *Admin) AddIAMMember(ctx context.Context, r *admin.AddIAMMemberRequest) (*admin.AddIAMMemberResponse, error) {
	d, err := s.iamMember(ctx, r.GetUserId(), r.GetRoles(), app.MemberAdd)
	if err != nil {
		return nil, err
	}
	return &admin.AddIAMMemberResponse{Details: d}, nil
}

func (s *Admin) UpdateIAMMember(ctx context.Context, r *admin.UpdateIAMMemberRequest) (*admin.UpdateIAMMemberResponse, error) {
	d, err := s.iamMember(ctx, r.GetUserId(), r.GetRoles(), app.MemberUpdate)
	if err != nil {
		return nil, err
	}
	return &admin.UpdateIAMMemberResponse{Details: d}, nil
}

func (s *Admin) RemoveIAMMember(ctx context.Context, r *admin.RemoveIAMMemberRequest) (*admin.RemoveIAMMemberResponse, error) {
	d, err := s.iamMember(ctx, r.GetUserId(), nil, app.MemberRemove)
	if err != nil {
		return nil, err
	}
	return &admin.RemoveIAMMemberResponse{Details: d}, nil
}

// instanceID is the resource owner of instance-wide answers ("" if the
// instance cannot be read, which the use case has already ruled out).
func (s *Admin) instanceID(ctx context.Context) string {
	i, err := s.app.Instance(ctx)
	if err != nil {
		return ""
	}
	return i.ID
}

// instanceDetails: a change of the instance; no change time when nothing
// changed (ZITADEL then answers the details as they were).
func instanceDetails(d *app.InstanceDetails) *object.ObjectDetails {
	return changeDetails(d.Sequence, d.ChangedAt, d.ID)
}
