package testclock

import (
	"sync"
	"time"
)

// Calendar is a plan's calendar a test can move: the tests' clock until it
// is set, then the instant it was set to. A test that works a 2017 plan on
// today's clock sets it where the plan's rules need a day of that year (a
// piece approved before the day it appeared).
type Calendar struct {
	mu sync.Mutex
	at time.Time
}

// Now is the calendar's instant.
func (c *Calendar) Now() time.Time { return c.Or(Now)() }

// Or is the calendar falling back to clock (not the tests' clock) while it
// is not set: for an App whose Now a test moves.
func (c *Calendar) Or(clock func() time.Time) func() time.Time {
	return func() time.Time {
		c.mu.Lock()
		at := c.at
		c.mu.Unlock()
		if at.IsZero() {
			return clock()
		}
		return at
	}
}

// Set moves the calendar to t; the zero time gives it back to the clock.
func (c *Calendar) Set(t time.Time) {
	c.mu.Lock()
	c.at = t
	c.mu.Unlock()
}

// On runs f with the calendar at t, then puts it back. Whatever else runs
// meanwhile sees t too: call it where the test does one thing at a time.
func (c *Calendar) On(t time.Time, f func()) {
	c.mu.Lock()
	was := c.at
	c.at = t
	c.mu.Unlock()
	defer c.Set(was)
	f()
}

// EarlyIn is a working morning at the start of year in loc (3 January,
// 09:00): the day the tests' fixtures approve a piece of that year's plan,
// before any day they date its publication.
func EarlyIn(year int, loc *time.Location) time.Time {
	return time.Date(year, time.January, 3, 9, 0, 0, 0, loc)
}
