package cli

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/store"
	"kexuan/store/storetest"
	"kexuan/testclock"
	"kexuan/testsmtp"
)

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
	sink := testsmtp.Start(t)
	held := sink.Hold()
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
	port := sink.Port()
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
	case <-held:
	case <-time.After(30 * time.Second):
		srv.Process.Kill()
		t.Fatal("the server never started the delivery")
	}
	srv.Process.Kill() // mid-delivery
	srv.Wait()
	sink.Release()

	srv2, _ := startServer(t, dsn, flags...)
	defer func() { srv2.Process.Kill(); srv2.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if len(sink.Messages()) > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(3 * time.Second) // a lease and more: nothing is sent twice
	msgs := sink.Messages()
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
