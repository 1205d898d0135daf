package api

import (
	"context"

	"github.com/warden-id/warden/internal/app"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	policypb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/policy"
)

func (m *Management) GetLockoutPolicy(ctx context.Context, _ *mgmt.GetLockoutPolicyRequest) (*mgmt.GetLockoutPolicyResponse, error) {
	s := scope(ctx)
	p, isDefault, err := m.app.LockoutPolicy(ctx, s)
	if err != nil {
		return nil, err
	}
	owner := p.OrgID
	if owner == "" { // the instance default
		if owner, err = m.app.InstanceID(ctx); err != nil {
			return nil, err
		}
	}
	return &mgmt.GetLockoutPolicyResponse{IsDefault: isDefault, Policy: &policypb.LockoutPolicy{
		Details:             &object.ObjectDetails{Sequence: p.Sequence, CreationDate: ts(p.CreatedAt), ChangeDate: ts(p.ChangedAt), ResourceOwner: owner},
		MaxPasswordAttempts: p.MaxPasswordAttempts, MaxOtpAttempts: p.MaxOTPAttempts, IsDefault: isDefault}}, nil
}

func (m *Management) changeLockout(ctx context.Context, maxPassword, maxOTP uint32, kind app.PolicyChange) (*object.ObjectDetails, error) {
	s := scope(ctx)
	p, err := m.app.ChangeLockoutPolicy(ctx, s, uint64(maxPassword), uint64(maxOTP), kind)
	if err != nil {
		return nil, err
	}
	if kind == app.PolicyAdd {
		return createDetails(p.Sequence, p.ChangedAt, s.OrgID), nil
	}
	return changeDetails(p.Sequence, p.ChangedAt, s.OrgID), nil
}

func (m *Management) AddCustomLockoutPolicy(ctx context.Context, r *mgmt.AddCustomLockoutPolicyRequest) (*mgmt.AddCustomLockoutPolicyResponse, error) {
	d, err := m.changeLockout(ctx, r.GetMaxPasswordAttempts(), r.GetMaxOtpAttempts(), app.PolicyAdd)
	if err != nil {
		return nil, err
	}
	return &mgmt.AddCustomLockoutPolicyResponse{Details: d}, nil
}

func (m *Management) UpdateCustomLockoutPolicy(ctx context.Context, r *mgmt.UpdateCustomLockoutPolicyRequest) (*mgmt.UpdateCustomLockoutPolicyResponse, error) {
	d, err := m.changeLockout(ctx, r.GetMaxPasswordAttempts(), r.GetMaxOtpAttempts(), app.PolicyUpdate)
	if err != nil {
		return nil, err
	}
	return &mgmt.UpdateCustomLockoutPolicyResponse{Details: d}, nil
}

func (m *Management) ResetLockoutPolicyToDefault(ctx context.Context, _ *mgmt.ResetLockoutPolicyToDefaultRequest) (*mgmt.ResetLockoutPolicyToDefaultResponse, error) {
	d, err := m.changeLockout(ctx, 0, 0, app.PolicyReset)
	if err != nil {
		return nil, err
	}
	return &mgmt.ResetLockoutPolicyToDefaultResponse{Details: d}, nil
}
