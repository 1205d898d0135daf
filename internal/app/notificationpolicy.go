package app

import (
	"context"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/policy"
	"github.com/warden-id/warden/internal/store"
)

// The notification policy is kept as the password policies are (policyKind):
// ZITADEL records the instance default's first setting as added, not changed.
var notificationKind = policyKind[policy.Notification]{
	kind:    policy.KindNotification,
	builtin: policy.DefaultNotification,
	stored:  func(p *policy.Notification) *policy.Stored { return &p.Stored },
	same:    policy.Notification.Same,
	payload: func(p policy.Notification) map[string]any { return map[string]any{"passwordChange": p.PasswordChange} },
	added:   event.NotificationPolicyAdded, changed: event.NotificationPolicyChanged, removed: event.NotificationPolicyRemoved,
	instanceAdded: event.InstanceNotificationPolicyAdded, instanceChanged: event.InstanceNotificationPolicyChanged,
	exists: errNotificationPolicyExists, missing: errNotificationPolicyMissing, resetMissing: errNotificationPolicyResetNone,
	notChanged: errNotificationPolicyUnchanged, instanceNotChanged: errInstanceNotificationUnchanged,
}

// notificationPolicy is the org's own policy, else the instance default, else
// the built-in default.
func notificationPolicy(ctx context.Context, r store.Reader, orgID string) (policy.Notification, error) {
	return notificationKind.inForce(ctx, r, orgID)
}

// NotificationPolicyFor is the policy in force for an org's users, for the
// flows that decide whether to send a notice (a changed password). It checks
// no permission; the calling use case has.
func (a *App) NotificationPolicyFor(ctx context.Context, orgID string) (policy.Notification, error) {
	p, err := notificationPolicy(ctx, a.store, orgID)
	return p, storeErr(err)
}

// NotificationPolicy returns the policy in force for the scope's org and
// whether it is the default (management GetNotificationPolicy).
func (a *App) NotificationPolicy(ctx context.Context, s Scope) (policy.Notification, bool, error) {
	g, err := a.authorize(ctx, s, UseGetNotificationPolicy)
	if err != nil {
		return policy.Notification{}, false, err
	}
	p, err := notificationPolicy(ctx, a.store, g.OrgID)
	if err != nil {
		return p, false, storeErr(err)
	}
	return p, p.OrgID == "", nil
}

// DefaultNotificationPolicy is the instance default, as an org sees it
// (management GetDefaultNotificationPolicy).
func (a *App) DefaultNotificationPolicy(ctx context.Context, s Scope) (policy.Notification, error) {
	if _, err := a.authorize(ctx, s, UseGetDefaultNotificationPolicy); err != nil {
		return policy.Notification{}, err
	}
	p, err := notificationPolicy(ctx, a.store, "")
	return p, storeErr(err)
}

// InstanceNotificationPolicy is the instance default (admin
// GetNotificationPolicy).
func (a *App) InstanceNotificationPolicy(ctx context.Context, c *Caller) (policy.Notification, error) {
	if _, err := a.authorize(ctx, Scope{Caller: c}, UseGetInstanceNotificationPolicy); err != nil {
		return policy.Notification{}, err
	}
	p, err := notificationPolicy(ctx, a.store, "")
	return p, storeErr(err)
}

var notificationUses = map[PolicyChange]Use{PolicyAdd: UseAddNotificationPolicy, PolicyUpdate: UseUpdateNotificationPolicy, PolicyReset: UseResetNotificationPolicy}

// ChangeNotificationPolicy adds, updates or removes (reset to default) the
// org's own notification policy: a change of the org, with ZITADEL's
// org.policy.notification.* events. The answer is the policy in force
// afterwards, at the org's new sequence.
func (a *App) ChangeNotificationPolicy(ctx context.Context, s Scope, passwordChange bool, kind PolicyChange) (policy.Notification, error) {
	g, err := a.authorize(ctx, s, notificationUses[kind])
	if err != nil {
		return policy.Notification{}, err
	}
	return notificationKind.changeOrg(ctx, a, g, policy.Notification{PasswordChange: passwordChange}, kind)
}

// UpdateInstanceNotificationPolicy sets the instance default (admin
// UpdateNotificationPolicy): a change of the instance, recorded as
// instance.policy.notification.added the first time, .changed after.
func (a *App) UpdateInstanceNotificationPolicy(ctx context.Context, c *Caller, passwordChange bool) (*InstanceDetails, error) {
	g, err := a.authorize(ctx, Scope{Caller: c}, UseUpdateInstanceNotificationPolicy)
	if err != nil {
		return nil, err
	}
	_, d, err := notificationKind.changeInstance(ctx, a, g, policy.Notification{PasswordChange: passwordChange})
	return d, err
}
