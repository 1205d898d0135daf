package policy

import "time"

// KindNotification is the artifact kind of notification policies; the
// artifact id is the org id, or InstanceID for the instance default.
const KindNotification = "notification_policy"

// Notification says which notices Warden sends besides the codes a flow needs:
// for now whether a user is told that their password changed.
type Notification struct {
	PasswordChange bool      `json:"passwordChange"`
	Sequence       uint64    `json:"sequence"`
	CreatedAt      time.Time `json:"createdAt"`
	ChangedAt      time.Time `json:"changedAt"`
	OrgID          string    `json:"orgId,omitempty"` // empty: the instance default
}

// DefaultNotification is ZITADEL's built-in instance policy until an
// administrator sets one: the password-change notice is sent.
func DefaultNotification() Notification { return Notification{PasswordChange: true} }
