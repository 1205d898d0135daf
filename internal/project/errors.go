package project

import (
	"github.com/warden-id/warden/internal/fail"
	"google.golang.org/grpc/codes"
)

// Errors of the state transitions (ZITADEL's ids).
var (
	ErrProjectNotActive   = fail.New(codes.FailedPrecondition, "COMMAND-mki55", "Errors.Project.NotActive")
	ErrProjectNotInactive = fail.New(codes.FailedPrecondition, "COMMAND-5M9bs", "Errors.Project.NotInactive")
	ErrGrantNotActive     = fail.New(codes.FailedPrecondition, "COMMAND-1S9gx", "Errors.UserGrant.NotActive")
	ErrGrantNotInactive   = fail.New(codes.FailedPrecondition, "COMMAND-1ML0v", "Errors.UserGrant.NotInactive")
	// ZITADEL answers both with PROJECT-47fu8.
	ErrProjectGrantNotActive   = fail.New(codes.FailedPrecondition, "PROJECT-47fu8", "Errors.Project.Grant.NotActive")
	ErrProjectGrantNotInactive = fail.New(codes.FailedPrecondition, "PROJECT-47fu8", "Errors.Project.Grant.NotInactive")
)
