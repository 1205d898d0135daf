package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// The sign-in side's hot paths, measured like the lock loop: the client
// credentials grant, token introspection by a resource server, and userinfo.

// machineSecret creates a machine user with a client secret on base.
func machineSecret(ctx context.Context, c *http.Client, base, token, name string) (clientID, secret string, err error) {
	var u struct {
		UserID string `json:"userId"`
	}
	if err := postJSON(ctx, c, base+"/management/v1/users/machine", token, map[string]string{"userName": name, "name": "load client"}, &u); err != nil {
		return "", "", fmt.Errorf("create machine user: %w", err)
	}
	var s struct {
		ClientID     string `json:"clientId"`
		ClientSecret string `json:"clientSecret"`
	}
	if err := doJSON(ctx, c, http.MethodPut, base+"/management/v1/users/"+u.UserID+"/secret", token, &s); err != nil {
		return "", "", fmt.Errorf("generate secret: %w", err)
	}
	return s.ClientID, s.ClientSecret, nil
}

func doJSON(ctx context.Context, c *http.Client, method, url, token string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader("{}"))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: HTTP %d: %s", method, url, resp.StatusCode, b)
	}
	return json.Unmarshal(b, out)
}

// postForm posts an OAuth2 form with client basic auth and decodes the answer.
func postForm(ctx context.Context, c *http.Client, u, user, pass string, form url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(pass))
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: HTTP %d: %s", u, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

type tokenAnswer struct {
	AccessToken string `json:"access_token"`
}

// oauthDriver runs one of the sign-in operations.
type oauthDriver struct {
	kind    string // client-credentials, introspect, userinfo
	targets []string
	token   string
	http    *http.Client
	// per client: the machine's credentials and a token it was issued
	ids, secrets, tokens []string
	// the resource server that introspects
	apiID, apiSecret string
}

func newOAuthDriver(c config) (*oauthDriver, error) {
	if c.token == "" {
		return nil, fmt.Errorf("-protocol %s needs -token-file or -token", c.protocol)
	}
	return &oauthDriver{kind: c.protocol, targets: c.targets, token: c.token, http: newHTTPClient(c.clients)}, nil
}

func (o *oauthDriver) setup(ctx context.Context, clients int, prefix string) error {
	base := o.targets[0]
	scope := "openid"
	if o.kind == "introspect" {
		var p struct {
			ID string `json:"id"`
		}
		if err := postJSON(ctx, o.http, base+"/management/v1/projects", o.token, map[string]string{"name": prefix + "-project"}, &p); err != nil {
			return fmt.Errorf("create project: %w", err)
		}
		var a struct {
			ClientID     string `json:"clientId"`
			ClientSecret string `json:"clientSecret"`
		}
		if err := postJSON(ctx, o.http, base+"/management/v1/projects/"+p.ID+"/apps/api", o.token,
			map[string]string{"name": "load api", "authMethodType": "API_AUTH_METHOD_TYPE_BASIC"}, &a); err != nil {
			return fmt.Errorf("create api app: %w", err)
		}
		o.apiID, o.apiSecret = a.ClientID, a.ClientSecret
		scope += " urn:zitadel:iam:org:project:id:" + p.ID + ":aud"
	}
	for i := range clients {
		id, secret, err := machineSecret(ctx, o.http, o.targets[i%len(o.targets)], o.token, fmt.Sprintf("%s-%d", prefix, i))
		if err != nil {
			return fmt.Errorf("client %d: %w", i, err)
		}
		var t tokenAnswer
		if err := postForm(ctx, o.http, base+"/oauth/v2/token", id, secret, url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}, &t); err != nil {
			return fmt.Errorf("client %d token: %w", i, err)
		}
		o.ids, o.secrets, o.tokens = append(o.ids, id), append(o.secrets, secret), append(o.tokens, t.AccessToken)
	}
	return nil
}

func (o *oauthDriver) op(ctx context.Context, client, _ int) error {
	base := o.targets[client%len(o.targets)]
	switch o.kind {
	case "client-credentials":
		var t tokenAnswer
		err := postForm(ctx, o.http, base+"/oauth/v2/token", o.ids[client], o.secrets[client],
			url.Values{"grant_type": {"client_credentials"}, "scope": {"openid"}}, &t)
		if err == nil && t.AccessToken == "" {
			err = fmt.Errorf("no access token")
		}
		return err
	case "introspect":
		var r struct {
			Active bool `json:"active"`
		}
		err := postForm(ctx, o.http, base+"/oauth/v2/introspect", o.apiID, o.apiSecret, url.Values{"token": {o.tokens[client]}}, &r)
		if err == nil && !r.Active {
			err = fmt.Errorf("token inactive")
		}
		return err
	default: // userinfo
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/oidc/v1/userinfo", nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+o.tokens[client])
		resp, err := o.http.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("userinfo: HTTP %d", resp.StatusCode)
		}
		return nil
	}
}

func (o *oauthDriver) close() { o.http.CloseIdleConnections() }
