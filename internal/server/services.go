package server

import (
	"fmt"
	"net/http"
	"sort"

	"connectrpc.com/vanguard"
	"google.golang.org/grpc"

	actionv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/action/v2"
	actionv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/action/v2beta"
	admin "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/admin"
	analyticsv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/analytics/v2beta"
	appv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/app/v2beta"
	applicationv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/application/v2"
	auth "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/auth"
	authorizationv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/authorization/v2"
	authorizationv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/authorization/v2beta"
	featurev2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/feature/v2"
	featurev2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/feature/v2beta"
	idpv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/idp/v2"
	instancev2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/instance/v2"
	instancev2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/instance/v2beta"
	internalpermissionv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/internal_permission/v2"
	internalpermissionv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/internal_permission/v2beta"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	oidcv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/oidc/v2"
	oidcv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/oidc/v2beta"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	orgv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2beta"
	projectv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/project/v2"
	projectv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/project/v2beta"
	samlv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/saml/v2"
	sessionv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/session/v2"
	sessionv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/session/v2beta"
	settingsv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/settings/v2"
	settingsv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/settings/v2beta"
	system "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/system"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	userv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2beta"
	webkeyv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/webkey/v2"
	webkeyv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/webkey/v2beta"

	wardenuserv1 "github.com/warden-id/warden/wardenpb/user/v1"
)

// zitadelService is one service of ZITADEL's API as zitadel-go v3.29.0
// generates it.
type zitadelService struct {
	desc *grpc.ServiceDesc
	// unimplemented is the generated server whose every method answers
	// Unimplemented: what Warden registers where it has no implementation.
	unimplemented any
	// restPrefix is what ZITADEL mounts a v1 service's REST gateway under (its
	// annotated paths are relative to it); "" for the v2 and v2beta services,
	// whose annotated paths are absolute.
	restPrefix string
}

// zitadelServices is every service of zitadel-go v3.29.0 (TestEveryZITADELMethod
// reads the services from the module's *_grpc.pb.go files and calls every
// method). Registering them all makes every method of ZITADEL's API answer
// Unimplemented on every protocol unless Warden serves it, instead of a 404
// that no ZITADEL client expects.
func zitadelServices() []zitadelService {
	return []zitadelService{
		{&actionv2.ActionService_ServiceDesc, actionv2.UnimplementedActionServiceServer{}, ""},
		{&actionv2beta.ActionService_ServiceDesc, actionv2beta.UnimplementedActionServiceServer{}, ""},
		{&admin.AdminService_ServiceDesc, admin.UnimplementedAdminServiceServer{}, "/admin/v1"},
		{&analyticsv2beta.TelemetryService_ServiceDesc, analyticsv2beta.UnimplementedTelemetryServiceServer{}, ""},
		{&appv2beta.AppService_ServiceDesc, appv2beta.UnimplementedAppServiceServer{}, ""},
		{&applicationv2.ApplicationService_ServiceDesc, applicationv2.UnimplementedApplicationServiceServer{}, ""},
		{&auth.AuthService_ServiceDesc, auth.UnimplementedAuthServiceServer{}, "/auth/v1"},
		{&authorizationv2.AuthorizationService_ServiceDesc, authorizationv2.UnimplementedAuthorizationServiceServer{}, ""},
		{&authorizationv2beta.AuthorizationService_ServiceDesc, authorizationv2beta.UnimplementedAuthorizationServiceServer{}, ""},
		{&featurev2.FeatureService_ServiceDesc, featurev2.UnimplementedFeatureServiceServer{}, ""},
		{&featurev2beta.FeatureService_ServiceDesc, featurev2beta.UnimplementedFeatureServiceServer{}, ""},
		{&idpv2.IdentityProviderService_ServiceDesc, idpv2.UnimplementedIdentityProviderServiceServer{}, ""},
		{&instancev2.InstanceService_ServiceDesc, instancev2.UnimplementedInstanceServiceServer{}, ""},
		{&instancev2beta.InstanceService_ServiceDesc, instancev2beta.UnimplementedInstanceServiceServer{}, ""},
		{&internalpermissionv2.InternalPermissionService_ServiceDesc, internalpermissionv2.UnimplementedInternalPermissionServiceServer{}, ""},
		{&internalpermissionv2beta.InternalPermissionService_ServiceDesc, internalpermissionv2beta.UnimplementedInternalPermissionServiceServer{}, ""},
		{&mgmt.ManagementService_ServiceDesc, mgmt.UnimplementedManagementServiceServer{}, "/management/v1"},
		{&oidcv2.OIDCService_ServiceDesc, oidcv2.UnimplementedOIDCServiceServer{}, ""},
		{&oidcv2beta.OIDCService_ServiceDesc, oidcv2beta.UnimplementedOIDCServiceServer{}, ""},
		{&orgv2.OrganizationService_ServiceDesc, orgv2.UnimplementedOrganizationServiceServer{}, ""},
		{&orgv2beta.OrganizationService_ServiceDesc, orgv2beta.UnimplementedOrganizationServiceServer{}, ""},
		{&projectv2.ProjectService_ServiceDesc, projectv2.UnimplementedProjectServiceServer{}, ""},
		{&projectv2beta.ProjectService_ServiceDesc, projectv2beta.UnimplementedProjectServiceServer{}, ""},
		{&samlv2.SAMLService_ServiceDesc, samlv2.UnimplementedSAMLServiceServer{}, ""},
		{&sessionv2.SessionService_ServiceDesc, sessionv2.UnimplementedSessionServiceServer{}, ""},
		{&sessionv2beta.SessionService_ServiceDesc, sessionv2beta.UnimplementedSessionServiceServer{}, ""},
		{&settingsv2.SettingsService_ServiceDesc, settingsv2.UnimplementedSettingsServiceServer{}, ""},
		{&settingsv2beta.SettingsService_ServiceDesc, settingsv2beta.UnimplementedSettingsServiceServer{}, ""},
		{&system.SystemService_ServiceDesc, system.UnimplementedSystemServiceServer{}, "/system/v1"},
		{&userv2.UserService_ServiceDesc, userv2.UnimplementedUserServiceServer{}, ""},
		{&userv2beta.UserService_ServiceDesc, userv2beta.UnimplementedUserServiceServer{}, ""},
		{&webkeyv2.WebKeyService_ServiceDesc, webkeyv2.UnimplementedWebKeyServiceServer{}, ""},
		{&webkeyv2beta.WebKeyService_ServiceDesc, webkeyv2beta.UnimplementedWebKeyServiceServer{}, ""},
	}
}

// wardenServices is Warden's own API (proto/warden, package warden.*): what
// ZITADEL's messages cannot carry, served beside them on every protocol. Its
// REST paths are absolute (/warden/v1/...), so it shares the v2 group.
func wardenServices() []zitadelService {
	return []zitadelService{
		{&wardenuserv1.UserLockService_ServiceDesc, wardenuserv1.UnimplementedUserLockServiceServer{}, ""},
	}
}

// apiGroup is the services that share one transcoder. ZITADEL's v1 services
// each have their own REST prefix and relative paths that collide with each
// other's (every one has GET /healthz), so each gets its own; the v2 and
// v2beta services, with absolute paths, share one.
type apiGroup struct {
	restPrefix string
	names      []string
	services   []*vanguard.Service
	routes     *routeNode // the group's REST routes, for the body rules of rest()
}

// mountAPI registers every ZITADEL service on g — impl's implementations,
// keyed by full service name, and the Unimplemented servers for the rest —
// and serves them on mux: each service's gRPC, gRPC-Web and Connect path,
// and each group's REST prefix, all behind CORS.
func (s *Server) mountAPI(mux *http.ServeMux, g *grpc.Server, impl map[string]any, opts ...vanguard.TranscoderOption) error {
	groups := map[string]*apiGroup{}
	used := 0
	for _, zs := range append(zitadelServices(), wardenServices()...) {
		h, ok := impl[zs.desc.ServiceName]
		if ok {
			used++
		} else {
			h = zs.unimplemented
		}
		g.RegisterService(zs.desc, h)
		grp := groups[zs.restPrefix]
		if grp == nil {
			grp = &apiGroup{restPrefix: zs.restPrefix, routes: &routeNode{}}
			groups[zs.restPrefix] = grp
		}
		grp.names = append(grp.names, zs.desc.ServiceName)
		grp.services = append(grp.services, vanguard.NewService(zs.desc.ServiceName, g))
		if err := grp.routes.addService(zs.desc.ServiceName); err != nil {
			return err
		}
		s.methods["/"+zs.desc.ServiceName+"/"] = true
		for _, m := range zs.desc.Methods {
			s.methods["/"+zs.desc.ServiceName+"/"+m.MethodName] = true
		}
	}
	if used != len(impl) {
		return fmt.Errorf("%d of %d implementations are of no known service", len(impl)-used, len(impl))
	}
	prefixes := make([]string, 0, len(groups))
	for p := range groups {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)
	for _, p := range prefixes {
		grp := groups[p]
		tc, err := vanguard.NewTranscoder(grp.services, append([]vanguard.TranscoderOption{
			// What vanguardgrpc.NewTranscoder sets: the grpc.Server speaks gRPC with protobuf.
			vanguard.WithDefaultServiceOptions(
				vanguard.WithTargetCodecs(vanguard.CodecProto),
				vanguard.WithTargetProtocols(vanguard.ProtocolGRPC),
			),
		}, opts...)...)
		if err != nil {
			return fmt.Errorf("transcoder for %q: %w", p, err)
		}
		rpc := s.cors(grpcWebText(tc))
		for _, name := range grp.names {
			mux.Handle("/"+name+"/", rpc)
		}
		if p != "" {
			mux.Handle(p+"/", s.cors(http.StripPrefix(p, rest(tc, grp.routes))))
			continue
		}
		// Absolute paths: mount each first segment they use (/v2/, /v2beta/).
		for _, first := range grp.routes.firstSegments() {
			mux.Handle("/"+first+"/", s.cors(rest(tc, grp.routes)))
		}
	}
	return nil
}
