// Package event defines the history record every change writes beside its state.
package event

import "time"

// Aggregate types.
const (
	AggregateUser     = "user"
	AggregateOrg      = "org"
	AggregateInstance = "instance"
)

// Event type names, ZITADEL's where ZITADEL has one.
const (
	HumanAdded            = "user.human.added"
	MachineAdded          = "user.machine.added"
	UserLocked            = "user.locked"
	UserUnlocked          = "user.unlocked"
	UserDeactivated       = "user.deactivated"
	UserReactivated       = "user.reactivated"
	UserRemoved           = "user.removed"
	PasswordCheckFailed   = "user.human.password.check.failed"
	PasswordCheckOK       = "user.human.password.check.succeeded"
	PasswordChanged       = "user.human.password.changed"
	PasswordHashUpdated   = "user.human.password.hash.updated"
	PATAdded              = "user.personal.access.token.added"
	PATRemoved            = "user.personal.access.token.removed"
	OrgAdded              = "org.added"
	OrgMemberAdded        = "org.member.added"
	OrgMemberChanged      = "org.member.changed"
	OrgMemberRemoved      = "org.member.removed"
	InstanceAdded         = "instance.added"
	InstanceMemberAdded   = "instance.member.added"
	InstanceMemberRemoved = "instance.member.removed"
	InstanceMemberChanged = "instance.member.changed"
	InstanceDefaultOrgSet = "instance.default.org.set"
	// The instance's SMTP configurations (ZITADEL's names).
	SMTPConfigAdded           = "instance.smtp.config.added"
	SMTPConfigChanged         = "instance.smtp.config.changed"
	SMTPConfigPasswordChanged = "instance.smtp.config.password.changed"
	SMTPConfigActivated       = "instance.smtp.config.activated"
	SMTPConfigDeactivated     = "instance.smtp.config.deactivated"
	SMTPConfigRemoved         = "instance.smtp.config.removed"
	// An org's own lockout policy (ZITADEL's names; payload field names too).
	LockoutPolicyAdded   = "org.policy.lockout.added"
	LockoutPolicyChanged = "org.policy.lockout.changed"
	LockoutPolicyRemoved = "org.policy.lockout.removed"
)

// Event is one entry of an aggregate's history. (AggregateID, Sequence) is unique;
// Sequence starts at 1 and grows by one per event of that aggregate.
type Event struct {
	AggregateType string
	AggregateID   string
	Sequence      uint64
	Type          string
	CreatedAt     time.Time
	CreatorID     string // the user whose call caused it; empty for the system
	ResourceOwner string // the org the aggregate belongs to
	Payload       []byte // JSON, may be nil
}
