// Package testsmtp is the tests' SMTP sink: a small real SMTP server on
// the loopback that speaks the protocol to the client (EHLO, MAIL, RCPT,
// DATA) and keeps each message; while down, it refuses sessions.
package testsmtp

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"testing"
)

// Sink is a running SMTP server; it stops when its test ends.
type Sink struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []string
	helo []string // the EHLO/HELO lines received
	down bool
	hold bool          // take a message's data and never answer it
	held chan struct{} // closed when a message is held
	stop chan struct{} // closed when the test ends
}

// Start starts a sink on 127.0.0.1.
func Start(t testing.TB) *Sink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Sink{ln: ln, held: make(chan struct{}), stop: make(chan struct{})}
	t.Cleanup(func() { close(s.stop); ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

// Port is the port the sink listens on.
func (s *Sink) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// SetDown makes the sink refuse (421) every session from now, or serve again.
func (s *Sink) SetDown(down bool) {
	s.mu.Lock()
	s.down = down
	s.mu.Unlock()
}

// Hold makes the sink take each message's data and never answer it (a
// sender killed then is killed mid-delivery), until Release; the channel
// is closed once a message is held.
func (s *Sink) Hold() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold = true
	return s.held
}

// Release makes the sink answer and keep messages again (a held session
// stays unanswered).
func (s *Sink) Release() {
	s.mu.Lock()
	s.hold = false
	s.mu.Unlock()
}

// Messages are the messages received so far, headers and body as sent.
func (s *Sink) Messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.msgs...)
}

// Greetings are the EHLO/HELO lines received so far.
func (s *Sink) Greetings() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.helo...)
}

func (s *Sink) serve(c net.Conn) {
	defer c.Close()
	s.mu.Lock()
	down := s.down
	s.mu.Unlock()
	w := bufio.NewWriter(c)
	say := func(line string) { w.WriteString(line + "\r\n"); w.Flush() }
	if down {
		say("421 service not available")
		return
	}
	say("220 sink ESMTP")
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			s.mu.Lock()
			s.helo = append(s.helo, strings.TrimSpace(line))
			s.mu.Unlock()
			say("250 sink")
		case strings.HasPrefix(cmd, "MAIL"), strings.HasPrefix(cmd, "RCPT"), strings.HasPrefix(cmd, "RSET"), strings.HasPrefix(cmd, "NOOP"):
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			hold := s.hold
			if hold {
				select {
				case <-s.held:
				default:
					close(s.held)
				}
			} else {
				s.msgs = append(s.msgs, b.String())
			}
			s.mu.Unlock()
			if hold {
				<-s.stop // never answered: the sender dies waiting
				return
			}
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}
