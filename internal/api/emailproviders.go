package api

import (
	"context"

	"github.com/warden-id/warden/internal/app"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/admin"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/settings"
)

// The instance's e-mail providers (admin v1 …EmailProvider…): the SMTP
// configurations under ZITADEL's newer names, and HTTP providers (a webhook)
// in the same list. No answer carries an SMTP password; an HTTP provider's
// signing key only the answers that make one.

func emailProviderV1(c *app.SMTPConfig, owner string) *settings.EmailProvider {
	out := &settings.EmailProvider{
		Details:     changeDetails(c.Sequence, c.ChangedAt, owner),
		Id:          c.ID,
		State:       settings.EmailProviderState(c.State),
		Description: c.Description,
	}
	if c.HTTP != nil {
		out.Config = &settings.EmailProvider_Http{Http: &settings.EmailProviderHTTP{Endpoint: c.HTTP.Endpoint}}
	} else {
		out.Config = &settings.EmailProvider_Smtp{Smtp: &settings.EmailProviderSMTP{SenderAddress: c.SenderAddress, SenderName: c.SenderName,
			Tls: c.TLS, Host: c.Host, User: c.User, ReplyToAddress: c.ReplyToAddress}}
	}
	return out
}

// smtpPassword is the password of a request that has both the flat field
// and the Auth oneof: plain's password wins; XOAUTH2 is refused.
func smtpPassword(flat string, plain interface{ GetPassword() string }, xoauth2 bool) (string, error) {
	if xoauth2 {
		return "", errXOAuth2
	}
	if p := plain.GetPassword(); p != "" {
		return p, nil
	}
	return flat, nil
}

func (s *Admin) ListEmailProviders(ctx context.Context, r *admin.ListEmailProvidersRequest) (*admin.ListEmailProvidersResponse, error) {
	pg, err := page(r.GetQuery().GetOffset(), r.GetQuery().GetLimit(), r.GetQuery().GetAsc())
	if err != nil {
		return nil, err
	}
	cs, total, err := s.app.ListEmailProviders(ctx, caller(ctx), pg)
	if err != nil {
		return nil, err
	}
	owner := s.instanceID(ctx)
	out := &admin.ListEmailProvidersResponse{Details: listDetails(total), Result: make([]*settings.EmailProvider, 0, len(cs))}
	for _, c := range cs {
		out.Result = append(out.Result, emailProviderV1(c, owner))
	}
	return out, nil
}

func (s *Admin) GetEmailProvider(ctx context.Context, _ *admin.GetEmailProviderRequest) (*admin.GetEmailProviderResponse, error) {
	c, err := s.app.GetEmailProvider(ctx, caller(ctx))
	if err != nil {
		return nil, err
	}
	return &admin.GetEmailProviderResponse{Config: emailProviderV1(c, s.instanceID(ctx))}, nil
}

func (s *Admin) GetEmailProviderById(ctx context.Context, r *admin.GetEmailProviderByIdRequest) (*admin.GetEmailProviderByIdResponse, error) {
	c, err := s.app.GetEmailProviderByID(ctx, caller(ctx), r.GetId())
	if err != nil {
		return nil, err
	}
	return &admin.GetEmailProviderByIdResponse{Config: emailProviderV1(c, s.instanceID(ctx))}, nil
}

func (s *Admin) AddEmailProviderSMTP(ctx context.Context, r *admin.AddEmailProviderSMTPRequest) (*admin.AddEmailProviderSMTPResponse, error) {
	pw, err := smtpPassword(r.GetPassword(), r.GetPlain(), r.GetXoauth2() != nil)
	if err != nil {
		return nil, err
	}
	c, err := s.app.AddSMTPConfig(ctx, caller(ctx), app.SMTPInput{Description: r.GetDescription(), SenderAddress: r.GetSenderAddress(),
		SenderName: r.GetSenderName(), ReplyToAddress: r.GetReplyToAddress(), Host: r.GetHost(), User: r.GetUser(), Password: pw, TLS: r.GetTls()})
	if err != nil {
		return nil, err
	}
	return &admin.AddEmailProviderSMTPResponse{Details: createDetails(c.Sequence, c.CreatedAt, s.instanceID(ctx)), Id: c.ID}, nil
}

func (s *Admin) UpdateEmailProviderSMTP(ctx context.Context, r *admin.UpdateEmailProviderSMTPRequest) (*admin.UpdateEmailProviderSMTPResponse, error) {
	pw, err := smtpPassword(r.GetPassword(), r.GetPlain(), r.GetXoauth2() != nil)
	if err != nil {
		return nil, err
	}
	d, err := s.app.UpdateSMTPConfig(ctx, caller(ctx), r.GetId(), app.SMTPInput{Description: r.GetDescription(), SenderAddress: r.GetSenderAddress(),
		SenderName: r.GetSenderName(), ReplyToAddress: r.GetReplyToAddress(), Host: r.GetHost(), User: r.GetUser(), Password: pw, TLS: r.GetTls()})
	if err != nil {
		return nil, err
	}
	return &admin.UpdateEmailProviderSMTPResponse{Details: instanceDetails(d)}, nil
}

func (s *Admin) UpdateEmailProviderSMTPPassword(ctx context.Context, r *admin.UpdateEmailProviderSMTPPasswordRequest) (*admin.UpdateEmailProviderSMTPPasswordResponse, error) {
	d, err := s.app.UpdateSMTPConfigPassword(ctx, caller(ctx), r.GetId(), r.GetPassword())
	if err != nil {
		return nil, err
	}
	return &admin.UpdateEmailProviderSMTPPasswordResponse{Details: instanceDetails(d)}, nil
}

func (s *Admin) AddEmailProviderHTTP(ctx context.Context, r *admin.AddEmailProviderHTTPRequest) (*admin.AddEmailProviderHTTPResponse, error) {
	c, key, err := s.app.AddEmailProviderHTTP(ctx, caller(ctx), r.GetDescription(), r.GetEndpoint())
	if err != nil {
		return nil, err
	}
	return &admin.AddEmailProviderHTTPResponse{Details: createDetails(c.Sequence, c.CreatedAt, s.instanceID(ctx)), Id: c.ID, SigningKey: key}, nil
}

func (s *Admin) UpdateEmailProviderHTTP(ctx context.Context, r *admin.UpdateEmailProviderHTTPRequest) (*admin.UpdateEmailProviderHTTPResponse, error) {
	d, key, err := s.app.UpdateEmailProviderHTTP(ctx, caller(ctx), r.GetId(), r.GetDescription(), r.GetEndpoint(), r.ExpirationSigningKey != nil)
	if err != nil {
		return nil, err
	}
	out := &admin.UpdateEmailProviderHTTPResponse{Details: instanceDetails(d)}
	if key != "" {
		out.SigningKey = &key
	}
	return out, nil
}

func (s *Admin) ActivateEmailProvider(ctx context.Context, r *admin.ActivateEmailProviderRequest) (*admin.ActivateEmailProviderResponse, error) {
	d, err := s.app.ActivateSMTPConfig(ctx, caller(ctx), r.GetId())
	if err != nil {
		return nil, err
	}
	return &admin.ActivateEmailProviderResponse{Details: instanceDetails(d)}, nil
}

func (s *Admin) DeactivateEmailProvider(ctx context.Context, r *admin.DeactivateEmailProviderRequest) (*admin.DeactivateEmailProviderResponse, error) {
	d, err := s.app.DeactivateSMTPConfig(ctx, caller(ctx), r.GetId())
	if err != nil {
		return nil, err
	}
	return &admin.DeactivateEmailProviderResponse{Details: instanceDetails(d)}, nil
}

func (s *Admin) RemoveEmailProvider(ctx context.Context, r *admin.RemoveEmailProviderRequest) (*admin.RemoveEmailProviderResponse, error) {
	d, err := s.app.RemoveSMTPConfig(ctx, caller(ctx), r.GetId())
	if err != nil {
		return nil, err
	}
	return &admin.RemoveEmailProviderResponse{Details: instanceDetails(d)}, nil
}

func (s *Admin) TestEmailProviderSMTPById(ctx context.Context, r *admin.TestEmailProviderSMTPByIdRequest) (*admin.TestEmailProviderSMTPByIdResponse, error) {
	if err := s.app.TestSMTPConfigByID(ctx, caller(ctx), r.GetId(), r.GetReceiverAddress()); err != nil {
		return nil, err
	}
	return &admin.TestEmailProviderSMTPByIdResponse{}, nil
}

func (s *Admin) TestEmailProviderSMTP(ctx context.Context, r *admin.TestEmailProviderSMTPRequest) (*admin.TestEmailProviderSMTPResponse, error) {
	pw, err := smtpPassword(r.GetPassword(), r.GetPlain(), r.GetXoauth2() != nil)
	if err != nil {
		return nil, err
	}
	err = s.app.TestSMTPConfig(ctx, caller(ctx), r.GetId(), app.SMTPInput{SenderAddress: r.GetSenderAddress(), SenderName: r.GetSenderName(),
		Host: r.GetHost(), User: r.GetUser(), Password: pw, TLS: r.GetTls()}, r.GetReceiverAddress())
	if err != nil {
		return nil, err
	}
	return &admin.TestEmailProviderSMTPResponse{}, nil
}
