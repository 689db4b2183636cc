// Package register reads a register of publications (adoption records) from
// a CSV or Excel file and imports it: every row is checked against the
// plans (department, channel, date, 字数, title), and the file is applied
// whole or not at all, with every bad row listed by line and reason.
package register

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/wordcount"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// Limits on what a register may be.
const (
	MaxCSVSize   = 1 << 30  // 1 GiB: several million rows
	MaxXLSXSize  = 64 << 20 // an xlsx is compressed and read whole; its rows expand in memory
	MaxListed    = 200      // bad rows listed in one error
	MaxTitleLen  = 500      // characters
	MaxWords     = 1_000_000
	MaxBodyBytes = 4 << 20
)

// Result says what an import did.
type Result struct {
	Rows           int64               // data rows read (blank rows not counted)
	Inserted       int64               // new publications
	Skipped        int64               // rows equal to a publication already present
	UnknownColumns []string            // header cells that are not a known column: ignored
	Encoding       string              // "GB18030" when a CSV was not UTF-8 and was read as GB18030
	Updated        []domain.WordChange // with Options.Update: publications whose 字数 was corrected
}

// RowError is one bad row (Line 0: the file as a whole).
type RowError struct {
	Line   int
	Column string
	Msg    string
}

// Error is a rejected register: nothing of it was imported.
type Error struct {
	File   string
	Rows   []RowError
	Total  int // problems in all, beyond those listed
	Lines  int // rows with at least one problem
	Header bool
	last   int // the line of the last problem reported
}

func (e *Error) Error() string {
	var b strings.Builder
	if len(e.Rows) == 1 && e.Rows[0].Line <= 1 && e.Total <= 1 {
		r := e.Rows[0]
		if r.Line == 1 {
			fmt.Fprintf(&b, "%s:1: %s（未导入任何记录）", e.File, r.Msg)
		} else {
			fmt.Fprintf(&b, "%s: %s（未导入任何记录）", e.File, r.Msg)
		}
		return b.String()
	}
	lines := max(e.Lines, 1)
	if lines == e.Total {
		fmt.Fprintf(&b, "%s: %d 行有错误，未导入任何记录：", e.File, lines)
	} else {
		fmt.Fprintf(&b, "%s: %d 行有错误（%d 处），未导入任何记录：", e.File, lines, e.Total)
	}
	for _, r := range e.Rows {
		fmt.Fprintf(&b, "\n  %s:%d", e.File, r.Line)
		if r.Column != "" {
			fmt.Fprintf(&b, " [%s]", r.Column)
		}
		fmt.Fprintf(&b, " %s", r.Msg)
	}
	if e.Total > len(e.Rows) {
		fmt.Fprintf(&b, "\n  ……另有 %d 处错误未列出", e.Total-len(e.Rows))
	}
	return b.String()
}

func fileError(file, format string, args ...any) error {
	return &Error{File: file, Rows: []RowError{{Msg: fmt.Sprintf(format, args...)}}, Total: 1}
}

// columns the register knows, by English and Chinese header.
const (
	colDepartment = "department"
	colChannel    = "channel"
	colDate       = "date"
	colTitle      = "title"
	colWords      = "words"
	colBody       = "body"
	colOutlet     = "outlet"
)

var headerNames = map[string]string{
	"department": colDepartment, "dept": colDepartment, "科室": colDepartment, "责任科室": colDepartment, "部门": colDepartment,
	"科室名称": colDepartment, "单位": colDepartment, "责任单位": colDepartment, "填报科室": colDepartment,
	"发布时间": colDate, "刊发日期": colDate, "刊发时间": colDate, "采用时间": colDate,
	"稿件名称": colTitle, "题目": colTitle, "信息标题": colTitle, "文章标题": colTitle,
	"媒体名称": colOutlet, "刊发单位": colOutlet,
	"channel": colChannel, "渠道": colChannel, "发布渠道": colChannel, "采用渠道": colChannel,
	"date": colDate, "日期": colDate, "发布日期": colDate, "采用日期": colDate,
	"title": colTitle, "标题": colTitle, "稿件标题": colTitle,
	"words": colWords, "字数": colWords,
	"body": colBody, "正文": colBody, "内容": colBody,
	"outlet": colOutlet, "媒体": colOutlet, "刊发媒体": colOutlet,
}

var columnLabel = map[string]string{
	colDepartment: "科室", colChannel: "渠道", colDate: "日期", colTitle: "标题",
	colWords: "字数", colBody: "正文", colOutlet: "媒体",
}

// schema is one kind of sheet kexuan reads: its columns by header name (key
// as headerKey makes it), their labels, the ones a header must name, and
// the order its accepted headers are listed in.
type schema struct {
	names    map[string]string
	labels   map[string]string
	required []string
	order    []string
}

// publicationsSchema is the adoption register's.
var publicationsSchema = &schema{names: headerNames, labels: columnLabel,
	required: []string{colDepartment, colChannel, colDate, colTitle},
	order:    []string{colDepartment, colChannel, colDate, colTitle, colWords, colBody, colOutlet}}

// rows is a source of records with their line (row) numbers.
type rows interface {
	// Next returns the next record and its 1-based line, or io.EOF.
	Next() ([]string, int, error)
	// Serial reports whether a date may be an Excel serial day number.
	Serial() bool
	Close() error
}

// ImportFile reads path (.csv or .xlsx) and imports it into db.
func ImportFile(ctx context.Context, db Target, path string, opt Options) (*Result, error) {
	src, name, encoding, err := openRows(path, publicationsSchema)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	res, err := Import(ctx, db, name, src, opt)
	if res != nil {
		res.Encoding = encoding
	}
	return res, err
}

// openRows opens a .csv (UTF-8 or GB18030) or .xlsx file as rows; in a
// workbook, the first sheet whose first rows hold sc's header.
func openRows(path string, sc *schema) (src rows, name, encoding string, err error) {
	name = filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		return nil, name, "", fmt.Errorf("打开 %s：%w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, name, "", err
	}
	if st.IsDir() {
		f.Close()
		return nil, name, "", fileError(name, "这是一个文件夹，不是登记表文件")
	}
	var head [8]byte
	n, _ := io.ReadFull(f, head[:])
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, name, "", err
	}
	isZip := n >= 4 && bytes.Equal(head[:4], []byte("PK\x03\x04"))
	fail := func(err error) (rows, string, string, error) {
		f.Close()
		return nil, name, "", err
	}
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".csv", ".txt":
		if isZip {
			return fail(fileError(name, "文件内容是 Excel（.xlsx），扩展名却是 %s：请改名为 .xlsx", ext))
		}
		if st.Size() > MaxCSVSize {
			return fail(fileError(name, "文件过大（%s）：CSV 登记表不能超过 %s，请分批导入", size(st.Size()), size(MaxCSVSize)))
		}
		c, enc := newCSV(f)
		return closing{c, f}, name, enc, nil
	case ".xlsx", ".xlsm":
		if !isZip {
			return fail(fileError(name, "不是有效的 .xlsx 文件（可能是 .xls 旧格式或其他文件）：请在 Excel/WPS 中另存为 .xlsx"))
		}
		if st.Size() > MaxXLSXSize {
			return fail(fileError(name, "文件过大（%s）：Excel 登记表不能超过 %s，大批数据请用 CSV", size(st.Size()), size(MaxXLSXSize)))
		}
		if err := checkWorkbook(f, st.Size()); err != nil {
			return fail(fileError(name, "%v", err))
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fail(err)
		}
		x, err := newXLSX(f, sc)
		if err != nil {
			return fail(fileError(name, "无法读取 Excel 文件：%v", err))
		}
		return closing{x, f}, name, "", nil
	case ".xls":
		return fail(fileError(name, ".xls 是旧格式：请在 Excel/WPS 中另存为 .xlsx 或 CSV（UTF-8）"))
	default:
		return fail(fileError(name, "不支持的文件类型 %q：请用 .csv（UTF-8）或 .xlsx", ext))
	}
}

// closing closes the file under rows with them.
type closing struct {
	rows
	f *os.File
}

func (c closing) Close() error {
	err := c.rows.Close()
	if ferr := c.f.Close(); err == nil {
		err = ferr
	}
	return err
}

func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d 字节", n)
}

// Target is where a register is imported: the plans its rows are checked
// against and a writer for the rows (app provides it over the store).
type Target interface {
	Plans(ctx context.Context) ([]*plan.Plan, error)
	// Closed gives, per year, the last day of its latest closed period:
	// rows dated on or before it need a reason.
	Closed(ctx context.Context) (map[int]plan.Date, error)
	BeginImport(ctx context.Context, update bool) (Writer, error)
}

// Options are an import's choices.
type Options struct {
	// Reason allows rows dated in closed periods; their effect is then
	// recorded as corrections against those periods.
	Reason string
	// Update applies rows that repeat a stored publication with other 字数
	// as corrections (a reason is required); without it they are refused.
	Update bool
	// Finish, when not nil, runs inside the import's transaction once the
	// rows are written and before it commits (res has every figure): the
	// caller's audit row and corrections land with the rows or not at all.
	// An error from it rolls the import back.
	Finish func(res *Result) error
}

// Writer takes the good rows of one import: all of them are committed, or
// none.
type Writer interface {
	Add(p domain.Publication) error
	// Commit commits what was added; then (nil: nothing) runs in the same
	// transaction before it commits, and its error rolls everything back.
	Commit(then func(inserted, skipped int64) error) (inserted, skipped int64, err error)
	Rollback()
	// Changed lists the stored publications an updating import corrected.
	Changed() []domain.WordChange
}

// ErrNoPlan: the database has no plan yet to check rows against.
var ErrNoPlan = errors.New("数据库尚未初始化：请先运行 kexuan init --db …")

// Import checks and imports the rows of one register.
func Import(ctx context.Context, db Target, name string, src rows, opt Options) (*Result, error) {
	plans, err := db.Plans(ctx)
	if err != nil {
		return nil, err
	}
	closed, err := db.Closed(ctx)
	if err != nil {
		return nil, err
	}
	if len(plans) == 0 {
		return nil, ErrNoPlan
	}
	lk := newLookup(plans)

	cols, res, err := publicationsSchema.readHeader(name, src)
	if err != nil {
		return nil, err
	}

	if opt.Update && strings.TrimSpace(opt.Reason) == "" {
		return nil, fileError(name, "按登记表修改已有记录（--update）须写明理由（--reason）")
	}
	im, err := db.BeginImport(ctx, opt.Update)
	if err != nil {
		return nil, err
	}
	// Reading and checking rows runs beside the writing: a reader goroutine
	// sends batches of good rows while the file is still clean; this one
	// writes them. A bad row stops the sending, not the checking, so that
	// every bad row is listed; the transaction is then rolled back.
	batches := make(chan []domain.Publication, 8)
	stop := make(chan struct{})
	bad := &Error{File: name}
	var readErr error
	go func() {
		defer close(batches)
		readErr = readRows(ctx, src, cols, lk, res, bad, batches, stop, closed, opt)
	}()
	var writeErr error
	for batch := range batches {
		if writeErr != nil {
			continue // drain, so the reader can finish
		}
		for _, pub := range batch {
			if err := im.Add(pub); err != nil {
				writeErr = err
				close(stop)
				break
			}
		}
	}
	switch {
	case writeErr != nil:
		im.Rollback()
		return nil, fmt.Errorf("%s: %w", name, writeErr)
	case readErr != nil:
		im.Rollback()
		return nil, readErr
	case bad.Total > 0:
		im.Rollback()
		return nil, bad
	case res.Rows == 0:
		im.Rollback()
		return nil, fileError(name, "只有表头，没有数据行")
	}
	ins, skip, err := im.Commit(func(ins, skip int64) error {
		res.Inserted, res.Skipped, res.Updated = ins, skip, im.Changed()
		if opt.Finish != nil {
			return opt.Finish(res)
		}
		return nil
	})
	var differs *domain.DiffersError
	if errors.As(err, &differs) {
		return nil, differsError(name, differs)
	}
	if err != nil {
		return nil, err
	}
	res.Inserted, res.Skipped, res.Updated = ins, skip, im.Changed()
	return res, nil
}

// differsError names every row that repeats a publication with other 字数.
func differsError(name string, d *domain.DiffersError) *Error {
	e := &Error{File: name}
	for _, c := range d.Changes {
		e.Total++
		e.Lines++
		if len(e.Rows) >= MaxListed {
			continue
		}
		msg := fmt.Sprintf("《%s》已导入，字数不同（原 %d，现 %d）：确认按登记表修改请加 --update 并写明 --reason", c.Title, c.Old, c.New)
		if c.FirstLine > 0 {
			msg = fmt.Sprintf("《%s》与第 %d 行是同一条记录，字数却不同（%d 与 %d）", c.Title, c.FirstLine, c.Old, c.New)
		}
		e.Rows = append(e.Rows, RowError{Line: c.Line, Column: columnLabel[colWords], Msg: msg})
	}
	return e
}

const sendBatch = 1000

// readRows checks every row, counts them in res, lists bad ones in bad and
// sends good ones in batches until the first bad row or a stop.
func readRows(ctx context.Context, src rows, cols map[string]int, lk *lookup, res *Result, bad *Error,
	out chan<- []domain.Publication, stop <-chan struct{}, closed map[int]plan.Date, opt Options) error {
	report := func(line int, col, format string, args ...any) {
		bad.Total++
		if line != bad.last || bad.Lines == 0 {
			bad.Lines++
			bad.last = line
		}
		if len(bad.Rows) < MaxListed {
			label := ""
			if col != "" {
				label = columnLabel[col]
			}
			bad.Rows = append(bad.Rows, RowError{Line: line, Column: label, Msg: fmt.Sprintf(format, args...)})
		}
	}
	batch := make([]domain.Publication, 0, sendBatch)
	send := func() bool {
		if len(batch) == 0 {
			return true
		}
		select {
		case out <- batch:
			batch = make([]domain.Publication, 0, sendBatch)
			return true
		case <-stop:
			return false
		}
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, line, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var le *lineError
			if errors.As(err, &le) && le.recoverable {
				report(le.line, "", "%s", le.msg)
				continue
			}
			return readError(bad.File, err)
		}
		if blank(rec) || totalRow(rec) {
			continue
		}
		res.Rows++
		pub, ok := lk.row(rec, cols, line, src.Serial(), report)
		if last, isClosed := closed[pub.Day.Year]; ok && isClosed && !pub.Day.After(last) && opt.Reason == "" {
			report(line, colDate, "%s 在已结账的期间内（截至 %s）：导入需加 --reason 说明理由，改动将作为更正列出", pub.Day, last)
			ok = false
		}
		if !ok || bad.Total > 0 {
			continue // keep checking, to list every bad row, but send nothing more
		}
		batch = append(batch, pub)
		if len(batch) == sendBatch && !send() {
			return nil
		}
	}
	if bad.Total == 0 {
		send()
	}
	return nil
}

func readError(name string, err error) error {
	var le *lineError
	if errors.As(err, &le) {
		return &Error{File: name, Rows: []RowError{{Line: le.line, Msg: le.msg}}, Total: 1}
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &Error{File: name, Rows: []RowError{{Line: pe.Line, Msg: "CSV 格式错误：" + pe.Err.Error()}}, Total: 1}
	}
	return fileError(name, "读取失败：%v", err)
}

// maxTitleRows is how many rows above the header a register may have.
const maxTitleRows = 5

// headerKey is a header cell as looked up: no BOM, no spaces inside
// (“科 室”), lower case.
func headerKey(h string) string {
	return strings.ToLower(strings.Join(strings.Fields(strings.TrimPrefix(h, "\ufeff")), ""))
}

// isHeader reports whether a row names the schema's required columns.
func (sc *schema) isHeader(rec []string) bool {
	found := map[string]bool{}
	for _, h := range rec {
		if c, ok := sc.names[headerKey(h)]; ok {
			found[c] = true
		}
	}
	for _, c := range sc.required {
		if !found[c] {
			return false
		}
	}
	return true
}

// totalRow reports a 合计/总计/小计 row at the bottom of a sheet: not data.
func totalRow(rec []string) bool {
	for _, f := range rec {
		if f = strings.Join(strings.Fields(f), ""); f != "" {
			return f == "合计" || f == "总计" || f == "小计"
		}
	}
	return false
}

// readHeader reads up to the header row, which may sit below a title row
// or two (a merged “2017年科技宣传信息登记表”, a 填报单位 line): the first of
// the first rows that names the required columns is it.
func (sc *schema) readHeader(name string, src rows) (map[string]int, *Result, error) {
	var header []string
	line := 0
	var skipped [][]string
	for {
		rec, l, err := src.Next()
		if err == io.EOF {
			if len(skipped) == 0 {
				var first []string
				for _, c := range sc.required {
					first = append(first, sc.labels[c])
				}
				return nil, nil, fileError(name, "文件是空的：第一行应是表头（%s……）", strings.Join(first, "、"))
			}
			break
		}
		if err != nil {
			return nil, nil, readError(name, err)
		}
		if blank(rec) {
			continue
		}
		if sc.isHeader(rec) {
			header, line = append([]string(nil), rec...), l
			break
		}
		if line == 0 {
			line = l
		}
		skipped = append(skipped, append([]string(nil), rec...))
		if len(skipped) > maxTitleRows {
			break
		}
	}
	if header == nil { // no row named the columns: report the first one read
		header = skipped[0]
	}
	return sc.mapHeader(name, line, header)
}

// mapHeader finds the schema's columns in a header row; a missing required
// column is refused naming the row read as the header and what is accepted.
func (sc *schema) mapHeader(name string, line int, header []string) (map[string]int, *Result, error) {
	cols := map[string]int{}
	res := &Result{}
	var probs []RowError
	for i, h := range header {
		key := headerKey(h)
		if key == "" {
			continue
		}
		c, ok := sc.names[key]
		if !ok {
			res.UnknownColumns = append(res.UnknownColumns, strings.TrimSpace(h))
			continue
		}
		if _, dup := cols[c]; dup {
			probs = append(probs, RowError{Line: line, Column: sc.labels[c], Msg: fmt.Sprintf("表头重复：%q 与前面的列是同一列", h)})
			continue
		}
		cols[c] = i
	}
	var missing []string
	for _, c := range sc.required {
		if _, ok := cols[c]; !ok {
			missing = append(missing, fmt.Sprintf("%s/%s", c, sc.labels[c]))
		}
	}
	if len(missing) > 0 {
		var accepted []string
		for _, c := range sc.order {
			var names []string
			for k, v := range sc.names {
				if v == c {
					names = append(names, k)
				}
			}
			slices.Sort(names)
			accepted = append(accepted, sc.labels[c]+"："+strings.Join(names, "/"))
		}
		probs = append(probs, RowError{Line: line, Msg: fmt.Sprintf("表头缺少列：%s（读作表头的这一行是：%s；可用的表头：%s）",
			strings.Join(missing, "、"), strings.Join(header, "，"), strings.Join(accepted, "；"))})
	}
	if len(probs) > 0 {
		return nil, nil, &Error{File: name, Rows: probs, Total: len(probs), Header: true}
	}
	return cols, res, nil
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// lookup resolves names in a register to the plans' codes.
type lookup struct {
	depts        map[string]string // raw or normalised name → code
	channels     map[string]*plan.Channel
	outlets      map[string]*plan.Channel // an outlet a register writes as the channel (河南日报)
	deptNames    []string                 // the valid names, for errors
	channelNames []string
}

func newLookup(plans []*plan.Plan) *lookup {
	lk := &lookup{depts: map[string]string{}, channels: map[string]*plan.Channel{}, outlets: map[string]*plan.Channel{}}
	for _, p := range plans { // oldest first: a newer plan's names win
		for _, d := range p.Departments {
			for _, n := range append([]string{d.Code, d.Name, d.TableName}, d.Aliases...) {
				if n != "" {
					lk.depts[n] = d.Code
					lk.depts[plan.NormalizeName(n)] = d.Code
				}
			}
		}
		for i := range p.Channels {
			ch := &p.Channels[i]
			for _, n := range append([]string{ch.Code, ch.Name}, ch.Aliases...) {
				lk.channels[n] = ch
				lk.channels[strings.ToLower(strings.TrimSpace(n))] = ch
			}
			for _, o := range ch.Outlets {
				lk.outlets[plan.NormalizeName(o)] = ch
			}
		}
	}
	if len(plans) > 0 { // the newest plan's names, for errors
		p := plans[len(plans)-1]
		lk.deptNames, lk.channelNames = nil, nil
		for _, d := range p.Departments {
			lk.deptNames = append(lk.deptNames, d.Name)
		}
		for _, ch := range p.Channels {
			lk.channelNames = append(lk.channelNames, ch.Name)
		}
	}
	return lk
}

// outlet finds the channel of an outlet written where the channel belongs
// (渠道 “河南日报” is 两报及主流媒体 in 河南日报).
func (lk *lookup) outlet(s string) (*plan.Channel, bool) {
	c, ok := lk.outlets[plan.NormalizeName(s)]
	return c, ok
}

func (lk *lookup) department(s string) (string, bool) {
	if c, ok := lk.depts[s]; ok {
		return c, true
	}
	c, ok := lk.depts[plan.NormalizeName(s)]
	return c, ok
}

func (lk *lookup) channel(s string) (*plan.Channel, bool) {
	if c, ok := lk.channels[s]; ok {
		return c, true
	}
	c, ok := lk.channels[strings.ToLower(strings.TrimSpace(s))]
	return c, ok
}

func (lk *lookup) row(rec []string, cols map[string]int, line int, serial bool,
	report func(line int, col, format string, args ...any)) (domain.Publication, bool) {
	get := func(c string) string {
		if i, ok := cols[c]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	ok := true
	fail := func(col, format string, args ...any) {
		report(line, col, format, args...)
		ok = false
	}
	p := domain.Publication{Counted: true, Source: "import", Line: line}

	if s := get(colDepartment); s == "" {
		fail(colDepartment, "科室为空")
	} else if code, found := lk.department(s); !found {
		fail(colDepartment, "未知科室 %q（应为：%s）", s, strings.Join(lk.deptNames, "、"))
	} else {
		p.Department = code
	}
	var ch *plan.Channel
	outlet := "" // an outlet written as the channel
	if s := get(colChannel); s == "" {
		fail(colChannel, "渠道为空")
	} else if c, found := lk.channel(s); found {
		ch = c
		p.Channel = c.Code
	} else if c, found := lk.outlet(s); found {
		ch, outlet = c, s
		p.Channel = c.Code
	} else {
		fail(colChannel, "未知渠道 %q（应为：%s；或媒体名称，如 河南日报）", s, strings.Join(lk.channelNames, "、"))
	}
	if s := get(colDate); s == "" {
		fail(colDate, "日期为空")
	} else if d, err := parseDate(s, serial); err != nil {
		fail(colDate, "%v", err)
	} else {
		p.Day = d
	}
	p.Title = get(colTitle)
	switch {
	case p.Title == "":
		fail(colTitle, "标题为空")
	case utf8.RuneCountInString(p.Title) > MaxTitleLen:
		fail(colTitle, "标题过长（%d 字符，最多 %d）", utf8.RuneCountInString(p.Title), MaxTitleLen)
	default:
		if what, at, bad := domain.ForbiddenChar(p.Title); bad {
			fail(colTitle, "标题含有不允许的字符 %s（第 %d 个字）", what, at)
		}
	}
	p.Outlet = get(colOutlet)
	if what, at, bad := domain.ForbiddenChar(p.Outlet); bad {
		fail(colOutlet, "媒体含有不允许的字符 %s（第 %d 个字）", what, at)
	}
	if p.Outlet == "" {
		p.Outlet = outlet
	}
	if ch != nil && ch.OutletRequired && p.Outlet == "" {
		fail(colOutlet, "%s 需要写明刊发媒体（如 河南日报）", ch.Name)
	}
	p.Body = get(colBody)
	if len(p.Body) > MaxBodyBytes {
		fail(colBody, "正文过长（超过 %s）", size(MaxBodyBytes))
	} else if what, at, bad := domain.ForbiddenChar(p.Body); bad {
		fail(colBody, "正文含有不允许的字符 %s（第 %d 个字）", what, at)
	}
	if s := get(colWords); s != "" {
		w, err := parseWords(s)
		if err != nil {
			fail(colWords, "%v", err)
		}
		p.Words = w
	} else if p.Body != "" {
		p.Words = wordcount.CountHTML(p.Body)
	}
	return p, ok
}

func parseWords(s string) (int, error) {
	s = strings.ReplaceAll(s, ",", "")
	n, err := strconv.Atoi(s)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != math.Trunc(f) || math.IsInf(f, 0) {
			return 0, fmt.Errorf("字数 %q 不是整数", s)
		}
		if f < 0 || f > MaxWords {
			return 0, fmt.Errorf("字数 %s 不合理（应在 0 到 %d 之间）", s, MaxWords)
		}
		n = int(f)
	}
	if n < 0 {
		return 0, fmt.Errorf("字数 %d 不能为负数", n)
	}
	if n > MaxWords {
		return 0, fmt.Errorf("字数 %d 不合理（最多 %d）", n, MaxWords)
	}
	return n, nil
}

// parseDate reads the date formats of the contract and, in an Excel sheet,
// a date cell's serial day number.
func parseDate(s string, serial bool) (plan.Date, error) {
	if serial {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			if f < 1 || f > 2958465 {
				return plan.Date{}, fmt.Errorf("日期 %q 不对", s)
			}
			return excelDate(int(f)), nil
		}
	}
	// A datetime cell typed as text: keep the day.
	if i := strings.IndexAny(s, " T"); i == 10 {
		s = s[:i]
	}
	return plan.ParseDate(s)
}

// excelDate converts an Excel (1900 system) serial day number.
func excelDate(n int) plan.Date {
	// Day 60 is Excel's fictitious 1900-02-29; from day 61 on, serial 1 is 1899-12-31 +1.
	if n < 61 {
		n++
	}
	return plan.DateOf(excelEpoch.AddDate(0, 0, n-1))
}

// lineError is a problem in one line of the file.
type lineError struct {
	line        int
	msg         string
	recoverable bool // the rest of the file can still be read
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// csvRows reads a UTF-8 CSV (BOM allowed) and checks the encoding line by line.
type csvRows struct {
	r      *csv.Reader
	first  bool
	closer io.Closer
}

// newCSV reads a CSV in UTF-8 (a BOM allowed) or, when its start is not
// valid UTF-8, in GB18030 — what Excel and WPS save as CSV on Chinese
// Windows; the second result names the encoding then.
func newCSV(f *os.File) (*csvRows, string) {
	br := bufio.NewReaderSize(f, 1<<20)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	var rd io.Reader = br
	enc := ""
	head, _ := br.Peek(64 << 10)
	if !utf8Prefix(head) {
		rd, enc = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder()), "GB18030"
	}
	r := csv.NewReader(rd)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	return &csvRows{r: r, first: true, closer: f}, enc
}

// utf8Prefix reports whether b is valid UTF-8 but for a rune cut at its end.
func utf8Prefix(b []byte) bool {
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return true
		}
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}

func (c *csvRows) Serial() bool { return false }
func (c *csvRows) Close() error { return nil }

func (c *csvRows) Next() ([]string, int, error) {
	rec, err := c.r.Read()
	if err != nil {
		return nil, 0, err
	}
	line, _ := c.r.FieldPos(0)
	for _, f := range rec {
		if !utf8.ValidString(f) {
			if c.first {
				return nil, line, &lineError{line: line, msg: "文件不是 UTF-8 编码（可能是 GBK/GB18030）：请在 Excel/WPS 中另存为“CSV UTF-8”"}
			}
			return nil, line, &lineError{line: line, msg: "含有非 UTF-8 字符（文件可能混用了 GBK 编码）", recoverable: true}
		}
		if strings.IndexByte(f, 0) >= 0 {
			return nil, line, &lineError{line: line, msg: "含有 NUL 字节：这像是二进制文件，不是 CSV 登记表"}
		}
	}
	c.first = false
	return rec, line, nil
}
