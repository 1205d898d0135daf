package compat

import (
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/admin"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"google.golang.org/grpc/codes"
)

// TestPasswordPolicies drives the password policies with zitadel-go's own
// clients: ZITADEL's defaults, an org's own complexity policy that its new
// passwords must meet (with ZITADEL's ids for a refusal), reset to the
// default, the age policy, and the instance defaults through AdminService
// (restored afterwards: the other tests share the server).
func TestPasswordPolicies(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		m := s.mgmt(t, s.adminPAT)
		adm := s.admin(t, s.adminPAT)
		o, err := m.AddOrg(ctx(t), &management.AddOrgRequest{Name: unique("pwpolicy")})
		mustOK(t, "AddOrg", err)
		in := inOrg(ctx(t), o.GetId())

		got, err := m.GetPasswordComplexityPolicy(in, &management.GetPasswordComplexityPolicyRequest{})
		mustOK(t, "GetPasswordComplexityPolicy", err)
		if p := got.GetPolicy(); !got.GetIsDefault() || p.GetMinLength() != 8 || !p.GetHasUppercase() || !p.GetHasLowercase() || !p.GetHasNumber() || !p.GetHasSymbol() {
			t.Fatalf("ZITADEL's default: %v", got)
		}
		_, err = m.ImportHumanUser(in, &management.ImportHumanUserRequest{UserName: unique("weak"),
			Profile:  &management.ImportHumanUserRequest_Profile{FirstName: "W", LastName: "K"},
			Email:    &management.ImportHumanUserRequest_Email{Email: "weak@example.com"},
			Password: "secr3t-passw0rd!"})
		wantErr(t, "a password without an upper case letter", err, codes.InvalidArgument, "COMMA-VoaRj")

		add, err := m.AddCustomPasswordComplexityPolicy(in, &management.AddCustomPasswordComplexityPolicyRequest{MinLength: 12, HasNumber: true})
		mustOK(t, "AddCustomPasswordComplexityPolicy", err)
		if add.GetDetails().GetResourceOwner() != o.GetId() || add.GetDetails().GetSequence() == 0 {
			t.Fatalf("AddCustom details: %v", add.GetDetails())
		}
		_, err = m.AddCustomPasswordComplexityPolicy(in, &management.AddCustomPasswordComplexityPolicyRequest{MinLength: 12})
		wantErr(t, "AddCustom twice", err, codes.AlreadyExists, "Org-LdhbS")
		_, err = m.UpdateCustomPasswordComplexityPolicy(in, &management.UpdateCustomPasswordComplexityPolicyRequest{MinLength: 12, HasNumber: true})
		wantErr(t, "UpdateCustom unchanged", err, codes.FailedPrecondition, "Org-DAs21")
		_, err = m.UpdateCustomPasswordComplexityPolicy(in, &management.UpdateCustomPasswordComplexityPolicyRequest{MinLength: 10, HasNumber: true})
		mustOK(t, "UpdateCustomPasswordComplexityPolicy", err)
		_, err = m.ImportHumanUser(in, &management.ImportHumanUserRequest{UserName: unique("short"),
			Profile:  &management.ImportHumanUserRequest_Profile{FirstName: "S", LastName: "H"},
			Email:    &management.ImportHumanUserRequest_Email{Email: "short@example.com"},
			Password: "abcdefgh1"})
		wantErr(t, "shorter than the org's own minimum", err, codes.InvalidArgument, "COMMA-HuJf6")
		_, err = m.ImportHumanUser(in, &management.ImportHumanUserRequest{UserName: unique("lax"),
			Profile:  &management.ImportHumanUserRequest_Profile{FirstName: "L", LastName: "X"},
			Email:    &management.ImportHumanUserRequest_Email{Email: "lax@example.com"},
			Password: "abcdefghi1"})
		mustOK(t, "a password the org's own policy allows", err)
		_, err = m.ResetPasswordComplexityPolicyToDefault(in, &management.ResetPasswordComplexityPolicyToDefaultRequest{})
		mustOK(t, "ResetPasswordComplexityPolicyToDefault", err)
		if got, err := m.GetPasswordComplexityPolicy(in, &management.GetPasswordComplexityPolicyRequest{}); err != nil || !got.GetIsDefault() {
			t.Fatalf("after the reset: %v %v", got, err)
		}

		_, err = m.AddCustomPasswordAgePolicy(in, &management.AddCustomPasswordAgePolicyRequest{MaxAgeDays: 30, ExpireWarnDays: 5})
		mustOK(t, "AddCustomPasswordAgePolicy", err)
		age, err := m.GetPasswordAgePolicy(in, &management.GetPasswordAgePolicyRequest{})
		if err != nil || age.GetIsDefault() || age.GetPolicy().GetMaxAgeDays() != 30 || age.GetPolicy().GetExpireWarnDays() != 5 {
			t.Fatalf("GetPasswordAgePolicy: %v %v", age, err)
		}

		// The instance default, changed and restored.
		def, err := adm.GetPasswordComplexityPolicy(ctx(t), &admin.GetPasswordComplexityPolicyRequest{})
		mustOK(t, "admin GetPasswordComplexityPolicy", err)
		p := def.GetPolicy()
		restore := &admin.UpdatePasswordComplexityPolicyRequest{MinLength: uint32(p.GetMinLength()), HasUppercase: p.GetHasUppercase(),
			HasLowercase: p.GetHasLowercase(), HasNumber: p.GetHasNumber(), HasSymbol: p.GetHasSymbol()}
		_, err = adm.UpdatePasswordComplexityPolicy(ctx(t), &admin.UpdatePasswordComplexityPolicyRequest{MinLength: uint32(p.GetMinLength()) + 1, HasUppercase: true, HasLowercase: true, HasNumber: true, HasSymbol: true})
		mustOK(t, "admin UpdatePasswordComplexityPolicy", err)
		t.Cleanup(func() { _, _ = adm.UpdatePasswordComplexityPolicy(ctx(t), restore) })
		dm, err := m.GetDefaultPasswordComplexityPolicy(in, &management.GetDefaultPasswordComplexityPolicyRequest{})
		if err != nil || dm.GetPolicy().GetMinLength() != p.GetMinLength()+1 || !dm.GetPolicy().GetIsDefault() {
			t.Fatalf("GetDefaultPasswordComplexityPolicy: %v %v", dm, err)
		}
		_, err = adm.UpdatePasswordComplexityPolicy(ctx(t), &admin.UpdatePasswordComplexityPolicyRequest{MinLength: 0})
		wantErr(t, "admin min length 0", err, codes.InvalidArgument, "INSTANCE-Lsp0e")

		lock, err := adm.GetLockoutPolicy(ctx(t), &admin.GetLockoutPolicyRequest{})
		mustOK(t, "admin GetLockoutPolicy", err)
		if !lock.GetPolicy().GetIsDefault() {
			t.Fatalf("admin GetLockoutPolicy: %v", lock)
		}
	})
}
