package notify

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// TwilioAPI is Twilio's REST API; tests point Twilio.BaseURL at a loopback
// server instead.
const TwilioAPI = "https://api.twilio.com"

// Twilio sends text messages through Twilio's Messages API with an account
// SID and auth token.
type Twilio struct {
	SID, Token, From string
	BaseURL          string // default TwilioAPI
	HTTP             *http.Client
}

// Send posts one message (To in E.164, Body the text). Answers are
// classified as Webhook.Post does.
func (t *Twilio) Send(ctx context.Context, to, body string) error {
	base := t.BaseURL
	if base == "" {
		base = TwilioAPI
	}
	form := url.Values{"To": {to}, "From": {t.From}, "Body": {body}}
	u := strings.TrimRight(base, "/") + "/2010-04-01/Accounts/" + url.PathEscape(t.SID) + "/Messages.json"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("%w: twilio request: %v", ErrPermanent, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(t.SID, t.Token)
	c := t.HTTP
	if c == nil {
		c = Client(0)
	}
	return do(c, req, "twilio")
}
