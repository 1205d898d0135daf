package app_test

import (
	"testing"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/store"
)

func TestCheckRedirectURIs(t *testing.T) {
	for _, c := range []struct {
		uri string
		dev bool
		ok  bool
	}{
		{"https://app.example.com/cb", false, true},
		{"https://app.example.com/cb?x=1", false, true},
		{"http://127.0.0.1:8080/cb", false, true},
		{"http://[::1]/cb", false, true},
		{"http://localhost:3000/cb", false, true},
		{"com.example.app:/oauth2redirect", false, true},
		{"http://app.example.com/cb", false, false},
		{"http://app.example.com/cb", true, true},
		{"http://localhost.evil.com/cb", false, false},
		{"http://127.0.0.1.evil.com/cb", false, false},
		{"https://app.example.com/cb#x", false, false},
		{"https://app.example.com/cb#", false, false},
		{"/cb", false, false},
		{"app.example.com/cb", false, false},
		{"https:///cb", false, false},
		{"javascript:alert(1)", true, false},
		{"JavaScript:alert(1)", true, false},
		{"data:text/html,x", true, false},
		{" https://app.example.com/cb", false, false},
		{"https://app.example.com/c b", false, false},
	} {
		err := app.CheckRedirectURIs([]string{c.uri}, c.dev)
		if (err == nil) != c.ok {
			t.Errorf("%q dev=%v: %v, want ok=%v", c.uri, c.dev, err, c.ok)
		}
	}
	if err := app.CheckRedirectURIs(nil, false); err != nil {
		t.Errorf("none: %v", err)
	}
}

func TestMatchText(t *testing.T) {
	for _, c := range []struct {
		m  store.TextMatch
		v  string
		ok bool
	}{
		{store.TextMatch{Value: "App", Method: store.TextEquals}, "App", true},
		{store.TextMatch{Value: "App", Method: store.TextEquals}, "app", false},
		{store.TextMatch{Value: "App", Method: store.TextEqualsIgnoreCase}, "app", true},
		{store.TextMatch{Value: "we", Method: store.TextStartsWith}, "web", true},
		{store.TextMatch{Value: "WE", Method: store.TextStartsWithIgnoreCase}, "web", true},
		{store.TextMatch{Value: "e", Method: store.TextContains}, "web", true},
		{store.TextMatch{Value: "EB", Method: store.TextEndsWithIgnoreCase}, "web", true},
		{store.TextMatch{Value: "x", Method: store.TextEndsWith}, "web", false},
	} {
		if got := app.MatchText(c.m, c.v); got != c.ok {
			t.Errorf("%+v on %q: %v", c.m, c.v, got)
		}
	}
}
