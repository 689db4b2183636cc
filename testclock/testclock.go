// Package testclock is the tests' one clock. By default it is the wall
// clock; with KEXUAN_TEST_NOW set to an instant (RFC 3339, such as
// 2026-12-03T23:30:00+08:00) it starts there when the test binary starts and
// runs on at the wall clock's pace. scripts/test.sh runs the date-sensitive
// packages again just before and just after midnight in Asia/Shanghai, so a
// test — or code under test — that reads time.Now instead of the clock it
// was given disagrees with the rest of the run and fails.
//
// Only tests import it; kexuan itself never reads KEXUAN_TEST_NOW.
package testclock

import (
	"fmt"
	"os"
	"time"
)

// Env is the variable that sets the tests' clock from outside.
const Env = "KEXUAN_TEST_NOW"

var (
	start = time.Now()
	base  = parse(os.Getenv(Env))
)

func parse(s string) time.Time {
	if s == "" {
		return start
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(fmt.Sprintf("%s=%q: want RFC 3339, such as 2026-12-03T23:30:00+08:00: %v", Env, s, err))
	}
	return t
}

// Now is the tests' clock: the wall clock, or KEXUAN_TEST_NOW moving on.
func Now() time.Time { return base.Add(time.Since(start)) }

// Shifted reports whether the clock was set from outside.
func Shifted() bool { return os.Getenv(Env) != "" }

// Plus returns a clock d ahead of Now (a lockout ended, a session idle).
func Plus(d time.Duration) func() time.Time {
	return func() time.Time { return Now().Add(d) }
}

// Today is the date of Now in loc, as YYYY-MM-DD.
func Today(loc *time.Location) string { return Now().In(loc).Format(time.DateOnly) }
