// Package api serves ZITADEL's ManagementService (v1) and UserService (v2, and
// v2beta relayed to it) over gRPC by implementing the server interfaces
// generated in zitadel-go; transcoding to REST, gRPC-Web and Connect happens in
// the server package.
package api

import (
	"context"
	"errors"
	"log/slog"

	"github.com/warden-id/warden/internal/fail"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/message"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// toStatus is the one place a domain error becomes a gRPC status: code, the
// message with ZITADEL's id in parentheses, and a zitadel.v1.ErrorDetail.
func toStatus(ctx context.Context, log *slog.Logger, err error, v2 bool) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err // already a status (e.g. from grpc itself)
	}
	fe, ok := fail.As(err)
	if !ok {
		if errors.Is(err, context.Canceled) {
			return status.Error(codes.Canceled, "request canceled")
		}
		fe = fail.Internal.Wrap(err)
	}
	if fe.Code == codes.Internal || fe.Code == codes.Unavailable {
		log.ErrorContext(ctx, "request failed", "code", fe.Code.String(), "err", err)
	}
	id := fe.IDFor(v2)
	st := status.New(fe.Code, fe.Message+" ("+id+")")
	if d, derr := st.WithDetails(&message.ErrorDetail{Id: id, Message: fe.Message}); derr == nil {
		st = d
	}
	return st.Err()
}

var (
	errPATExpiration = fail.Invalid("MANAG-Exp1", "expiration date is not a valid timestamp")
)
