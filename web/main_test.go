package web_test

import (
	"os"
	"testing"

	"kexuan/auth"
)

// TestMain hashes the tests' passwords cheaply (auth.CheapHashesForTests):
// the suite creates hundreds of accounts, and at the real cost hashing them
// was most of its CPU. auth's own tests keep the real cost. The
// package's Chromium (browser) is closed when the tests are done.
func TestMain(m *testing.M) {
	auth.CheapHashesForTests()
	code := m.Run()
	closeBrowser()
	os.Exit(code)
}
