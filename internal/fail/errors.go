package fail

import "google.golang.org/grpc/codes"

// The catalogue of errors that are not tied to one aggregate. Each package keeps its
// own errors in a file like this one (errors.go); catalogue_test.go checks that ids
// are written nowhere else and that no two errors share one.
var (
	InvalidArgument = New(codes.InvalidArgument, "WARDEN-INVAL", "Invalid argument")
	// ZITADEL's id for an invalid or dead token; clients match on it.
	Unauthenticated = New(codes.Unauthenticated, "AUTH-7fs1e", "Errors.Token.Invalid")
	// ZITADEL's id for a caller without the permission (internal/api/authz).
	PermissionDenied = New(codes.PermissionDenied, "AUTH-5mWD2", "No matching permissions found")
	Unavailable      = New(codes.Unavailable, "WARDEN-UNAVAIL", "Service temporarily unavailable")
	Internal         = New(codes.Internal, "WARDEN-INTERNAL", "Internal error")
	// ZITADEL answers a missing org context with AUTH-Bs7Ds as PermissionDenied;
	// Warden's NotFound is a different error, so it has an id of its own.
	OrgNotFound = New(codes.NotFound, "WARDEN-ORGNOTFOUND", "Organisation not found")
	TooLarge    = New(codes.ResourceExhausted, "WARDEN-SIZE", "Request body too large")
)
