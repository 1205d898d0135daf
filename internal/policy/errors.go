package policy

import (
	"github.com/warden-id/warden/internal/fail"
	"google.golang.org/grpc/codes"
)

// The password complexity policy's refusals, with ZITADEL's ids (its command
// layer's, which every path that sets a password answers with).
var (
	ErrPasswordTooShort = fail.Invalid("COMMA-HuJf6", "Password is too short")
	ErrPasswordNoLower  = fail.Invalid("COMMA-co3Xw", "Password must contain a lower case letter")
	ErrPasswordNoUpper  = fail.Invalid("COMMA-VoaRj", "Password must contain an upper case letter")
	ErrPasswordNoNumber = fail.Invalid("COMMA-ZBv4H", "Password must contain a number")
	ErrPasswordNoSymbol = fail.Invalid("COMMA-ZDLwA", "Password must contain a symbol")

	// ErrMinLengthNotAllowed: ZITADEL's domain id for an org policy (the
	// instance's has its own in app).
	ErrMinLengthNotAllowed = fail.New(codes.InvalidArgument, "MODEL-Lsp0e", "Minimum length must be 1 to 72")
)
