package web

import (
	"bytes"
	"encoding/json"
)

// planCode is a code of the plan (a theme's) as an API client sends it: a
// string, or — as the API took themes before they had codes — a number,
// which is the code of a theme that has none (0: no theme).
type planCode string

func (c *planCode) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] != '"' && !bytes.Equal(b, []byte("null")) {
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		if _, err := n.Int64(); err != nil {
			return err
		}
		*c = planCode(n.String())
		if n.String() == "0" {
			*c = ""
		}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*c = planCode(s)
	return nil
}

// codeStrings turns a list of codes into what the app takes.
func codeStrings(cs []planCode) []string {
	if cs == nil {
		return nil
	}
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}
