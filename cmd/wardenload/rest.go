package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// newHTTPClient returns one client for all load clients, keeping a warm
// connection per load client: the default transport keeps only 2 idle
// connections per host, so 32 clients would re-dial constantly and measure
// TCP setup instead of the server.
func newHTTPClient(clients int) *http.Client {
	t := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        clients * 4,
		MaxIdleConnsPerHost: clients * 2,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false, // REST clients speak HTTP/1.1 with keep-alive
	}
	return &http.Client{Transport: t, Timeout: 30 * time.Second}
}

// postJSON posts body (`{}` when nil) and fails unless the answer is 200. When
// out is not nil the response is decoded into it.
func postJSON(ctx context.Context, c *http.Client, url, token string, body any, out ...any) error {
	payload := []byte("{}")
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// Read to the end so the connection goes back to the pool.
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: HTTP %d: %s", url, resp.StatusCode, bytes.TrimSpace(b))
	}
	if len(out) > 0 {
		if err := json.Unmarshal(b, out[0]); err != nil {
			return fmt.Errorf("decode response of %s: %w", url, err)
		}
	}
	return nil
}

// restDriver runs lock/unlock as ZITADEL's v1 REST users do.
type restDriver struct {
	targets []string
	token   string
	http    *http.Client
	// urls[i] holds client i's lock and unlock URL, built once.
	urls [][2]string
}

func newRESTDriver(c config) (*restDriver, error) {
	if c.token == "" {
		return nil, fmt.Errorf("-protocol rest needs -token-file or -token")
	}
	return &restDriver{targets: c.targets, token: c.token, http: newHTTPClient(c.clients)}, nil
}

func (r *restDriver) setup(ctx context.Context, clients int, prefix string) error {
	r.urls = make([][2]string, clients)
	for i := range clients {
		base := r.targets[i%len(r.targets)]
		var out struct {
			UserID string `json:"userId"`
		}
		in := map[string]string{"userName": fmt.Sprintf("%s-%d", prefix, i), "name": "load client"}
		if err := postJSON(ctx, r.http, base+"/management/v1/users/machine", r.token, in, &out); err != nil {
			return fmt.Errorf("create user %d: %w", i, err)
		}
		if out.UserID == "" {
			return fmt.Errorf("create user %d: no userId in the answer", i)
		}
		u := base + "/management/v1/users/" + out.UserID
		r.urls[i] = [2]string{u + "/_lock", u + "/_unlock"}
	}
	return nil
}

func (r *restDriver) op(ctx context.Context, client, n int) error {
	return postJSON(ctx, r.http, r.urls[client][n%2], r.token, nil)
}

func (r *restDriver) close() { r.http.CloseIdleConnections() }
