package api

import (
	"context"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/user"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/auth"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	userpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
)

// A user's own data: profile, user name, e-mail, phone, a machine's name
// (Management v1 for administrators, Auth v1 for the signed-in user).

func humanOf(u *user.User) (*user.Human, error) {
	if u.Human == nil {
		return nil, user.ErrNotHuman
	}
	return u.Human, nil
}

func profileV1(h *user.Human) *userpb.Profile {
	return &userpb.Profile{FirstName: h.FirstName, LastName: h.LastName, NickName: h.NickName,
		DisplayName: h.DisplayName, PreferredLanguage: h.PreferredLanguage, Gender: userpb.Gender(h.Gender)}
}

func emailV1(h *user.Human) *userpb.Email {
	return &userpb.Email{Email: h.Email, IsEmailVerified: h.EmailVerified}
}

func phoneV1(h *user.Human) *userpb.Phone {
	return &userpb.Phone{Phone: h.Phone, IsPhoneVerified: h.PhoneVerified}
}

func changed(u *user.User) *object.ObjectDetails {
	return changeDetails(u.Sequence, u.ChangedAt, u.OrgID)
}

// humanUser loads a user of the scope and its human part (the Get* methods).
func (m *Management) humanUser(ctx context.Context, id string) (*user.User, *user.Human, error) {
	u, _, err := m.app.GetUser(ctx, scope(ctx), id)
	if err != nil {
		return nil, nil, err
	}
	h, err := humanOf(u)
	return u, h, err
}

func (m *Management) GetHumanProfile(ctx context.Context, r *mgmt.GetHumanProfileRequest) (*mgmt.GetHumanProfileResponse, error) {
	u, h, err := m.humanUser(ctx, r.GetUserId())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetHumanProfileResponse{Details: userDetails(u), Profile: profileV1(h)}, nil
}

func (m *Management) GetHumanEmail(ctx context.Context, r *mgmt.GetHumanEmailRequest) (*mgmt.GetHumanEmailResponse, error) {
	u, h, err := m.humanUser(ctx, r.GetUserId())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetHumanEmailResponse{Details: userDetails(u), Email: emailV1(h)}, nil
}

func (m *Management) GetHumanPhone(ctx context.Context, r *mgmt.GetHumanPhoneRequest) (*mgmt.GetHumanPhoneResponse, error) {
	u, h, err := m.humanUser(ctx, r.GetUserId())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetHumanPhoneResponse{Details: userDetails(u), Phone: phoneV1(h)}, nil
}

func (m *Management) UpdateHumanProfile(ctx context.Context, r *mgmt.UpdateHumanProfileRequest) (*mgmt.UpdateHumanProfileResponse, error) {
	u, err := m.app.UpdateProfile(ctx, scope(ctx), app.UseUpdateHumanProfile, r.GetUserId(), user.Profile{
		FirstName: r.GetFirstName(), LastName: r.GetLastName(), NickName: r.GetNickName(),
		DisplayName: r.GetDisplayName(), PreferredLanguage: r.GetPreferredLanguage(), Gender: int(r.GetGender())})
	if err != nil {
		return nil, err
	}
	return &mgmt.UpdateHumanProfileResponse{Details: changed(u)}, nil
}

func (m *Management) UpdateUserName(ctx context.Context, r *mgmt.UpdateUserNameRequest) (*mgmt.UpdateUserNameResponse, error) {
	u, err := m.app.UpdateUserName(ctx, scope(ctx), app.UseUpdateUserName, r.GetUserId(), r.GetUserName())
	if err != nil {
		return nil, err
	}
	return &mgmt.UpdateUserNameResponse{Details: changed(u)}, nil
}

func (m *Management) UpdateMachine(ctx context.Context, r *mgmt.UpdateMachineRequest) (*mgmt.UpdateMachineResponse, error) {
	u, err := m.app.UpdateMachine(ctx, scope(ctx), r.GetUserId(), r.GetName(), r.GetDescription(), int(r.GetAccessTokenType()))
	if err != nil {
		return nil, err
	}
	return &mgmt.UpdateMachineResponse{Details: changed(u)}, nil
}

// UpdateHumanEmail: with is_email_verified the address is verified at once;
// without, it is stored unverified and no code is sent (not yet served).
func (m *Management) UpdateHumanEmail(ctx context.Context, r *mgmt.UpdateHumanEmailRequest) (*mgmt.UpdateHumanEmailResponse, error) {
	u, err := m.app.UpdateEmail(ctx, scope(ctx), r.GetUserId(), r.GetEmail(), r.GetIsEmailVerified())
	if err != nil {
		return nil, err
	}
	return &mgmt.UpdateHumanEmailResponse{Details: changed(u)}, nil
}

// UpdateHumanPhone: as UpdateHumanEmail, for the phone.
func (m *Management) UpdateHumanPhone(ctx context.Context, r *mgmt.UpdateHumanPhoneRequest) (*mgmt.UpdateHumanPhoneResponse, error) {
	u, err := m.app.UpdatePhone(ctx, scope(ctx), r.GetUserId(), r.GetPhone(), r.GetIsPhoneVerified())
	if err != nil {
		return nil, err
	}
	return &mgmt.UpdateHumanPhoneResponse{Details: changed(u)}, nil
}

func (m *Management) RemoveHumanPhone(ctx context.Context, r *mgmt.RemoveHumanPhoneRequest) (*mgmt.RemoveHumanPhoneResponse, error) {
	u, err := m.app.RemovePhone(ctx, scope(ctx), app.UseRemoveHumanPhone, r.GetUserId())
	if err != nil {
		return nil, err
	}
	return &mgmt.RemoveHumanPhoneResponse{Details: changed(u)}, nil
}

func (m *Management) IsUserUnique(ctx context.Context, r *mgmt.IsUserUniqueRequest) (*mgmt.IsUserUniqueResponse, error) {
	ok, err := m.app.IsUserUnique(ctx, scope(ctx), r.GetUserName())
	if err != nil {
		return nil, err
	}
	return &mgmt.IsUserUniqueResponse{IsUnique: ok}, nil
}

// myHuman is the caller and its human part (the Auth API's Get* methods).
func (s *Auth) myHuman(ctx context.Context) (*user.User, *user.Human, error) {
	u, _, err := s.app.MyUser(ctx, scope(ctx))
	if err != nil {
		return nil, nil, err
	}
	h, err := humanOf(u)
	return u, h, err
}

func (s *Auth) GetMyProfile(ctx context.Context, _ *auth.GetMyProfileRequest) (*auth.GetMyProfileResponse, error) {
	u, h, err := s.myHuman(ctx)
	if err != nil {
		return nil, err
	}
	return &auth.GetMyProfileResponse{Details: userDetails(u), Profile: profileV1(h)}, nil
}

func (s *Auth) GetMyEmail(ctx context.Context, _ *auth.GetMyEmailRequest) (*auth.GetMyEmailResponse, error) {
	u, h, err := s.myHuman(ctx)
	if err != nil {
		return nil, err
	}
	return &auth.GetMyEmailResponse{Details: userDetails(u), Email: emailV1(h)}, nil
}

func (s *Auth) GetMyPhone(ctx context.Context, _ *auth.GetMyPhoneRequest) (*auth.GetMyPhoneResponse, error) {
	u, h, err := s.myHuman(ctx)
	if err != nil {
		return nil, err
	}
	return &auth.GetMyPhoneResponse{Details: userDetails(u), Phone: phoneV1(h)}, nil
}

func (s *Auth) UpdateMyProfile(ctx context.Context, r *auth.UpdateMyProfileRequest) (*auth.UpdateMyProfileResponse, error) {
	u, err := s.app.UpdateProfile(ctx, scope(ctx), app.UseUpdateMyProfile, "", user.Profile{
		FirstName: r.GetFirstName(), LastName: r.GetLastName(), NickName: r.GetNickName(),
		DisplayName: r.GetDisplayName(), PreferredLanguage: r.GetPreferredLanguage(), Gender: int(r.GetGender())})
	if err != nil {
		return nil, err
	}
	return &auth.UpdateMyProfileResponse{Details: changed(u)}, nil
}

func (s *Auth) UpdateMyUserName(ctx context.Context, r *auth.UpdateMyUserNameRequest) (*auth.UpdateMyUserNameResponse, error) {
	u, err := s.app.UpdateUserName(ctx, scope(ctx), app.UseUpdateMyUserName, "", r.GetUserName())
	if err != nil {
		return nil, err
	}
	return &auth.UpdateMyUserNameResponse{Details: changed(u)}, nil
}

func (s *Auth) RemoveMyPhone(ctx context.Context, _ *auth.RemoveMyPhoneRequest) (*auth.RemoveMyPhoneResponse, error) {
	u, err := s.app.RemovePhone(ctx, scope(ctx), app.UseRemoveMyPhone, "")
	if err != nil {
		return nil, err
	}
	return &auth.RemoveMyPhoneResponse{Details: changed(u)}, nil
}

func (m *Management) ListUserMemberships(ctx context.Context, r *mgmt.ListUserMembershipsRequest) (*mgmt.ListUserMembershipsResponse, error) {
	q, err := membershipQuery(r.GetQuery(), r.GetQueries())
	if err != nil {
		return nil, err
	}
	ms, total, err := m.app.ListUserMemberships(ctx, scope(ctx), r.GetUserId(), q)
	if err != nil {
		return nil, err
	}
	return &mgmt.ListUserMembershipsResponse{Details: listDetails(total), Result: membershipsV1(ms)}, nil
}

// UpdateHumanUser (User v2): user name, profile, e-mail and phone in one
// write. An address is verified with is_verified; else a new one is stored
// unverified and gets a code, sent (send_code, the default) or answered
// (return_code).
func (s *UserV2) UpdateHumanUser(ctx context.Context, r *userv2.UpdateHumanUserRequest) (*userv2.UpdateHumanUserResponse, error) {
	if r.Password != nil {
		return nil, errUpdatePassword
	}
	in := app.HumanUpdate{UserName: r.Username}
	if p := r.GetProfile(); p != nil {
		// An empty given or family name is left as it is, as in ZITADEL.
		in.Profile = profileUpdateV2(&userv2.UpdateUserRequest_Human_Profile{GivenName: nonEmpty(p.GetGivenName()),
			FamilyName: nonEmpty(p.GetFamilyName()), NickName: p.NickName, DisplayName: p.DisplayName,
			PreferredLanguage: p.PreferredLanguage, Gender: p.Gender})
	}
	in.Email, in.Phone = contactsV2(r.GetEmail(), r.GetPhone())
	u, codes, err := s.app.UpdateHumanCodes(ctx, scopeV2(ctx), r.GetUserId(), in)
	if err != nil {
		return nil, err
	}
	return &userv2.UpdateHumanUserResponse{Details: changeDetailsV2(u), EmailCode: codes.Email, PhoneCode: codes.Phone}, nil
}

func nonEmpty(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}

// profileUpdateV2 is v2's profile change (UpdateUser's, and UpdateHumanUser's
// in that form): the fields left out keep their value.
func profileUpdateV2(p *userv2.UpdateUserRequest_Human_Profile) *app.ProfileUpdate {
	if p == nil {
		return nil
	}
	pu := &app.ProfileUpdate{GivenName: p.GivenName, FamilyName: p.FamilyName, NickName: p.NickName,
		DisplayName: p.DisplayName, PreferredLanguage: p.PreferredLanguage}
	if p.Gender != nil {
		g := int(p.GetGender())
		pu.Gender = &g
	}
	return pu
}

// contactsV2 reads the e-mail and phone of a v2 change (UpdateHumanUser,
// UpdateUser), the one translation of both: verified with is_verified, else
// stored unverified; an empty phone removes it.
func contactsV2(e *userv2.SetHumanEmail, p *userv2.SetHumanPhone) (email, phone *app.ContactUpdate) {
	if e != nil {
		email = &app.ContactUpdate{Value: e.GetEmail(), Verified: e.GetIsVerified(), Code: emailCodeV2(e.GetSendCode(), e.GetReturnCode())}
	}
	if p != nil {
		phone = &app.ContactUpdate{Value: p.GetPhone(), Verified: p.GetIsVerified(), Code: app.ContactCode{Return: p.GetReturnCode() != nil}}
	}
	return email, phone
}

func (m *Management) GetUserByLoginNameGlobal(ctx context.Context, r *mgmt.GetUserByLoginNameGlobalRequest) (*mgmt.GetUserByLoginNameGlobalResponse, error) {
	u, o, err := m.app.UserByLoginNameGlobal(ctx, scope(ctx), r.GetLoginName())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetUserByLoginNameGlobalResponse{User: userV1(m.app, u, o)}, nil
}
