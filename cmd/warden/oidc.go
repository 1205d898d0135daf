package main

import (
	"log/slog"
	"net/http"

	"github.com/warden-id/warden/internal/oidc"
)

// loginHandler is replaced by the login page once it lands.
var loginHandler = func(*oidc.Provider, bool, *slog.Logger) http.Handler { return nil }
