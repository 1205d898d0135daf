package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/policy"
	"github.com/warden-id/warden/internal/store"
)

// notificationPolicyOf is the stored policy of id (an org, or
// policy.InstanceID), nil when it has none.
func notificationPolicyOf(ctx context.Context, r store.Reader, id string) (*policy.Notification, error) {
	art, err := r.Artifact(ctx, policy.KindNotification, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var p policy.Notification
	if err := json.Unmarshal(art.Data, &p); err != nil {
		return nil, fmt.Errorf("notification policy %s: %w", id, err)
	}
	return &p, nil
}

// notificationPolicy is the org's own policy, else the instance default, else
// the built-in default.
func notificationPolicy(ctx context.Context, r store.Reader, orgID string) (policy.Notification, error) {
	for _, id := range []string{orgID, policy.InstanceID} {
		if id == "" {
			continue
		}
		p, err := notificationPolicyOf(ctx, r, id)
		if err != nil || p != nil {
			if p == nil {
				return policy.Notification{}, err
			}
			return *p, err
		}
	}
	return policy.DefaultNotification(), nil
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
	var out policy.Notification
	_, err = a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		cur, err := notificationPolicyOf(ctx, tx, g.OrgID)
		if err != nil {
			return "", nil, err
		}
		now, seq := ch.by.At, ch.o.Sequence
		var next *policy.Notification
		typ := event.NotificationPolicyChanged
		switch {
		case kind == PolicyAdd && cur != nil:
			return "", nil, errNotificationPolicyExists
		case kind == PolicyAdd:
			next, typ = &policy.Notification{CreatedAt: now, OrgID: g.OrgID, PasswordChange: passwordChange}, event.NotificationPolicyAdded
		case cur == nil && kind == PolicyReset:
			return "", nil, errNotificationPolicyResetNone
		case cur == nil:
			return "", nil, errNotificationPolicyMissing
		case kind == PolicyReset:
			if err := tx.DeleteArtifact(ctx, policy.KindNotification, g.OrgID); err != nil {
				return "", nil, err
			}
			out, err = notificationPolicy(ctx, tx, g.OrgID)
			out.ChangedAt, out.Sequence = now, seq
			return event.NotificationPolicyRemoved, map[string]any{}, err
		case cur.PasswordChange == passwordChange:
			return "", nil, errNotificationPolicyUnchanged
		default:
			next = cur
			next.PasswordChange = passwordChange
		}
		return typ, map[string]any{"passwordChange": passwordChange}, putNotificationPolicy(ctx, tx, g.OrgID, next, seq, now, &out)
	})
	return out, err
}

func putNotificationPolicy(ctx context.Context, tx store.Tx, id string, p *policy.Notification, seq uint64, now time.Time, out *policy.Notification) error {
	p.Sequence, p.ChangedAt = seq, now
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	*out = *p
	orgID := p.OrgID
	return tx.PutArtifact(ctx, &store.Artifact{Kind: policy.KindNotification, ID: id, OrgID: orgID, CreatedAt: p.CreatedAt, Data: data})
}

// UpdateInstanceNotificationPolicy sets the instance default (admin
// UpdateNotificationPolicy): a change of the instance, recorded as
// instance.policy.notification.added the first time, .changed after.
func (a *App) UpdateInstanceNotificationPolicy(ctx context.Context, c *Caller, passwordChange bool) (*InstanceDetails, error) {
	g, err := a.authorize(ctx, Scope{Caller: c}, UseUpdateInstanceNotificationPolicy)
	if err != nil {
		return nil, err
	}
	var out policy.Notification
	return a.changeInstance(ctx, g, func(ctx context.Context, tx store.Tx, ch *instanceChange) (string, any, error) {
		cur, err := notificationPolicyOf(ctx, tx, policy.InstanceID)
		if err != nil {
			return "", nil, err
		}
		now := ch.by.At
		typ := event.InstanceNotificationPolicyChanged
		if cur == nil {
			def := policy.DefaultNotification()
			cur, typ = &def, event.InstanceNotificationPolicyAdded
			cur.CreatedAt = now
		}
		// The built-in default counts as set, as ZITADEL's instance has it
		// from its setup.
		if cur.PasswordChange == passwordChange {
			return "", nil, errInstanceNotificationUnchanged
		}
		cur.PasswordChange = passwordChange
		return typ, map[string]any{"passwordChange": passwordChange}, putNotificationPolicy(ctx, tx, policy.InstanceID, cur, ch.i.Sequence, now, &out)
	})
}
