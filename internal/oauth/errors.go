package oauth

import (
	"github.com/warden-id/warden/internal/fail"
	"google.golang.org/grpc/codes"
)

// The device flow's refusals. ZITADEL's ids where it has the same refusal.
var (
	// ErrDevicePending: nobody approved or denied it yet (authorization_pending).
	ErrDevicePending = fail.New(codes.FailedPrecondition, "WARDEN-DEVICE1", "The device authorization is pending")
	// ErrDeviceSlowDown: polled faster than the interval (slow_down).
	ErrDeviceSlowDown = fail.New(codes.ResourceExhausted, "WARDEN-DEVICE2", "The device polls too often")
	// ErrDeviceDenied: the user denied it (access_denied).
	ErrDeviceDenied = fail.New(codes.PermissionDenied, "WARDEN-DEVICE3", "The user denied the device authorization")
	// ErrDeviceExpired: its lifetime ended before a decision (expired_token).
	ErrDeviceExpired = fail.New(codes.DeadlineExceeded, "WARDEN-DEVICE4", "The device authorization expired")
	// ErrDeviceHandled: approved or denied already (ZITADEL's id and key).
	ErrDeviceHandled = fail.New(codes.FailedPrecondition, "COMMAND-GEJL3", "Errors.DeviceAuth.AlreadyHandled")
	// ErrDeviceNotFound: no such device or user code, or it was redeemed
	// (ZITADEL's id and key).
	ErrDeviceNotFound = fail.New(codes.NotFound, "COMMAND-Hief9", "Errors.DeviceAuth.NotFound")
)
