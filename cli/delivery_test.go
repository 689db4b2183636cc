package cli

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/store"
	"kexuan/store/storetest"
	"kexuan/testclock"
)

// hangingSMTP is a real SMTP server that, while hang is set, takes a
// message's data and never answers it — a server killed then is killed
// mid-delivery; afterwards it accepts messages and keeps them.
type hangingSMTP struct {
	ln   net.Listener
	mu   sync.Mutex
	hang bool
	mid  chan struct{} // closed when a delivery is in the middle
	msgs []string
}

func (s *hangingSMTP) serve(c net.Conn) {
	defer c.Close()
	w := bufio.NewWriter(c)
	say := func(l string) { w.WriteString(l + "\r\n"); w.Flush() }
	say("220 sink ESMTP")
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"), strings.HasPrefix(cmd, "MAIL"), strings.HasPrefix(cmd, "RCPT"),
			strings.HasPrefix(cmd, "RSET"), strings.HasPrefix(cmd, "NOOP"):
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
			hang := s.hang
			if hang {
				select {
				case <-s.mid:
				default:
					close(s.mid)
				}
			} else {
				s.msgs = append(s.msgs, b.String())
			}
			s.mu.Unlock()
			if hang {
				time.Sleep(time.Hour) // never answers: the sender dies waiting
				return
			}
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("502 no")
		}
	}
}

// A kexuan serve killed (SIGKILL) in the middle of sending an e-mail: the
// delivery is not lost; the next server sends it once its lease is over,
// and once only.
func TestDeliverySurvivesKill(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("kill test skipped in -short mode")
	}
	dsn := storetest.SQLite(t)
	ctx := context.Background()
	a, _, err := prepare(ctx, dsn, Env{Stderr: io.Discard, Now: testclock.Now})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	sink := &hangingSMTP{ln: ln, hang: true, mid: make(chan struct{})}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go sink.serve(c)
		}
	}()
	var admin, office *app.Actor
	for _, in := range []app.UserInput{
		{Username: "adm", Role: domain.Admin}, {Username: "off", Role: domain.Office},
		{Username: "rep", Role: domain.Reporter, Department: "hightech"},
	} {
		in.Password = crashPassword
		u, err := a.CreateUser(ctx, nil, in, false)
		if err != nil {
			t.Fatal(err)
		}
		switch in.Role {
		case domain.Admin:
			admin = &app.Actor{User: u, Address: "test"}
		case domain.Office:
			office = &app.Actor{User: u, Address: "test"}
		default:
			if err := a.SetUserEmail(ctx, &app.Actor{User: u, Address: "test"}, u.ID, "rep@example.org", true); err != nil {
				t.Fatal(err)
			}
		}
	}
	port := ln.Addr().(*net.TCPAddr).Port
	a.Delivery.MailHosts = []string{"127.0.0.1"} // the test's SMTP sink (kexuan serve --mail-host 127.0.0.1 below)
	if err := a.SetMailSettings(ctx, admin, app.MailSettings{Host: "127.0.0.1", Port: port, From: "kexuan@example.org", TLS: "none"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Remind(ctx, office, "hightech", "本月园区动态信息尚未报送"); err != nil {
		t.Fatal(err)
	}
	a.Close()

	flags := []string{"--delivery-every", "200ms", "--delivery-lease", "2s", "--mail-host", "127.0.0.1"}
	srv, _ := startServer(t, dsn, flags...)
	select {
	case <-sink.mid:
	case <-time.After(30 * time.Second):
		srv.Process.Kill()
		t.Fatal("the server never started the delivery")
	}
	srv.Process.Kill() // mid-delivery
	srv.Wait()
	sink.mu.Lock()
	sink.hang = false
	sink.mu.Unlock()

	srv2, _ := startServer(t, dsn, flags...)
	defer func() { srv2.Process.Kill(); srv2.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		sink.mu.Lock()
		n := len(sink.msgs)
		sink.mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(3 * time.Second) // a lease and more: nothing is sent twice
	sink.mu.Lock()
	msgs := append([]string(nil), sink.msgs...)
	sink.mu.Unlock()
	if len(msgs) != 1 || !strings.Contains(msgs[0], "rep@example.org") {
		t.Fatalf("after the kill: %d messages, want the one e-mail once", len(msgs))
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ds, err := db.Q().RecentDeliveries(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Channel == "email" && (d.SentAt.IsZero() || d.Attempts != 2) {
			t.Errorf("the e-mail's delivery: sent %v after %d attempts, want sent on the 2nd", d.SentAt, d.Attempts)
		}
	}
}
