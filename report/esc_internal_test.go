package report

import (
	"encoding/xml"
	"strings"
	"testing"
)

// Whatever reaches a document writer, the XML it writes parses: characters
// XML forbids are left out.
func TestEscapeLeavesOutWhatXMLForbids(t *testing.T) {
	t.Parallel()
	in := "标题\uFFFF\uFFFE\x01\x1b<&>\"\ud7ff\U0010FFFD\xed\xa0\x80\t\n"
	out := `<w:t xmlns:w="w">` + esc(in) + `</w:t>`
	var v struct {
		Text string `xml:",chardata"`
	}
	if err := xml.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("the escaped text does not parse: %v\n%q", err, out)
	}
	for _, r := range []rune{0xFFFF, 0xFFFE, 0x01, 0x1b} {
		if strings.ContainsRune(v.Text, r) {
			t.Errorf("U+%04X written", r)
		}
	}
	if !strings.HasPrefix(v.Text, "标题<&>\"") {
		t.Errorf("the text: %q", v.Text)
	}
}
