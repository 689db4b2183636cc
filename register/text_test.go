package register

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A register row whose title holds what a document cannot is refused with
// its file, line and field; nothing of the file is imported.
func TestRegisterRefusesWhatDocumentsCannotHold(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "登记表.csv")
	text := "科室,渠道,日期,标题,字数,媒体\n高新科,机关内网,2017-05-18,好的标题,367,\n高新科,机关内网,2017-05-19,坏的标题\uFFFF,367,\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	m := &memTarget{}
	_, err := ImportFile(context.Background(), m, path, Options{})
	if err == nil || !strings.Contains(err.Error(), "登记表.csv") || !strings.Contains(err.Error(), "3") ||
		!strings.Contains(err.Error(), "标题") || !strings.Contains(err.Error(), "U+FFFF") {
		t.Fatalf("the row with U+FFFF: %v", err)
	}
	if len(m.rows) != 0 {
		t.Errorf("%d rows imported from a refused file", len(m.rows))
	}
}
