package api

import (
	"context"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/user"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/auth"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	objv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object/v2"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	userv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2beta"
)

// Verifying e-mail addresses and phone numbers with codes (app/verify.go):
// User v2 (and v2beta, relayed), Management v1 for administrators, Auth v1
// for the signed-in user.

// emailCodeV2 reads v2's e-mail verification choice: send_code (with its
// url_template), return_code, or neither (send with the default link).
func emailCodeV2(send *userv2.SendEmailVerificationCode, ret *userv2.ReturnEmailVerificationCode) app.ContactCode {
	return app.ContactCode{Return: ret != nil, URLTemplate: send.GetUrlTemplate()}
}

func codeDetails(u *user.User, code string, ret bool) (*objv2.Details, *string) {
	if !ret {
		return changeDetailsV2(u), nil
	}
	return changeDetailsV2(u), &code
}

func (s *UserV2) SetEmail(ctx context.Context, r *userv2.SetEmailRequest) (*userv2.SetEmailResponse, error) {
	c := emailCodeV2(r.GetSendCode(), r.GetReturnCode())
	u, code, err := s.app.SetEmail(ctx, scopeV2(ctx), app.UseSetEmail, r.GetUserId(), r.GetEmail(), r.GetIsVerified(), c)
	if err != nil {
		return nil, err
	}
	d, vc := codeDetails(u, code, c.Return && !r.GetIsVerified())
	return &userv2.SetEmailResponse{Details: d, VerificationCode: vc}, nil
}

func (s *UserV2) SendEmailCode(ctx context.Context, r *userv2.SendEmailCodeRequest) (*userv2.SendEmailCodeResponse, error) {
	c := emailCodeV2(r.GetSendCode(), r.GetReturnCode())
	u, code, err := s.app.SendVerificationCode(ctx, scopeV2(ctx), app.UseSendEmailCode, r.GetUserId(), user.CodeEmail, app.SendNew, c)
	if err != nil {
		return nil, err
	}
	d, vc := codeDetails(u, code, c.Return)
	return &userv2.SendEmailCodeResponse{Details: d, VerificationCode: vc}, nil
}

func (s *UserV2) ResendEmailCode(ctx context.Context, r *userv2.ResendEmailCodeRequest) (*userv2.ResendEmailCodeResponse, error) {
	c := emailCodeV2(r.GetSendCode(), r.GetReturnCode())
	u, code, err := s.app.SendVerificationCode(ctx, scopeV2(ctx), app.UseResendEmailCode, r.GetUserId(), user.CodeEmail, app.ResendPending, c)
	if err != nil {
		return nil, err
	}
	d, vc := codeDetails(u, code, c.Return)
	return &userv2.ResendEmailCodeResponse{Details: d, VerificationCode: vc}, nil
}

func (s *UserV2) VerifyEmail(ctx context.Context, r *userv2.VerifyEmailRequest) (*userv2.VerifyEmailResponse, error) {
	u, err := s.app.VerifyContact(ctx, scopeV2(ctx), app.UseVerifyEmail, r.GetUserId(), user.CodeEmail, r.GetVerificationCode())
	if err != nil {
		return nil, err
	}
	return &userv2.VerifyEmailResponse{Details: changeDetailsV2(u)}, nil
}

func (s *UserV2) SetPhone(ctx context.Context, r *userv2.SetPhoneRequest) (*userv2.SetPhoneResponse, error) {
	c := app.ContactCode{Return: r.GetReturnCode() != nil}
	u, code, err := s.app.SetPhone(ctx, scopeV2(ctx), app.UseSetPhone, r.GetUserId(), r.GetPhone(), r.GetIsVerified(), c)
	if err != nil {
		return nil, err
	}
	d, vc := codeDetails(u, code, c.Return && !r.GetIsVerified())
	return &userv2.SetPhoneResponse{Details: d, VerificationCode: vc}, nil
}

func (s *UserV2) ResendPhoneCode(ctx context.Context, r *userv2.ResendPhoneCodeRequest) (*userv2.ResendPhoneCodeResponse, error) {
	c := app.ContactCode{Return: r.GetReturnCode() != nil}
	u, code, err := s.app.SendVerificationCode(ctx, scopeV2(ctx), app.UseResendPhoneCode, r.GetUserId(), user.CodePhone, app.ResendPending, c)
	if err != nil {
		return nil, err
	}
	d, vc := codeDetails(u, code, c.Return)
	return &userv2.ResendPhoneCodeResponse{Details: d, VerificationCode: vc}, nil
}

func (s *UserV2) VerifyPhone(ctx context.Context, r *userv2.VerifyPhoneRequest) (*userv2.VerifyPhoneResponse, error) {
	u, err := s.app.VerifyContact(ctx, scopeV2(ctx), app.UseVerifyPhone, r.GetUserId(), user.CodePhone, r.GetVerificationCode())
	if err != nil {
		return nil, err
	}
	return &userv2.VerifyPhoneResponse{Details: changeDetailsV2(u)}, nil
}

func (s *UserV2) RemovePhone(ctx context.Context, r *userv2.RemovePhoneRequest) (*userv2.RemovePhoneResponse, error) {
	u, err := s.app.RemovePhone(ctx, scopeV2(ctx), app.UseRemovePhone, r.GetUserId())
	if err != nil {
		return nil, err
	}
	return &userv2.RemovePhoneResponse{Details: changeDetailsV2(u)}, nil
}

// v2beta: relayed to v2.

func (s *UserV2beta) SetEmail(ctx context.Context, r *userv2beta.SetEmailRequest) (*userv2beta.SetEmailResponse, error) {
	return relay(ctx, r, &userv2.SetEmailRequest{}, s.v2.SetEmail, &userv2beta.SetEmailResponse{})
}

func (s *UserV2beta) ResendEmailCode(ctx context.Context, r *userv2beta.ResendEmailCodeRequest) (*userv2beta.ResendEmailCodeResponse, error) {
	return relay(ctx, r, &userv2.ResendEmailCodeRequest{}, s.v2.ResendEmailCode, &userv2beta.ResendEmailCodeResponse{})
}

func (s *UserV2beta) VerifyEmail(ctx context.Context, r *userv2beta.VerifyEmailRequest) (*userv2beta.VerifyEmailResponse, error) {
	return relay(ctx, r, &userv2.VerifyEmailRequest{}, s.v2.VerifyEmail, &userv2beta.VerifyEmailResponse{})
}

func (s *UserV2beta) SetPhone(ctx context.Context, r *userv2beta.SetPhoneRequest) (*userv2beta.SetPhoneResponse, error) {
	return relay(ctx, r, &userv2.SetPhoneRequest{}, s.v2.SetPhone, &userv2beta.SetPhoneResponse{})
}

func (s *UserV2beta) ResendPhoneCode(ctx context.Context, r *userv2beta.ResendPhoneCodeRequest) (*userv2beta.ResendPhoneCodeResponse, error) {
	return relay(ctx, r, &userv2.ResendPhoneCodeRequest{}, s.v2.ResendPhoneCode, &userv2beta.ResendPhoneCodeResponse{})
}

func (s *UserV2beta) VerifyPhone(ctx context.Context, r *userv2beta.VerifyPhoneRequest) (*userv2beta.VerifyPhoneResponse, error) {
	return relay(ctx, r, &userv2.VerifyPhoneRequest{}, s.v2.VerifyPhone, &userv2beta.VerifyPhoneResponse{})
}

func (s *UserV2beta) RemovePhone(ctx context.Context, r *userv2beta.RemovePhoneRequest) (*userv2beta.RemovePhoneResponse, error) {
	return relay(ctx, r, &userv2.RemovePhoneRequest{}, s.v2.RemovePhone, &userv2beta.RemovePhoneResponse{})
}

// Management v1: an administrator sends a user's code again.

func (m *Management) ResendHumanEmailVerification(ctx context.Context, r *mgmt.ResendHumanEmailVerificationRequest) (*mgmt.ResendHumanEmailVerificationResponse, error) {
	u, _, err := m.app.SendVerificationCode(ctx, scope(ctx), app.UseResendHumanEmailVerification, r.GetUserId(), user.CodeEmail, app.ResendUnverified, app.ContactCode{})
	if err != nil {
		return nil, err
	}
	return &mgmt.ResendHumanEmailVerificationResponse{Details: changed(u)}, nil
}

func (m *Management) ResendHumanPhoneVerification(ctx context.Context, r *mgmt.ResendHumanPhoneVerificationRequest) (*mgmt.ResendHumanPhoneVerificationResponse, error) {
	u, _, err := m.app.SendVerificationCode(ctx, scope(ctx), app.UseResendHumanPhoneVerification, r.GetUserId(), user.CodePhone, app.ResendUnverified, app.ContactCode{})
	if err != nil {
		return nil, err
	}
	return &mgmt.ResendHumanPhoneVerificationResponse{Details: changed(u)}, nil
}

// Auth v1: the signed-in user's own address and number; a new one always
// gets a code.

func (s *Auth) SetMyEmail(ctx context.Context, r *auth.SetMyEmailRequest) (*auth.SetMyEmailResponse, error) {
	u, _, err := s.app.SetEmail(ctx, scope(ctx), app.UseSetMyEmail, "", r.GetEmail(), false, app.ContactCode{})
	if err != nil {
		return nil, err
	}
	return &auth.SetMyEmailResponse{Details: changed(u)}, nil
}

func (s *Auth) VerifyMyEmail(ctx context.Context, r *auth.VerifyMyEmailRequest) (*auth.VerifyMyEmailResponse, error) {
	u, err := s.app.VerifyContact(ctx, scope(ctx), app.UseVerifyMyEmail, "", user.CodeEmail, r.GetCode())
	if err != nil {
		return nil, err
	}
	return &auth.VerifyMyEmailResponse{Details: changed(u)}, nil
}

func (s *Auth) ResendMyEmailVerification(ctx context.Context, _ *auth.ResendMyEmailVerificationRequest) (*auth.ResendMyEmailVerificationResponse, error) {
	u, _, err := s.app.SendVerificationCode(ctx, scope(ctx), app.UseResendMyEmailVerification, "", user.CodeEmail, app.ResendUnverified, app.ContactCode{})
	if err != nil {
		return nil, err
	}
	return &auth.ResendMyEmailVerificationResponse{Details: changed(u)}, nil
}

func (s *Auth) SetMyPhone(ctx context.Context, r *auth.SetMyPhoneRequest) (*auth.SetMyPhoneResponse, error) {
	u, _, err := s.app.SetPhone(ctx, scope(ctx), app.UseSetMyPhone, "", r.GetPhone(), false, app.ContactCode{})
	if err != nil {
		return nil, err
	}
	return &auth.SetMyPhoneResponse{Details: changed(u)}, nil
}

func (s *Auth) VerifyMyPhone(ctx context.Context, r *auth.VerifyMyPhoneRequest) (*auth.VerifyMyPhoneResponse, error) {
	u, err := s.app.VerifyContact(ctx, scope(ctx), app.UseVerifyMyPhone, "", user.CodePhone, r.GetCode())
	if err != nil {
		return nil, err
	}
	return &auth.VerifyMyPhoneResponse{Details: changed(u)}, nil
}

func (s *Auth) ResendMyPhoneVerification(ctx context.Context, _ *auth.ResendMyPhoneVerificationRequest) (*auth.ResendMyPhoneVerificationResponse, error) {
	u, _, err := s.app.SendVerificationCode(ctx, scope(ctx), app.UseResendMyPhoneVerification, "", user.CodePhone, app.ResendUnverified, app.ContactCode{})
	if err != nil {
		return nil, err
	}
	return &auth.ResendMyPhoneVerificationResponse{Details: changed(u)}, nil
}
