package api

import (
	"context"

	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
)

func (m *Management) SetHumanPassword(ctx context.Context, r *mgmt.SetHumanPasswordRequest) (*mgmt.SetHumanPasswordResponse, error) {
	s := scope(ctx)
	u, err := m.app.SetPassword(ctx, s, r.GetUserId(), r.GetPassword(), !r.GetNoChangeRequired(), false)
	if err != nil {
		return nil, err
	}
	return &mgmt.SetHumanPasswordResponse{Details: changeDetails(u.Sequence, u.ChangedAt, u.OrgID)}, nil
}

// SetPassword sets a password: with user.write in the user's org and no
// verification, with the current password (which is checked, also for
// administrators, as ZITADEL does), or with a reset code (the code is the
// proof; ZITADEL ignores change_required there, and so does Warden).
func (s *UserV2) SetPassword(ctx context.Context, r *userv2.SetPasswordRequest) (*userv2.SetPasswordResponse, error) {
	pw := r.GetNewPassword()
	if v, ok := r.GetVerification().(*userv2.SetPasswordRequest_VerificationCode); ok {
		usr, err := s.app.SetPasswordWithCode(ctx, scopeV2(ctx), r.GetUserId(), v.VerificationCode, pw.GetPassword())
		if err != nil {
			return nil, err
		}
		return &userv2.SetPasswordResponse{Details: changeDetailsV2(usr)}, nil
	}
	if cur, ok := r.GetVerification().(*userv2.SetPasswordRequest_CurrentPassword); ok {
		usr, err := s.app.ChangePassword(ctx, caller(ctx), r.GetUserId(), cur.CurrentPassword, pw.GetPassword(), pw.GetChangeRequired())
		if err != nil {
			return nil, err
		}
		return &userv2.SetPasswordResponse{Details: changeDetailsV2(usr)}, nil
	}
	usr, err := s.app.SetPassword(ctx, scopeV2(ctx), r.GetUserId(), pw.GetPassword(), pw.GetChangeRequired(), false)
	if err != nil {
		return nil, err
	}
	return &userv2.SetPasswordResponse{Details: changeDetailsV2(usr)}, nil
}
