package app

import (
	"sync"
	"time"
)

// Sign-in throttle: failed attempts are counted per client address and per
// (client address, account), whatever the account's state — unknown,
// disabled, locked or a wrong password all count alike, so the throttle
// tells no account from another. A client is throttled for an account after
// AccountClientLimit failures in the window, and for every account after
// ClientLimit (password spraying). Behind a reverse proxy the address is the
// one the trusted proxy forwards (web: --trust-proxy).
const (
	AccountClientLimit = 20
	ClientLimit        = 100
	ThrottleWindow     = 10 * time.Minute
)

// throttle counts failures in a sliding window per key. It also remembers
// when a key's throttling was last audited, so that an attacker hammering a
// throttled key gets one audit row per window, not one per request.
type throttle struct {
	mu     sync.Mutex
	window time.Duration
	fails  map[string][]time.Time
	noted  map[string]time.Time
	sweep  time.Time
}

func newThrottle(window time.Duration) *throttle {
	return &throttle{window: window, fails: map[string][]time.Time{}, noted: map[string]time.Time{}}
}

func clientKey(addr string) string            { return "c\x00" + addr }
func accountKey(addr, username string) string { return "a\x00" + addr + "\x00" + username }

func (t *throttle) prune(key string, now time.Time) []time.Time {
	old := t.fails[key]
	kept := old[:0]
	for _, at := range old {
		if now.Sub(at) < t.window {
			kept = append(kept, at)
		}
	}
	if len(kept) == 0 {
		delete(t.fails, key)
		return nil
	}
	t.fails[key] = kept
	return kept
}

// sweepAll drops every expired key, at most once a window, so that keys made
// of attacker-chosen names cannot grow the maps without bound.
func (t *throttle) sweepAll(now time.Time) {
	if now.Sub(t.sweep) < t.window {
		return
	}
	t.sweep = now
	for k := range t.fails {
		t.prune(k, now)
	}
	for k, at := range t.noted {
		if now.Sub(at) >= t.window {
			delete(t.noted, k)
		}
	}
}

// allow reports whether a client may try to sign in to an account now; when
// it may not, first reports whether this is the first refusal of the window
// (the one to audit).
func (t *throttle) allow(addr, username string, now time.Time) (ok, first bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sweepAll(now)
	key := ""
	switch {
	case len(t.prune(clientKey(addr), now)) >= ClientLimit:
		key = clientKey(addr)
	case len(t.prune(accountKey(addr, username), now)) >= AccountClientLimit:
		key = accountKey(addr, username)
	default:
		return true, false
	}
	if at, seen := t.noted[key]; seen && now.Sub(at) < t.window {
		return false, false
	}
	t.noted[key] = now
	return false, true
}

// fail counts a failed attempt.
func (t *throttle) fail(addr, username string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range []string{clientKey(addr), accountKey(addr, username)} {
		t.fails[k] = append(t.prune(k, now), now)
	}
}
