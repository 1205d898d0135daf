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
	SMTPConfigHTTPAdded       = "instance.smtp.config.http.added"
	SMTPConfigHTTPChanged     = "instance.smtp.config.http.changed"

	// The instance's SMS providers (ZITADEL's names: its prefix "sms.config"
	// is followed by the type without a dot).
	SMSTwilioAdded        = "instance.sms.configtwilio.added"
	SMSTwilioChanged      = "instance.sms.configtwilio.changed"
	SMSTwilioTokenChanged = "instance.sms.configtwilio.token.changed"
	SMSHTTPAdded          = "instance.sms.confighttp.added"
	SMSHTTPChanged        = "instance.sms.confighttp.changed"
	SMSActivated          = "instance.sms.configactivated"
	SMSDeactivated        = "instance.sms.configdeactivated"
	SMSRemoved            = "instance.sms.configremoved"
	// An org's own lockout policy (ZITADEL's names; payload field names too).
	LockoutPolicyAdded   = "org.policy.lockout.added"
	LockoutPolicyChanged = "org.policy.lockout.changed"
	LockoutPolicyRemoved = "org.policy.lockout.removed"

	ComplexityPolicyAdded   = "org.policy.password.complexity.added"
	ComplexityPolicyChanged = "org.policy.password.complexity.changed"
	ComplexityPolicyRemoved = "org.policy.password.complexity.removed"
	AgePolicyAdded          = "org.policy.password.age.added"
	AgePolicyChanged        = "org.policy.password.age.changed"
	AgePolicyRemoved        = "org.policy.password.age.removed"

	// The instance defaults: ZITADEL adds them at setup, so a change is all
	// Warden records (its built-in defaults stand for the setup's).
	InstanceLockoutPolicyChanged    = "instance.policy.lockout.changed"
	InstanceComplexityPolicyChanged = "instance.policy.password.complexity.changed"
	InstanceAgePolicyChanged        = "instance.policy.password.age.changed"
)

// Changes of a user's own data (ZITADEL's names).
const (
	HumanProfileChanged = "user.human.profile.changed"
	UserNameChanged     = "user.username.changed"
	MachineChanged      = "user.machine.changed"
	HumanEmailChanged   = "user.human.email.changed"
	HumanEmailVerified  = "user.human.email.verified"
	HumanPhoneChanged   = "user.human.phone.changed"
	HumanPhoneVerified  = "user.human.phone.verified"
	HumanPhoneRemoved   = "user.human.phone.removed"
	// Metadata of users and orgs (ZITADEL's names).
	UserMetadataSet        = "user.metadata.set"
	UserMetadataRemoved    = "user.metadata.removed"
	UserMetadataRemovedAll = "user.metadata.removed.all"
	OrgMetadataSet         = "org.metadata.set"
	OrgMetadataRemoved     = "org.metadata.removed"
	// One-time codes (ZITADEL's names; the failed password-code check is
	// Warden's own: ZITADEL records none, Warden counts it toward lockout).
	HumanEmailCodeAdded          = "user.human.email.code.added"
	HumanEmailCodeSent           = "user.human.email.code.sent"
	HumanEmailVerificationFailed = "user.human.email.verification.failed"
	HumanPhoneCodeAdded          = "user.human.phone.code.added"
	HumanPhoneCodeSent           = "user.human.phone.code.sent"
	HumanPhoneVerificationFailed = "user.human.phone.verification.failed"
	HumanPasswordCodeAdded       = "user.human.password.code.added"
	HumanPasswordCodeSent        = "user.human.password.code.sent"
	HumanPasswordCodeCheckFailed = "user.human.password.code.check.failed"
	HumanInitCodeAdded           = "user.human.initialization.code.added"
	HumanInitCodeSent            = "user.human.initialization.code.sent"
	HumanInitCheckSucceeded      = "user.human.initialization.check.succeeded"
	HumanInitCheckFailed         = "user.human.initialization.check.failed"
	HumanInviteCodeAdded         = "user.human.invite.code.added"
	HumanInviteCodeSent          = "user.human.invite.code.sent"
	HumanInviteCheckSucceeded    = "user.human.invite.check.succeeded"
	HumanInviteCheckFailed       = "user.human.invite.check.failed"
	// Notification policies: an org's own, and the instance default (ZITADEL's
	// names; payload field passwordChange).
	NotificationPolicyAdded           = "org.policy.notification.added"
	NotificationPolicyChanged         = "org.policy.notification.changed"
	NotificationPolicyRemoved         = "org.policy.notification.removed"
	InstanceNotificationPolicyAdded   = "instance.policy.notification.added"
	InstanceNotificationPolicyChanged = "instance.policy.notification.changed"
	// The instance's secret generators (ZITADEL's names and payload fields).
	SecretGeneratorAdded   = "instance.secret.generator.added"
	SecretGeneratorChanged = "instance.secret.generator.changed"
	// Custom message texts, an org's and the instance's (ZITADEL's names):
	// one set or removed event per field (payload template, key, language,
	// text), and one for a text reset to the default (template, language).
	OrgCustomTextSet                  = "org.customtext.set"
	OrgCustomTextRemoved              = "org.customtext.removed"
	OrgCustomTextTemplateRemoved      = "org.customtext.template.removed"
	InstanceCustomTextSet             = "instance.customtext.set"
	InstanceCustomTextRemoved         = "instance.customtext.removed"
	InstanceCustomTextTemplateRemoved = "instance.customtext.template.removed"
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
