package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kexuan/store/storetest"
)

// The plan's forms become the year's activities: the plan's fixed days set,
// the office or a responsible department writes dates, status, a summary
// and evidence; a piece says which activity it reports; past its day an
// activity without them is flagged.
func TestActivities(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.app.Now = func() time.Time { return time.Date(2017, 6, 1, 10, 0, 0, 0, time.UTC) }
		office, rep, rep2, leader := e.as("office"), e.as("reporter"), e.as("reporter2"), e.as("leader")
		type act struct {
			ID         int64
			Form       int
			Title      string
			FirstDay   *string `json:"first_day"`
			Status     string
			Files      int
			Pieces     int
			Missing    []string
			Lead       []string
			Responsibl []string `json:"responsible"`
		}
		list := func(c *client) map[int]act {
			t.Helper()
			res, body := c.do("GET", "/api/v1/activities?year=2017", nil)
			if res.StatusCode != 200 {
				t.Fatalf("activities: %d %s", res.StatusCode, body)
			}
			var out struct{ Activities []act }
			decodeJSON(t, body, &out)
			m := map[int]act{}
			for _, a := range out.Activities {
				m[a.Form] = a
			}
			return m
		}
		acts := list(leader)
		if len(acts) != 9 {
			t.Fatalf("%d activities, want the plan's 9 forms", len(acts))
		}
		// 4.26 is the plan's day for form 2 (知识产权日, 知识产权科's): past on 1 June, nothing done.
		ipDay := acts[2]
		if ipDay.FirstDay == nil || *ipDay.FirstDay != "2017-04-26" || len(ipDay.Missing) != 3 {
			t.Fatalf("form 2: %+v", ipDay)
		}
		if acts[1].FirstDay != nil || len(acts[1].Missing) != 0 {
			t.Errorf("科技活动周 before its dates are set: %+v", acts[1])
		}
		// Past its day and lacking, an activity is told to the office and its
		// departments once: 4.26 (知识产权科) and 5.12 (综合科) by 1 June.
		if n, err := e.app.RemindActivities(context.Background()); err != nil || n != 2 {
			t.Errorf("activity reminders: %d %v", n, err)
		}
		if n, err := e.app.RemindActivities(context.Background()); err != nil || n != 0 {
			t.Errorf("activity reminders again: %d %v", n, err)
		}
		var notes struct{ Notices []struct{ Text, Link string } }
		_, body0 := rep2.do("GET", "/api/v1/notices", nil)
		decodeJSON(t, body0, &notes)
		if len(notes.Notices) == 0 || !strings.Contains(notes.Notices[0].Text, "4.26世界知识产权日宣传") {
			t.Errorf("知识产权科 was not told: %+v", notes.Notices)
		}
		id := itoa(ipDay.ID)
		// 高新科's reporter is not responsible for form 2; 知识产权科's is.
		if res, _ := rep.form("/activities/"+id, url.Values{"status": {"done"}, "summary": {"x"}}, true); res.StatusCode != 403 {
			t.Errorf("another department edits the activity: %d", res.StatusCode)
		}
		res, page := rep2.form("/activities/"+id, url.Values{"first_day": {"2017-04-26"}, "last_day": {"2017-04-20"}, "status": {"done"}, "summary": {"知识产权宣传周活动"}}, true)
		if res.StatusCode != 422 || !strings.Contains(page, "结束日期早于开始日期") || !strings.Contains(page, ">知识产权宣传周活动</textarea>") {
			t.Errorf("refused dates: %d", res.StatusCode)
		}
		if res, _ = rep2.form("/activities/"+id, url.Values{"first_day": {"2017-04-20"}, "last_day": {"2017-04-26"}, "status": {"done"},
			"summary": {"举办知识产权宣传周，发放资料 2000 份。"}}, true); res.StatusCode != 303 && res.StatusCode != 200 {
			t.Fatalf("update: %d", res.StatusCode)
		}
		// Evidence: a photo.
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("csrf", rep2.csrf())
		fw, _ := mw.CreateFormFile("file", "现场.png")
		fw.Write(pngBytes())
		mw.Close()
		req, _ := http.NewRequest("POST", e.ts.URL+"/activities/"+id+"/files", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		if res, _ := rep2.send(req); res.StatusCode != 303 && res.StatusCode != 200 {
			t.Fatalf("upload: %d", res.StatusCode)
		}
		// A piece reports the activity.
		res, body := rep2.do("POST", "/api/v1/pieces", map[string]any{"title": "知识产权宣传周", "body": "<p>宣传周活动圆满结束。</p>", "themes": []int{1}, "activity": ipDay.ID})
		if res.StatusCode != 201 {
			t.Fatalf("piece: %d %s", res.StatusCode, body)
		}
		if res, body = rep2.do("POST", "/api/v1/pieces", map[string]any{"title": "x", "body": "<p>正文。</p>", "activity": 999999}); res.StatusCode != 422 || !strings.Contains(body, `"field":"activity"`) {
			t.Errorf("a piece for no activity: %d %s", res.StatusCode, body)
		}
		got := list(office)[2]
		if got.Status != "done" || got.Files != 1 || got.Pieces != 1 || len(got.Missing) != 0 || *got.FirstDay != "2017-04-20" {
			t.Errorf("after the work: %+v", got)
		}
		_, page = leader.do("GET", "/activities/"+id, nil)
		for _, want := range []string{"4.26世界知识产权日宣传", "举办知识产权宣传周", "现场.png", "知识产权宣传周", "已完成"} {
			if !strings.Contains(page, want) {
				t.Errorf("the activity page lacks %s", want)
			}
		}
		if strings.Contains(page, `id="activity-form"`) {
			t.Error("a leader is offered the edit form")
		}
		_, page = office.do("GET", "/activities", nil)
		if !strings.Contains(page, `id="activity-3"`) || !strings.Contains(page, "5.12防灾减灾日宣传") {
			t.Error("the year's activities page")
		}
	})
}

func pngBytes() []byte {
	return []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde")
}
