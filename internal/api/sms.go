package api

import (
	"context"

	"github.com/warden-id/warden/internal/app"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/admin"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/settings"
)

// The instance's SMS providers (admin v1). No answer carries the Twilio
// token; the webhook's signing key only in the answers that make one.

func smsV1(p *app.SMSProvider, owner string) *settings.SMSProvider {
	out := &settings.SMSProvider{
		Details:     changeDetails(p.Sequence, p.ChangedAt, owner),
		Id:          p.ID,
		State:       settings.SMSProviderConfigState(p.State),
		Description: p.Description,
	}
	switch {
	case p.Twilio != nil:
		out.Config = &settings.SMSProvider_Twilio{Twilio: &settings.TwilioConfig{Sid: p.Twilio.SID, SenderNumber: p.Twilio.SenderNumber,
			VerifyServiceSid: p.Twilio.VerifyServiceSID}}
	case p.HTTP != nil:
		out.Config = &settings.SMSProvider_Http{Http: &settings.HTTPConfig{Endpoint: p.HTTP.Endpoint}}
	}
	return out
}

func (s *Admin) ListSMSProviders(ctx context.Context, r *admin.ListSMSProvidersRequest) (*admin.ListSMSProvidersResponse, error) {
	pg, err := page(r.GetQuery().GetOffset(), r.GetQuery().GetLimit(), r.GetQuery().GetAsc())
	if err != nil {
		return nil, err
	}
	ps, total, err := s.app.ListSMSProviders(ctx, caller(ctx), pg)
	if err != nil {
		return nil, err
	}
	owner := s.instanceID(ctx)
	out := &admin.ListSMSProvidersResponse{Details: listDetails(total), Result: make([]*settings.SMSProvider, 0, len(ps))}
	for _, p := range ps {
		out.Result = append(out.Result, smsV1(p, owner))
	}
	return out, nil
}

func (s *Admin) GetSMSProvider(ctx context.Context, r *admin.GetSMSProviderRequest) (*admin.GetSMSProviderResponse, error) {
	p, err := s.app.GetSMSProvider(ctx, caller(ctx), r.GetId())
	if err != nil {
		return nil, err
	}
	return &admin.GetSMSProviderResponse{Config: smsV1(p, s.instanceID(ctx))}, nil
}

func (s *Admin) AddSMSProviderTwilio(ctx context.Context, r *admin.AddSMSProviderTwilioRequest) (*admin.AddSMSProviderTwilioResponse, error) {
	p, err := s.app.AddSMSProviderTwilio(ctx, caller(ctx), app.SMSTwilioInput{Description: r.GetDescription(), SID: r.GetSid(),
		Token: r.GetToken(), SenderNumber: r.GetSenderNumber(), VerifyServiceSID: r.GetVerifyServiceSid()})
	if err != nil {
		return nil, err
	}
	return &admin.AddSMSProviderTwilioResponse{Details: createDetails(p.Sequence, p.CreatedAt, s.instanceID(ctx)), Id: p.ID}, nil
}

func (s *Admin) UpdateSMSProviderTwilio(ctx context.Context, r *admin.UpdateSMSProviderTwilioRequest) (*admin.UpdateSMSProviderTwilioResponse, error) {
	d, err := s.app.UpdateSMSProviderTwilio(ctx, caller(ctx), r.GetId(), app.SMSTwilioInput{Description: r.GetDescription(), SID: r.GetSid(),
		SenderNumber: r.GetSenderNumber(), VerifyServiceSID: r.GetVerifyServiceSid()})
	if err != nil {
		return nil, err
	}
	return &admin.UpdateSMSProviderTwilioResponse{Details: instanceDetails(d)}, nil
}

func (s *Admin) UpdateSMSProviderTwilioToken(ctx context.Context, r *admin.UpdateSMSProviderTwilioTokenRequest) (*admin.UpdateSMSProviderTwilioTokenResponse, error) {
	d, err := s.app.UpdateSMSProviderTwilioToken(ctx, caller(ctx), r.GetId(), r.GetToken())
	if err != nil {
		return nil, err
	}
	return &admin.UpdateSMSProviderTwilioTokenResponse{Details: instanceDetails(d)}, nil
}

func (s *Admin) AddSMSProviderHTTP(ctx context.Context, r *admin.AddSMSProviderHTTPRequest) (*admin.AddSMSProviderHTTPResponse, error) {
	p, key, err := s.app.AddSMSProviderHTTP(ctx, caller(ctx), r.GetDescription(), r.GetEndpoint())
	if err != nil {
		return nil, err
	}
	return &admin.AddSMSProviderHTTPResponse{Details: createDetails(p.Sequence, p.CreatedAt, s.instanceID(ctx)), Id: p.ID, SigningKey: key}, nil
}

func (s *Admin) UpdateSMSProviderHTTP(ctx context.Context, r *admin.UpdateSMSProviderHTTPRequest) (*admin.UpdateSMSProviderHTTPResponse, error) {
	d, key, err := s.app.UpdateSMSProviderHTTP(ctx, caller(ctx), r.GetId(), r.GetDescription(), r.GetEndpoint(), r.ExpirationSigningKey != nil)
	if err != nil {
		return nil, err
	}
	out := &admin.UpdateSMSProviderHTTPResponse{Details: instanceDetails(d)}
	if key != "" {
		out.SigningKey = &key
	}
	return out, nil
}

func (s *Admin) ActivateSMSProvider(ctx context.Context, r *admin.ActivateSMSProviderRequest) (*admin.ActivateSMSProviderResponse, error) {
	d, err := s.app.ActivateSMSProvider(ctx, caller(ctx), r.GetId())
	if err != nil {
		return nil, err
	}
	return &admin.ActivateSMSProviderResponse{Details: instanceDetails(d)}, nil
}

func (s *Admin) DeactivateSMSProvider(ctx context.Context, r *admin.DeactivateSMSProviderRequest) (*admin.DeactivateSMSProviderResponse, error) {
	d, err := s.app.DeactivateSMSProvider(ctx, caller(ctx), r.GetId())
	if err != nil {
		return nil, err
	}
	return &admin.DeactivateSMSProviderResponse{Details: instanceDetails(d)}, nil
}

func (s *Admin) RemoveSMSProvider(ctx context.Context, r *admin.RemoveSMSProviderRequest) (*admin.RemoveSMSProviderResponse, error) {
	d, err := s.app.RemoveSMSProvider(ctx, caller(ctx), r.GetId())
	if err != nil {
		return nil, err
	}
	return &admin.RemoveSMSProviderResponse{Details: instanceDetails(d)}, nil
}
