// Package policy holds the instance's and orgs' policies: the lockout policy that
// turns too many wrong passwords into a lock, and the password policies.
package policy

import "time"

// KindLockout is the artifact kind of lockout policies; the artifact id is the org
// id, or InstanceID for the instance default.
const KindLockout = "lockout_policy"

// InstanceID is the artifact id of the instance default policy.
const InstanceID = "instance"

// Lockout says after how many failed checks a user is locked; 0 = never.
type Lockout struct {
	MaxPasswordAttempts uint64    `json:"maxPasswordAttempts"`
	MaxOTPAttempts      uint64    `json:"maxOtpAttempts"`
	ShowFailures        bool      `json:"showFailures"` // tell the login page the remaining attempts
	Sequence            uint64    `json:"sequence"`
	CreatedAt           time.Time `json:"createdAt"`
	ChangedAt           time.Time `json:"changedAt"`
	OrgID               string    `json:"orgId,omitempty"` // empty: the instance default
}

// Default is the built-in instance policy until an administrator sets one:
// lock after 10 wrong passwords, and show the remaining attempts.
func Default() Lockout { return Lockout{MaxPasswordAttempts: 10, ShowFailures: true} }
