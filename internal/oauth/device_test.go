package oauth

import (
	"errors"
	"testing"
	"time"
)

// TestDeviceTransitions: every state against every step.
func TestDeviceTransitions(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fresh := func() *DeviceAuthorization {
		return &DeviceAuthorization{Expires: t0.Add(5 * time.Minute), Interval: 5 * time.Second}
	}
	approved := func() *DeviceAuthorization {
		d := fresh()
		if err := d.Approve(t0, "u", 1, t0, []string{"pwd"}); err != nil {
			t.Fatal(err)
		}
		return d
	}
	denied := func() *DeviceAuthorization {
		d := fresh()
		if err := d.Deny(t0); err != nil {
			t.Fatal(err)
		}
		return d
	}
	late := t0.Add(6 * time.Minute)
	for _, c := range []struct {
		name string
		d    *DeviceAuthorization
		step func(*DeviceAuthorization) error
		want error
	}{
		{"pending: first poll", fresh(), func(d *DeviceAuthorization) error { return d.Poll(t0) }, ErrDevicePending},
		{"pending: poll after the interval", fresh(), func(d *DeviceAuthorization) error {
			_ = d.Poll(t0)
			return d.Poll(t0.Add(5 * time.Second))
		}, ErrDevicePending},
		{"pending: poll within the interval", fresh(), func(d *DeviceAuthorization) error {
			_ = d.Poll(t0)
			return d.Poll(t0.Add(3 * time.Second))
		}, ErrDeviceSlowDown},
		{"pending: polls faster and faster keep slowing down", fresh(), func(d *DeviceAuthorization) error {
			_ = d.Poll(t0)
			_ = d.Poll(t0.Add(3 * time.Second))
			return d.Poll(t0.Add(6 * time.Second))
		}, ErrDeviceSlowDown},
		{"pending: poll after the lifetime", fresh(), func(d *DeviceAuthorization) error { return d.Poll(late) }, ErrDeviceExpired},
		{"pending: approve late", fresh(), func(d *DeviceAuthorization) error { return d.Approve(late, "u", 1, t0, nil) }, ErrDeviceExpired},
		{"pending: deny late", fresh(), func(d *DeviceAuthorization) error { return d.Deny(late) }, ErrDeviceExpired},
		{"approved: poll", approved(), func(d *DeviceAuthorization) error { return d.Poll(t0) }, nil},
		{"approved: poll after the lifetime (decided in time)", approved(), func(d *DeviceAuthorization) error { return d.Poll(late) }, nil},
		{"approved: approve again", approved(), func(d *DeviceAuthorization) error { return d.Approve(t0, "v", 1, t0, nil) }, ErrDeviceHandled},
		{"approved: deny", approved(), func(d *DeviceAuthorization) error { return d.Deny(t0) }, ErrDeviceHandled},
		{"denied: poll", denied(), func(d *DeviceAuthorization) error { return d.Poll(t0) }, ErrDeviceDenied},
		{"denied: poll after the lifetime", denied(), func(d *DeviceAuthorization) error { return d.Poll(late) }, ErrDeviceDenied},
		{"denied: approve", denied(), func(d *DeviceAuthorization) error { return d.Approve(t0, "u", 1, t0, nil) }, ErrDeviceHandled},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := c.step(c.d); !errors.Is(err, c.want) || (c.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
	if d := approved(); d.State != DeviceApproved || d.UserID != "u" || d.Epoch != 1 {
		t.Fatalf("approval recorded %+v", d)
	}
}
