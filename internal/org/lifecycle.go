package org

import (
	"strings"

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

// Event types of the lifecycle (ZITADEL's names).
const (
	EventChanged     = "org.changed"
	EventDeactivated = "org.deactivated"
	EventReactivated = "org.reactivated"
	EventRemoved     = "org.removed"
)

// Op is a lifecycle operation on an org.
type Op int

const (
	OpDeactivate Op = iota
	OpReactivate
	OpRemove
)

// Exists tells whether the org is there to act on (not removed).
func (o *Org) Exists() bool { return o != nil && o.State != StateRemoved && o.State != 0 }

// Apply decides op on o (nil: no such org) and returns the event type to
// record. defaultOrgID is the instance's default org, which can be neither
// removed (as in ZITADEL) nor deactivated (Warden's own rule).
func Apply(o *Org, op Op, defaultOrgID string) (string, error) {
	switch op {
	case OpDeactivate:
		if !o.Exists() {
			return "", ErrDeactivateMissing
		}
		if o.State == StateInactive {
			return "", ErrAlreadyInactive
		}
		if o.ID == defaultOrgID {
			return "", ErrDefaultNotDeactivated
		}
		o.State = StateInactive
		return EventDeactivated, nil
	case OpReactivate:
		if !o.Exists() {
			return "", ErrReactivateMissing
		}
		if o.State == StateActive {
			return "", ErrAlreadyActive
		}
		o.State = StateActive
		return EventReactivated, nil
	case OpRemove:
		if o != nil && o.ID == defaultOrgID {
			return "", ErrDefaultNotRemoved
		}
		if !o.Exists() {
			return "", ErrRemoveMissing
		}
		o.State = StateRemoved
		return EventRemoved, nil
	}
	return "", fail.Internal
}

// Rename checks and applies a new name (trimmed, as ZITADEL does).
func Rename(o *Org, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", ErrNameInvalid
	}
	if !o.Exists() {
		return "", ErrChangeNotFound
	}
	if o.Name == name {
		return "", ErrNotChanged
	}
	o.Name = name
	return EventChanged, nil
}
