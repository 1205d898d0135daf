package api

import (
	"context"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/msgtext"
	admin "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/admin"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	textpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/text"
)

// The message texts of Management v1 (an org's own) and Admin v1 (the
// instance's): four methods per message type and service, each a call of one
// of the eight use cases in app/messagetext.go with the type its name gives.
// ZITADEL names four of management's setters …MessageCustomText.

// messageTextMethods are the message types as ZITADEL's method names spell
// them; mgmtSet is management's setter.
var messageTextMethods = []struct {
	name    string
	typ     msgtext.Type
	mgmtSet string
}{
	{"Init", msgtext.InitCode, "SetCustomInitMessageText"},
	{"PasswordReset", msgtext.PasswordReset, "SetCustomPasswordResetMessageText"},
	{"VerifyEmail", msgtext.VerifyEmail, "SetCustomVerifyEmailMessageText"},
	{"VerifyPhone", msgtext.VerifyPhone, "SetCustomVerifyPhoneMessageText"},
	{"VerifySMSOTP", msgtext.VerifySMSOTP, "SetCustomVerifySMSOTPMessageText"},
	{"VerifyEmailOTP", msgtext.VerifyEmailOTP, "SetCustomVerifyEmailOTPMessageText"},
	{"DomainClaimed", msgtext.DomainClaimed, "SetCustomDomainClaimedMessageCustomText"},
	{"PasswordlessRegistration", msgtext.PasswordlessRegistration, "SetCustomPasswordlessRegistrationMessageCustomText"},
	{"PasswordChange", msgtext.PasswordChange, "SetCustomPasswordChangeMessageCustomText"},
	{"InviteUser", msgtext.InviteUser, "SetCustomInviteUserMessageCustomText"},
}

// init gives every message-text method its use case in methodUses.
func init() {
	for _, m := range messageTextMethods {
		methodUses[mgmtService+"GetCustom"+m.name+"MessageText"] = app.UseGetCustomMessageText
		methodUses[mgmtService+"GetDefault"+m.name+"MessageText"] = app.UseGetDefaultMessageText
		methodUses[mgmtService+m.mgmtSet] = app.UseSetCustomMessageText
		methodUses[mgmtService+"ResetCustom"+m.name+"MessageTextToDefault"] = app.UseResetCustomMessageText
		methodUses[adminService+"GetCustom"+m.name+"MessageText"] = app.UseGetInstanceMessageText
		methodUses[adminService+"GetDefault"+m.name+"MessageText"] = app.UseGetBuiltinMessageText
		methodUses[adminService+"SetDefault"+m.name+"MessageText"] = app.UseSetInstanceMessageText
		methodUses[adminService+"ResetCustom"+m.name+"MessageTextToDefault"] = app.UseResetInstanceMessageText
	}
}

// textRequest is what every setter's request carries; an SMS's
// (VerifySMSOTP) has its text only, the others are fullTextRequests.
type textRequest interface {
	GetLanguage() string
	GetText() string
}

type fullTextRequest interface {
	textRequest
	GetTitle() string
	GetPreHeader() string
	GetSubject() string
	GetGreeting() string
	GetButtonText() string
	GetFooterText() string
}

func requestText(r textRequest) msgtext.Text {
	f, ok := r.(fullTextRequest)
	if !ok {
		return msgtext.Text{Text: r.GetText()}
	}
	return msgtext.Text{Title: f.GetTitle(), PreHeader: f.GetPreHeader(), Subject: f.GetSubject(), Greeting: f.GetGreeting(),
		Text: f.GetText(), ButtonText: f.GetButtonText(), FooterText: f.GetFooterText()}
}

// messageTextV1 converts a text; one of the instance (no owner) is owned by
// the instance, a built-in one (builtin) by nobody, as ZITADEL's from its
// files.
func messageTextV1(ctx context.Context, a *app.App, m *app.MessageText, builtin bool) (*textpb.MessageCustomText, error) {
	d := &object.ObjectDetails{Sequence: m.Sequence, CreationDate: ts(m.CreatedAt), ChangeDate: ts(m.ChangedAt), ResourceOwner: m.Owner}
	if d.ResourceOwner == "" && !builtin {
		var err error
		if d.ResourceOwner, err = a.InstanceID(ctx); err != nil {
			return nil, err
		}
	}
	t := m.Msg
	return &textpb.MessageCustomText{Details: d, Title: t.Title, PreHeader: t.PreHeader, Subject: t.Subject, Greeting: t.Greeting,
		Text: t.Text, ButtonText: t.ButtonText, FooterText: t.FooterText, IsDefault: m.IsDefault}, nil
}

func textDetails(d *app.MessageTextDetails) *object.ObjectDetails {
	return changeDetails(d.Sequence, d.ChangedAt, d.Owner)
}

func (m *Management) customText(ctx context.Context, t msgtext.Type, lang string) (*textpb.MessageCustomText, error) {
	txt, err := m.app.CustomMessageText(ctx, scope(ctx), t, lang)
	if err != nil {
		return nil, err
	}
	return messageTextV1(ctx, m.app, txt, false)
}

func (m *Management) defaultText(ctx context.Context, t msgtext.Type, lang string) (*textpb.MessageCustomText, error) {
	txt, err := m.app.DefaultMessageText(ctx, scope(ctx), t, lang)
	if err != nil {
		return nil, err
	}
	return messageTextV1(ctx, m.app, txt, false)
}

func (m *Management) setText(ctx context.Context, t msgtext.Type, r textRequest) (*object.ObjectDetails, error) {
	d, err := m.app.SetCustomMessageText(ctx, scope(ctx), t, r.GetLanguage(), requestText(r))
	if err != nil {
		return nil, err
	}
	return textDetails(d), nil
}

func (m *Management) resetText(ctx context.Context, t msgtext.Type, lang string) (*object.ObjectDetails, error) {
	d, err := m.app.ResetCustomMessageText(ctx, scope(ctx), t, lang)
	if err != nil {
		return nil, err
	}
	return textDetails(d), nil
}

func (s *Admin) customText(ctx context.Context, t msgtext.Type, lang string) (*textpb.MessageCustomText, error) {
	txt, err := s.app.InstanceMessageText(ctx, caller(ctx), t, lang)
	if err != nil {
		return nil, err
	}
	return messageTextV1(ctx, s.app, txt, false) // the default of the instance, as ZITADEL's IAMMessageTextByTypeAndLanguage
}

func (s *Admin) defaultText(ctx context.Context, t msgtext.Type, lang string) (*textpb.MessageCustomText, error) {
	txt, err := s.app.BuiltinMessageText(ctx, caller(ctx), t, lang)
	if err != nil {
		return nil, err
	}
	return messageTextV1(ctx, s.app, txt, true)
}

func (s *Admin) setText(ctx context.Context, t msgtext.Type, r textRequest) (*object.ObjectDetails, error) {
	d, err := s.app.SetInstanceMessageText(ctx, caller(ctx), t, r.GetLanguage(), requestText(r))
	if err != nil {
		return nil, err
	}
	return textDetails(d), nil
}

func (s *Admin) resetText(ctx context.Context, t msgtext.Type, lang string) (*object.ObjectDetails, error) {
	d, err := s.app.ResetInstanceMessageText(ctx, caller(ctx), t, lang)
	if err != nil {
		return nil, err
	}
	return textDetails(d), nil
}

// Init: management v1.

func (m *Management) GetCustomInitMessageText(ctx context.Context, r *mgmt.GetCustomInitMessageTextRequest) (*mgmt.GetCustomInitMessageTextResponse, error) {
	v, err := m.customText(ctx, msgtext.InitCode, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetCustomInitMessageTextResponse{CustomText: v}, nil
}

func (m *Management) GetDefaultInitMessageText(ctx context.Context, r *mgmt.GetDefaultInitMessageTextRequest) (*mgmt.GetDefaultInitMessageTextResponse, error) {
	v, err := m.defaultText(ctx, msgtext.InitCode, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetDefaultInitMessageTextResponse{CustomText: v}, nil
}

func (m *Management) SetCustomInitMessageText(ctx context.Context, r *mgmt.SetCustomInitMessageTextRequest) (*mgmt.SetCustomInitMessageTextResponse, error) {
	v, err := m.setText(ctx, msgtext.InitCode, r)
	if err != nil {
		return nil, err
	}
	return &mgmt.SetCustomInitMessageTextResponse{Details: v}, nil
}

func (m *Management) ResetCustomInitMessageTextToDefault(ctx context.Context, r *mgmt.ResetCustomInitMessageTextToDefaultRequest) (*mgmt.ResetCustomInitMessageTextToDefaultResponse, error) {
	v, err := m.resetText(ctx, msgtext.InitCode, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.ResetCustomInitMessageTextToDefaultResponse{Details: v}, nil
}

// Init: admin v1.

func (s *Admin) GetCustomInitMessageText(ctx context.Context, r *admin.GetCustomInitMessageTextRequest) (*admin.GetCustomInitMessageTextResponse, error) {
	v, err := s.customText(ctx, msgtext.InitCode, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.GetCustomInitMessageTextResponse{CustomText: v}, nil
}

func (s *Admin) GetDefaultInitMessageText(ctx context.Context, r *admin.GetDefaultInitMessageTextRequest) (*admin.GetDefaultInitMessageTextResponse, error) {
	v, err := s.defaultText(ctx, msgtext.InitCode, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.GetDefaultInitMessageTextResponse{CustomText: v}, nil
}

func (s *Admin) SetDefaultInitMessageText(ctx context.Context, r *admin.SetDefaultInitMessageTextRequest) (*admin.SetDefaultInitMessageTextResponse, error) {
	v, err := s.setText(ctx, msgtext.InitCode, r)
	if err != nil {
		return nil, err
	}
	return &admin.SetDefaultInitMessageTextResponse{Details: v}, nil
}

func (s *Admin) ResetCustomInitMessageTextToDefault(ctx context.Context, r *admin.ResetCustomInitMessageTextToDefaultRequest) (*admin.ResetCustomInitMessageTextToDefaultResponse, error) {
	v, err := s.resetText(ctx, msgtext.InitCode, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.ResetCustomInitMessageTextToDefaultResponse{Details: v}, nil
}

// PasswordReset: management v1.

func (m *Management) GetCustomPasswordResetMessageText(ctx context.Context, r *mgmt.GetCustomPasswordResetMessageTextRequest) (*mgmt.GetCustomPasswordResetMessageTextResponse, error) {
	v, err := m.customText(ctx, msgtext.PasswordReset, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetCustomPasswordResetMessageTextResponse{CustomText: v}, nil
}

func (m *Management) GetDefaultPasswordResetMessageText(ctx context.Context, r *mgmt.GetDefaultPasswordResetMessageTextRequest) (*mgmt.GetDefaultPasswordResetMessageTextResponse, error) {
	v, err := m.defaultText(ctx, msgtext.PasswordReset, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetDefaultPasswordResetMessageTextResponse{CustomText: v}, nil
}

func (m *Management) SetCustomPasswordResetMessageText(ctx context.Context, r *mgmt.SetCustomPasswordResetMessageTextRequest) (*mgmt.SetCustomPasswordResetMessageTextResponse, error) {
	v, err := m.setText(ctx, msgtext.PasswordReset, r)
	if err != nil {
		return nil, err
	}
	return &mgmt.SetCustomPasswordResetMessageTextResponse{Details: v}, nil
}

func (m *Management) ResetCustomPasswordResetMessageTextToDefault(ctx context.Context, r *mgmt.ResetCustomPasswordResetMessageTextToDefaultRequest) (*mgmt.ResetCustomPasswordResetMessageTextToDefaultResponse, error) {
	v, err := m.resetText(ctx, msgtext.PasswordReset, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.ResetCustomPasswordResetMessageTextToDefaultResponse{Details: v}, nil
}

// PasswordReset: admin v1.

func (s *Admin) GetCustomPasswordResetMessageText(ctx context.Context, r *admin.GetCustomPasswordResetMessageTextRequest) (*admin.GetCustomPasswordResetMessageTextResponse, error) {
	v, err := s.customText(ctx, msgtext.PasswordReset, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.GetCustomPasswordResetMessageTextResponse{CustomText: v}, nil
}

func (s *Admin) GetDefaultPasswordResetMessageText(ctx context.Context, r *admin.GetDefaultPasswordResetMessageTextRequest) (*admin.GetDefaultPasswordResetMessageTextResponse, error) {
	v, err := s.defaultText(ctx, msgtext.PasswordReset, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.GetDefaultPasswordResetMessageTextResponse{CustomText: v}, nil
}

func (s *Admin) SetDefaultPasswordResetMessageText(ctx context.Context, r *admin.SetDefaultPasswordResetMessageTextRequest) (*admin.SetDefaultPasswordResetMessageTextResponse, error) {
	v, err := s.setText(ctx, msgtext.PasswordReset, r)
	if err != nil {
		return nil, err
	}
	return &admin.SetDefaultPasswordResetMessageTextResponse{Details: v}, nil
}

func (s *Admin) ResetCustomPasswordResetMessageTextToDefault(ctx context.Context, r *admin.ResetCustomPasswordResetMessageTextToDefaultRequest) (*admin.ResetCustomPasswordResetMessageTextToDefaultResponse, error) {
	v, err := s.resetText(ctx, msgtext.PasswordReset, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.ResetCustomPasswordResetMessageTextToDefaultResponse{Details: v}, nil
}

// VerifyEmail: management v1.

func (m *Management) GetCustomVerifyEmailMessageText(ctx context.Context, r *mgmt.GetCustomVerifyEmailMessageTextRequest) (*mgmt.GetCustomVerifyEmailMessageTextResponse, error) {
	v, err := m.customText(ctx, msgtext.VerifyEmail, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetCustomVerifyEmailMessageTextResponse{CustomText: v}, nil
}

func (m *Management) GetDefaultVerifyEmailMessageText(ctx context.Context, r *mgmt.GetDefaultVerifyEmailMessageTextRequest) (*mgmt.GetDefaultVerifyEmailMessageTextResponse, error) {
	v, err := m.defaultText(ctx, msgtext.VerifyEmail, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetDefaultVerifyEmailMessageTextResponse{CustomText: v}, nil
}

func (m *Management) SetCustomVerifyEmailMessageText(ctx context.Context, r *mgmt.SetCustomVerifyEmailMessageTextRequest) (*mgmt.SetCustomVerifyEmailMessageTextResponse, error) {
	v, err := m.setText(ctx, msgtext.VerifyEmail, r)
	if err != nil {
		return nil, err
	}
	return &mgmt.SetCustomVerifyEmailMessageTextResponse{Details: v}, nil
}

func (m *Management) ResetCustomVerifyEmailMessageTextToDefault(ctx context.Context, r *mgmt.ResetCustomVerifyEmailMessageTextToDefaultRequest) (*mgmt.ResetCustomVerifyEmailMessageTextToDefaultResponse, error) {
	v, err := m.resetText(ctx, msgtext.VerifyEmail, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.ResetCustomVerifyEmailMessageTextToDefaultResponse{Details: v}, nil
}

// VerifyEmail: admin v1.

func (s *Admin) GetCustomVerifyEmailMessageText(ctx context.Context, r *admin.GetCustomVerifyEmailMessageTextRequest) (*admin.GetCustomVerifyEmailMessageTextResponse, error) {
	v, err := s.customText(ctx, msgtext.VerifyEmail, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.GetCustomVerifyEmailMessageTextResponse{CustomText: v}, nil
}

func (s *Admin) GetDefaultVerifyEmailMessageText(ctx context.Context, r *admin.GetDefaultVerifyEmailMessageTextRequest) (*admin.GetDefaultVerifyEmailMessageTextResponse, error) {
	v, err := s.defaultText(ctx, msgtext.VerifyEmail, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.GetDefaultVerifyEmailMessageTextResponse{CustomText: v}, nil
}

func (s *Admin) SetDefaultVerifyEmailMessageText(ctx context.Context, r *admin.SetDefaultVerifyEmailMessageTextRequest) (*admin.SetDefaultVerifyEmailMessageTextResponse, error) {
	v, err := s.setText(ctx, msgtext.VerifyEmail, r)
	if err != nil {
		return nil, err
	}
	return &admin.SetDefaultVerifyEmailMessageTextResponse{Details: v}, nil
}

func (s *Admin) ResetCustomVerifyEmailMessageTextToDefault(ctx context.Context, r *admin.ResetCustomVerifyEmailMessageTextToDefaultRequest) (*admin.ResetCustomVerifyEmailMessageTextToDefaultResponse, error) {
	v, err := s.resetText(ctx, msgtext.VerifyEmail, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.ResetCustomVerifyEmailMessageTextToDefaultResponse{Details: v}, nil
}

// VerifyPhone: management v1.

func (m *Management) GetCustomVerifyPhoneMessageText(ctx context.Context, r *mgmt.GetCustomVerifyPhoneMessageTextRequest) (*mgmt.GetCustomVerifyPhoneMessageTextResponse, error) {
	v, err := m.customText(ctx, msgtext.VerifyPhone, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetCustomVerifyPhoneMessageTextResponse{CustomText: v}, nil
}

func (m *Management) GetDefaultVerifyPhoneMessageText(ctx context.Context, r *mgmt.GetDefaultVerifyPhoneMessageTextRequest) (*mgmt.GetDefaultVerifyPhoneMessageTextResponse, error) {
	v, err := m.defaultText(ctx, msgtext.VerifyPhone, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetDefaultVerifyPhoneMessageTextResponse{CustomText: v}, nil
}

func (m *Management) SetCustomVerifyPhoneMessageText(ctx context.Context, r *mgmt.SetCustomVerifyPhoneMessageTextRequest) (*mgmt.SetCustomVerifyPhoneMessageTextResponse, error) {
	v, err := m.setText(ctx, msgtext.VerifyPhone, r)
	if err != nil {
		return nil, err
	}
	return &mgmt.SetCustomVerifyPhoneMessageTextResponse{Details: v}, nil
}

func (m *Management) ResetCustomVerifyPhoneMessageTextToDefault(ctx context.Context, r *mgmt.ResetCustomVerifyPhoneMessageTextToDefaultRequest) (*mgmt.ResetCustomVerifyPhoneMessageTextToDefaultResponse, error) {
	v, err := m.resetText(ctx, msgtext.VerifyPhone, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.ResetCustomVerifyPhoneMessageTextToDefaultResponse{Details: v}, nil
}

// VerifyPhone: admin v1.

func (s *Admin) GetCustomVerifyPhoneMessageText(ctx context.Context, r *admin.GetCustomVerifyPhoneMessageTextRequest) (*admin.GetCustomVerifyPhoneMessageTextResponse, error) {
	v, err := s.customText(ctx, msgtext.VerifyPhone, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.GetCustomVerifyPhoneMessageTextResponse{CustomText: v}, nil
}

func (s *Admin) GetDefaultVerifyPhoneMessageText(ctx context.Context, r *admin.GetDefaultVerifyPhoneMessageTextRequest) (*admin.GetDefaultVerifyPhoneMessageTextResponse, error) {
	v, err := s.defaultText(ctx, msgtext.VerifyPhone, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.GetDefaultVerifyPhoneMessageTextResponse{CustomText: v}, nil
}

func (s *Admin) SetDefaultVerifyPhoneMessageText(ctx context.Context, r *admin.SetDefaultVerifyPhoneMessageTextRequest) (*admin.SetDefaultVerifyPhoneMessageTextResponse, error) {
	v, err := s.setText(ctx, msgtext.VerifyPhone, r)
	if err != nil {
		return nil, err
	}
	return &admin.SetDefaultVerifyPhoneMessageTextResponse{Details: v}, nil
}

func (s *Admin) ResetCustomVerifyPhoneMessageTextToDefault(ctx context.Context, r *admin.ResetCustomVerifyPhoneMessageTextToDefaultRequest) (*admin.ResetCustomVerifyPhoneMessageTextToDefaultResponse, error) {
	v, err := s.resetText(ctx, msgtext.VerifyPhone, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.ResetCustomVerifyPhoneMessageTextToDefaultResponse{Details: v}, nil
}

// VerifySMSOTP: management v1.

func (m *Management) GetCustomVerifySMSOTPMessageText(ctx context.Context, r *mgmt.GetCustomVerifySMSOTPMessageTextRequest) (*mgmt.GetCustomVerifySMSOTPMessageTextResponse, error) {
	v, err := m.customText(ctx, msgtext.VerifySMSOTP, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetCustomVerifySMSOTPMessageTextResponse{CustomText: v}, nil
}

func (m *Management) GetDefaultVerifySMSOTPMessageText(ctx context.Context, r *mgmt.GetDefaultVerifySMSOTPMessageTextRequest) (*mgmt.GetDefaultVerifySMSOTPMessageTextResponse, error) {
	v, err := m.defaultText(ctx, msgtext.VerifySMSOTP, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetDefaultVerifySMSOTPMessageTextResponse{CustomText: v}, nil
}

func (m *Management) SetCustomVerifySMSOTPMessageText(ctx context.Context, r *mgmt.SetCustomVerifySMSOTPMessageTextRequest) (*mgmt.SetCustomVerifySMSOTPMessageTextResponse, error) {
	v, err := m.setText(ctx, msgtext.VerifySMSOTP, r)
	if err != nil {
		return nil, err
	}
	return &mgmt.SetCustomVerifySMSOTPMessageTextResponse{Details: v}, nil
}

func (m *Management) ResetCustomVerifySMSOTPMessageTextToDefault(ctx context.Context, r *mgmt.ResetCustomVerifySMSOTPMessageTextToDefaultRequest) (*mgmt.ResetCustomVerifySMSOTPMessageTextToDefaultResponse, error) {
	v, err := m.resetText(ctx, msgtext.VerifySMSOTP, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.ResetCustomVerifySMSOTPMessageTextToDefaultResponse{Details: v}, nil
}

// VerifySMSOTP: admin v1.

func (s *Admin) GetCustomVerifySMSOTPMessageText(ctx context.Context, r *admin.GetCustomVerifySMSOTPMessageTextRequest) (*admin.GetCustomVerifySMSOTPMessageTextResponse, error) {
	v, err := s.customText(ctx, msgtext.VerifySMSOTP, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.GetCustomVerifySMSOTPMessageTextResponse{CustomText: v}, nil
}

func (s *Admin) GetDefaultVerifySMSOTPMessageText(ctx context.Context, r *admin.GetDefaultVerifySMSOTPMessageTextRequest) (*admin.GetDefaultVerifySMSOTPMessageTextResponse, error) {
	v, err := s.defaultText(ctx, msgtext.VerifySMSOTP, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.GetDefaultVerifySMSOTPMessageTextResponse{CustomText: v}, nil
}

func (s *Admin) SetDefaultVerifySMSOTPMessageText(ctx context.Context, r *admin.SetDefaultVerifySMSOTPMessageTextRequest) (*admin.SetDefaultVerifySMSOTPMessageTextResponse, error) {
	v, err := s.setText(ctx, msgtext.VerifySMSOTP, r)
	if err != nil {
		return nil, err
	}
	return &admin.SetDefaultVerifySMSOTPMessageTextResponse{Details: v}, nil
}

func (s *Admin) ResetCustomVerifySMSOTPMessageTextToDefault(ctx context.Context, r *admin.ResetCustomVerifySMSOTPMessageTextToDefaultRequest) (*admin.ResetCustomVerifySMSOTPMessageTextToDefaultResponse, error) {
	v, err := s.resetText(ctx, msgtext.VerifySMSOTP, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.ResetCustomVerifySMSOTPMessageTextToDefaultResponse{Details: v}, nil
}

// VerifyEmailOTP: management v1.

func (m *Management) GetCustomVerifyEmailOTPMessageText(ctx context.Context, r *mgmt.GetCustomVerifyEmailOTPMessageTextRequest) (*mgmt.GetCustomVerifyEmailOTPMessageTextResponse, error) {
	v, err := m.customText(ctx, msgtext.VerifyEmailOTP, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetCustomVerifyEmailOTPMessageTextResponse{CustomText: v}, nil
}

func (m *Management) GetDefaultVerifyEmailOTPMessageText(ctx context.Context, r *mgmt.GetDefaultVerifyEmailOTPMessageTextRequest) (*mgmt.GetDefaultVerifyEmailOTPMessageTextResponse, error) {
	v, err := m.defaultText(ctx, msgtext.VerifyEmailOTP, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetDefaultVerifyEmailOTPMessageTextResponse{CustomText: v}, nil
}

func (m *Management) SetCustomVerifyEmailOTPMessageText(ctx context.Context, r *mgmt.SetCustomVerifyEmailOTPMessageTextRequest) (*mgmt.SetCustomVerifyEmailOTPMessageTextResponse, error) {
	v, err := m.setText(ctx, msgtext.VerifyEmailOTP, r)
	if err != nil {
		return nil, err
	}
	return &mgmt.SetCustomVerifyEmailOTPMessageTextResponse{Details: v}, nil
}

func (m *Management) ResetCustomVerifyEmailOTPMessageTextToDefault(ctx context.Context, r *mgmt.ResetCustomVerifyEmailOTPMessageTextToDefaultRequest) (*mgmt.ResetCustomVerifyEmailOTPMessageTextToDefaultResponse, error) {
	v, err := m.resetText(ctx, msgtext.VerifyEmailOTP, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.ResetCustomVerifyEmailOTPMessageTextToDefaultResponse{Details: v}, nil
}

// VerifyEmailOTP: admin v1.

func (s *Admin) GetCustomVerifyEmailOTPMessageText(ctx context.Context, r *admin.GetCustomVerifyEmailOTPMessageTextRequest) (*admin.GetCustomVerifyEmailOTPMessageTextResponse, error) {
	v, err := s.customText(ctx, msgtext.VerifyEmailOTP, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.GetCustomVerifyEmailOTPMessageTextResponse{CustomText: v}, nil
}

func (s *Admin) GetDefaultVerifyEmailOTPMessageText(ctx context.Context, r *admin.GetDefaultVerifyEmailOTPMessageTextRequest) (*admin.GetDefaultVerifyEmailOTPMessageTextResponse, error) {
	v, err := s.defaultText(ctx, msgtext.VerifyEmailOTP, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.GetDefaultVerifyEmailOTPMessageTextResponse{CustomText: v}, nil
}

func (s *Admin) SetDefaultVerifyEmailOTPMessageText(ctx context.Context, r *admin.SetDefaultVerifyEmailOTPMessageTextRequest) (*admin.SetDefaultVerifyEmailOTPMessageTextResponse, error) {
	v, err := s.setText(ctx, msgtext.VerifyEmailOTP, r)
	if err != nil {
		return nil, err
	}
	return &admin.SetDefaultVerifyEmailOTPMessageTextResponse{Details: v}, nil
}

func (s *Admin) ResetCustomVerifyEmailOTPMessageTextToDefault(ctx context.Context, r *admin.ResetCustomVerifyEmailOTPMessageTextToDefaultRequest) (*admin.ResetCustomVerifyEmailOTPMessageTextToDefaultResponse, error) {
	v, err := s.resetText(ctx, msgtext.VerifyEmailOTP, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.ResetCustomVerifyEmailOTPMessageTextToDefaultResponse{Details: v}, nil
}

// DomainClaimed: management v1.

func (m *Management) GetCustomDomainClaimedMessageText(ctx context.Context, r *mgmt.GetCustomDomainClaimedMessageTextRequest) (*mgmt.GetCustomDomainClaimedMessageTextResponse, error) {
	v, err := m.customText(ctx, msgtext.DomainClaimed, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetCustomDomainClaimedMessageTextResponse{CustomText: v}, nil
}

func (m *Management) GetDefaultDomainClaimedMessageText(ctx context.Context, r *mgmt.GetDefaultDomainClaimedMessageTextRequest) (*mgmt.GetDefaultDomainClaimedMessageTextResponse, error) {
	v, err := m.defaultText(ctx, msgtext.DomainClaimed, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetDefaultDomainClaimedMessageTextResponse{CustomText: v}, nil
}

func (m *Management) SetCustomDomainClaimedMessageCustomText(ctx context.Context, r *mgmt.SetCustomDomainClaimedMessageTextRequest) (*mgmt.SetCustomDomainClaimedMessageTextResponse, error) {
	v, err := m.setText(ctx, msgtext.DomainClaimed, r)
	if err != nil {
		return nil, err
	}
	return &mgmt.SetCustomDomainClaimedMessageTextResponse{Details: v}, nil
}

func (m *Management) ResetCustomDomainClaimedMessageTextToDefault(ctx context.Context, r *mgmt.ResetCustomDomainClaimedMessageTextToDefaultRequest) (*mgmt.ResetCustomDomainClaimedMessageTextToDefaultResponse, error) {
	v, err := m.resetText(ctx, msgtext.DomainClaimed, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.ResetCustomDomainClaimedMessageTextToDefaultResponse{Details: v}, nil
}

// DomainClaimed: admin v1.

func (s *Admin) GetCustomDomainClaimedMessageText(ctx context.Context, r *admin.GetCustomDomainClaimedMessageTextRequest) (*admin.GetCustomDomainClaimedMessageTextResponse, error) {
	v, err := s.customText(ctx, msgtext.DomainClaimed, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.GetCustomDomainClaimedMessageTextResponse{CustomText: v}, nil
}

func (s *Admin) GetDefaultDomainClaimedMessageText(ctx context.Context, r *admin.GetDefaultDomainClaimedMessageTextRequest) (*admin.GetDefaultDomainClaimedMessageTextResponse, error) {
	v, err := s.defaultText(ctx, msgtext.DomainClaimed, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.GetDefaultDomainClaimedMessageTextResponse{CustomText: v}, nil
}

func (s *Admin) SetDefaultDomainClaimedMessageText(ctx context.Context, r *admin.SetDefaultDomainClaimedMessageTextRequest) (*admin.SetDefaultDomainClaimedMessageTextResponse, error) {
	v, err := s.setText(ctx, msgtext.DomainClaimed, r)
	if err != nil {
		return nil, err
	}
	return &admin.SetDefaultDomainClaimedMessageTextResponse{Details: v}, nil
}

func (s *Admin) ResetCustomDomainClaimedMessageTextToDefault(ctx context.Context, r *admin.ResetCustomDomainClaimedMessageTextToDefaultRequest) (*admin.ResetCustomDomainClaimedMessageTextToDefaultResponse, error) {
	v, err := s.resetText(ctx, msgtext.DomainClaimed, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.ResetCustomDomainClaimedMessageTextToDefaultResponse{Details: v}, nil
}

// PasswordlessRegistration: management v1.

func (m *Management) GetCustomPasswordlessRegistrationMessageText(ctx context.Context, r *mgmt.GetCustomPasswordlessRegistrationMessageTextRequest) (*mgmt.GetCustomPasswordlessRegistrationMessageTextResponse, error) {
	v, err := m.customText(ctx, msgtext.PasswordlessRegistration, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetCustomPasswordlessRegistrationMessageTextResponse{CustomText: v}, nil
}

func (m *Management) GetDefaultPasswordlessRegistrationMessageText(ctx context.Context, r *mgmt.GetDefaultPasswordlessRegistrationMessageTextRequest) (*mgmt.GetDefaultPasswordlessRegistrationMessageTextResponse, error) {
	v, err := m.defaultText(ctx, msgtext.PasswordlessRegistration, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetDefaultPasswordlessRegistrationMessageTextResponse{CustomText: v}, nil
}

func (m *Management) SetCustomPasswordlessRegistrationMessageCustomText(ctx context.Context, r *mgmt.SetCustomPasswordlessRegistrationMessageTextRequest) (*mgmt.SetCustomPasswordlessRegistrationMessageTextResponse, error) {
	v, err := m.setText(ctx, msgtext.PasswordlessRegistration, r)
	if err != nil {
		return nil, err
	}
	return &mgmt.SetCustomPasswordlessRegistrationMessageTextResponse{Details: v}, nil
}

func (m *Management) ResetCustomPasswordlessRegistrationMessageTextToDefault(ctx context.Context, r *mgmt.ResetCustomPasswordlessRegistrationMessageTextToDefaultRequest) (*mgmt.ResetCustomPasswordlessRegistrationMessageTextToDefaultResponse, error) {
	v, err := m.resetText(ctx, msgtext.PasswordlessRegistration, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.ResetCustomPasswordlessRegistrationMessageTextToDefaultResponse{Details: v}, nil
}

// PasswordlessRegistration: admin v1.

func (s *Admin) GetCustomPasswordlessRegistrationMessageText(ctx context.Context, r *admin.GetCustomPasswordlessRegistrationMessageTextRequest) (*admin.GetCustomPasswordlessRegistrationMessageTextResponse, error) {
	v, err := s.customText(ctx, msgtext.PasswordlessRegistration, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.GetCustomPasswordlessRegistrationMessageTextResponse{CustomText: v}, nil
}

func (s *Admin) GetDefaultPasswordlessRegistrationMessageText(ctx context.Context, r *admin.GetDefaultPasswordlessRegistrationMessageTextRequest) (*admin.GetDefaultPasswordlessRegistrationMessageTextResponse, error) {
	v, err := s.defaultText(ctx, msgtext.PasswordlessRegistration, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.GetDefaultPasswordlessRegistrationMessageTextResponse{CustomText: v}, nil
}

func (s *Admin) SetDefaultPasswordlessRegistrationMessageText(ctx context.Context, r *admin.SetDefaultPasswordlessRegistrationMessageTextRequest) (*admin.SetDefaultPasswordlessRegistrationMessageTextResponse, error) {
	v, err := s.setText(ctx, msgtext.PasswordlessRegistration, r)
	if err != nil {
		return nil, err
	}
	return &admin.SetDefaultPasswordlessRegistrationMessageTextResponse{Details: v}, nil
}

func (s *Admin) ResetCustomPasswordlessRegistrationMessageTextToDefault(ctx context.Context, r *admin.ResetCustomPasswordlessRegistrationMessageTextToDefaultRequest) (*admin.ResetCustomPasswordlessRegistrationMessageTextToDefaultResponse, error) {
	v, err := s.resetText(ctx, msgtext.PasswordlessRegistration, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.ResetCustomPasswordlessRegistrationMessageTextToDefaultResponse{Details: v}, nil
}

// PasswordChange: management v1.

func (m *Management) GetCustomPasswordChangeMessageText(ctx context.Context, r *mgmt.GetCustomPasswordChangeMessageTextRequest) (*mgmt.GetCustomPasswordChangeMessageTextResponse, error) {
	v, err := m.customText(ctx, msgtext.PasswordChange, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetCustomPasswordChangeMessageTextResponse{CustomText: v}, nil
}

func (m *Management) GetDefaultPasswordChangeMessageText(ctx context.Context, r *mgmt.GetDefaultPasswordChangeMessageTextRequest) (*mgmt.GetDefaultPasswordChangeMessageTextResponse, error) {
	v, err := m.defaultText(ctx, msgtext.PasswordChange, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetDefaultPasswordChangeMessageTextResponse{CustomText: v}, nil
}

func (m *Management) SetCustomPasswordChangeMessageCustomText(ctx context.Context, r *mgmt.SetCustomPasswordChangeMessageTextRequest) (*mgmt.SetCustomPasswordChangeMessageTextResponse, error) {
	v, err := m.setText(ctx, msgtext.PasswordChange, r)
	if err != nil {
		return nil, err
	}
	return &mgmt.SetCustomPasswordChangeMessageTextResponse{Details: v}, nil
}

func (m *Management) ResetCustomPasswordChangeMessageTextToDefault(ctx context.Context, r *mgmt.ResetCustomPasswordChangeMessageTextToDefaultRequest) (*mgmt.ResetCustomPasswordChangeMessageTextToDefaultResponse, error) {
	v, err := m.resetText(ctx, msgtext.PasswordChange, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.ResetCustomPasswordChangeMessageTextToDefaultResponse{Details: v}, nil
}

// PasswordChange: admin v1.

func (s *Admin) GetCustomPasswordChangeMessageText(ctx context.Context, r *admin.GetCustomPasswordChangeMessageTextRequest) (*admin.GetCustomPasswordChangeMessageTextResponse, error) {
	v, err := s.customText(ctx, msgtext.PasswordChange, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.GetCustomPasswordChangeMessageTextResponse{CustomText: v}, nil
}

func (s *Admin) GetDefaultPasswordChangeMessageText(ctx context.Context, r *admin.GetDefaultPasswordChangeMessageTextRequest) (*admin.GetDefaultPasswordChangeMessageTextResponse, error) {
	v, err := s.defaultText(ctx, msgtext.PasswordChange, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.GetDefaultPasswordChangeMessageTextResponse{CustomText: v}, nil
}

func (s *Admin) SetDefaultPasswordChangeMessageText(ctx context.Context, r *admin.SetDefaultPasswordChangeMessageTextRequest) (*admin.SetDefaultPasswordChangeMessageTextResponse, error) {
	v, err := s.setText(ctx, msgtext.PasswordChange, r)
	if err != nil {
		return nil, err
	}
	return &admin.SetDefaultPasswordChangeMessageTextResponse{Details: v}, nil
}

func (s *Admin) ResetCustomPasswordChangeMessageTextToDefault(ctx context.Context, r *admin.ResetCustomPasswordChangeMessageTextToDefaultRequest) (*admin.ResetCustomPasswordChangeMessageTextToDefaultResponse, error) {
	v, err := s.resetText(ctx, msgtext.PasswordChange, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.ResetCustomPasswordChangeMessageTextToDefaultResponse{Details: v}, nil
}

// InviteUser: management v1.

func (m *Management) GetCustomInviteUserMessageText(ctx context.Context, r *mgmt.GetCustomInviteUserMessageTextRequest) (*mgmt.GetCustomInviteUserMessageTextResponse, error) {
	v, err := m.customText(ctx, msgtext.InviteUser, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetCustomInviteUserMessageTextResponse{CustomText: v}, nil
}

func (m *Management) GetDefaultInviteUserMessageText(ctx context.Context, r *mgmt.GetDefaultInviteUserMessageTextRequest) (*mgmt.GetDefaultInviteUserMessageTextResponse, error) {
	v, err := m.defaultText(ctx, msgtext.InviteUser, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetDefaultInviteUserMessageTextResponse{CustomText: v}, nil
}

func (m *Management) SetCustomInviteUserMessageCustomText(ctx context.Context, r *mgmt.SetCustomInviteUserMessageTextRequest) (*mgmt.SetCustomInviteUserMessageTextResponse, error) {
	v, err := m.setText(ctx, msgtext.InviteUser, r)
	if err != nil {
		return nil, err
	}
	return &mgmt.SetCustomInviteUserMessageTextResponse{Details: v}, nil
}

func (m *Management) ResetCustomInviteUserMessageTextToDefault(ctx context.Context, r *mgmt.ResetCustomInviteUserMessageTextToDefaultRequest) (*mgmt.ResetCustomInviteUserMessageTextToDefaultResponse, error) {
	v, err := m.resetText(ctx, msgtext.InviteUser, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &mgmt.ResetCustomInviteUserMessageTextToDefaultResponse{Details: v}, nil
}

// InviteUser: admin v1.

func (s *Admin) GetCustomInviteUserMessageText(ctx context.Context, r *admin.GetCustomInviteUserMessageTextRequest) (*admin.GetCustomInviteUserMessageTextResponse, error) {
	v, err := s.customText(ctx, msgtext.InviteUser, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.GetCustomInviteUserMessageTextResponse{CustomText: v}, nil
}

func (s *Admin) GetDefaultInviteUserMessageText(ctx context.Context, r *admin.GetDefaultInviteUserMessageTextRequest) (*admin.GetDefaultInviteUserMessageTextResponse, error) {
	v, err := s.defaultText(ctx, msgtext.InviteUser, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.GetDefaultInviteUserMessageTextResponse{CustomText: v}, nil
}

func (s *Admin) SetDefaultInviteUserMessageText(ctx context.Context, r *admin.SetDefaultInviteUserMessageTextRequest) (*admin.SetDefaultInviteUserMessageTextResponse, error) {
	v, err := s.setText(ctx, msgtext.InviteUser, r)
	if err != nil {
		return nil, err
	}
	return &admin.SetDefaultInviteUserMessageTextResponse{Details: v}, nil
}

func (s *Admin) ResetCustomInviteUserMessageTextToDefault(ctx context.Context, r *admin.ResetCustomInviteUserMessageTextToDefaultRequest) (*admin.ResetCustomInviteUserMessageTextToDefaultResponse, error) {
	v, err := s.resetText(ctx, msgtext.InviteUser, r.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &admin.ResetCustomInviteUserMessageTextToDefaultResponse{Details: v}, nil
}
