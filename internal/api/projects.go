package api

import (
	"context"
	"net/url"
	"slices"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
	apppb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/app"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	projectpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/project"
	"google.golang.org/protobuf/types/known/durationpb"
)

func projectV1(p *project.Project) *projectpb.Project {
	state := projectpb.ProjectState_PROJECT_STATE_ACTIVE
	if !p.Active() {
		state = projectpb.ProjectState_PROJECT_STATE_INACTIVE
	}
	return &projectpb.Project{Id: p.ID, Details: &object.ObjectDetails{Sequence: p.Sequence, CreationDate: ts(p.CreatedAt),
		ChangeDate: ts(p.ChangedAt), ResourceOwner: p.OrgID}, Name: p.Name, State: state,
		ProjectRoleAssertion: p.RoleAssertion, ProjectRoleCheck: p.RoleCheck, HasProjectCheck: p.HasProjectCheck,
		PrivateLabelingSetting: projectpb.PrivateLabelingSetting(p.PrivateLabeling)}
}

func ints[E ~int32](v []E) []int {
	out := make([]int, len(v))
	for i, e := range v {
		out[i] = int(e)
	}
	return out
}

func enums[E ~int32](v []int) []E {
	out := make([]E, len(v))
	for i, e := range v {
		out[i] = E(e)
	}
	return out
}

// origins are the distinct scheme://host of the redirect URIs (ZITADEL's allowed_origins).
func origins(uris []string) []string {
	var out []string
	for _, raw := range uris {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			continue
		}
		o := u.Scheme + "://" + u.Host
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

func appV1(ap *project.App) *apppb.App {
	out := &apppb.App{Id: ap.ID, Details: &object.ObjectDetails{Sequence: ap.Sequence, CreationDate: ts(ap.CreatedAt),
		ChangeDate: ts(ap.ChangedAt), ResourceOwner: ap.OrgID}, State: apppb.AppState_APP_STATE_ACTIVE, Name: ap.Name}
	switch ap.Kind {
	case project.AppOIDC:
		cfg := &apppb.OIDCConfig{RedirectUris: ap.RedirectURIs, ResponseTypes: enums[apppb.OIDCResponseType](ap.ResponseTypes),
			GrantTypes: enums[apppb.OIDCGrantType](ap.GrantTypes), AppType: apppb.OIDCAppType(ap.AppType), ClientId: ap.ClientID,
			AuthMethodType: apppb.OIDCAuthMethodType(ap.AuthMethod), PostLogoutRedirectUris: ap.PostLogoutRedirectURIs,
			Version: apppb.OIDCVersion_OIDC_VERSION_1_0, DevMode: ap.DevMode, AccessTokenType: apppb.OIDCTokenType(ap.AccessTokenType),
			IdTokenUserinfoAssertion: ap.IDTokenUserinfo, IdTokenRoleAssertion: ap.IDTokenRoleAssertion,
			AccessTokenRoleAssertion: ap.AccessTokenRoleAssertion, ClockSkew: durationpb.New(ap.ClockSkew), AllowedOrigins: origins(ap.RedirectURIs)}
		out.Config = &apppb.App_OidcConfig{OidcConfig: cfg}
	case project.AppAPI:
		out.Config = &apppb.App_ApiConfig{ApiConfig: &apppb.APIConfig{ClientId: ap.ClientID, AuthMethodType: apppb.APIAuthMethodType(ap.AuthMethod)}}
	}
	return out
}

func (m *Management) AddProject(ctx context.Context, r *mgmt.AddProjectRequest) (*mgmt.AddProjectResponse, error) {
	s := scope(ctx)
	if len(r.GetAdmins()) > 0 {
		return nil, errProjectAdmins
	}
	p, err := m.app.AddProject(ctx, s, app.ProjectInput{Name: r.GetName(), RoleAssertion: r.GetProjectRoleAssertion(),
		RoleCheck: r.GetProjectRoleCheck(), HasProjectCheck: r.GetHasProjectCheck(), PrivateLabeling: int(r.GetPrivateLabelingSetting())})
	if err != nil {
		return nil, err
	}
	return &mgmt.AddProjectResponse{Id: p.ID, Details: createDetails(p.Sequence, p.CreatedAt, p.OrgID)}, nil
}

func (m *Management) GetProjectByID(ctx context.Context, r *mgmt.GetProjectByIDRequest) (*mgmt.GetProjectByIDResponse, error) {
	s := scope(ctx)
	p, err := m.app.GetProject(ctx, s, r.GetId())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetProjectByIDResponse{Project: projectV1(p)}, nil
}

func (m *Management) ListProjects(ctx context.Context, r *mgmt.ListProjectsRequest) (*mgmt.ListProjectsResponse, error) {
	s := scope(ctx)
	if len(r.GetQueries()) > maxQueries {
		return nil, errTooManyQueries
	}
	var names []store.TextMatch
	for _, q := range r.GetQueries() {
		switch v := q.GetQuery().(type) {
		case *projectpb.ProjectQuery_NameQuery:
			tm, err := textMatch(v.NameQuery.GetName(), v.NameQuery.GetMethod())
			if err != nil {
				return nil, err
			}
			names = append(names, tm)
		case *projectpb.ProjectQuery_ProjectResourceOwnerQuery:
			if v.ProjectResourceOwnerQuery.GetResourceOwner() != s.OrgID {
				return &mgmt.ListProjectsResponse{Details: listDetails(0)}, nil
			}
		default:
			return nil, errQueryUnsupported
		}
	}
	pg, err := page(r.GetQuery().GetOffset(), r.GetQuery().GetLimit(), r.GetQuery().GetAsc())
	if err != nil {
		return nil, err
	}
	ps, total, err := m.app.ListProjects(ctx, s, names, pg)
	if err != nil {
		return nil, err
	}
	out := &mgmt.ListProjectsResponse{Details: listDetails(total), Result: make([]*projectpb.Project, len(ps))}
	for i, p := range ps {
		out.Result[i] = projectV1(p)
	}
	return out, nil
}

func (m *Management) UpdateProject(ctx context.Context, r *mgmt.UpdateProjectRequest) (*mgmt.UpdateProjectResponse, error) {
	s := scope(ctx)
	p, err := m.app.UpdateProject(ctx, s, r.GetId(), app.ProjectInput{Name: r.GetName(), RoleAssertion: r.GetProjectRoleAssertion(),
		RoleCheck: r.GetProjectRoleCheck(), HasProjectCheck: r.GetHasProjectCheck(), PrivateLabeling: int(r.GetPrivateLabelingSetting())})
	if err != nil {
		return nil, err
	}
	return &mgmt.UpdateProjectResponse{Details: changeDetails(p.Sequence, p.ChangedAt, p.OrgID)}, nil
}

func (m *Management) RemoveProject(ctx context.Context, r *mgmt.RemoveProjectRequest) (*mgmt.RemoveProjectResponse, error) {
	s := scope(ctx)
	o, err := m.app.RemoveProject(ctx, s, r.GetId())
	if err != nil {
		return nil, err
	}
	return &mgmt.RemoveProjectResponse{Details: changeDetails(o.Sequence, o.ChangedAt, o.ID)}, nil
}

// oidcConfig converts the fields AddOIDCAppRequest and UpdateOIDCAppConfigRequest share.
type oidcRequest interface {
	GetRedirectUris() []string
	GetResponseTypes() []apppb.OIDCResponseType
	GetGrantTypes() []apppb.OIDCGrantType
	GetAppType() apppb.OIDCAppType
	GetAuthMethodType() apppb.OIDCAuthMethodType
	GetPostLogoutRedirectUris() []string
	GetDevMode() bool
	GetAccessTokenType() apppb.OIDCTokenType
	GetIdTokenUserinfoAssertion() bool
	GetIdTokenRoleAssertion() bool
	GetAccessTokenRoleAssertion() bool
	GetClockSkew() *durationpb.Duration
	GetBackChannelLogoutUri() string
}

func oidcConfig(r oidcRequest) (app.OIDCConfig, error) {
	if r.GetBackChannelLogoutUri() != "" {
		return app.OIDCConfig{}, errAppUnsupported
	}
	var skew time.Duration
	if d := r.GetClockSkew(); d != nil {
		if err := d.CheckValid(); err != nil {
			return app.OIDCConfig{}, errClockSkewFormat
		}
		skew = d.AsDuration()
	}
	return app.OIDCConfig{RedirectURIs: r.GetRedirectUris(), PostLogoutRedirectURIs: r.GetPostLogoutRedirectUris(),
		ResponseTypes: ints(r.GetResponseTypes()), GrantTypes: ints(r.GetGrantTypes()), AppType: int(r.GetAppType()),
		AuthMethod: int(r.GetAuthMethodType()), AccessTokenType: int(r.GetAccessTokenType()), DevMode: r.GetDevMode(),
		IDTokenUserinfo: r.GetIdTokenUserinfoAssertion(), IDTokenRoleAssertion: r.GetIdTokenRoleAssertion(),
		AccessTokenRoleAssertion: r.GetAccessTokenRoleAssertion(), ClockSkew: skew}, nil
}

func (m *Management) AddOIDCApp(ctx context.Context, r *mgmt.AddOIDCAppRequest) (*mgmt.AddOIDCAppResponse, error) {
	s := scope(ctx)
	if r.GetVersion() != apppb.OIDCVersion_OIDC_VERSION_1_0 {
		return nil, errAppUnsupported
	}
	cfg, err := oidcConfig(r)
	if err != nil {
		return nil, err
	}
	ap, secret, err := m.app.AddOIDCApp(ctx, s, r.GetProjectId(), r.GetName(), cfg)
	if err != nil {
		return nil, err
	}
	return &mgmt.AddOIDCAppResponse{AppId: ap.ID, Details: createDetails(ap.Sequence, ap.CreatedAt, ap.OrgID),
		ClientId: ap.ClientID, ClientSecret: secret}, nil
}

func (m *Management) AddAPIApp(ctx context.Context, r *mgmt.AddAPIAppRequest) (*mgmt.AddAPIAppResponse, error) {
	s := scope(ctx)
	ap, secret, err := m.app.AddAPIApp(ctx, s, r.GetProjectId(), r.GetName(), int(r.GetAuthMethodType()))
	if err != nil {
		return nil, err
	}
	return &mgmt.AddAPIAppResponse{AppId: ap.ID, Details: createDetails(ap.Sequence, ap.CreatedAt, ap.OrgID),
		ClientId: ap.ClientID, ClientSecret: secret}, nil
}

func (m *Management) GetAppByID(ctx context.Context, r *mgmt.GetAppByIDRequest) (*mgmt.GetAppByIDResponse, error) {
	s := scope(ctx)
	ap, err := m.app.GetApp(ctx, s, r.GetProjectId(), r.GetAppId())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetAppByIDResponse{App: appV1(ap)}, nil
}

func (m *Management) ListApps(ctx context.Context, r *mgmt.ListAppsRequest) (*mgmt.ListAppsResponse, error) {
	s := scope(ctx)
	if len(r.GetQueries()) > maxQueries {
		return nil, errTooManyQueries
	}
	var names []store.TextMatch
	for _, q := range r.GetQueries() {
		nq, ok := q.GetQuery().(*apppb.AppQuery_NameQuery)
		if !ok {
			return nil, errQueryUnsupported
		}
		tm, err := textMatch(nq.NameQuery.GetName(), nq.NameQuery.GetMethod())
		if err != nil {
			return nil, err
		}
		names = append(names, tm)
	}
	pg, err := page(r.GetQuery().GetOffset(), r.GetQuery().GetLimit(), r.GetQuery().GetAsc())
	if err != nil {
		return nil, err
	}
	aps, total, err := m.app.ListApps(ctx, s, r.GetProjectId(), names, pg)
	if err != nil {
		return nil, err
	}
	out := &mgmt.ListAppsResponse{Details: listDetails(total), Result: make([]*apppb.App, len(aps))}
	for i, ap := range aps {
		out.Result[i] = appV1(ap)
	}
	return out, nil
}

func (m *Management) UpdateApp(ctx context.Context, r *mgmt.UpdateAppRequest) (*mgmt.UpdateAppResponse, error) {
	s := scope(ctx)
	ap, err := m.app.RenameApp(ctx, s, r.GetProjectId(), r.GetAppId(), r.GetName())
	if err != nil {
		return nil, err
	}
	return &mgmt.UpdateAppResponse{Details: changeDetails(ap.Sequence, ap.ChangedAt, ap.OrgID)}, nil
}

func (m *Management) UpdateOIDCAppConfig(ctx context.Context, r *mgmt.UpdateOIDCAppConfigRequest) (*mgmt.UpdateOIDCAppConfigResponse, error) {
	s := scope(ctx)
	cfg, err := oidcConfig(r)
	if err != nil {
		return nil, err
	}
	ap, err := m.app.UpdateOIDCApp(ctx, s, r.GetProjectId(), r.GetAppId(), cfg)
	if err != nil {
		return nil, err
	}
	return &mgmt.UpdateOIDCAppConfigResponse{Details: changeDetails(ap.Sequence, ap.ChangedAt, ap.OrgID)}, nil
}

func (m *Management) UpdateAPIAppConfig(ctx context.Context, r *mgmt.UpdateAPIAppConfigRequest) (*mgmt.UpdateAPIAppConfigResponse, error) {
	s := scope(ctx)
	ap, err := m.app.UpdateAPIApp(ctx, s, r.GetProjectId(), r.GetAppId(), int(r.GetAuthMethodType()))
	if err != nil {
		return nil, err
	}
	return &mgmt.UpdateAPIAppConfigResponse{Details: changeDetails(ap.Sequence, ap.ChangedAt, ap.OrgID)}, nil
}

func (m *Management) RemoveApp(ctx context.Context, r *mgmt.RemoveAppRequest) (*mgmt.RemoveAppResponse, error) {
	s := scope(ctx)
	o, err := m.app.RemoveApp(ctx, s, r.GetProjectId(), r.GetAppId())
	if err != nil {
		return nil, err
	}
	return &mgmt.RemoveAppResponse{Details: changeDetails(o.Sequence, o.ChangedAt, o.ID)}, nil
}

func (m *Management) RegenerateOIDCClientSecret(ctx context.Context, r *mgmt.RegenerateOIDCClientSecretRequest) (*mgmt.RegenerateOIDCClientSecretResponse, error) {
	s := scope(ctx)
	ap, secret, err := m.app.RegenerateAppSecret(ctx, s, r.GetProjectId(), r.GetAppId(), project.AppOIDC)
	if err != nil {
		return nil, err
	}
	return &mgmt.RegenerateOIDCClientSecretResponse{ClientSecret: secret, Details: changeDetails(ap.Sequence, ap.ChangedAt, ap.OrgID)}, nil
}

func (m *Management) RegenerateAPIClientSecret(ctx context.Context, r *mgmt.RegenerateAPIClientSecretRequest) (*mgmt.RegenerateAPIClientSecretResponse, error) {
	s := scope(ctx)
	ap, secret, err := m.app.RegenerateAppSecret(ctx, s, r.GetProjectId(), r.GetAppId(), project.AppAPI)
	if err != nil {
		return nil, err
	}
	return &mgmt.RegenerateAPIClientSecretResponse{ClientSecret: secret, Details: changeDetails(ap.Sequence, ap.ChangedAt, ap.OrgID)}, nil
}
