package domain

import (
	"time"

	"kexuan/plan"
)

// DocumentBulletin is the kind of a 通报 in the register of issued documents.
const DocumentBulletin = "bulletin"

// Document is one entry of the office's register of issued documents
// (发文登记): the 发文字号 a document was given when first issued — the
// plan's 机关代字, the year and the next free number of that year — which it
// keeps when it is issued again.
type Document struct {
	ID         int64
	Year       int
	Seq        int    // 序号 within the year
	Number     string // 发文字号, e.g. X通〔2017〕3号
	Kind       string // DocumentBulletin
	Period     string // what it is of: 2017-03, 2017Q1, 2017
	Title      string
	Dated      plan.Date // 成文日期
	IssuedBy   int64
	IssuedName string
	IssuedAt   time.Time
}
