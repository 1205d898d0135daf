// Package notify delivers what the outbox holds through channels other than
// SMTP: a signed JSON webhook (ZITADEL's HTTP e-mail and SMS providers) and
// Twilio's Messages API. It knows nothing of Warden's aggregates; app builds
// the payloads.
package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// ErrPermanent marks a refusal a retry cannot cure (a 4xx answer, a bad
// endpoint): the outbox gives the message up at once.
var ErrPermanent = errors.New("notify: permanent failure")

// SignatureHeader carries the webhook's signature, as ZITADEL names it.
const SignatureHeader = "ZITADEL-Signature"

// maxAnswer is how much of an answer is read: the status decides.
const maxAnswer = 4 << 10

// DefaultTimeout bounds one call when the caller sets none.
const DefaultTimeout = 10 * time.Second

// Client returns the HTTP client the channels use: it follows no redirect
// (a webhook that moves is an error, not a new destination for a code) and
// gives up after timeout.
func Client(timeout time.Duration) *http.Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &http.Client{
		Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// CheckEndpoint says whether u may be a webhook: an absolute http or https URL
// with a host and no user info.
func CheckEndpoint(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.User != nil || p.Fragment != "" {
		return fmt.Errorf("%w: endpoint must be an absolute http or https URL", ErrPermanent)
	}
	return nil
}

// Sign is the ZITADEL-Signature value for payload at t: the unix time and a
// hex HMAC-SHA256, under key, of the time, a dot and the payload.
func Sign(t time.Time, payload []byte, key string) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(ts + "."))
	mac.Write(payload)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Webhook POSTs JSON payloads to one endpoint.
type Webhook struct {
	Endpoint   string
	SigningKey string // signs each call when set
	HTTP       *http.Client
}

// Post sends payload. A 2xx answer is success; 4xx (other than 408 and 429)
// is ErrPermanent; anything else (5xx, a timeout, a refused connection, a
// redirect) may pass on a retry.
func (w *Webhook) Post(ctx context.Context, payload []byte) error {
	if err := CheckEndpoint(w.Endpoint); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.Endpoint, bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("%w: webhook request: %v", ErrPermanent, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if w.SigningKey != "" {
		req.Header.Set(SignatureHeader, Sign(time.Now(), payload, w.SigningKey))
	}
	return do(w.client(), req, "webhook")
}

func (w *Webhook) client() *http.Client {
	if w.HTTP != nil {
		return w.HTTP
	}
	return Client(0)
}

// do sends req and classifies the answer. The error names the endpoint
// without its query (which may hold a key) and the status, never the request
// (it holds the message) nor the answer's body (which may echo it).
func do(c *http.Client, req *http.Request, what string) error {
	where := req.URL.Scheme + "://" + req.URL.Host + req.URL.Path
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, where, stripURL(err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer)) // lets a short answer's connection be reused
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	msg := fmt.Sprintf("%s %s answered %s", what, where, resp.Status)
	if resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests {
		return fmt.Errorf("%w: %s", ErrPermanent, msg)
	}
	return errors.New(msg)
}

// stripURL keeps a transport error's cause without repeating the URL.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
