package api

import (
	"context"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/policy"
	admin "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/admin"
	auth "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/auth"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	policypb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/policy"
)

// policyDetails are a policy's details: the instance is the resource owner of
// a default.
func policyDetails(ctx context.Context, a *app.App, st policy.Stored) (*object.ObjectDetails, error) {
	owner := st.OrgID
	if owner == "" {
		var err error
		if owner, err = a.InstanceID(ctx); err != nil {
			return nil, err
		}
	}
	return &object.ObjectDetails{Sequence: st.Sequence, CreationDate: ts(st.CreatedAt), ChangeDate: ts(st.ChangedAt), ResourceOwner: owner}, nil
}

func complexityPB(ctx context.Context, a *app.App, p policy.Complexity, isDefault bool) (*policypb.PasswordComplexityPolicy, error) {
	d, err := policyDetails(ctx, a, p.Stored)
	if err != nil {
		return nil, err
	}
	return &policypb.PasswordComplexityPolicy{Details: d, MinLength: p.MinLength, HasUppercase: p.HasUppercase,
		HasLowercase: p.HasLowercase, HasNumber: p.HasNumber, HasSymbol: p.HasSymbol, IsDefault: isDefault}, nil
}

func agePB(ctx context.Context, a *app.App, p policy.Age, isDefault bool) (*policypb.PasswordAgePolicy, error) {
	d, err := policyDetails(ctx, a, p.Stored)
	if err != nil {
		return nil, err
	}
	return &policypb.PasswordAgePolicy{Details: d, MaxAgeDays: p.MaxAgeDays, ExpireWarnDays: p.ExpireWarnDays, IsDefault: isDefault}, nil
}

// orgPolicyDetails: an org policy's write is a change of the org.
func orgPolicyDetails(st policy.Stored, orgID string, change app.PolicyChange) *object.ObjectDetails {
	if change == app.PolicyAdd {
		return createDetails(st.Sequence, st.ChangedAt, orgID)
	}
	return changeDetails(st.Sequence, st.ChangedAt, orgID)
}

func (m *Management) GetPasswordComplexityPolicy(ctx context.Context, _ *mgmt.GetPasswordComplexityPolicyRequest) (*mgmt.GetPasswordComplexityPolicyResponse, error) {
	p, isDefault, err := m.app.PasswordComplexityPolicy(ctx, scope(ctx), false)
	if err != nil {
		return nil, err
	}
	pb, err := complexityPB(ctx, m.app, p, isDefault)
	if err != nil {
		return nil, err
	}
	return &mgmt.GetPasswordComplexityPolicyResponse{Policy: pb, IsDefault: isDefault}, nil
}

func (m *Management) GetDefaultPasswordComplexityPolicy(ctx context.Context, _ *mgmt.GetDefaultPasswordComplexityPolicyRequest) (*mgmt.GetDefaultPasswordComplexityPolicyResponse, error) {
	p, _, err := m.app.PasswordComplexityPolicy(ctx, scope(ctx), true)
	if err != nil {
		return nil, err
	}
	pb, err := complexityPB(ctx, m.app, p, true)
	if err != nil {
		return nil, err
	}
	return &mgmt.GetDefaultPasswordComplexityPolicyResponse{Policy: pb}, nil
}

func (m *Management) changeComplexity(ctx context.Context, p policy.Complexity, change app.PolicyChange) (*object.ObjectDetails, error) {
	s := scope(ctx)
	out, err := m.app.ChangePasswordComplexityPolicy(ctx, s, p, change)
	if err != nil {
		return nil, err
	}
	return orgPolicyDetails(out.Stored, s.OrgID, change), nil
}

func (m *Management) AddCustomPasswordComplexityPolicy(ctx context.Context, r *mgmt.AddCustomPasswordComplexityPolicyRequest) (*mgmt.AddCustomPasswordComplexityPolicyResponse, error) {
	d, err := m.changeComplexity(ctx, policy.Complexity{MinLength: r.GetMinLength(), HasUppercase: r.GetHasUppercase(),
		HasLowercase: r.GetHasLowercase(), HasNumber: r.GetHasNumber(), HasSymbol: r.GetHasSymbol()}, app.PolicyAdd)
	if err != nil {
		return nil, err
	}
	return &mgmt.AddCustomPasswordComplexityPolicyResponse{Details: d}, nil
}

func (m *Management) UpdateCustomPasswordComplexityPolicy(ctx context.Context, r *mgmt.UpdateCustomPasswordComplexityPolicyRequest) (*mgmt.UpdateCustomPasswordComplexityPolicyResponse, error) {
	d, err := m.changeComplexity(ctx, policy.Complexity{MinLength: r.GetMinLength(), HasUppercase: r.GetHasUppercase(),
		HasLowercase: r.GetHasLowercase(), HasNumber: r.GetHasNumber(), HasSymbol: r.GetHasSymbol()}, app.PolicyUpdate)
	if err != nil {
		return nil, err
	}
	return &mgmt.UpdateCustomPasswordComplexityPolicyResponse{Details: d}, nil
}

func (m *Management) ResetPasswordComplexityPolicyToDefault(ctx context.Context, _ *mgmt.ResetPasswordComplexityPolicyToDefaultRequest) (*mgmt.ResetPasswordComplexityPolicyToDefaultResponse, error) {
	d, err := m.changeComplexity(ctx, policy.Complexity{}, app.PolicyReset)
	if err != nil {
		return nil, err
	}
	return &mgmt.ResetPasswordComplexityPolicyToDefaultResponse{Details: d}, nil
}

func (m *Management) GetPasswordAgePolicy(ctx context.Context, _ *mgmt.GetPasswordAgePolicyRequest) (*mgmt.GetPasswordAgePolicyResponse, error) {
	p, isDefault, err := m.app.PasswordAgePolicy(ctx, scope(ctx), false)
	if err != nil {
		return nil, err
	}
	pb, err := agePB(ctx, m.app, p, isDefault)
	if err != nil {
		return nil, err
	}
	return &mgmt.GetPasswordAgePolicyResponse{Policy: pb, IsDefault: isDefault}, nil
}

func (m *Management) GetDefaultPasswordAgePolicy(ctx context.Context, _ *mgmt.GetDefaultPasswordAgePolicyRequest) (*mgmt.GetDefaultPasswordAgePolicyResponse, error) {
	p, _, err := m.app.PasswordAgePolicy(ctx, scope(ctx), true)
	if err != nil {
		return nil, err
	}
	pb, err := agePB(ctx, m.app, p, true)
	if err != nil {
		return nil, err
	}
	return &mgmt.GetDefaultPasswordAgePolicyResponse{Policy: pb}, nil
}

func (m *Management) changeAge(ctx context.Context, p policy.Age, change app.PolicyChange) (*object.ObjectDetails, error) {
	s := scope(ctx)
	out, err := m.app.ChangePasswordAgePolicy(ctx, s, p, change)
	if err != nil {
		return nil, err
	}
	return orgPolicyDetails(out.Stored, s.OrgID, change), nil
}

func (m *Management) AddCustomPasswordAgePolicy(ctx context.Context, r *mgmt.AddCustomPasswordAgePolicyRequest) (*mgmt.AddCustomPasswordAgePolicyResponse, error) {
	d, err := m.changeAge(ctx, policy.Age{MaxAgeDays: uint64(r.GetMaxAgeDays()), ExpireWarnDays: uint64(r.GetExpireWarnDays())}, app.PolicyAdd)
	if err != nil {
		return nil, err
	}
	return &mgmt.AddCustomPasswordAgePolicyResponse{Details: d}, nil
}

func (m *Management) UpdateCustomPasswordAgePolicy(ctx context.Context, r *mgmt.UpdateCustomPasswordAgePolicyRequest) (*mgmt.UpdateCustomPasswordAgePolicyResponse, error) {
	d, err := m.changeAge(ctx, policy.Age{MaxAgeDays: uint64(r.GetMaxAgeDays()), ExpireWarnDays: uint64(r.GetExpireWarnDays())}, app.PolicyUpdate)
	if err != nil {
		return nil, err
	}
	return &mgmt.UpdateCustomPasswordAgePolicyResponse{Details: d}, nil
}

func (m *Management) ResetPasswordAgePolicyToDefault(ctx context.Context, _ *mgmt.ResetPasswordAgePolicyToDefaultRequest) (*mgmt.ResetPasswordAgePolicyToDefaultResponse, error) {
	d, err := m.changeAge(ctx, policy.Age{}, app.PolicyReset)
	if err != nil {
		return nil, err
	}
	return &mgmt.ResetPasswordAgePolicyToDefaultResponse{Details: d}, nil
}

func (s *Admin) GetPasswordComplexityPolicy(ctx context.Context, _ *admin.GetPasswordComplexityPolicyRequest) (*admin.GetPasswordComplexityPolicyResponse, error) {
	p, err := s.app.InstanceComplexityPolicy(ctx, caller(ctx))
	if err != nil {
		return nil, err
	}
	pb, err := complexityPB(ctx, s.app, p, true)
	if err != nil {
		return nil, err
	}
	return &admin.GetPasswordComplexityPolicyResponse{Policy: pb}, nil
}

func (s *Admin) UpdatePasswordComplexityPolicy(ctx context.Context, r *admin.UpdatePasswordComplexityPolicyRequest) (*admin.UpdatePasswordComplexityPolicyResponse, error) {
	_, d, err := s.app.UpdateInstanceComplexityPolicy(ctx, caller(ctx), policy.Complexity{MinLength: uint64(r.GetMinLength()),
		HasUppercase: r.GetHasUppercase(), HasLowercase: r.GetHasLowercase(), HasNumber: r.GetHasNumber(), HasSymbol: r.GetHasSymbol()})
	if err != nil {
		return nil, err
	}
	return &admin.UpdatePasswordComplexityPolicyResponse{Details: instanceDetails(d)}, nil
}

func (s *Admin) GetPasswordAgePolicy(ctx context.Context, _ *admin.GetPasswordAgePolicyRequest) (*admin.GetPasswordAgePolicyResponse, error) {
	p, err := s.app.InstanceAgePolicy(ctx, caller(ctx))
	if err != nil {
		return nil, err
	}
	pb, err := agePB(ctx, s.app, p, true)
	if err != nil {
		return nil, err
	}
	return &admin.GetPasswordAgePolicyResponse{Policy: pb}, nil
}

func (s *Admin) UpdatePasswordAgePolicy(ctx context.Context, r *admin.UpdatePasswordAgePolicyRequest) (*admin.UpdatePasswordAgePolicyResponse, error) {
	_, d, err := s.app.UpdateInstanceAgePolicy(ctx, caller(ctx), policy.Age{MaxAgeDays: uint64(r.GetMaxAgeDays()), ExpireWarnDays: uint64(r.GetExpireWarnDays())})
	if err != nil {
		return nil, err
	}
	return &admin.UpdatePasswordAgePolicyResponse{Details: instanceDetails(d)}, nil
}

func (m *Management) GetDefaultLockoutPolicy(ctx context.Context, _ *mgmt.GetDefaultLockoutPolicyRequest) (*mgmt.GetDefaultLockoutPolicyResponse, error) {
	p, err := m.app.DefaultLockoutPolicy(ctx, scope(ctx))
	if err != nil {
		return nil, err
	}
	pb, err := lockoutDefaultPB(ctx, m.app, p)
	if err != nil {
		return nil, err
	}
	return &mgmt.GetDefaultLockoutPolicyResponse{Policy: pb}, nil
}

// lockoutDefaultPB is the instance's default lockout policy.
func lockoutDefaultPB(ctx context.Context, a *app.App, p policy.Lockout) (*policypb.LockoutPolicy, error) {
	d, err := policyDetails(ctx, a, policy.Stored{Sequence: p.Sequence, CreatedAt: p.CreatedAt, ChangedAt: p.ChangedAt})
	if err != nil {
		return nil, err
	}
	return &policypb.LockoutPolicy{Details: d, MaxPasswordAttempts: p.MaxPasswordAttempts, MaxOtpAttempts: p.MaxOTPAttempts, IsDefault: true}, nil
}

func (s *Admin) GetLockoutPolicy(ctx context.Context, _ *admin.GetLockoutPolicyRequest) (*admin.GetLockoutPolicyResponse, error) {
	p, err := s.app.InstanceLockoutPolicy(ctx, caller(ctx))
	if err != nil {
		return nil, err
	}
	pb, err := lockoutDefaultPB(ctx, s.app, p)
	if err != nil {
		return nil, err
	}
	return &admin.GetLockoutPolicyResponse{Policy: pb}, nil
}

func (s *Admin) UpdateLockoutPolicy(ctx context.Context, r *admin.UpdateLockoutPolicyRequest) (*admin.UpdateLockoutPolicyResponse, error) {
	_, d, err := s.app.UpdateInstanceLockoutPolicy(ctx, caller(ctx), uint64(r.GetMaxPasswordAttempts()), uint64(r.GetMaxOtpAttempts()))
	if err != nil {
		return nil, err
	}
	return &admin.UpdateLockoutPolicyResponse{Details: instanceDetails(d)}, nil
}

func (s *Auth) GetMyPasswordComplexityPolicy(ctx context.Context, _ *auth.GetMyPasswordComplexityPolicyRequest) (*auth.GetMyPasswordComplexityPolicyResponse, error) {
	p, isDefault, err := s.app.MyPasswordComplexityPolicy(ctx, scope(ctx))
	if err != nil {
		return nil, err
	}
	pb, err := complexityPB(ctx, s.app, p, isDefault)
	if err != nil {
		return nil, err
	}
	return &auth.GetMyPasswordComplexityPolicyResponse{Policy: pb}, nil
}

func (s *Auth) UpdateMyPassword(ctx context.Context, r *auth.UpdateMyPasswordRequest) (*auth.UpdateMyPasswordResponse, error) {
	u, err := s.app.UpdateMyPassword(ctx, scope(ctx), r.GetOldPassword(), r.GetNewPassword())
	if err != nil {
		return nil, err
	}
	return &auth.UpdateMyPasswordResponse{Details: changeDetails(u.Sequence, u.ChangedAt, u.OrgID)}, nil
}
