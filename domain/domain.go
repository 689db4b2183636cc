// Package domain is kexuan's vocabulary: the entities (pieces, adoptions,
// publications, users, sessions, audit entries), their typed states and
// roles, the transition table of a piece, who may do what to which piece
// (Allow, ActionsOf — used by app to decide and by the pages to show the
// buttons), and the error type with its codes. It imports only the pure core
// (plan); storage, HTTP and rendering are other packages' business.
package domain

import (
	"errors"
	"fmt"
)

// Error codes. What a code means to HTTP is the web package's business.
const (
	EInvalid      = "invalid"      // a field is wrong
	EUnauthorized = "unauthorized" // not signed in
	EForbidden    = "forbidden"    // signed in, not allowed
	ENotFound     = "not_found"    // no such object, or not visible to the actor
	EConflict     = "conflict"     // wrong state, duplicate, someone acted first
	ETooMany      = "too_many"     // throttled
	ETooLarge     = "too_large"    // a request body over its route's limit
	EUnsupported  = "unsupported"  // a body of a type the route does not take
	EMethod       = "method"       // a path that exists, asked with a method it does not take
	EUnavailable  = "unavailable"  // a service kexuan depends on (企业微信) cannot be reached now
	EInternal     = "internal"     // anything else; logged, not shown
)

// Error is what a user is told; internal errors are logged, not shown.
type Error struct {
	Code    string
	Field   string // the field at fault, for EInvalid
	Message string // zh-CN, safe to show
}

func (e *Error) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Message
	}
	return e.Message
}

// ErrorOf returns the *Error in err, or an internal one.
func ErrorOf(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: EInternal, Message: "服务器内部错误"}
}

// Invalid is an EInvalid error on a field.
func Invalid(field, format string, args ...any) error {
	return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Forbidden is an EForbidden error.
func Forbidden(format string, args ...any) error {
	return &Error{Code: EForbidden, Message: fmt.Sprintf(format, args...)}
}

// Conflict is an EConflict error.
func Conflict(format string, args ...any) error {
	return &Error{Code: EConflict, Message: fmt.Sprintf(format, args...)}
}

// ErrNotFound is the answer for an object that does not exist and for one
// the actor may not see alike, so that ids cannot be probed.
var ErrNotFound = &Error{Code: ENotFound, Message: "没有找到，或无权查看"}
