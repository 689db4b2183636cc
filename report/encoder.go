package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"kexuan/plan"
	"kexuan/scoring"
)

// Encoder is one kind of document kexuan writes of an assessment: the
// command line, the pages' downloads and the audit all go through it.
type Encoder interface {
	// Format is the name --format and ?format= take.
	Format() string
	// Ext is the file extension, with its dot.
	Ext() string
	// ContentType is the document's media type.
	ContentType() string
	// Encode writes the document of r under plan p, made at made (its
	// 制表日期 and properties; one clock, the caller's).
	Encode(w io.Writer, p *plan.Plan, r *scoring.Result, made time.Time) error
	// Ledgers reports whether the document prints every department's
	// ledger a publication a line (titled and dated): r is then scored
	// with one entry per publication.
	Ledgers() bool
}

type encoder struct {
	format, ext, contentType string
	encode                   func(io.Writer, *plan.Plan, *scoring.Result, time.Time) error
	ledgers                  bool
}

func (e encoder) Ledgers() bool { return e.ledgers }

func (e encoder) Format() string      { return e.format }
func (e encoder) Ext() string         { return e.ext }
func (e encoder) ContentType() string { return e.contentType }
func (e encoder) Encode(w io.Writer, p *plan.Plan, r *scoring.Result, made time.Time) error {
	return e.encode(w, p, r, made)
}

// undated is an encoder whose document carries no date of its own.
func undated(f func(io.Writer, *plan.Plan, *scoring.Result) error) func(io.Writer, *plan.Plan, *scoring.Result, time.Time) error {
	return func(w io.Writer, p *plan.Plan, r *scoring.Result, _ time.Time) error { return f(w, p, r) }
}

// The encoders of the year's assessment (one row per department).
var (
	JSONEncoder  Encoder = encoder{"json", ".json", "application/json; charset=utf-8", func(w io.Writer, _ *plan.Plan, r *scoring.Result, _ time.Time) error { return JSON(w, r) }, false}
	TableEncoder Encoder = encoder{"table", ".txt", "text/plain; charset=utf-8", undated(Table), false}
	CSVEncoder   Encoder = encoder{"csv", ".csv", "text/csv; charset=utf-8", undated(CSV), false}
	XLSXEncoder  Encoder = encoder{"xlsx", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", XLSX, true}
)

// The encoders of a department's ledger (every line, each publication with
// its title): r holds that department, scored with one entry per
// publication.
var (
	LedgerCSVEncoder  Encoder = encoder{"csv", ".csv", "text/csv; charset=utf-8", undated(LedgerCSV), false}
	LedgerXLSXEncoder Encoder = encoder{"xlsx", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", LedgerXLSX, true}
)

// Encoders are the assessment's encoders by format; LedgerEncoders the
// ledger's.
var (
	Encoders       = []Encoder{JSONEncoder, TableEncoder, CSVEncoder, XLSXEncoder}
	LedgerEncoders = []Encoder{LedgerCSVEncoder, LedgerXLSXEncoder, LedgerTableEncoder}
)

// Formats the report command writes.
var Formats = formats(Encoders)

func formats(es []Encoder) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Format())
	}
	return out
}

// Find returns the encoder of a format among es.
func Find(es []Encoder, format string) (Encoder, error) {
	i := slices.IndexFunc(es, func(e Encoder) bool { return e.Format() == format })
	if i < 0 {
		return nil, fmt.Errorf("未知格式 %q：可用 %s", format, strings.Join(formats(es), "、"))
	}
	return es[i], nil
}
