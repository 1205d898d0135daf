// Package fail defines Warden's domain error: one value carrying the gRPC code, the
// ZITADEL-compatible error ids (v1 and v2 APIs differ) and the human message, so
// that every layer reports the same thing and the transport maps it in one place.
package fail

import (
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"
)

// Error is a domain error with its wire identity.
type Error struct {
	Code    codes.Code
	ID      string // ZITADEL's id for the v1 (management) API
	IDv2    string // ZITADEL's id for the v2 API; empty means ID
	Message string
	Err     error // optional cause, never shown to clients
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s (%s): %v", e.Message, e.ID, e.Err)
	}
	return fmt.Sprintf("%s (%s)", e.Message, e.ID)
}

func (e *Error) Unwrap() error { return e.Err }

// IDFor returns the id the given API version uses.
func (e *Error) IDFor(v2 bool) string {
	if v2 && e.IDv2 != "" {
		return e.IDv2
	}
	return e.ID
}

// Is makes errors.Is match on code and id, so sentinel values can be compared
// even after Wrap attached a cause.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.ID == e.ID
}

// New returns an error with one id for both API versions.
func New(code codes.Code, id, message string) *Error {
	return &Error{Code: code, ID: id, Message: message}
}

// New2 returns an error whose id differs between the v1 and v2 APIs.
func New2(code codes.Code, id, idv2, message string) *Error {
	return &Error{Code: code, ID: id, IDv2: idv2, Message: message}
}

// Wrap returns a copy of e with cause attached.
func (e *Error) Wrap(cause error) *Error {
	c := *e
	c.Err = cause
	return &c
}

// Msgf returns a copy of e whose message is formatted from the arguments: for an
// error whose text names the field or limit at fault, while its code and ids stay
// those of the catalogue entry.
func (e *Error) Msgf(format string, args ...any) *Error {
	c := *e
	c.Message = fmt.Sprintf(format, args...)
	return &c
}

// As extracts a *Error from err.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Invalid returns an InvalidArgument error with a specific id and message.
func Invalid(id, message string) *Error { return New(codes.InvalidArgument, id, message) }
