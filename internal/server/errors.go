package server

import (
	"github.com/warden-id/warden/internal/fail"
	"google.golang.org/grpc/codes"
)

// The answers the server gives before a request reaches a service. A body too
// large is fail.TooLarge.
var (
	errConnectHeader = fail.Invalid("WARDEN-CONNECT", "Connect requests need the header Connect-Protocol-Version: 1")
	errNoRoute       = fail.New(codes.NotFound, "WARDEN-NOROUTE", "No such endpoint")
	errBodyRead      = fail.Invalid("WARDEN-BODY", "Request body could not be read")
	// Its detail carries the parser's message, which says where the JSON is wrong.
	errBadJSON  = fail.Invalid("WARDEN-JSON", "Request body is not valid JSON")
	errBadProto = fail.Invalid("WARDEN-PROTO", "Request body is not a valid protobuf message")
)
