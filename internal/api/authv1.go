package api

import (
	"context"
	"log/slog"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/auth"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	orgpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org"
	userpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
)

// Auth implements zitadel.auth.v1.AuthService: the signed-in caller's own
// data. Every method acts on the authenticated principal and on nothing a
// request names. Methods Warden does not serve fall through to the embedded
// Unimplemented server.
type Auth struct {
	auth.UnimplementedAuthServiceServer
	app *app.App
	log *slog.Logger
}

// NewAuth returns the Auth API v1 service.
func NewAuth(a *app.App, log *slog.Logger) *Auth { return &Auth{app: a, log: log} }

func (s *Auth) Healthz(context.Context, *auth.HealthzRequest) (*auth.HealthzResponse, error) {
	return &auth.HealthzResponse{}, nil
}

func (s *Auth) GetSupportedLanguages(ctx context.Context, _ *auth.GetSupportedLanguagesRequest) (*auth.GetSupportedLanguagesResponse, error) {
	langs, err := s.app.SupportedLanguages(ctx, scope(ctx))
	if err != nil {
		return nil, err
	}
	return &auth.GetSupportedLanguagesResponse{Languages: langs}, nil
}

func (s *Auth) GetMyUser(ctx context.Context, _ *auth.GetMyUserRequest) (*auth.GetMyUserResponse, error) {
	u, o, err := s.app.MyUser(ctx, scope(ctx))
	if err != nil {
		return nil, err
	}
	return &auth.GetMyUserResponse{User: userV1(s.app, u, o)}, nil
}

// RemoveMyUser: the signed-in user removes itself; every token it holds,
// this call's included, is dead once the answer is sent.
func (s *Auth) RemoveMyUser(ctx context.Context, _ *auth.RemoveMyUserRequest) (*auth.RemoveMyUserResponse, error) {
	u, err := s.app.RemoveMyUser(ctx, scope(ctx))
	if err != nil {
		return nil, err
	}
	return &auth.RemoveMyUserResponse{Details: changed(u)}, nil
}

func (s *Auth) ListMyUserChanges(ctx context.Context, r *auth.ListMyUserChangesRequest) (*auth.ListMyUserChangesResponse, error) {
	q := r.GetQuery()
	evs, err := s.app.MyUserChanges(ctx, scope(ctx), store.EventQuery{AfterSequence: q.GetSequence(), Asc: q.GetAsc(), Limit: int(q.GetLimit())})
	if err != nil {
		return nil, err
	}
	return &auth.ListMyUserChangesResponse{Result: changes(evs)}, nil
}

func (s *Auth) ListMyMemberships(ctx context.Context, r *auth.ListMyMembershipsRequest) (*auth.ListMyMembershipsResponse, error) {
	q, err := membershipQuery(r.GetQuery(), r.GetQueries())
	if err != nil {
		return nil, err
	}
	ms, total, err := s.app.MyMemberships(ctx, scope(ctx), q)
	if err != nil {
		return nil, err
	}
	return &auth.ListMyMembershipsResponse{Details: listDetails(total), Result: membershipsV1(ms)}, nil
}

func membershipQuery(lq *object.ListQuery, queries []*userpb.MembershipQuery) (app.MembershipQuery, error) {
	if len(queries) > maxQueries {
		return app.MembershipQuery{}, errTooManyQueries
	}
	pg, err := page(lq.GetOffset(), lq.GetLimit(), lq.GetAsc())
	if err != nil {
		return app.MembershipQuery{}, err
	}
	q := app.MembershipQuery{Page: pg}
	for _, mq := range queries {
		switch v := mq.GetQuery().(type) {
		case *userpb.MembershipQuery_OrgQuery:
			q.OrgIDs = append(q.OrgIDs, v.OrgQuery.GetOrgId())
		case *userpb.MembershipQuery_IamQuery:
			q.IAM = true
		case *userpb.MembershipQuery_ProjectQuery:
			q.ProjectIDs = append(q.ProjectIDs, v.ProjectQuery.GetProjectId())
		case *userpb.MembershipQuery_ProjectGrantQuery:
			q.ProjectGrants = true
		default:
			return app.MembershipQuery{}, errMembershipQuery
		}
	}
	return q, nil
}

func membershipsV1(ms []app.MyMembership) []*userpb.Membership {
	out := make([]*userpb.Membership, len(ms))
	for i, m := range ms {
		pm := &userpb.Membership{UserId: m.UserID, Roles: m.Roles, Details: &object.ObjectDetails{Sequence: m.Sequence,
			CreationDate: ts(m.CreatedAt), ChangeDate: ts(m.ChangedAt), ResourceOwner: m.Owner}}
		if m.Project != nil {
			pm.Type, pm.DisplayName = &userpb.Membership_ProjectId{ProjectId: m.Project.ID}, m.Project.Name
		} else if m.Org != nil {
			pm.Type, pm.DisplayName = &userpb.Membership_OrgId{OrgId: m.Org.ID}, m.Org.Name
		} else {
			pm.Type = &userpb.Membership_Iam{Iam: true}
		}
		out[i] = pm
	}
	return out
}

func (s *Auth) ListMyZitadelPermissions(ctx context.Context, _ *auth.ListMyZitadelPermissionsRequest) (*auth.ListMyZitadelPermissionsResponse, error) {
	perms, err := s.app.MyZitadelPermissions(ctx, scope(ctx))
	if err != nil {
		return nil, err
	}
	return &auth.ListMyZitadelPermissionsResponse{Result: perms}, nil
}

func (s *Auth) ListMyProjectPermissions(ctx context.Context, _ *auth.ListMyProjectPermissionsRequest) (*auth.ListMyProjectPermissionsResponse, error) {
	roles, err := s.app.ListMyProjectPermissions(ctx, scope(ctx))
	if err != nil {
		return nil, err
	}
	return &auth.ListMyProjectPermissionsResponse{Result: roles}, nil
}

func (s *Auth) ListMyUserGrants(ctx context.Context, r *auth.ListMyUserGrantsRequest) (*auth.ListMyUserGrantsResponse, error) {
	pg, err := page(r.GetQuery().GetOffset(), r.GetQuery().GetLimit(), r.GetQuery().GetAsc())
	if err != nil {
		return nil, err
	}
	views, total, err := s.app.ListMyUserGrants(ctx, scope(ctx), pg)
	if err != nil {
		return nil, err
	}
	out := &auth.ListMyUserGrantsResponse{Details: listDetails(total), Result: make([]*auth.UserGrant, len(views))}
	for i, v := range views {
		g := &auth.UserGrant{GrantId: v.ID, OrgId: v.OrgID, ProjectId: v.ProjectID, UserId: v.UserID, Roles: v.RoleKeys, RoleKeys: v.RoleKeys,
			State: userpb.UserGrantState(v.State), UserType: userpb.Type_TYPE_MACHINE, Details: &object.ObjectDetails{Sequence: v.Sequence,
				CreationDate: ts(v.CreatedAt), ChangeDate: ts(v.ChangedAt), ResourceOwner: v.OrgID}}
		if g.Roles == nil {
			g.Roles, g.RoleKeys = []string{}, []string{}
		}
		if v.User != nil && v.User.Human != nil {
			g.UserType = userpb.Type_TYPE_HUMAN
		}
		if v.Org != nil {
			g.OrgName, g.OrgDomain = v.Org.Name, s.app.OrgDomain(v.Org)
		}
		if v.Project != nil {
			g.ProjectName = v.Project.Name
		}
		out.Result[i] = g
	}
	return out, nil
}

func (s *Auth) ListMyUserSessions(ctx context.Context, _ *auth.ListMyUserSessionsRequest) (*auth.ListMyUserSessionsResponse, error) {
	ss, u, o, err := s.app.MySessions(ctx, scope(ctx))
	if err != nil {
		return nil, err
	}
	out := &auth.ListMyUserSessionsResponse{Result: make([]*userpb.Session, len(ss))}
	display := u.UserName
	if u.Human != nil && u.Human.DisplayName != "" {
		display = u.Human.DisplayName
	} else if u.Machine != nil && u.Machine.Name != "" {
		display = u.Machine.Name
	}
	for i, ses := range ss {
		state := userpb.SessionState_SESSION_STATE_ACTIVE
		if !ses.Active {
			state = userpb.SessionState_SESSION_STATE_TERMINATED
		}
		out.Result[i] = &userpb.Session{SessionId: ses.ID, AuthState: state, UserId: u.ID, UserName: u.UserName,
			LoginName: s.app.LoginName(u, o), DisplayName: display,
			Details: &object.ObjectDetails{CreationDate: ts(ses.CreatedAt), ChangeDate: ts(ses.CreatedAt), ResourceOwner: u.OrgID}}
	}
	return out, nil
}

func (s *Auth) ListMyRefreshTokens(ctx context.Context, _ *auth.ListMyRefreshTokensRequest) (*auth.ListMyRefreshTokensResponse, error) {
	rts, u, err := s.app.MyRefreshTokens(ctx, scope(ctx))
	if err != nil {
		return nil, err
	}
	out := &auth.ListMyRefreshTokensResponse{Details: listDetails(uint64(len(rts))), Result: make([]*userpb.RefreshToken, len(rts))}
	for i, rt := range rts {
		// Warden's refresh lifetime slides with every rotation and has no
		// absolute end beyond it: both expirations are when this token lapses
		// unused.
		out.Result[i] = &userpb.RefreshToken{Id: rt.ID, ClientId: rt.ClientID, AuthTime: ts(rt.AuthTime),
			IdleExpiration: ts(rt.Expiration), Expiration: ts(rt.Expiration), Scopes: rt.Scopes, Audience: rt.Audience,
			Details: &object.ObjectDetails{CreationDate: ts(rt.CreatedAt), ChangeDate: ts(rt.CreatedAt), ResourceOwner: u.OrgID}}
	}
	return out, nil
}

func (s *Auth) RevokeMyRefreshToken(ctx context.Context, r *auth.RevokeMyRefreshTokenRequest) (*auth.RevokeMyRefreshTokenResponse, error) {
	u, at, err := s.app.RevokeMyRefreshToken(ctx, scope(ctx), r.GetId())
	if err != nil {
		return nil, err
	}
	return &auth.RevokeMyRefreshTokenResponse{Details: changeDetails(u.Sequence, at, u.OrgID)}, nil
}

func (s *Auth) RevokeAllMyRefreshTokens(ctx context.Context, _ *auth.RevokeAllMyRefreshTokensRequest) (*auth.RevokeAllMyRefreshTokensResponse, error) {
	if err := s.app.RevokeAllMyRefreshTokens(ctx, scope(ctx)); err != nil {
		return nil, err
	}
	return &auth.RevokeAllMyRefreshTokensResponse{}, nil
}

func (s *Auth) ListMyProjectOrgs(ctx context.Context, r *auth.ListMyProjectOrgsRequest) (*auth.ListMyProjectOrgsResponse, error) {
	if len(r.GetQueries()) > maxQueries {
		return nil, errTooManyQueries
	}
	pg, err := page(r.GetQuery().GetOffset(), r.GetQuery().GetLimit(), r.GetQuery().GetAsc())
	if err != nil {
		return nil, err
	}
	switch r.GetSortingColumn() {
	case orgpb.OrgFieldName_ORG_FIELD_NAME_UNSPECIFIED:
		pg.Asc = true // by name, A to Z, unless the name is asked for with its direction
	case orgpb.OrgFieldName_ORG_FIELD_NAME_NAME:
	default:
		return nil, errOrgSort
	}
	q := app.ProjectOrgQuery{Page: pg}
	for _, oq := range r.GetQueries() {
		switch v := oq.GetQuery().(type) {
		case *orgpb.OrgQuery_NameQuery:
			m, err := textMatch(v.NameQuery.GetName(), v.NameQuery.GetMethod())
			if err != nil {
				return nil, err
			}
			q.Names = append(q.Names, m)
		case *orgpb.OrgQuery_DomainQuery:
			m, err := textMatch(v.DomainQuery.GetDomain(), v.DomainQuery.GetMethod())
			if err != nil {
				return nil, err
			}
			q.Domains = append(q.Domains, m)
		case *orgpb.OrgQuery_StateQuery:
			st := v.StateQuery.GetState()
			if st < orgpb.OrgState_ORG_STATE_UNSPECIFIED || st > orgpb.OrgState_ORG_STATE_REMOVED {
				return nil, errOrgState
			}
			q.States = append(q.States, org.State(st))
		case *orgpb.OrgQuery_IdQuery:
			q.IDs = append(q.IDs, v.IdQuery.GetId())
		default:
			return nil, errOrgQuery
		}
	}
	orgs, total, err := s.app.MyProjectOrgs(ctx, scope(ctx), q)
	if err != nil {
		return nil, err
	}
	out := &auth.ListMyProjectOrgsResponse{Details: listDetails(total), Result: make([]*orgpb.Org, len(orgs))}
	for i, o := range orgs {
		out.Result[i] = orgV1(s.app, o)
	}
	return out, nil
}
