package oauth

import (
	"time"
)

// KindDeviceAuth is a device authorization (RFC 8628): its artifact id is a
// keyed hash of the user code, its lookup key the SHA-256 of the device code.
const KindDeviceAuth = "device_auth"

// DeviceState is where a device authorization stands.
type DeviceState int

// Device authorization states. A pending one is approved or denied once, by
// the user who signed in for it; an approved one is redeemed once, which
// deletes it.
const (
	DevicePending DeviceState = iota
	DeviceApproved
	DeviceDenied
)

// DeviceAuthorization is a device's request for tokens, waiting for a user to
// approve it on another screen.
type DeviceAuthorization struct {
	ClientID string   `json:"clientId"`
	Scopes   []string `json:"scopes,omitempty"`
	// OrgID is the organisation an org scope restricts it to ("" = any).
	OrgID    string        `json:"orgId,omitempty"`
	Expires  time.Time     `json:"expires"`
	Interval time.Duration `json:"interval"`
	LastPoll time.Time     `json:"lastPoll,omitempty"`
	State    DeviceState   `json:"state"`
	// Set by the approval: who approved, in which credential epoch, how.
	UserID    string    `json:"userId,omitempty"`
	Epoch     uint64    `json:"epoch,omitempty"`
	AuthTime  time.Time `json:"authTime,omitempty"`
	AMR       []string  `json:"amr,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

// Poll records a token request at now and says what it gets: nil when the
// authorization is approved (the redemption then checks the user). A decision
// outranks the expiry (a user who decided in time is not undone by a late
// poll, as in ZITADEL); a pending one polled again within most of the
// interval (some leeway for network jitter) is told to slow down.
func (d *DeviceAuthorization) Poll(now time.Time) error {
	switch d.State {
	case DeviceApproved:
		return nil
	case DeviceDenied:
		return ErrDeviceDenied
	}
	if !now.Before(d.Expires) {
		return ErrDeviceExpired
	}
	last := d.LastPoll
	d.LastPoll = now
	if !last.IsZero() && now.Sub(last) < d.Interval*4/5 {
		return ErrDeviceSlowDown
	}
	return ErrDevicePending
}

// Open tells whether a user may still decide on it at now.
func (d *DeviceAuthorization) Open(now time.Time) error {
	if d.State != DevicePending {
		return ErrDeviceHandled
	}
	if !now.Before(d.Expires) {
		return ErrDeviceExpired
	}
	return nil
}

// Approve records that userID (signed in with amr at authTime, in epoch)
// allowed the device.
func (d *DeviceAuthorization) Approve(now time.Time, userID string, epoch uint64, authTime time.Time, amr []string) error {
	if err := d.Open(now); err != nil {
		return err
	}
	d.State, d.UserID, d.Epoch, d.AuthTime, d.AMR = DeviceApproved, userID, epoch, authTime.UTC(), amr
	return nil
}

// Deny records that the user refused the device.
func (d *DeviceAuthorization) Deny(now time.Time) error {
	if err := d.Open(now); err != nil {
		return err
	}
	d.State = DeviceDenied
	return nil
}
