// Package server wires Warden onto one port: gRPC, gRPC-Web, Connect and REST/JSON
// (through vanguard's transcoder in front of one grpc.Server), over HTTP/1.1 and
// h2c, plus the /debug endpoints.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/vanguard"
	"github.com/warden-id/warden/internal/api"
	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/metrics"
	"github.com/warden-id/warden/internal/requestid"
	admin "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/admin"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/auth"
	authzv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/authorization/v2"
	authzv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/authorization/v2beta"
	ipermv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/internal_permission/v2"
	ipermv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/internal_permission/v2beta"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	projectv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/project/v2"
	projectv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/project/v2beta"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	userv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2beta"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
)

// MaxBodyBytes bounds every request body and gRPC message.
const MaxBodyBytes = 4 << 20

// Server is one Warden node's HTTP front.
type Server struct {
	app     *app.App
	log     *slog.Logger
	grpc    *grpc.Server
	handler http.Handler
	serving atomic.Bool
	metrics *metrics.Metrics // nil: no metrics
	// Where metrics are served (see metricsaccess.go); neither: not at all.
	metricsToken string
	metricsLn    net.Listener
	undecodable  sync.Map     // request message → parse error, for refuseUndecodable
	tracer       trace.Tracer // nil: no tracing
	mounts       []mount
	// methods holds every registered method's path (/svc/Method) and each
	// service's /svc/, for the answers to unknown ones.
	methods     map[string]bool
	corsOrigins []string
	corsSet     bool        // WithCORSOrigins was given
	corsPolicy  *corsPolicy // nil: no CORS
}

// New builds the server around the use cases.
func New(a *app.App, log *slog.Logger, opts ...Option) (*Server, error) {
	log = slog.New(requestid.LogHandler(log.Handler())) // request ids in every record
	s := &Server{app: a, log: log, methods: map[string]bool{}}
	for _, o := range opts {
		o(s)
	}
	if !s.corsSet {
		s.corsOrigins = []string{"*"}
	}
	cp, err := newCORSPolicy(s.corsOrigins)
	if err != nil {
		return nil, fmt.Errorf("cors origins: %w", err)
	}
	s.corsPolicy = cp
	// Metrics outermost, so they see the status the auth interceptor settled on.
	var chain []grpc.UnaryServerInterceptor
	if s.metrics != nil {
		chain = append(chain, s.metrics.UnaryInterceptor())
	}
	if s.tracer != nil {
		chain = append(chain, traceInterceptor(s.tracer))
	}
	chain = append(chain, s.refuseUndecodable, api.Interceptor(a, log))
	g := grpc.NewServer(
		grpc.ChainUnaryInterceptor(chain...),
		grpc.MaxRecvMsgSize(MaxBodyBytes),
		grpc.ForceServerCodecV2(newProtoCodec(&s.undecodable)),
	)
	s.grpc = g
	v2 := api.NewUserV2(a, log)
	impl := map[string]any{
		mgmt.ManagementService_ServiceDesc.ServiceName:       api.NewManagement(a, log),
		userv2.UserService_ServiceDesc.ServiceName:           v2,
		userv2beta.UserService_ServiceDesc.ServiceName:       api.NewUserV2beta(v2),
		admin.AdminService_ServiceDesc.ServiceName:           api.NewAdmin(a, log),
		auth.AuthService_ServiceDesc.ServiceName:             api.NewAuth(a, log),
		authzv2.AuthorizationService_ServiceDesc.ServiceName: api.NewAuthorizationV2(a),
		projectv2.ProjectService_ServiceDesc.ServiceName:     api.NewProjectV2(a),
		orgv2.OrganizationService_ServiceDesc.ServiceName:    api.NewOrgV2(a),
	}
	// The v2beta twins of Authorization and Project, which @zitadel/client
	// 1.3 calls: converters in front of v2.
	impl[authzv2beta.AuthorizationService_ServiceDesc.ServiceName] = api.NewAuthorizationV2beta(api.NewAuthorizationV2(a))
	impl[projectv2beta.ProjectService_ServiceDesc.ServiceName] = api.NewProjectV2beta(api.NewProjectV2(a))
	// Administrators: the four memberships by resource; v2beta converts to v2.
	iperm := api.NewInternalPermissionV2(a)
	impl[ipermv2.InternalPermissionService_ServiceDesc.ServiceName] = iperm
	impl[ipermv2beta.InternalPermissionService_ServiceDesc.ServiceName] = api.NewInternalPermissionV2beta(iperm)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /debug/ready", s.ready)
	if s.metrics != nil && s.metricsToken != "" {
		mux.Handle("GET /debug/metrics", requireBearer(s.metricsToken, s.metrics.Handler()))
	}
	if s.metricsLn != nil && s.metrics == nil {
		return nil, errors.New("a metrics listener needs WithMetrics")
	}
	// Every ZITADEL service: gRPC, gRPC-Web and Connect by full name; REST
	// under ZITADEL's prefixes (v1 paths are relative to /management/v1,
	// /admin/v1, ...; v2 paths are absolute), so v1 REST is not also
	// answered at the root.
	if err := s.mountAPI(mux, g, impl,
		vanguard.WithCodec(newJSONCodec),
		vanguard.WithDefaultServiceOptions(vanguard.WithMaxMessageBufferBytes(MaxBodyBytes)),
		vanguard.WithUnknownHandler(http.HandlerFunc(s.notFound)),
	); err != nil {
		return nil, err
	}
	for _, m := range s.mounts {
		mux.Handle(m.pattern, m.handler)
	}
	// An unknown /package.Service/Method is an API call too: CORS, so a
	// browser reads its Unimplemented.
	unknown := s.cors(http.HandlerFunc(s.notFound))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if _, _, ok := rpcPath(r.URL.Path); ok {
			unknown.ServeHTTP(w, r)
			return
		}
		s.notFound(w, r)
	})
	s.handler = s.observe(limitBody(mux))
	return s, nil
}

// Handler is the whole HTTP surface (for tests and embedding).
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if !s.serving.Load() {
		http.Error(w, "not serving\n", http.StatusServiceUnavailable)
		return
	}
	if err := s.app.Store().Ping(ctx); err != nil {
		http.Error(w, "store unavailable\n", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

// Serve answers on ln (and on the metrics listener, if any) until ctx ends,
// then stops taking connections on both, lets in-flight requests finish (up to
// drain) and returns. If either listener fails, both stop.
func (s *Server) Serve(ctx context.Context, ln net.Listener, drain time.Duration) error {
	servers := []*http.Server{s.httpServer(s.handler)}
	lns := []net.Listener{ln}
	if s.metricsLn != nil {
		servers = append(servers, s.httpServer(s.metricsOnly()))
		lns = append(lns, s.metricsLn)
	}
	errc := make(chan error, len(servers))
	for i, hs := range servers {
		go func() { errc <- hs.Serve(lns[i]) }()
	}
	s.serving.Store(true)
	var first error // a listener that failed before ctx ended
	select {
	case first = <-errc:
	case <-ctx.Done():
		s.log.Info("draining", "timeout", drain.String())
	}
	s.serving.Store(false)
	sctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	shut := make(chan error, len(servers))
	for _, hs := range servers {
		go func() { shut <- hs.Shutdown(sctx) }()
	}
	var errs []error
	for range servers {
		errs = append(errs, <-shut)
	}
	waiting := len(servers)
	if first != nil {
		waiting--
		errs = append(errs, first)
	}
	for range waiting {
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s *Server) httpServer(h http.Handler) *http.Server {
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true) // h2c: gRPC without TLS on the same port
	return &http.Server{
		Handler:           h,
		Protocols:         &protocols,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// isREST tells transcoded JSON calls apart from gRPC-family ones.
func isREST(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return !strings.HasPrefix(ct, "application/grpc") && !strings.HasPrefix(ct, "application/connect")
}
