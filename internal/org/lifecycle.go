package org

import (
	"strings"

	"github.com/warden-id/warden/internal/fail"
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
