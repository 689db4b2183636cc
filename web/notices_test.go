package web_test

import (
	"net/url"
	"strings"
	"testing"

	"kexuan/domain"
	"kexuan/store/storetest"
)

type noticesOut struct {
	Notices []struct {
		ID   int64  `json:"id"`
		Kind string `json:"kind"`
		Text string `json:"text"`
		Link string `json:"link"`
		Read bool   `json:"read"`
	} `json:"notices"`
	Unread int     `json:"unread"`
	Next   *string `json:"next_cursor"`
}

func notices(t *testing.T, c *client) noticesOut {
	t.Helper()
	res, body := c.do("GET", "/api/v1/notices", nil)
	if res.StatusCode != 200 {
		t.Fatalf("notices: %d %s", res.StatusCode, body)
	}
	var out noticesOut
	decodeJSON(t, body, &out)
	return out
}

// Notices follow the work: the leader hears of a submitted piece, the
// author of its return, the office of coverage to verify, the recorder of a
// record not accepted, a department of the office's 催报; each user reads
// only their own.
func TestNotices(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		leader, rep, office := e.as("leader"), e.as("reporter"), e.as("office")
		id := e.newPiece("reporter", domain.StateSubmitted, false)
		n := notices(t, leader)
		if n.Unread != 1 || len(n.Notices) != 1 || n.Notices[0].Kind != "review" || n.Notices[0].Link != "/pieces/"+itoa(id) || n.Next != nil {
			t.Fatalf("the leader's notices: %+v", n)
		}
		if got := notices(t, e.as("leader2")); got.Unread != 0 {
			t.Errorf("a leader of another department was told: %+v", got)
		}
		if res, body := leader.do("POST", "/api/v1/pieces/"+itoa(id)+"/return", map[string]string{"comment": "请补充数据"}); res.StatusCode != 200 {
			t.Fatalf("return: %d %s", res.StatusCode, body)
		}
		if got := notices(t, leader); got.Unread != 0 || !got.Notices[0].Read {
			t.Errorf("the review notice is not settled once the piece was reviewed: %+v", got)
		}
		r := notices(t, rep)
		if r.Unread != 1 || r.Notices[0].Kind != "returned" || !strings.Contains(r.Notices[0].Text, "请补充数据") {
			t.Errorf("the author's notices: %+v", r)
		}
		// Reading: one's own only; the page shows the badge until read.
		if res, _ := rep.do("POST", "/api/v1/notices/"+itoa(n.Notices[0].ID)+"/read", nil); res.StatusCode != 404 {
			t.Errorf("reading another's notice: %d", res.StatusCode)
		}
		// The badge counts unread notices until one is opened.
		id2 := e.newPiece("reporter", domain.StateSubmitted, false)
		n = notices(t, leader)
		if _, page := leader.do("GET", "/pieces", nil); !strings.Contains(page, `id="unread">1<`) {
			t.Error("no unread badge in the header")
		}
		if res, _ := leader.form("/notices/"+itoa(n.Notices[0].ID)+"/read", url.Values{}, true); res.StatusCode != 303 || res.Header.Get("Location") != "/pieces/"+itoa(id2) {
			t.Errorf("opening a notice: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if got := notices(t, leader); got.Unread != 0 || !got.Notices[0].Read {
			t.Errorf("after reading: %+v", got)
		}
		// Coverage waits for the office; a rejection goes back to the recorder.
		approved := e.newPiece("reporter", domain.StateApproved, false)
		res, body := rep.do("POST", "/api/v1/pieces/"+itoa(approved)+"/adoptions", map[string]any{"channel": "city_site", "date": "2017-05-02", "issue": "http://kjj.zhengzhou.gov.cn/1"})
		if res.StatusCode != 201 {
			t.Fatalf("record: %d %s", res.StatusCode, body)
		}
		var rec struct {
			ID int64 `json:"id"`
		}
		decodeJSON(t, body, &rec)
		if o := notices(t, office); o.Unread != 1 || o.Notices[0].Kind != "verify" {
			t.Errorf("the office's notices: %+v", o)
		}
		if res, body := office.do("POST", "/api/v1/adoptions/"+itoa(rec.ID)+"/verify", map[string]any{"accept": false, "reason": "链接打不开"}); res.StatusCode != 200 {
			t.Fatalf("reject: %d %s", res.StatusCode, body)
		}
		if r := notices(t, rep); r.Notices[0].Kind != "rejected" || !strings.Contains(r.Notices[0].Text, "链接打不开") {
			t.Errorf("the recorder's notices: %+v", r.Notices)
		}
		// 催报: the department's reporters and head, not others; the office only.
		if res, _ := rep.do("POST", "/api/v1/departments/hightech/remind", map[string]string{"text": "x"}); res.StatusCode != 403 {
			t.Errorf("a reporter sends 催报: %d", res.StatusCode)
		}
		res, body = office.do("POST", "/api/v1/departments/hightech/remind", map[string]string{"text": "本月园区动态信息尚未报送"})
		if res.StatusCode != 200 || !strings.Contains(body, `"sent":2`) {
			t.Fatalf("remind: %d %s", res.StatusCode, body)
		}
		if h := notices(t, e.as("head")); h.Unread != 1 || h.Notices[0].Kind != "remind" {
			t.Errorf("the head's notices: %+v", h)
		}
		if o := notices(t, e.as("reporter2")); o.Unread != 0 {
			t.Errorf("another department was reminded: %+v", o)
		}
		if res, body := rep.do("POST", "/api/v1/notices/read-all", nil); res.StatusCode != 200 || !strings.Contains(body, `"read":`) {
			t.Errorf("read-all: %d %s", res.StatusCode, body)
		}
		if r := notices(t, rep); r.Unread != 0 {
			t.Errorf("after read-all: %d unread", r.Unread)
		}
	})
}

// The administrator's delivery settings: saved, the password and the robot's
// secret never shown back; a user sets their own e-mail.
func TestDeliverySettingsPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t))
	admin := e.as("admin")
	if res, body := admin.form("/admin/delivery/mail", url.Values{"host": {"smtp.example.org"}, "port": {"587"}, "tls": {"starttls"},
		"username": {"kx"}, "password": {"S3cret-Pass"}, "from": {"kexuan@example.org"}}, true); res.StatusCode != 303 {
		t.Fatalf("mail settings: %d %.300s", res.StatusCode, body)
	}
	if res, body := admin.form("/admin/delivery/webhooks/hightech", url.Values{"kind": {"dingtalk"}, "url": {"https://oapi.dingtalk.com/robot/send?access_token=TOKEN1"}, "secret": {"SECRET9"}}, true); res.StatusCode != 303 {
		t.Fatalf("webhook: %d %.300s", res.StatusCode, body)
	}
	if res, _ := admin.form("/admin/delivery/webhooks/hightech", url.Values{"kind": {"wecom"}, "url": {"https://169.254.169.254/latest"}}, true); res.StatusCode != 422 {
		t.Errorf("a metadata address as a robot: %d", res.StatusCode)
	}
	_, page := admin.do("GET", "/admin/delivery", nil)
	for _, secret := range []string{"S3cret-Pass", "SECRET9", "TOKEN1"} {
		if strings.Contains(page, secret) {
			t.Errorf("the page shows %s", secret)
		}
	}
	if !strings.Contains(page, "签名密钥已设置") || !strings.Contains(page, "已设置，留空不改") {
		t.Error("the page does not say the secrets are set")
	}
	rep := e.as("reporter")
	if res, _ := rep.form("/me/email", url.Values{"email": {"rep@example.org"}, "notify_email": {"1"}}, true); res.StatusCode != 303 {
		t.Errorf("own e-mail: %d", res.StatusCode)
	}
	if _, page := rep.do("GET", "/password", nil); !strings.Contains(page, `value="rep@example.org"`) {
		t.Error("the e-mail is not shown back to its user")
	}
	if res, _ := rep.do("GET", "/admin/delivery", nil); res.StatusCode != 403 {
		t.Errorf("a reporter opens the delivery settings: %d", res.StatusCode)
	}
}

// The return loop: the leader's comment at the top of the returned piece
// and of its edit page; 本月 lists the department's returned pieces.
func TestReturnLoop(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t))
	id := e.newPiece("reporter", domain.StateSubmitted, false)
	if res, body := e.as("leader").do("POST", "/api/v1/pieces/"+itoa(id)+"/return", map[string]string{"comment": "请补充活动成效数据"}); res.StatusCode != 200 {
		t.Fatalf("return: %d %s", res.StatusCode, body)
	}
	rep := e.as("reporter")
	for _, path := range []string{"/pieces/" + itoa(id), "/pieces/" + itoa(id) + "/edit"} {
		if _, page := rep.do("GET", path, nil); !strings.Contains(page, `id="return-comment"`) || !strings.Contains(page, "请补充活动成效数据") {
			t.Errorf("%s does not show the return comment", path)
		}
	}
	if _, page := rep.do("GET", "/month", nil); !strings.Contains(page, `id="returned-pieces"`) || !strings.Contains(page, "/pieces/"+itoa(id)) {
		t.Error("本月 does not list the returned piece")
	}
	// Once resubmitted, no comment banner.
	if res, _ := rep.do("POST", "/api/v1/pieces/"+itoa(id)+"/submit", nil); res.StatusCode != 200 {
		t.Fatalf("resubmit: %d", res.StatusCode)
	}
	if _, page := rep.do("GET", "/pieces/"+itoa(id), nil); strings.Contains(page, `id="return-comment"`) {
		t.Error("a resubmitted piece still shows the return banner")
	}
}
