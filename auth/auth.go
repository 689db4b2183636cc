// Package auth holds the password policy of SECURITY.md and password
// hashing (argon2id, with a bound on concurrent hashes). Roles and what they
// may do are the domain's.
package auth

import (
	"context"
	"testing"

	"github.com/alexedwards/argon2id"
)

// params: argon2id with 19 MiB, 2 passes (OWASP's minimum configuration).
var params = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// CheapHashesForTests makes new hashes argon2id with 64 KiB and one pass,
// for a test binary's TestMain: a test suite that creates hundreds of
// accounts spent most of its CPU hashing their passwords. Hashes name their
// parameters, so verifying is unchanged; auth's own tests keep the real cost.
// Outside a test binary it panics, so a server can never run with it.
func CheapHashesForTests() {
	if !testing.Testing() {
		panic("auth.CheapHashesForTests outside a test binary")
	}
	params = &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
}

// hashSlots bounds concurrent hashes: each takes 19 MiB.
var hashSlots = make(chan struct{}, 4)

func slot(ctx context.Context) (func(), error) {
	select {
	case hashSlots <- struct{}{}:
		return func() { <-hashSlots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// HashPassword returns an argon2id hash.
func HashPassword(ctx context.Context, pw string) (string, error) {
	release, err := slot(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return argon2id.CreateHash(pw, params)
}

// dummyHash is compared against when the user does not exist, so that an
// unknown and a known user take the same time.
var dummyHash, _ = argon2id.CreateHash("kexuan-dummy-password", params)

// VerifyPassword compares a password with a hash ("" hash: compares with a
// dummy and fails).
func VerifyPassword(ctx context.Context, pw, hash string) (bool, error) {
	release, err := slot(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	if hash == "" {
		argon2id.ComparePasswordAndHash(pw, dummyHash)
		return false, nil
	}
	return argon2id.ComparePasswordAndHash(pw, hash)
}
