package app

// QueueMail lets the external tests (outbox_test.go, which needs wardentest,
// which imports app) queue a mail as a use case does.
var QueueMail = (*App).queueMail

// For reset_test.go (external: it reads mails from wardentest's SMTP server).
var (
	NewTestApp          = testApp
	AddTestHuman        = addTestHuman
	LockoutPolicyOf     = lockoutPolicy
	ErrURLTemplateField = errURLTemplateField
)

// RoleCaller is a caller holding roles in one scope (an org id, or "" for the instance).
func RoleCaller(userID, orgID, scope string, roles ...string) *Caller {
	return &Caller{UserID: userID, OrgID: orgID, roles: map[string][]string{scope: roles}}
}

// QueueSMS is queueSMS, for the same tests.
var QueueSMS = (*App).queueSMS
