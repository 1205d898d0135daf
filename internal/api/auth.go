package api

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/fail"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

type callerKey struct{}

// publicMethods need no token.
var publicMethods = map[string]bool{
	"/zitadel.management.v1.ManagementService/Healthz": true,
	"/zitadel.admin.v1.AdminService/Healthz":           true,
	"/zitadel.auth.v1.AuthService/Healthz":             true,
}

// isV2 tells which id set a method's errors use (v2beta relays to v2, so its
// errors are v2's).
func isV2(fullMethod string) bool {
	return strings.HasPrefix(fullMethod, "/zitadel.user.v2.") || strings.HasPrefix(fullMethod, "/zitadel.user.v2beta.")
}

// Interceptor authenticates every call, has app decide what the method's use
// case needs in the request's org context (permissions.go), turns errors into
// ZITADEL-shaped statuses and keeps a panicking handler from taking the server
// down.
func Interceptor(a *app.App, log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		v2 := isV2(info.FullMethod)
		defer func() {
			if r := recover(); r != nil {
				log.ErrorContext(ctx, "handler panic", "method", info.FullMethod, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				resp, err = nil, toStatus(ctx, log, fail.Internal, v2)
			}
		}()
		if !publicMethods[info.FullMethod] {
			c, err := a.Authenticate(ctx, bearer(ctx))
			if err != nil {
				return nil, toStatus(ctx, log, err, v2)
			}
			if ctx, err = authorize(ctx, a, info.FullMethod, c); err != nil {
				return nil, toStatus(ctx, log, err, v2)
			}
		}
		resp, err = handler(ctx, req)
		return resp, toStatus(ctx, log, err, v2)
	}
}

func bearer(ctx context.Context) string {
	md, _ := metadata.FromIncomingContext(ctx)
	for _, v := range md.Get("authorization") {
		if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
			return strings.TrimSpace(v[7:])
		}
	}
	return ""
}

func caller(ctx context.Context) *app.Caller {
	c, _ := ctx.Value(callerKey{}).(*app.Caller)
	return c
}

// orgHeader is the v1 org context header.
func orgHeader(ctx context.Context) string {
	md, _ := metadata.FromIncomingContext(ctx)
	if v := md.Get("x-zitadel-orgid"); len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	return ""
}
