package api

import (
	"context"

	"github.com/warden-id/warden/internal/app"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/admin"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/settings"
)

// The instance's SMTP configurations (admin v1). No answer carries the
// password: app's SMTPConfig has none.

func smtpV1(c *app.SMTPConfig, owner string) *settings.SMTPConfig {
	return &settings.SMTPConfig{
		Details:       changeDetails(c.Sequence, c.ChangedAt, owner),
		Id:            c.ID,
		Description:   c.Description,
		SenderAddress: c.SenderAddress, SenderName: c.SenderName, ReplyToAddress: c.ReplyToAddress,
		Tls: c.TLS, Host: c.Host, User: c.User,
		State: settings.SMTPConfigState(c.State),
	}
}

func (s *Admin) AddSMTPConfig(ctx context.Context, r *admin.AddSMTPConfigRequest) (*admin.AddSMTPConfigResponse, error) {
	c, err := s.app.AddSMTPConfig(ctx, caller(ctx), app.SMTPInput{Description: r.GetDescription(), SenderAddress: r.GetSenderAddress(),
		SenderName: r.GetSenderName(), ReplyToAddress: r.GetReplyToAddress(), Host: r.GetHost(), User: r.GetUser(),
		Password: r.GetPassword(), TLS: r.GetTls()})
	if err != nil {
		return nil, err
	}
	return &admin.AddSMTPConfigResponse{Details: createDetails(c.Sequence, c.CreatedAt, s.instanceID(ctx)), Id: c.ID}, nil
}

func (s *Admin) UpdateSMTPConfig(ctx context.Context, r *admin.UpdateSMTPConfigRequest) (*admin.UpdateSMTPConfigResponse, error) {
	d, err := s.app.UpdateSMTPConfig(ctx, caller(ctx), r.GetId(), app.SMTPInput{Description: r.GetDescription(), SenderAddress: r.GetSenderAddress(),
		SenderName: r.GetSenderName(), ReplyToAddress: r.GetReplyToAddress(), Host: r.GetHost(), User: r.GetUser(),
		Password: r.GetPassword(), TLS: r.GetTls()})
	if err != nil {
		return nil, err
	}
	return &admin.UpdateSMTPConfigResponse{Details: instanceDetails(d)}, nil
}

func (s *Admin) UpdateSMTPConfigPassword(ctx context.Context, r *admin.UpdateSMTPConfigPasswordRequest) (*admin.UpdateSMTPConfigPasswordResponse, error) {
	d, err := s.app.UpdateSMTPConfigPassword(ctx, caller(ctx), r.GetId(), r.GetPassword())
	if err != nil {
		return nil, err
	}
	return &admin.UpdateSMTPConfigPasswordResponse{Details: instanceDetails(d)}, nil
}

func (s *Admin) ActivateSMTPConfig(ctx context.Context, r *admin.ActivateSMTPConfigRequest) (*admin.ActivateSMTPConfigResponse, error) {
	d, err := s.app.ActivateSMTPConfig(ctx, caller(ctx), r.GetId())
	if err != nil {
		return nil, err
	}
	return &admin.ActivateSMTPConfigResponse{Details: instanceDetails(d)}, nil
}

func (s *Admin) DeactivateSMTPConfig(ctx context.Context, r *admin.DeactivateSMTPConfigRequest) (*admin.DeactivateSMTPConfigResponse, error) {
	d, err := s.app.DeactivateSMTPConfig(ctx, caller(ctx), r.GetId())
	if err != nil {
		return nil, err
	}
	return &admin.DeactivateSMTPConfigResponse{Details: instanceDetails(d)}, nil
}

func (s *Admin) RemoveSMTPConfig(ctx context.Context, r *admin.RemoveSMTPConfigRequest) (*admin.RemoveSMTPConfigResponse, error) {
	d, err := s.app.RemoveSMTPConfig(ctx, caller(ctx), r.GetId())
	if err != nil {
		return nil, err
	}
	return &admin.RemoveSMTPConfigResponse{Details: instanceDetails(d)}, nil
}

func (s *Admin) GetSMTPConfig(ctx context.Context, _ *admin.GetSMTPConfigRequest) (*admin.GetSMTPConfigResponse, error) {
	c, err := s.app.GetSMTPConfig(ctx, caller(ctx))
	if err != nil {
		return nil, err
	}
	return &admin.GetSMTPConfigResponse{SmtpConfig: smtpV1(c, s.instanceID(ctx))}, nil
}

func (s *Admin) GetSMTPConfigById(ctx context.Context, r *admin.GetSMTPConfigByIdRequest) (*admin.GetSMTPConfigByIdResponse, error) {
	c, err := s.app.GetSMTPConfigByID(ctx, caller(ctx), r.GetId())
	if err != nil {
		return nil, err
	}
	return &admin.GetSMTPConfigByIdResponse{SmtpConfig: smtpV1(c, s.instanceID(ctx))}, nil
}

func (s *Admin) ListSMTPConfigs(ctx context.Context, r *admin.ListSMTPConfigsRequest) (*admin.ListSMTPConfigsResponse, error) {
	pg, err := page(r.GetQuery().GetOffset(), r.GetQuery().GetLimit(), r.GetQuery().GetAsc())
	if err != nil {
		return nil, err
	}
	cs, total, err := s.app.ListSMTPConfigs(ctx, caller(ctx), pg)
	if err != nil {
		return nil, err
	}
	owner := s.instanceID(ctx)
	out := &admin.ListSMTPConfigsResponse{Details: listDetails(total), Result: make([]*settings.SMTPConfig, 0, len(cs))}
	for _, c := range cs {
		out.Result = append(out.Result, smtpV1(c, owner))
	}
	return out, nil
}

func (s *Admin) TestSMTPConfig(ctx context.Context, r *admin.TestSMTPConfigRequest) (*admin.TestSMTPConfigResponse, error) {
	err := s.app.TestSMTPConfig(ctx, caller(ctx), r.GetId(), app.SMTPInput{SenderAddress: r.GetSenderAddress(), SenderName: r.GetSenderName(),
		Host: r.GetHost(), User: r.GetUser(), Password: r.GetPassword(), TLS: r.GetTls()}, r.GetReceiverAddress())
	if err != nil {
		return nil, err
	}
	return &admin.TestSMTPConfigResponse{}, nil
}

func (s *Admin) TestSMTPConfigById(ctx context.Context, r *admin.TestSMTPConfigByIdRequest) (*admin.TestSMTPConfigByIdResponse, error) {
	if err := s.app.TestSMTPConfigByID(ctx, caller(ctx), r.GetId(), r.GetReceiverAddress()); err != nil {
		return nil, err
	}
	return &admin.TestSMTPConfigByIdResponse{}, nil
}
