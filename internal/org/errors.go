package org

import (
	"github.com/warden-id/warden/internal/fail"
	"google.golang.org/grpc/codes"
)

// The org lifecycle's errors, with ZITADEL's ids (internal/command/org.go).
var (
	ErrNameInvalid       = fail.Invalid("EVENT-Mf9sd", "Errors.Org.Invalid")
	ErrNotChanged        = fail.New(codes.FailedPrecondition, "ORG-4VSdf", "Errors.Org.NotChanged")
	ErrChangeNotFound    = fail.New(codes.NotFound, "ORG-1MRds", "Errors.Org.NotFound")
	ErrDeactivateMissing = fail.New(codes.NotFound, "ORG-oL9nT", "Errors.Org.NotFound")
	ErrAlreadyInactive   = fail.New(codes.FailedPrecondition, "EVENT-Dbs2g", "Errors.Org.AlreadyDeactivated")
	ErrReactivateMissing = fail.New(codes.NotFound, "ORG-Dgf3g", "Errors.Org.NotFound")
	ErrAlreadyActive     = fail.New(codes.FailedPrecondition, "EVENT-bfnrh", "Errors.Org.AlreadyActive")
	ErrRemoveMissing     = fail.New(codes.NotFound, "COMMA-aps2n", "Errors.Org.NotFound")
	ErrDefaultNotRemoved = fail.New(codes.FailedPrecondition, "COMMA-wG9p1", "Errors.Org.DefaultOrgNotDeletable")
	// Warden's own: the default org holds the instance's first administrators;
	// deactivating it would lock them out with nobody left to reactivate it.
	ErrDefaultNotDeactivated = fail.New(codes.FailedPrecondition, "WARDEN-ORGDEF1", "The default organisation cannot be deactivated")
)
