package api

import (
	"context"
	"log/slog"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/user"
	objv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object/v2"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/protobuf/proto"
)

// UserV2 implements zitadel.user.v2.UserService. v2 ignores x-zitadel-orgid:
// permissions are checked against the user's own organisation.
type UserV2 struct {
	userv2.UnimplementedUserServiceServer
	app *app.App
	log *slog.Logger
}

// NewUserV2 returns the v2 service.
func NewUserV2(a *app.App, log *slog.Logger) *UserV2 { return &UserV2{app: a, log: log} }

// scopeV2 is the scope of a v2 call: no org context (permissions are checked
// in each user's own org).
func scopeV2(ctx context.Context) app.Scope { return app.Scope{Caller: caller(ctx)} }

func (s *UserV2) change(ctx context.Context, id string, op user.Op) (*objv2.Details, error) {
	u, err := s.app.ChangeState(ctx, scopeV2(ctx), id, op)
	if err != nil {
		return nil, err
	}
	return changeDetailsV2(u), nil
}

func (s *UserV2) LockUser(ctx context.Context, r *userv2.LockUserRequest) (*userv2.LockUserResponse, error) {
	d, err := s.change(ctx, r.GetUserId(), user.OpLock)
	if err != nil {
		return nil, err
	}
	return &userv2.LockUserResponse{Details: d}, nil
}

func (s *UserV2) UnlockUser(ctx context.Context, r *userv2.UnlockUserRequest) (*userv2.UnlockUserResponse, error) {
	d, err := s.change(ctx, r.GetUserId(), user.OpUnlock)
	if err != nil {
		return nil, err
	}
	return &userv2.UnlockUserResponse{Details: d}, nil
}

func (s *UserV2) DeactivateUser(ctx context.Context, r *userv2.DeactivateUserRequest) (*userv2.DeactivateUserResponse, error) {
	d, err := s.change(ctx, r.GetUserId(), user.OpDeactivate)
	if err != nil {
		return nil, err
	}
	return &userv2.DeactivateUserResponse{Details: d}, nil
}

func (s *UserV2) ReactivateUser(ctx context.Context, r *userv2.ReactivateUserRequest) (*userv2.ReactivateUserResponse, error) {
	d, err := s.change(ctx, r.GetUserId(), user.OpReactivate)
	if err != nil {
		return nil, err
	}
	return &userv2.ReactivateUserResponse{Details: d}, nil
}

func (s *UserV2) DeleteUser(ctx context.Context, r *userv2.DeleteUserRequest) (*userv2.DeleteUserResponse, error) {
	d, err := s.change(ctx, r.GetUserId(), user.OpRemove)
	if err != nil {
		return nil, err
	}
	return &userv2.DeleteUserResponse{Details: d}, nil
}

func (s *UserV2) GetUserByID(ctx context.Context, r *userv2.GetUserByIDRequest) (*userv2.GetUserByIDResponse, error) {
	u, o, err := s.app.GetUser(ctx, scopeV2(ctx), r.GetUserId())
	if err != nil {
		return nil, err
	}
	pu := userV2(s.app, u, o)
	return &userv2.GetUserByIDResponse{Details: pu.Details, User: pu}, nil
}

func (s *UserV2) ListUsers(ctx context.Context, r *userv2.ListUsersRequest) (*userv2.ListUsersResponse, error) {
	q, err := userQueryV2(r.GetQuery(), r.GetSortingColumn(), r.GetQueries())
	if err != nil {
		return nil, err
	}
	p, orgs, err := s.app.ListUsers(ctx, scopeV2(ctx), q)
	if err != nil {
		return nil, err
	}
	out := &userv2.ListUsersResponse{Details: &objv2.ListDetails{TotalResult: p.Total}, SortingColumn: r.GetSortingColumn(),
		Result: make([]*userv2.User, len(p.Users))}
	for i, u := range p.Users {
		out.Result[i] = userV2(s.app, u, orgs[u.OrgID])
	}
	return out, nil
}

func (s *UserV2) AddHumanUser(ctx context.Context, r *userv2.AddHumanUserRequest) (*userv2.AddHumanUserResponse, error) {
	// Metadata is served here; newHumanV2 refuses it for org v2's new admins.
	// So are the verification codes (newHumanV2 refuses return_code for org
	// v2's new admins): the address's and number's as ZITADEL's v2 does, sent
	// by default, answered with return_code.
	md := r.GetMetadata()
	e, ph := r.GetEmail(), r.GetPhone()
	emailCode, phoneCode := emailCodeV2(e.GetSendCode(), e.GetReturnCode()), app.ContactCode{Return: ph.GetReturnCode() != nil}
	if len(md) > 0 || e.GetReturnCode() != nil || ph.GetReturnCode() != nil {
		r = proto.Clone(r).(*userv2.AddHumanUserRequest)
		r.Metadata = nil
		if r.GetEmail().GetReturnCode() != nil {
			r.Email.Verification = nil
		}
		if r.GetPhone().GetReturnCode() != nil {
			r.Phone.Verification = nil
		}
	}
	in, err := newHumanV2(r)
	if err != nil {
		return nil, err
	}
	for _, e := range md {
		in.Metadata = append(in.Metadata, app.MetadataEntry{Key: e.GetKey(), Value: e.GetValue()})
	}
	in.EmailCode, in.PhoneCode = &emailCode, &phoneCode
	u, codes, err := s.app.AddHumanCodes(ctx, scopeV2(ctx), in)
	if err != nil {
		return nil, err
	}
	return &userv2.AddHumanUserResponse{UserId: u.ID, Details: &objv2.Details{Sequence: u.Sequence,
		ChangeDate: ts(u.ChangedAt), ResourceOwner: u.OrgID, CreationDate: ts(u.CreatedAt)},
		EmailCode: codes.Email, PhoneCode: codes.Phone}, nil
}

// newHumanV2 reads v2's AddHumanUserRequest (AddHumanUser, and org v2's new
// admins), refusing what Warden does not support.
func newHumanV2(r *userv2.AddHumanUserRequest) (app.NewHuman, error) {
	if len(r.GetIdpLinks()) > 0 || len(r.GetMetadata()) > 0 || r.TotpSecret != nil ||
		r.GetEmail().GetReturnCode() != nil || r.GetPhone().GetReturnCode() != nil {
		return app.NewHuman{}, errV2Unsupported
	}
	p, e, ph := r.GetProfile(), r.GetEmail(), r.GetPhone()
	in := app.NewHuman{UserID: r.GetUserId(), UserName: r.GetUsername(), OrgID: r.GetOrganization().GetOrgId(),
		Profile: profile(p.GetGivenName(), p.GetFamilyName(), p.GetNickName(), p.GetDisplayName(), p.GetPreferredLanguage(),
			int(p.GetGender()), e.GetEmail(), e.GetIsVerified(), ph.GetPhone(), ph.GetIsVerified()), RequireNames: true}
	if r.GetOrganization().GetOrgDomain() != "" {
		return app.NewHuman{}, errOrgByDomain
	}
	if pw := r.GetPassword(); pw != nil {
		in.Password, in.ChangeRequired = pw.GetPassword(), pw.GetChangeRequired()
	}
	if hp := r.GetHashedPassword(); hp != nil {
		in.HashedPassword, in.ChangeRequired = hp.GetHash(), hp.GetChangeRequired()
	}
	return in, nil
}

// CreateUser (User v2) creates a human or a machine user in the org named. A
// human is AddHumanUser's request and use case, as in ZITADEL (e-mail,
// phone, password and metadata take that one path); a machine is
// AddMachineUser's use case with v2's defaults (user name: the id).
func (s *UserV2) CreateUser(ctx context.Context, r *userv2.CreateUserRequest) (*userv2.CreateUserResponse, error) {
	if r.GetOrganizationId() == "" {
		return nil, errCreateUserOrg
	}
	switch t := r.GetUserType().(type) {
	case *userv2.CreateUserRequest_Human_:
		h := t.Human
		// The human part's metadata is deprecated but still served.
		md := r.GetMetadata()
		if len(md) > 0 && len(h.GetMetadata()) > 0 {
			return nil, errMetadataConflicting
		}
		if len(md) == 0 {
			md = h.GetMetadata()
		}
		add := &userv2.AddHumanUserRequest{UserId: r.UserId, Username: r.Username,
			Organization: &objv2.Organization{Org: &objv2.Organization_OrgId{OrgId: r.GetOrganizationId()}},
			Profile:      h.GetProfile(), Email: h.GetEmail(), Phone: h.Phone, IdpLinks: h.GetIdpLinks(), TotpSecret: h.TotpSecret}
		for _, e := range md {
			add.Metadata = append(add.Metadata, &userv2.SetMetadataEntry{Key: e.GetKey(), Value: e.GetValue()})
		}
		switch pw := h.GetPasswordType().(type) {
		case *userv2.CreateUserRequest_Human_Password:
			add.PasswordType = &userv2.AddHumanUserRequest_Password{Password: pw.Password}
		case *userv2.CreateUserRequest_Human_HashedPassword:
			add.PasswordType = &userv2.AddHumanUserRequest_HashedPassword{HashedPassword: pw.HashedPassword}
		}
		out, err := s.AddHumanUser(ctx, add)
		if err != nil {
			return nil, err
		}
		return &userv2.CreateUserResponse{Id: out.GetUserId(), CreationDate: out.GetDetails().GetCreationDate(),
			EmailCode: out.EmailCode, PhoneCode: out.PhoneCode}, nil
	case *userv2.CreateUserRequest_Machine_:
		m := t.Machine
		in := app.NewMachine{OrgID: r.GetOrganizationId(), UserID: r.GetUserId(), UserName: r.GetUsername(), UserNameFromID: true,
			Name: m.GetName(), Description: m.GetDescription(), AccessTokenType: int(m.GetAccessTokenType()), Metadata: metadataEntriesV2(r.GetMetadata())}
		u, err := s.app.AddMachine(ctx, scopeV2(ctx), in)
		if err != nil {
			return nil, err
		}
		return &userv2.CreateUserResponse{Id: u.ID, CreationDate: ts(u.CreatedAt)}, nil
	}
	return nil, errCreateUserType
}

// UpdateUser (User v2) changes a human (UpdateHumanUser's use case: the
// e-mail and phone take its one path) or a machine user, with metadata, in
// one write. An empty metadata value removes the key.
func (s *UserV2) UpdateUser(ctx context.Context, r *userv2.UpdateUserRequest) (*userv2.UpdateUserResponse, error) {
	md := metadataEntriesV2(r.GetMetadata())
	var u *user.User
	var codes app.IssuedCodes
	var err error
	switch t := r.GetUserType().(type) {
	case *userv2.UpdateUserRequest_Human_:
		h := t.Human
		if h.Password != nil {
			return nil, errUpdatePassword
		}
		if p := h.GetPhone(); p != nil && p.GetPhone() == "" && p.GetVerification() != nil {
			return nil, errPhoneRemovalVerify
		}
		in := app.HumanUpdate{UserName: r.Username, Profile: profileUpdateV2(h.Profile), Metadata: md}
		in.Email, in.Phone = contactsV2(h.Email, h.Phone)
		u, codes, err = s.app.UpdateHumanCodes(ctx, scopeV2(ctx), r.GetUserId(), in)
	case *userv2.UpdateUserRequest_Machine_:
		m := t.Machine
		in := app.MachineUpdate{UserName: r.Username, Name: m.Name, Description: m.Description, Metadata: md}
		if m.AccessTokenType != nil {
			v := int(m.GetAccessTokenType())
			in.AccessTokenType = &v
		}
		u, err = s.app.UpdateMachineUser(ctx, scopeV2(ctx), r.GetUserId(), in)
	default:
		return nil, errUpdateUserType
	}
	if err != nil {
		return nil, err
	}
	return &userv2.UpdateUserResponse{ChangeDate: ts(u.ChangedAt), EmailCode: codes.Email, PhoneCode: codes.Phone}, nil
}

func metadataEntriesV2(md []*userv2.Metadata) []app.MetadataEntry {
	var out []app.MetadataEntry
	for _, e := range md {
		out = append(out, app.MetadataEntry{Key: e.GetKey(), Value: e.GetValue()})
	}
	return out
}
