package api

import (
	"context"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/policy"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/admin"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	policypb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/policy"
)

// notificationPolicyV1 converts a policy; an instance default is owned by the
// instance.
func notificationPolicyV1(ctx context.Context, a *app.App, p policy.Notification, isDefault bool) (*policypb.NotificationPolicy, error) {
	owner := p.OrgID
	if owner == "" {
		var err error
		if owner, err = a.InstanceID(ctx); err != nil {
			return nil, err
		}
	}
	d := &object.ObjectDetails{Sequence: p.Sequence, ResourceOwner: owner}
	if !p.ChangedAt.IsZero() {
		d.CreationDate, d.ChangeDate = ts(p.CreatedAt), ts(p.ChangedAt)
	}
	return &policypb.NotificationPolicy{Details: d, IsDefault: isDefault, PasswordChange: p.PasswordChange}, nil
}

func (m *Management) GetNotificationPolicy(ctx context.Context, _ *mgmt.GetNotificationPolicyRequest) (*mgmt.GetNotificationPolicyResponse, error) {
	p, isDefault, err := m.app.NotificationPolicy(ctx, scope(ctx))
	if err != nil {
		return nil, err
	}
	pb, err := notificationPolicyV1(ctx, m.app, p, isDefault)
	if err != nil {
		return nil, err
	}
	return &mgmt.GetNotificationPolicyResponse{Policy: pb}, nil
}

func (m *Management) GetDefaultNotificationPolicy(ctx context.Context, _ *mgmt.GetDefaultNotificationPolicyRequest) (*mgmt.GetDefaultNotificationPolicyResponse, error) {
	p, err := m.app.DefaultNotificationPolicy(ctx, scope(ctx))
	if err != nil {
		return nil, err
	}
	pb, err := notificationPolicyV1(ctx, m.app, p, true)
	if err != nil {
		return nil, err
	}
	return &mgmt.GetDefaultNotificationPolicyResponse{Policy: pb}, nil
}

func (m *Management) changeNotification(ctx context.Context, passwordChange bool, kind app.PolicyChange) (*object.ObjectDetails, error) {
	s := scope(ctx)
	p, err := m.app.ChangeNotificationPolicy(ctx, s, passwordChange, kind)
	if err != nil {
		return nil, err
	}
	if kind == app.PolicyAdd {
		return createDetails(p.Sequence, p.ChangedAt, s.OrgID), nil
	}
	return changeDetails(p.Sequence, p.ChangedAt, s.OrgID), nil
}

func (m *Management) AddCustomNotificationPolicy(ctx context.Context, r *mgmt.AddCustomNotificationPolicyRequest) (*mgmt.AddCustomNotificationPolicyResponse, error) {
	d, err := m.changeNotification(ctx, r.GetPasswordChange(), app.PolicyAdd)
	if err != nil {
		return nil, err
	}
	return &mgmt.AddCustomNotificationPolicyResponse{Details: d}, nil
}

func (m *Management) UpdateCustomNotificationPolicy(ctx context.Context, r *mgmt.UpdateCustomNotificationPolicyRequest) (*mgmt.UpdateCustomNotificationPolicyResponse, error) {
	d, err := m.changeNotification(ctx, r.GetPasswordChange(), app.PolicyUpdate)
	if err != nil {
		return nil, err
	}
	return &mgmt.UpdateCustomNotificationPolicyResponse{Details: d}, nil
}

func (m *Management) ResetNotificationPolicyToDefault(ctx context.Context, _ *mgmt.ResetNotificationPolicyToDefaultRequest) (*mgmt.ResetNotificationPolicyToDefaultResponse, error) {
	d, err := m.changeNotification(ctx, false, app.PolicyReset)
	if err != nil {
		return nil, err
	}
	return &mgmt.ResetNotificationPolicyToDefaultResponse{Details: d}, nil
}

func (s *Admin) GetNotificationPolicy(ctx context.Context, _ *admin.GetNotificationPolicyRequest) (*admin.GetNotificationPolicyResponse, error) {
	p, err := s.app.InstanceNotificationPolicy(ctx, caller(ctx))
	if err != nil {
		return nil, err
	}
	pb, err := notificationPolicyV1(ctx, s.app, p, true)
	if err != nil {
		return nil, err
	}
	return &admin.GetNotificationPolicyResponse{Policy: pb}, nil
}

func (s *Admin) UpdateNotificationPolicy(ctx context.Context, r *admin.UpdateNotificationPolicyRequest) (*admin.UpdateNotificationPolicyResponse, error) {
	d, err := s.app.UpdateInstanceNotificationPolicy(ctx, caller(ctx), r.GetPasswordChange())
	if err != nil {
		return nil, err
	}
	return &admin.UpdateNotificationPolicyResponse{Details: instanceDetails(d)}, nil
}
