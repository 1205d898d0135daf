package compat

// Terraform replays (see terraform_test.go) of the users, their metadata, the
// org's metadata and the org's password and notification policies.

import (
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
)

// tfHuman is a zitadel_human_user configuration: the attributes the
// provider's create and update read from it.
type tfHuman struct {
	userName, first, last, nick, display, lang, gender, email, phone string
	emailVerified, phoneVerified                                     bool
}

// state is what the read writes over the configuration: every attribute the
// read sets, the rest as configured.
func (h tfHuman) state(id, org string) tfState {
	return tfState{"id": id, "org_id": org, "user_name": h.userName, "first_name": h.first, "last_name": h.last,
		"nick_name": h.nick, "display_name": h.display, "preferred_language": h.lang, "gender": h.gender,
		"email": h.email, "is_email_verified": h.emailVerified, "phone": h.phone, "is_phone_verified": h.phoneVerified,
		"state": "USER_STATE_ACTIVE", "initial_skip_password_change": false}
}

// TestTerraformHumanUser: zitadel_human_user (human_user/funcs.go): create is
// User v2 CreateUser (profile with the default display name, e-mail, phone,
// initial password), read is v2 GetUserByID, update is one v2 UpdateUser with
// what changed, delete is v2 DeleteUser; and the provider's legacy path
// (funcs_legacy.go, Management v1: ImportHumanUser, GetUserByID,
// UpdateUserName, UpdateHumanProfile, UpdateHumanEmail, UpdateHumanPhone,
// RemoveUser). Each: apply, a plan without drift, update, a plan without
// drift, import, destroy.
func TestTerraformHumanUser(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		st := newTFSetup(t, s, 0)
		org := st.org
		cfg := func() tfHuman {
			n := unique("tf-human")
			return tfHuman{userName: n, first: "Grace", last: "Hopper", nick: "", display: "Grace Hopper", lang: "en",
				gender: "GENDER_FEMALE", email: n + "@example.com", emailVerified: true, phone: "+41 79 000 11 22", phoneVerified: true}
		}
		update := func(h tfHuman) tfHuman {
			h.userName += "-renamed"
			h.first, h.nick, h.display, h.gender = "Amazing Grace", "Amazing", "Rear Admiral Hopper", "GENDER_DIVERSE"
			h.email, h.phone = "grace@"+h.userName+".example.com", "+41 79 000 33 44"
			return h
		}

		t.Run("v2", func(t *testing.T) {
			h := cfg()
			gender := userv2.Gender(userv2.Gender_value[h.gender])
			c, err := st.userV2.CreateUser(tfCtx(t, org), &userv2.CreateUserRequest{OrganizationId: org, Username: &h.userName,
				UserType: &userv2.CreateUserRequest_Human_{Human: &userv2.CreateUserRequest_Human{
					Profile:      &userv2.SetHumanProfile{GivenName: h.first, FamilyName: h.last, Gender: &gender, PreferredLanguage: &h.lang, DisplayName: &h.display},
					Email:        &userv2.SetHumanEmail{Email: h.email, Verification: &userv2.SetHumanEmail_IsVerified{IsVerified: true}},
					Phone:        &userv2.SetHumanPhone{Phone: h.phone, Verification: &userv2.SetHumanPhone_IsVerified{IsVerified: true}},
					PasswordType: &userv2.CreateUserRequest_Human_Password{Password: &userv2.Password{Password: "Secr3t-Passw0rd!", ChangeRequired: false}},
				}}})
			mustOK(t, "create: CreateUser", err)
			id := c.GetId()
			read := func(prev tfState) tfState {
				t.Helper()
				r, err := st.userV2.GetUserByID(tfCtx(t, org), &userv2.GetUserByIDRequest{UserId: id})
				if tfGone(t, "read: GetUserByID", err) {
					return nil
				}
				u := r.GetUser()
				out := tfState{}
				for k, v := range prev {
					out[k] = v
				}
				out["id"], out["org_id"], out["state"], out["user_name"] = u.GetUserId(), u.GetDetails().GetResourceOwner(), u.GetState().String(), u.GetUsername()
				out["initial_skip_password_change"] = false
				if p := u.GetHuman().GetProfile(); p != nil {
					out["first_name"], out["last_name"] = p.GetGivenName(), p.GetFamilyName()
					if p.DisplayName != nil {
						out["display_name"] = p.GetDisplayName()
					}
					if p.NickName != nil {
						out["nick_name"] = p.GetNickName()
					}
					if p.PreferredLanguage != nil {
						out["preferred_language"] = p.GetPreferredLanguage()
					}
					if p.Gender != nil {
						out["gender"] = p.GetGender().String()
					}
				}
				if e := u.GetHuman().GetEmail(); e != nil {
					out["email"], out["is_email_verified"] = e.GetEmail(), e.GetIsVerified()
				}
				if p := u.GetHuman().GetPhone(); p != nil {
					out["phone"], out["is_phone_verified"] = p.GetPhone(), p.GetIsVerified()
				}
				return out
			}
			applied := read(h.state(id, org))
			wantTF(t, "read after create", applied, h.state(id, org))
			wantTF(t, "plan", read(applied), applied)

			// update: what changed, in one UpdateUser.
			h2 := update(h)
			g2 := userv2.Gender(userv2.Gender_value[h2.gender])
			_, err = st.userV2.UpdateUser(tfCtx(t, org), &userv2.UpdateUserRequest{UserId: id, Username: &h2.userName,
				UserType: &userv2.UpdateUserRequest_Human_{Human: &userv2.UpdateUserRequest_Human{
					Profile: &userv2.UpdateUserRequest_Human_Profile{GivenName: &h2.first, NickName: &h2.nick, DisplayName: &h2.display, Gender: &g2},
					Email:   &userv2.SetHumanEmail{Email: h2.email, Verification: &userv2.SetHumanEmail_IsVerified{IsVerified: true}},
					Phone:   &userv2.SetHumanPhone{Phone: h2.phone, Verification: &userv2.SetHumanPhone_IsVerified{IsVerified: true}},
				}}})
			mustOK(t, "update: UpdateUser", err)
			updated := read(h2.state(id, org))
			wantTF(t, "read after update", updated, h2.state(id, org))
			wantTF(t, "plan after update", read(updated), updated)

			tfImport(t, "zitadel_human_user", id)
			_, err = st.userV2.DeleteUser(tfCtx(t, org), &userv2.DeleteUserRequest{UserId: id})
			mustOK(t, "delete: DeleteUser", err)
			wantTF(t, "read after delete", read(updated), nil)
		})

		t.Run("legacy", func(t *testing.T) {
			h := cfg()
			imp, err := st.mgmt.ImportHumanUser(tfCtx(t, org), &management.ImportHumanUserRequest{UserName: h.userName,
				Profile: &management.ImportHumanUserRequest_Profile{FirstName: h.first, LastName: h.last, DisplayName: h.display,
					PreferredLanguage: h.lang, Gender: user.Gender(user.Gender_value[h.gender])},
				Email:    &management.ImportHumanUserRequest_Email{Email: h.email, IsEmailVerified: true},
				Phone:    &management.ImportHumanUserRequest_Phone{Phone: h.phone, IsPhoneVerified: true},
				Password: "Secr3t-Passw0rd!"})
			mustOK(t, "create: ImportHumanUser", err)
			id := imp.GetUserId()
			read := func() tfState {
				t.Helper()
				r, err := st.mgmt.GetUserByID(tfCtx(t, org), &management.GetUserByIDRequest{Id: id})
				if tfGone(t, "read: GetUserByID", err) {
					return nil
				}
				u := r.GetUser()
				p, e, ph := u.GetHuman().GetProfile(), u.GetHuman().GetEmail(), u.GetHuman().GetPhone()
				return tfState{"id": u.GetId(), "org_id": u.GetDetails().GetResourceOwner(), "state": u.GetState().String(), "user_name": u.GetUserName(),
					"initial_skip_password_change": false, "first_name": p.GetFirstName(), "last_name": p.GetLastName(),
					"display_name": p.GetDisplayName(), "nick_name": p.GetNickName(), "preferred_language": p.GetPreferredLanguage(),
					"gender": p.GetGender().String(), "email": e.GetEmail(), "is_email_verified": e.GetIsEmailVerified(),
					"phone": ph.GetPhone(), "is_phone_verified": ph.GetIsPhoneVerified()}
			}
			applied := read()
			wantTF(t, "read after create", applied, h.state(id, org))
			wantTF(t, "plan", read(), applied)

			h2 := update(h)
			_, err = st.mgmt.UpdateUserName(tfCtx(t, org), &management.UpdateUserNameRequest{UserId: id, UserName: h2.userName})
			mustOK(t, "update: UpdateUserName", err)
			_, err = st.mgmt.UpdateHumanProfile(tfCtx(t, org), &management.UpdateHumanProfileRequest{UserId: id, FirstName: h2.first, LastName: h2.last,
				NickName: h2.nick, DisplayName: h2.display, PreferredLanguage: h2.lang, Gender: user.Gender(user.Gender_value[h2.gender])})
			mustOK(t, "update: UpdateHumanProfile", err)
			_, err = st.mgmt.UpdateHumanEmail(tfCtx(t, org), &management.UpdateHumanEmailRequest{UserId: id, Email: h2.email, IsEmailVerified: true})
			mustOK(t, "update: UpdateHumanEmail", err)
			_, err = st.mgmt.UpdateHumanPhone(tfCtx(t, org), &management.UpdateHumanPhoneRequest{UserId: id, Phone: h2.phone, IsPhoneVerified: true})
			mustOK(t, "update: UpdateHumanPhone", err)
			updated := read()
			wantTF(t, "read after update", updated, h2.state(id, org))
			wantTF(t, "plan after update", read(), updated)

			tfImport(t, "zitadel_human_user", id)
			_, err = st.mgmt.RemoveUser(tfCtx(t, org), &management.RemoveUserRequest{Id: id})
			mustOK(t, "delete: RemoveUser", err)
			wantTF(t, "read after delete", read(), nil)
		})
	})
}

// TestTerraformMachineUser: zitadel_machine_user (machine_user/funcs.go):
// create is v2 CreateUser (name, description), read v2 GetUserByID, update
// one v2 UpdateUser (user name, name, description), delete v2 DeleteUser; and
// the legacy path: AddMachineUser (with a JWT access token type),
// GetUserByID, UpdateUserName and UpdateMachine, RemoveUser.
func TestTerraformMachineUser(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		st := newTFSetup(t, s, 0)
		org := st.org
		want := func(id, name, userName, desc, tokenType string) tfState {
			return tfState{"id": id, "org_id": org, "state": "USER_STATE_ACTIVE", "user_name": userName, "name": name,
				"description": desc, "access_token_type": tokenType}
		}

		t.Run("v2", func(t *testing.T) {
			userName, desc := unique("tf-machine"), "runs the pipelines"
			c, err := st.userV2.CreateUser(tfCtx(t, org), &userv2.CreateUserRequest{OrganizationId: org, Username: &userName,
				UserType: &userv2.CreateUserRequest_Machine_{Machine: &userv2.CreateUserRequest_Machine{Name: "CI", Description: &desc}}})
			mustOK(t, "create: CreateUser", err)
			id := c.GetId()
			read := func() tfState {
				t.Helper()
				r, err := st.userV2.GetUserByID(tfCtx(t, org), &userv2.GetUserByIDRequest{UserId: id})
				if tfGone(t, "read: GetUserByID", err) {
					return nil
				}
				u := r.GetUser()
				m := u.GetMachine()
				return tfState{"id": u.GetUserId(), "org_id": u.GetDetails().GetResourceOwner(), "state": u.GetState().String(),
					"user_name": u.GetUsername(), "name": m.GetName(), "description": m.GetDescription(), "access_token_type": m.GetAccessTokenType().String()}
			}
			applied := read()
			wantTF(t, "read after create", applied, want(id, "CI", userName, desc, "ACCESS_TOKEN_TYPE_BEARER"))
			wantTF(t, "plan", read(), applied)

			userName2, name2, desc2 := userName+"-2", "CI runner", "runs the nightly pipelines"
			_, err = st.userV2.UpdateUser(tfCtx(t, org), &userv2.UpdateUserRequest{UserId: id, Username: &userName2,
				UserType: &userv2.UpdateUserRequest_Machine_{Machine: &userv2.UpdateUserRequest_Machine{Name: &name2, Description: &desc2}}})
			mustOK(t, "update: UpdateUser", err)
			updated := read()
			wantTF(t, "read after update", updated, want(id, name2, userName2, desc2, "ACCESS_TOKEN_TYPE_BEARER"))
			wantTF(t, "plan after update", read(), updated)

			tfImport(t, "zitadel_machine_user", id)
			_, err = st.userV2.DeleteUser(tfCtx(t, org), &userv2.DeleteUserRequest{UserId: id})
			mustOK(t, "delete: DeleteUser", err)
			wantTF(t, "read after delete", read(), nil)
		})

		t.Run("legacy", func(t *testing.T) {
			userName := unique("tf-machine")
			add, err := st.mgmt.AddMachineUser(tfCtx(t, org), &management.AddMachineUserRequest{UserName: userName, Name: "CI",
				Description: "runs the pipelines", AccessTokenType: user.AccessTokenType_ACCESS_TOKEN_TYPE_JWT})
			mustOK(t, "create: AddMachineUser", err)
			id := add.GetUserId()
			read := func() tfState {
				t.Helper()
				r, err := st.mgmt.GetUserByID(tfCtx(t, org), &management.GetUserByIDRequest{Id: id})
				if tfGone(t, "read: GetUserByID", err) {
					return nil
				}
				u := r.GetUser()
				m := u.GetMachine()
				return tfState{"id": u.GetId(), "org_id": u.GetDetails().GetResourceOwner(), "state": u.GetState().String(),
					"user_name": u.GetUserName(), "name": m.GetName(), "description": m.GetDescription(), "access_token_type": m.GetAccessTokenType().String()}
			}
			applied := read()
			wantTF(t, "read after create", applied, want(id, "CI", userName, "runs the pipelines", "ACCESS_TOKEN_TYPE_JWT"))
			wantTF(t, "plan", read(), applied)

			_, err = st.mgmt.UpdateUserName(tfCtx(t, org), &management.UpdateUserNameRequest{UserId: id, UserName: userName + "-2"})
			mustOK(t, "update: UpdateUserName", err)
			_, err = st.mgmt.UpdateMachine(tfCtx(t, org), &management.UpdateMachineRequest{UserId: id, Name: "CI runner",
				Description: "runs the nightly pipelines", AccessTokenType: user.AccessTokenType_ACCESS_TOKEN_TYPE_BEARER})
			mustOK(t, "update: UpdateMachine", err)
			updated := read()
			wantTF(t, "read after update", updated, want(id, "CI runner", userName+"-2", "runs the nightly pipelines", "ACCESS_TOKEN_TYPE_BEARER"))
			wantTF(t, "plan after update", read(), updated)

			tfImport(t, "zitadel_machine_user", id)
			_, err = st.mgmt.RemoveUser(tfCtx(t, org), &management.RemoveUserRequest{Id: id})
			mustOK(t, "delete: RemoveUser", err)
			wantTF(t, "read after delete", read(), nil)
		})
	})
}

// TestTerraformUserMetadata: zitadel_user_metadata (user_metadata/funcs.go):
// create and update are SetUserMetadata, read GetUserMetadata (the value as a
// string), delete RemoveUserMetadata; the resource is also dropped when its
// user goes.
func TestTerraformUserMetadata(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		st := newTFSetup(t, s, 2)
		org, uid := st.org, st.users[0]
		set := func(key, value string) {
			t.Helper()
			_, err := st.mgmt.SetUserMetadata(tfCtx(t, org), &management.SetUserMetadataRequest{Id: uid, Key: key, Value: []byte(value)})
			mustOK(t, "SetUserMetadata", err)
		}
		read := func(userID, key string) tfState {
			t.Helper()
			r, err := st.mgmt.GetUserMetadata(tfCtx(t, org), &management.GetUserMetadataRequest{Id: userID, Key: key})
			if tfGone(t, "read: GetUserMetadata", err) {
				return nil
			}
			return tfState{"id": userID + "_" + key, "org_id": org, "user_id": userID, "key": key, "value": string(r.GetMetadata().GetValue())}
		}
		set("team", "platform")
		applied := read(uid, "team")
		wantTF(t, "read after create", applied, tfState{"id": uid + "_team", "org_id": org, "user_id": uid, "key": "team", "value": "platform"})
		wantTF(t, "plan", read(uid, "team"), applied)
		set("team", "identity")
		updated := read(uid, "team")
		wantTF(t, "read after update", updated, tfState{"id": uid + "_team", "org_id": org, "user_id": uid, "key": "team", "value": "identity"})
		wantTF(t, "plan after update", read(uid, "team"), updated)
		tfImport(t, "zitadel_user_metadata", uid)
		_, err := st.mgmt.RemoveUserMetadata(tfCtx(t, org), &management.RemoveUserMetadataRequest{Id: uid, Key: "team"})
		mustOK(t, "delete: RemoveUserMetadata", err)
		wantTF(t, "read after delete", read(uid, "team"), nil)

		// Its user removed outside Terraform: the read drops it.
		other := st.users[1]
		_, err = st.mgmt.SetUserMetadata(tfCtx(t, org), &management.SetUserMetadataRequest{Id: other, Key: "k", Value: []byte("v")})
		mustOK(t, "SetUserMetadata", err)
		_, err = st.mgmt.RemoveUser(tfCtx(t, org), &management.RemoveUserRequest{Id: other})
		mustOK(t, "RemoveUser", err)
		wantTF(t, "read after the user's removal", read(other, "k"), nil)
	})
}

// TestTerraformOrgMetadata: zitadel_org_metadata (org_metadata/funcs.go):
// SetOrgMetadata, GetOrgMetadata, RemoveOrgMetadata in the org's context.
func TestTerraformOrgMetadata(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		st := newTFSetup(t, s, 0)
		org := st.org
		set := func(value string) {
			t.Helper()
			_, err := st.mgmt.SetOrgMetadata(tfCtx(t, org), &management.SetOrgMetadataRequest{Key: "region", Value: []byte(value)})
			mustOK(t, "SetOrgMetadata", err)
		}
		read := func() tfState {
			t.Helper()
			r, err := st.mgmt.GetOrgMetadata(tfCtx(t, org), &management.GetOrgMetadataRequest{Key: "region"})
			if tfGone(t, "read: GetOrgMetadata", err) {
				return nil
			}
			return tfState{"id": org + "_region", "org_id": org, "key": "region", "value": string(r.GetMetadata().GetValue())}
		}
		set("eu-central")
		applied := read()
		wantTF(t, "read after create", applied, tfState{"id": org + "_region", "org_id": org, "key": "region", "value": "eu-central"})
		wantTF(t, "plan", read(), applied)
		set("eu-west")
		wantTF(t, "read after update", read(), tfState{"id": org + "_region", "org_id": org, "key": "region", "value": "eu-west"})
		tfImport(t, "zitadel_org_metadata", org)
		_, err := st.mgmt.RemoveOrgMetadata(tfCtx(t, org), &management.RemoveOrgMetadataRequest{Key: "region"})
		mustOK(t, "delete: RemoveOrgMetadata", err)
		wantTF(t, "read after delete", read(), nil)
	})
}

// TestTerraformOrgPolicies: zitadel_password_complexity_policy,
// zitadel_password_age_policy and zitadel_notification_policy (their
// funcs.go): create is AddCustom…Policy, read Get…Policy (a default policy
// drops the resource), update UpdateCustom…Policy, delete Reset…ToDefault, all
// in the org's context (helper.CtxWithID); the id is the org.
func TestTerraformOrgPolicies(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		st := newTFSetup(t, s, 0)
		org := st.org

		t.Run("zitadel_password_complexity_policy", func(t *testing.T) {
			read := func() tfState {
				t.Helper()
				r, err := st.mgmt.GetPasswordComplexityPolicy(tfCtx(t, org), &management.GetPasswordComplexityPolicyRequest{})
				if tfGone(t, "read: GetPasswordComplexityPolicy", err) || r.GetPolicy().GetIsDefault() {
					return nil
				}
				p := r.GetPolicy()
				return tfState{"id": p.GetDetails().GetResourceOwner(), "org_id": p.GetDetails().GetResourceOwner(), "min_length": p.GetMinLength(),
					"has_uppercase": p.GetHasUppercase(), "has_lowercase": p.GetHasLowercase(), "has_number": p.GetHasNumber(), "has_symbol": p.GetHasSymbol()}
			}
			wantTF(t, "read before create (the default)", read(), nil)
			_, err := st.mgmt.AddCustomPasswordComplexityPolicy(tfCtx(t, org), &management.AddCustomPasswordComplexityPolicyRequest{MinLength: 12, HasUppercase: true, HasLowercase: true, HasNumber: true})
			mustOK(t, "create: AddCustomPasswordComplexityPolicy", err)
			applied := read()
			wantTF(t, "read after create", applied, tfState{"id": org, "org_id": org, "min_length": 12, "has_uppercase": true, "has_lowercase": true, "has_number": true, "has_symbol": false})
			wantTF(t, "plan", read(), applied)
			_, err = st.mgmt.UpdateCustomPasswordComplexityPolicy(tfCtx(t, org), &management.UpdateCustomPasswordComplexityPolicyRequest{MinLength: 16, HasSymbol: true})
			mustOK(t, "update: UpdateCustomPasswordComplexityPolicy", err)
			updated := read()
			wantTF(t, "read after update", updated, tfState{"id": org, "org_id": org, "min_length": 16, "has_uppercase": false, "has_lowercase": false, "has_number": false, "has_symbol": true})
			wantTF(t, "plan after update", read(), updated)
			tfImport(t, "zitadel_password_complexity_policy", org)
			_, err = st.mgmt.ResetPasswordComplexityPolicyToDefault(tfCtx(t, org), &management.ResetPasswordComplexityPolicyToDefaultRequest{})
			mustOK(t, "delete: ResetPasswordComplexityPolicyToDefault", err)
			wantTF(t, "read after delete", read(), nil)
		})

		t.Run("zitadel_password_age_policy", func(t *testing.T) {
			read := func() tfState {
				t.Helper()
				r, err := st.mgmt.GetPasswordAgePolicy(tfCtx(t, org), &management.GetPasswordAgePolicyRequest{})
				if tfGone(t, "read: GetPasswordAgePolicy", err) || r.GetPolicy().GetIsDefault() {
					return nil
				}
				p := r.GetPolicy()
				return tfState{"id": p.GetDetails().GetResourceOwner(), "org_id": p.GetDetails().GetResourceOwner(),
					"max_age_days": p.GetMaxAgeDays(), "expire_warn_days": p.GetExpireWarnDays()}
			}
			wantTF(t, "read before create (the default)", read(), nil)
			_, err := st.mgmt.AddCustomPasswordAgePolicy(tfCtx(t, org), &management.AddCustomPasswordAgePolicyRequest{MaxAgeDays: 90, ExpireWarnDays: 10})
			mustOK(t, "create: AddCustomPasswordAgePolicy", err)
			applied := read()
			wantTF(t, "read after create", applied, tfState{"id": org, "org_id": org, "max_age_days": 90, "expire_warn_days": 10})
			wantTF(t, "plan", read(), applied)
			_, err = st.mgmt.UpdateCustomPasswordAgePolicy(tfCtx(t, org), &management.UpdateCustomPasswordAgePolicyRequest{MaxAgeDays: 180, ExpireWarnDays: 14})
			mustOK(t, "update: UpdateCustomPasswordAgePolicy", err)
			updated := read()
			wantTF(t, "read after update", updated, tfState{"id": org, "org_id": org, "max_age_days": 180, "expire_warn_days": 14})
			wantTF(t, "plan after update", read(), updated)
			tfImport(t, "zitadel_password_age_policy", org)
			_, err = st.mgmt.ResetPasswordAgePolicyToDefault(tfCtx(t, org), &management.ResetPasswordAgePolicyToDefaultRequest{})
			mustOK(t, "delete: ResetPasswordAgePolicyToDefault", err)
			wantTF(t, "read after delete", read(), nil)
		})

		t.Run("zitadel_notification_policy", func(t *testing.T) {
			read := func() tfState {
				t.Helper()
				r, err := st.mgmt.GetNotificationPolicy(tfCtx(t, org), &management.GetNotificationPolicyRequest{})
				if tfGone(t, "read: GetNotificationPolicy", err) || r.GetPolicy().GetIsDefault() {
					return nil
				}
				p := r.GetPolicy()
				return tfState{"id": p.GetDetails().GetResourceOwner(), "org_id": p.GetDetails().GetResourceOwner(), "password_change": p.GetPasswordChange()}
			}
			wantTF(t, "read before create (the default)", read(), nil)
			_, err := st.mgmt.AddCustomNotificationPolicy(tfCtx(t, org), &management.AddCustomNotificationPolicyRequest{PasswordChange: false})
			mustOK(t, "create: AddCustomNotificationPolicy", err)
			applied := read()
			wantTF(t, "read after create", applied, tfState{"id": org, "org_id": org, "password_change": false})
			wantTF(t, "plan", read(), applied)
			_, err = st.mgmt.UpdateCustomNotificationPolicy(tfCtx(t, org), &management.UpdateCustomNotificationPolicyRequest{PasswordChange: true})
			mustOK(t, "update: UpdateCustomNotificationPolicy", err)
			updated := read()
			wantTF(t, "read after update", updated, tfState{"id": org, "org_id": org, "password_change": true})
			wantTF(t, "plan after update", read(), updated)
			tfImport(t, "zitadel_notification_policy", org)
			_, err = st.mgmt.ResetNotificationPolicyToDefault(tfCtx(t, org), &management.ResetNotificationPolicyToDefaultRequest{})
			mustOK(t, "delete: ResetNotificationPolicyToDefault", err)
			wantTF(t, "read after delete", read(), nil)
		})
	})
}
