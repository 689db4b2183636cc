package register

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"kexuan/domain"
	"kexuan/plan"

	"github.com/xuri/excelize/v2"
)

// memTarget is an import target that keeps the rows in memory, so the
// readers and checks are fuzzed without a database.
type memTarget struct{ rows []domain.Publication }

var builtin, _ = plan.Builtin()

func (m *memTarget) Plans(context.Context) ([]*plan.Plan, error) { return []*plan.Plan{builtin}, nil }
func (m *memTarget) Closed(context.Context) (map[int]plan.Date, error) {
	return map[int]plan.Date{}, nil
}
func (m *memTarget) BeginImport(context.Context, bool) (Writer, error) { return &memWriter{m}, nil }

type memWriter struct{ m *memTarget }

func (w *memWriter) Add(p domain.Publication) error { w.m.rows = append(w.m.rows, p); return nil }
func (w *memWriter) Commit(then func(int64, int64) error) (int64, int64, error) {
	n := int64(len(w.m.rows))
	if then != nil {
		if err := then(n, 0); err != nil {
			w.m.rows = nil
			return 0, 0, err
		}
	}
	return n, 0, nil
}
func (w *memWriter) Rollback()                    { w.m.rows = nil }
func (w *memWriter) Changed() []domain.WordChange { return nil }

// FuzzRegisterCSV: any bytes as a register never panic; what is accepted
// is whole and valid (known department and channel, a date, a title);
// what is refused says so with an *Error or a message.
func FuzzRegisterCSV(f *testing.F) {
	f.Add([]byte("科室,渠道,日期,标题,字数,媒体\n高新科,机关内网,2017-05-01,标题,300,\n"))
	f.Add([]byte("\ufeffdepartment,channel,date,title,words,outlet\nhightech,shixun,2017/3/1,t,1,\n"))
	f.Add([]byte("2017年登记表\n科 室,发布渠道,发布时间,稿件名称\n计划科,河南日报,2017年3月1日,x\n合计,,,\n"))
	f.Add([]byte("\xbf\xc6\xca\xd2,\xc7\xfe\xb5\xc0,\xc8\xd5\xc6\xda,\xb1\xea\xcc\xe2\n"))
	f.Add([]byte("科室,渠道,日期,标题\n\"高新科,机关内网,2017-05-01,\"\"标题\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "r.csv")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		importChecked(t, path)
	})
}

// FuzzEnterpriseList: any bytes as an enterprise list never panic; what is
// accepted has names and valid, distinct credit codes.
func FuzzEnterpriseList(f *testing.F) {
	f.Add([]byte("企业名称,统一社会信用代码\n甲公司,91410105MA44PQ3R1K\n"))
	f.Add([]byte("名单\n序号,名称,信用代码,园区\n1,乙,91350100m000100y43,北区\n"))
	f.Add([]byte("企业名称,统一社会信用代码\n,0\n"))
	f.Add([]byte("企业名称,统一社会信用代码,联系人,联系电话\n甲公司,91410105MA44PQ3R1K,王,0371-65881234\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "e.csv")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		rows, _, err := ReadEnterprises(context.Background(), path)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, r := range rows {
			if r.Name == "" || seen[r.CreditCode] {
				t.Fatalf("accepted %+v", r)
			}
			if _, err := domain.CheckCreditCode(r.CreditCode); err != nil {
				t.Fatalf("accepted an invalid code %q: %v", r.CreditCode, err)
			}
			if r.Phone != "" && !domain.PhoneLike(r.Phone) {
				t.Fatalf("accepted a phone %q", r.Phone)
			}
			seen[r.CreditCode] = true
		}
	})
}

// FuzzRegisterXLSX: any cells in a workbook (rows split at \n, cells at \t)
// never panic the xlsx reader; what is accepted is whole and valid. A
// workbook's bytes mutated at random mostly break its zip: the cells are
// what the reader interprets, so they are what is fuzzed.
func FuzzRegisterXLSX(f *testing.F) {
	f.Add("科室\t渠道\t日期\t标题\t字数\t媒体\n高新科\t机关内网\t2017-05-01\t标题\t300\t")
	f.Add("2017年登记表\n科 室\t发布渠道\t发布时间\t稿件名称\n计划科\t河南日报\t42795\tx\n合计")
	f.Add("department\tchannel\tdate\ttitle\nhightech\tshixun\t2017/3/1\t=1+1")
	f.Fuzz(func(t *testing.T, cells string) {
		if len(cells) > 2048 {
			return
		}
		x := excelize.NewFile()
		for i, line := range strings.Split(cells, "\n") {
			if i >= 100 {
				break
			}
			for j, v := range strings.Split(line, "\t") {
				if j >= 20 {
					break
				}
				ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if err := x.SetCellStr("Sheet1", ref, v); err != nil {
					return // a cell excelize itself will not write
				}
			}
		}
		path := filepath.Join(t.TempDir(), "r.xlsx")
		if err := x.SaveAs(path); err != nil {
			return
		}
		importChecked(t, path)
	})
}

// importChecked imports a register into memory: a refusal must say why;
// what is accepted is whole and valid (known department and channel, a
// date, a title).
func importChecked(t *testing.T, path string) {
	m := &memTarget{}
	res, err := ImportFile(context.Background(), m, path, Options{})
	if err != nil {
		if err.Error() == "" {
			t.Fatal("an error without a message")
		}
		return
	}
	if int(res.Inserted) != len(m.rows) {
		t.Fatalf("%d inserted, %d rows", res.Inserted, len(m.rows))
	}
	for _, r := range m.rows {
		if builtin.Department(r.Department) == nil || builtin.Channel(r.Channel) == nil || r.Title == "" || r.Day.Year == 0 || r.Words < 0 || !utf8.ValidString(r.Title) {
			t.Fatalf("an invalid row accepted: %+v", r)
		}
	}
}
