package app_test

import (
	"os"
	"testing"

	"kexuan/auth"
)

// TestMain hashes the tests' passwords cheaply (auth.CheapHashesForTests):
// the suite creates hundreds of accounts, and at the real cost hashing them
// was most of its CPU. auth's own tests keep the real cost.
func TestMain(m *testing.M) {
	auth.CheapHashesForTests()
	os.Exit(m.Run())
}
