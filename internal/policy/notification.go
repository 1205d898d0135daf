package policy

// KindNotification is the artifact kind of notification policies; the
// artifact id is the org id, or InstanceID for the instance default.
const KindNotification = "notification_policy"

// Notification says which notices Warden sends besides the codes a flow needs:
// for now whether a user is told that their password changed.
type Notification struct {
	Stored
	PasswordChange bool `json:"passwordChange"`
}

// Same reports whether two policies have the same settings.
func (p Notification) Same(o Notification) bool { return p.PasswordChange == o.PasswordChange }

// DefaultNotification is ZITADEL's built-in instance policy until an
// administrator sets one: the password-change notice is sent.
func DefaultNotification() Notification { return Notification{PasswordChange: true} }
