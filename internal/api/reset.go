package api

import (
	"context"

	"github.com/warden-id/warden/internal/app"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	userv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2beta"
)

// Password reset, invitation and initialization codes (app/reset.go).

// PasswordReset issues a reset code: sent by e-mail (the default) or SMS with
// the caller's link or the login page's, or returned.
func (s *UserV2) PasswordReset(ctx context.Context, r *userv2.PasswordResetRequest) (*userv2.PasswordResetResponse, error) {
	var in app.ResetRequest
	switch m := r.GetMedium().(type) {
	case *userv2.PasswordResetRequest_SendLink:
		in.SMS = m.SendLink.GetNotificationType() == userv2.NotificationType_NOTIFICATION_TYPE_SMS
		in.URLTemplate = m.SendLink.GetUrlTemplate()
	case *userv2.PasswordResetRequest_ReturnCode:
		in.Return = true
	}
	u, code, err := s.app.RequestPasswordReset(ctx, scopeV2(ctx), r.GetUserId(), in)
	if err != nil {
		return nil, err
	}
	out := &userv2.PasswordResetResponse{Details: changeDetailsV2(u)}
	if in.Return {
		out.VerificationCode = &code
	}
	return out, nil
}

// CreateInviteCode issues an invitation to a user without a password.
func (s *UserV2) CreateInviteCode(ctx context.Context, r *userv2.CreateInviteCodeRequest) (*userv2.CreateInviteCodeResponse, error) {
	var in app.InviteRequest
	switch v := r.GetVerification().(type) {
	case *userv2.CreateInviteCodeRequest_SendCode:
		in.URLTemplate, in.ApplicationName = v.SendCode.GetUrlTemplate(), v.SendCode.GetApplicationName()
	case *userv2.CreateInviteCodeRequest_ReturnCode:
		in.Return = true
	}
	u, code, err := s.app.CreateInviteCode(ctx, scopeV2(ctx), r.GetUserId(), in)
	if err != nil {
		return nil, err
	}
	out := &userv2.CreateInviteCodeResponse{Details: changeDetailsV2(u)}
	if in.Return {
		out.InviteCode = &code
	}
	return out, nil
}

// ResendInviteCode sends a new invitation in place of a sent one.
func (s *UserV2) ResendInviteCode(ctx context.Context, r *userv2.ResendInviteCodeRequest) (*userv2.ResendInviteCodeResponse, error) {
	u, err := s.app.ResendInviteCode(ctx, scopeV2(ctx), r.GetUserId())
	if err != nil {
		return nil, err
	}
	return &userv2.ResendInviteCodeResponse{Details: changeDetailsV2(u)}, nil
}

// VerifyInviteCode accepts an invitation (the e-mail address is verified).
func (s *UserV2) VerifyInviteCode(ctx context.Context, r *userv2.VerifyInviteCodeRequest) (*userv2.VerifyInviteCodeResponse, error) {
	u, err := s.app.VerifyInviteCode(ctx, scopeV2(ctx), r.GetUserId(), r.GetVerificationCode())
	if err != nil {
		return nil, err
	}
	return &userv2.VerifyInviteCodeResponse{Details: changeDetailsV2(u)}, nil
}

// PasswordReset (v2beta) is v2's.
func (s *UserV2beta) PasswordReset(ctx context.Context, r *userv2beta.PasswordResetRequest) (*userv2beta.PasswordResetResponse, error) {
	return relay(ctx, r, new(userv2.PasswordResetRequest), s.v2.PasswordReset, new(userv2beta.PasswordResetResponse))
}

// SendHumanResetPasswordNotification sends a reset code by e-mail or SMS,
// with the login page's link.
func (m *Management) SendHumanResetPasswordNotification(ctx context.Context, r *mgmt.SendHumanResetPasswordNotificationRequest) (*mgmt.SendHumanResetPasswordNotificationResponse, error) {
	in := app.ResetRequest{SMS: r.GetType() == mgmt.SendHumanResetPasswordNotificationRequest_TYPE_SMS}
	u, _, err := m.app.RequestPasswordReset(ctx, scope(ctx), r.GetUserId(), in)
	if err != nil {
		return nil, err
	}
	return &mgmt.SendHumanResetPasswordNotificationResponse{Details: changeDetails(u.Sequence, u.ChangedAt, u.OrgID)}, nil
}

// ResendHumanInitialization sends an INITIAL user a new initialization code,
// to a new address if one is given.
func (m *Management) ResendHumanInitialization(ctx context.Context, r *mgmt.ResendHumanInitializationRequest) (*mgmt.ResendHumanInitializationResponse, error) {
	u, err := m.app.ResendInitialization(ctx, scope(ctx), r.GetUserId(), r.GetEmail())
	if err != nil {
		return nil, err
	}
	return &mgmt.ResendHumanInitializationResponse{Details: changeDetails(u.Sequence, u.ChangedAt, u.OrgID)}, nil
}

// SetHumanInitialPassword (deprecated in ZITADEL) sets a password the user
// must change at its next sign-in, as ZITADEL's does.
func (m *Management) SetHumanInitialPassword(ctx context.Context, r *mgmt.SetHumanInitialPasswordRequest) (*mgmt.SetHumanInitialPasswordResponse, error) {
	u, err := m.app.SetPassword(ctx, scope(ctx), r.GetUserId(), r.GetPassword(), true, false)
	if err != nil {
		return nil, err
	}
	return &mgmt.SetHumanInitialPasswordResponse{Details: changeDetails(u.Sequence, u.ChangedAt, u.OrgID)}, nil
}
