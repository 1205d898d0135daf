package api

import (
	"context"
	"log/slog"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/member"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	userpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
)

// Management implements zitadel.management.v1.ManagementService. Methods Warden
// does not serve fall through to the embedded Unimplemented server.
type Management struct {
	mgmt.UnimplementedManagementServiceServer
	app *app.App
	log *slog.Logger
}

// NewManagement returns the v1 service.
func NewManagement(a *app.App, log *slog.Logger) *Management { return &Management{app: a, log: log} }

func (m *Management) Healthz(context.Context, *mgmt.HealthzRequest) (*mgmt.HealthzResponse, error) {
	return &mgmt.HealthzResponse{}, nil
}

func (m *Management) changeState(ctx context.Context, id string, op user.Op) (*object.ObjectDetails, error) {
	u, err := m.app.ChangeState(ctx, scope(ctx), id, op)
	if err != nil {
		return nil, err
	}
	return changeDetails(u.Sequence, u.ChangedAt, u.OrgID), nil
}

func (m *Management) LockUser(ctx context.Context, r *mgmt.LockUserRequest) (*mgmt.LockUserResponse, error) {
	d, err := m.changeState(ctx, r.GetId(), user.OpLock)
	if err != nil {
		return nil, err
	}
	return &mgmt.LockUserResponse{Details: d}, nil
}

func (m *Management) UnlockUser(ctx context.Context, r *mgmt.UnlockUserRequest) (*mgmt.UnlockUserResponse, error) {
	d, err := m.changeState(ctx, r.GetId(), user.OpUnlock)
	if err != nil {
		return nil, err
	}
	return &mgmt.UnlockUserResponse{Details: d}, nil
}

func (m *Management) DeactivateUser(ctx context.Context, r *mgmt.DeactivateUserRequest) (*mgmt.DeactivateUserResponse, error) {
	d, err := m.changeState(ctx, r.GetId(), user.OpDeactivate)
	if err != nil {
		return nil, err
	}
	return &mgmt.DeactivateUserResponse{Details: d}, nil
}

func (m *Management) ReactivateUser(ctx context.Context, r *mgmt.ReactivateUserRequest) (*mgmt.ReactivateUserResponse, error) {
	d, err := m.changeState(ctx, r.GetId(), user.OpReactivate)
	if err != nil {
		return nil, err
	}
	return &mgmt.ReactivateUserResponse{Details: d}, nil
}

func (m *Management) RemoveUser(ctx context.Context, r *mgmt.RemoveUserRequest) (*mgmt.RemoveUserResponse, error) {
	d, err := m.changeState(ctx, r.GetId(), user.OpRemove)
	if err != nil {
		return nil, err
	}
	return &mgmt.RemoveUserResponse{Details: d}, nil
}

func (m *Management) GetUserByID(ctx context.Context, r *mgmt.GetUserByIDRequest) (*mgmt.GetUserByIDResponse, error) {
	s := scope(ctx)
	u, o, err := m.app.GetUser(ctx, s, r.GetId())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetUserByIDResponse{User: userV1(m.app, u, o)}, nil
}

func (m *Management) ListUsers(ctx context.Context, r *mgmt.ListUsersRequest) (*mgmt.ListUsersResponse, error) {
	s := scope(ctx)
	q, err := userQueryV1(r.GetQuery(), r.GetSortingColumn(), r.GetQueries())
	if err != nil {
		return nil, err
	}
	p, orgs, err := m.app.ListUsers(ctx, s, q)
	if err != nil {
		return nil, err
	}
	out := &mgmt.ListUsersResponse{Details: listDetails(p.Total), SortingColumn: r.GetSortingColumn(),
		Result: make([]*userpb.User, len(p.Users))}
	for i, u := range p.Users {
		out.Result[i] = userV1(m.app, u, orgs[u.OrgID])
	}
	return out, nil
}

func profile(first, last, nick, display, lang string, gender int, email string, emailVerified bool, phone string, phoneVerified bool) user.Human {
	return user.Human{FirstName: first, LastName: last, NickName: nick, DisplayName: display, PreferredLanguage: lang,
		Gender: gender, Email: email, EmailVerified: emailVerified, Phone: phone, PhoneVerified: phoneVerified}
}

func (m *Management) AddHumanUser(ctx context.Context, r *mgmt.AddHumanUserRequest) (*mgmt.AddHumanUserResponse, error) {
	s := scope(ctx)
	p, e, ph := r.GetProfile(), r.GetEmail(), r.GetPhone()
	// An unverified phone number gets its code, as ZITADEL's v1 does (the
	// e-mail address is proved by the initialization code).
	u, err := m.app.AddHuman(ctx, s, app.NewHuman{UserName: r.GetUserName(), RequireNames: true, Password: r.GetInitialPassword(), SendInitCode: true,
		Profile: profile(p.GetFirstName(), p.GetLastName(), p.GetNickName(), p.GetDisplayName(), p.GetPreferredLanguage(),
			int(p.GetGender()), e.GetEmail(), e.GetIsEmailVerified(), ph.GetPhone(), ph.GetIsPhoneVerified()),
		PhoneCode: &app.ContactCode{}})
	if err != nil {
		return nil, err
	}
	return &mgmt.AddHumanUserResponse{UserId: u.ID, Details: createDetails(u.Sequence, u.CreatedAt, u.OrgID)}, nil
}

func (m *Management) ImportHumanUser(ctx context.Context, r *mgmt.ImportHumanUserRequest) (*mgmt.ImportHumanUserResponse, error) {
	s := scope(ctx)
	p, e, ph := r.GetProfile(), r.GetEmail(), r.GetPhone()
	u, err := m.app.AddHuman(ctx, s, app.NewHuman{UserName: r.GetUserName(), RequireNames: true, SendInitCode: true,
		Password: r.GetPassword(), HashedPassword: r.GetHashedPassword().GetValue(), ChangeRequired: r.GetPasswordChangeRequired(),
		Profile: profile(p.GetFirstName(), p.GetLastName(), p.GetNickName(), p.GetDisplayName(), p.GetPreferredLanguage(),
			int(p.GetGender()), e.GetEmail(), e.GetIsEmailVerified(), ph.GetPhone(), ph.GetIsPhoneVerified()),
		PhoneCode: &app.ContactCode{}})
	if err != nil {
		return nil, err
	}
	return &mgmt.ImportHumanUserResponse{UserId: u.ID, Details: createDetails(u.Sequence, u.CreatedAt, u.OrgID)}, nil
}

func (m *Management) AddMachineUser(ctx context.Context, r *mgmt.AddMachineUserRequest) (*mgmt.AddMachineUserResponse, error) {
	s := scope(ctx)
	u, err := m.app.AddMachine(ctx, s, app.NewMachine{UserID: r.GetUserId(), UserName: r.GetUserName(), Name: r.GetName(),
		Description: r.GetDescription(), AccessTokenType: int(r.GetAccessTokenType())})
	if err != nil {
		return nil, err
	}
	return &mgmt.AddMachineUserResponse{UserId: u.ID, Details: createDetails(u.Sequence, u.CreatedAt, u.OrgID)}, nil
}

func (m *Management) ListUserChanges(ctx context.Context, r *mgmt.ListUserChangesRequest) (*mgmt.ListUserChangesResponse, error) {
	s := scope(ctx)
	q := r.GetQuery()
	evs, err := m.app.UserChanges(ctx, s, r.GetUserId(), store.EventQuery{AfterSequence: q.GetSequence(), Asc: q.GetAsc(), Limit: int(q.GetLimit())})
	if err != nil {
		return nil, err
	}
	return &mgmt.ListUserChangesResponse{Result: changes(evs)}, nil
}

func (m *Management) AddPersonalAccessToken(ctx context.Context, r *mgmt.AddPersonalAccessTokenRequest) (*mgmt.AddPersonalAccessTokenResponse, error) {
	s := scope(ctx)
	var exp time.Time
	if r.GetExpirationDate() != nil {
		if err := r.GetExpirationDate().CheckValid(); err != nil {
			return nil, errExpiration
		}
		exp = r.GetExpirationDate().AsTime()
	}
	p, token, u, err := m.app.AddPAT(ctx, s, r.GetUserId(), exp)
	if err != nil {
		return nil, err
	}
	return &mgmt.AddPersonalAccessTokenResponse{TokenId: p.ID, Token: token, Details: createDetails(u.Sequence, p.CreatedAt, u.OrgID)}, nil
}

func (m *Management) ListPersonalAccessTokens(ctx context.Context, r *mgmt.ListPersonalAccessTokensRequest) (*mgmt.ListPersonalAccessTokensResponse, error) {
	s := scope(ctx)
	pg, err := page(r.GetQuery().GetOffset(), r.GetQuery().GetLimit(), r.GetQuery().GetAsc())
	if err != nil {
		return nil, err
	}
	pats, total, err := m.app.ListPATs(ctx, s, r.GetUserId(), pg)
	if err != nil {
		return nil, err
	}
	out := &mgmt.ListPersonalAccessTokensResponse{Details: listDetails(total), Result: make([]*userpb.PersonalAccessToken, len(pats))}
	for i, p := range pats {
		out.Result[i] = &userpb.PersonalAccessToken{Id: p.ID, Details: createDetails(p.Sequence, p.CreatedAt, p.OrgID),
			ExpirationDate: ts(patExpiration(p))}
	}
	return out, nil
}

func (m *Management) RemovePersonalAccessToken(ctx context.Context, r *mgmt.RemovePersonalAccessTokenRequest) (*mgmt.RemovePersonalAccessTokenResponse, error) {
	s := scope(ctx)
	u, err := m.app.RemovePAT(ctx, s, r.GetUserId(), r.GetTokenId())
	if err != nil {
		return nil, err
	}
	return &mgmt.RemovePersonalAccessTokenResponse{Details: changeDetails(u.Sequence, u.ChangedAt, u.OrgID)}, nil
}

func (m *Management) GetMyOrg(ctx context.Context, _ *mgmt.GetMyOrgRequest) (*mgmt.GetMyOrgResponse, error) {
	s := scope(ctx)
	o, err := m.app.MyOrg(ctx, s)
	if err != nil {
		return nil, err
	}
	return &mgmt.GetMyOrgResponse{Org: orgV1(m.app, o)}, nil
}

func (m *Management) AddOrg(ctx context.Context, r *mgmt.AddOrgRequest) (*mgmt.AddOrgResponse, error) {
	o, err := m.app.AddOrg(ctx, caller(ctx), r.GetName())
	if err != nil {
		return nil, err
	}
	return &mgmt.AddOrgResponse{Id: o.ID, Details: createDetails(o.Sequence, o.CreatedAt, o.ID)}, nil
}

func (m *Management) changeMember(ctx context.Context, userID string, roles []string, kind app.MemberChange) (*object.ObjectDetails, error) {
	s := scope(ctx)
	o, err := m.app.ChangeMember(ctx, s, userID, roles, kind)
	if err != nil {
		return nil, err
	}
	if kind == app.MemberAdd {
		return createDetails(o.Sequence, o.ChangedAt, o.ID), nil
	}
	return changeDetails(o.Sequence, o.ChangedAt, o.ID), nil
}

func (m *Management) AddOrgMember(ctx context.Context, r *mgmt.AddOrgMemberRequest) (*mgmt.AddOrgMemberResponse, error) {
	d, err := m.changeMember(ctx, r.GetUserId(), r.GetRoles(), app.MemberAdd)
	if err != nil {
		return nil, err
	}
	return &mgmt.AddOrgMemberResponse{Details: d}, nil
}

func (m *Management) UpdateOrgMember(ctx context.Context, r *mgmt.UpdateOrgMemberRequest) (*mgmt.UpdateOrgMemberResponse, error) {
	d, err := m.changeMember(ctx, r.GetUserId(), r.GetRoles(), app.MemberUpdate)
	if err != nil {
		return nil, err
	}
	return &mgmt.UpdateOrgMemberResponse{Details: d}, nil
}

func (m *Management) RemoveOrgMember(ctx context.Context, r *mgmt.RemoveOrgMemberRequest) (*mgmt.RemoveOrgMemberResponse, error) {
	d, err := m.changeMember(ctx, r.GetUserId(), nil, app.MemberRemove)
	if err != nil {
		return nil, err
	}
	return &mgmt.RemoveOrgMemberResponse{Details: d}, nil
}

func (m *Management) ListOrgMembers(ctx context.Context, r *mgmt.ListOrgMembersRequest) (*mgmt.ListOrgMembersResponse, error) {
	s := scope(ctx)
	f, err := memberFilter(r.GetQueries())
	if err != nil {
		return nil, err
	}
	pg, err := page(r.GetQuery().GetOffset(), r.GetQuery().GetLimit(), r.GetQuery().GetAsc())
	if err != nil {
		return nil, err
	}
	ms, users, total, err := m.app.SearchMembers(ctx, s, f, pg)
	if err != nil {
		return nil, err
	}
	o, err := m.app.GetOrg(ctx, s.OrgID)
	if err != nil {
		return nil, err
	}
	out := &mgmt.ListOrgMembersResponse{Details: listDetails(total), Result: make([]*member.Member, 0, len(ms))}
	for _, mb := range ms {
		u, uo := users[mb.UserID], o
		if u != nil && u.OrgID != o.ID {
			uo = nil
		}
		out.Result = append(out.Result, memberV1(m.app, mb, s.OrgID, u, uo))
	}
	return out, nil
}
