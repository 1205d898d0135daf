package compat

import (
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/grpc/codes"
)

// TestPasswordResetAndInviteCodes drives the codes with ZITADEL's own
// client: a returned reset code sets the password once (v2 SetPassword's
// verification_code), a sent one is accepted (e-mail and v1's notification),
// an invitation is returned, verified and refused once the user has a
// password, and v1 resends an initialization code only to an INITIAL user.
func TestPasswordResetAndInviteCodes(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		u := s.users(t, s.adminPAT)
		m := s.mgmt(t, s.adminPAT)
		org := myOrg(t, m)
		id := addHumanV2(t, u, org, unique("reset"), true).GetUserId()

		r, err := u.PasswordReset(ctx(t), &userv2.PasswordResetRequest{UserId: id,
			Medium: &userv2.PasswordResetRequest_ReturnCode{ReturnCode: &userv2.ReturnPasswordResetCode{}}})
		mustOK(t, "PasswordReset return_code", err)
		if r.GetVerificationCode() == "" {
			t.Fatal("PasswordReset return_code: no code")
		}
		wantChangeDetailsV2(t, "PasswordReset", r.GetDetails(), 2, org)
		set := func(code string) error {
			_, err := u.SetPassword(ctx(t), &userv2.SetPasswordRequest{UserId: id, NewPassword: &userv2.Password{Password: "N3w-Passw0rd!"},
				Verification: &userv2.SetPasswordRequest_VerificationCode{VerificationCode: code}})
			return err
		}
		wantErr(t, "SetPassword with a wrong code", set("WRONG"), codes.InvalidArgument, "CODE-woT0xc")
		mustOK(t, "SetPassword with the code", set(r.GetVerificationCode()))
		wantErr(t, "SetPassword with the code again", set(r.GetVerificationCode()), codes.FailedPrecondition, "COMMAND-2M9fs")

		_, err = u.PasswordReset(ctx(t), &userv2.PasswordResetRequest{UserId: id})
		mustOK(t, "PasswordReset (default: e-mail)", err)
		_, err = m.SendHumanResetPasswordNotification(ctx(t), &management.SendHumanResetPasswordNotificationRequest{UserId: id})
		mustOK(t, "SendHumanResetPasswordNotification", err)
		bad := "{{.Password}}"
		_, err = u.PasswordReset(ctx(t), &userv2.PasswordResetRequest{UserId: id,
			Medium: &userv2.PasswordResetRequest_SendLink{SendLink: &userv2.SendPasswordResetLink{UrlTemplate: &bad}}})
		wantErr(t, "PasswordReset with a bad template", err, codes.InvalidArgument, "DOMAIN-ieYa7")

		// An invitation for a user without a password.
		inv := addHumanV2(t, u, org, unique("invite"), false).GetUserId()
		c, err := u.CreateInviteCode(ctx(t), &userv2.CreateInviteCodeRequest{UserId: inv,
			Verification: &userv2.CreateInviteCodeRequest_ReturnCode{ReturnCode: &userv2.ReturnInviteCode{}}})
		mustOK(t, "CreateInviteCode return_code", err)
		_, err = u.ResendInviteCode(ctx(t), &userv2.ResendInviteCodeRequest{UserId: inv})
		wantErr(t, "ResendInviteCode of a returned code", err, codes.FailedPrecondition, "COMMAND-Wr3gq")
		_, err = u.VerifyInviteCode(ctx(t), &userv2.VerifyInviteCodeRequest{UserId: inv, VerificationCode: c.GetInviteCode()})
		mustOK(t, "VerifyInviteCode", err)
		if !getUserV2(t, u, inv, userv2.UserState_USER_STATE_INITIAL).GetHuman().GetEmail().GetIsVerified() {
			t.Fatal("VerifyInviteCode did not verify the e-mail address")
		}
		_, err = u.CreateInviteCode(ctx(t), &userv2.CreateInviteCodeRequest{UserId: id})
		wantErr(t, "CreateInviteCode for a user with a password", err, codes.FailedPrecondition, "COMMAND-EF34g")

		// v1: an INITIAL user's initialization code, resent; an ACTIVE one is refused.
		_, err = m.ResendHumanInitialization(ctx(t), &management.ResendHumanInitializationRequest{UserId: inv, Email: "moved@example.com"})
		mustOK(t, "ResendHumanInitialization", err)
		if got := wantState(t, m, inv, user.UserState_USER_STATE_INITIAL); got.GetHuman().GetEmail().GetEmail() != "moved@example.com" {
			t.Fatalf("ResendHumanInitialization e-mail %q", got.GetHuman().GetEmail().GetEmail())
		}
		_, err = m.ResendHumanInitialization(ctx(t), &management.ResendHumanInitializationRequest{UserId: id})
		wantErr(t, "ResendHumanInitialization of an ACTIVE user", err, codes.FailedPrecondition, "WARDEN-INITDONE")
		_, err = m.SetHumanInitialPassword(ctx(t), &management.SetHumanInitialPasswordRequest{UserId: inv, Password: "F1rst-Passw0rd!"})
		mustOK(t, "SetHumanInitialPassword", err)
		wantState(t, m, inv, user.UserState_USER_STATE_ACTIVE)
	})
}
