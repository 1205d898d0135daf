package notify_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/notify"
)

// TestWebhookClassifies: 2xx is sent; 4xx but 408 and 429 is permanent; 5xx,
// 408, 429, a redirect and a timeout may pass on a retry. No error carries
// the endpoint's query, the payload or the answer's body.
func TestWebhookClassifies(t *testing.T) {
	var status int
	var got []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		if status == 0 {
			time.Sleep(300 * time.Millisecond)
			return
		}
		if status == http.StatusFound {
			http.Redirect(w, r, "/elsewhere", status)
			return
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte("echo: " + string(got) + strings.Repeat("x", 1<<20)))
	}))
	defer srv.Close()
	hook := &notify.Webhook{Endpoint: srv.URL + "/hook?key=query-secret", HTTP: notify.Client(100 * time.Millisecond)}
	for _, c := range []struct {
		status        int
		ok, permanent bool
	}{{200, true, false}, {204, true, false}, {400, false, true}, {404, false, true}, {408, false, false}, {429, false, false},
		{500, false, false}, {503, false, false}, {http.StatusFound, false, false}, {0, false, false}} {
		t.Run(fmt.Sprint(c.status), func(t *testing.T) {
			status = c.status
			err := hook.Post(context.Background(), []byte(`{"text":"code 123456"}`))
			if (err == nil) != c.ok || errors.Is(err, notify.ErrPermanent) != c.permanent {
				t.Fatalf("status %d: %v", c.status, err)
			}
			if err != nil {
				for _, leak := range []string{"query-secret", "123456", "echo"} {
					if strings.Contains(err.Error(), leak) {
						t.Fatalf("the error carries %q: %v", leak, err)
					}
				}
			}
		})
	}
}

// TestCheckEndpoint: only absolute http(s) URLs with a host and no user info.
func TestCheckEndpoint(t *testing.T) {
	for u, ok := range map[string]bool{"https://example.com/hook": true, "http://127.0.0.1:8080/x?y=1": true,
		"ftp://example.com": false, "/relative": false, "https://": false, "https://user:pw@example.com/": false,
		"javascript:alert(1)": false, "https://example.com/#frag": false} {
		if err := notify.CheckEndpoint(u); (err == nil) != ok {
			t.Errorf("%q: %v", u, err)
		}
	}
}

// TestSignVerifies: the signature is the time and a hex HMAC-SHA256 of
// "time.payload"; another key or payload gives another one.
func TestSignVerifies(t *testing.T) {
	at := time.Unix(1700000000, 0)
	a := notify.Sign(at, []byte(`{"a":1}`), "k1")
	if !strings.HasPrefix(a, "t=1700000000,v1=") || len(a) != len("t=1700000000,v1=")+64 {
		t.Fatalf("signature %q", a)
	}
	if a == notify.Sign(at, []byte(`{"a":2}`), "k1") || a == notify.Sign(at, []byte(`{"a":1}`), "k2") || a != notify.Sign(at, []byte(`{"a":1}`), "k1") {
		t.Fatal("the signature does not depend on exactly key and payload")
	}
}
