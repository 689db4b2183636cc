package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"kexuan/domain"
)

// decode reads a JSON body into v: unknown fields and wrong types are a 422
// that names the field; anything after the object is refused; a body over
// the route's limit (set in serve) is a 413.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // an empty body: every field zero
		}
		if err := bodyError(err); domain.ErrorOf(err).Code == domain.ETooLarge {
			return err
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return &domain.Error{Code: domain.EInvalid, Field: te.Field, Message: fmt.Sprintf("类型不对：应为 %s", te.Type)}
		}
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return &domain.Error{Code: domain.EInvalid, Field: strings.Trim(f, `"`), Message: "未知字段"}
		}
		return &domain.Error{Code: domain.EInvalid, Field: "body", Message: "JSON 格式不对：" + err.Error()}
	}
	var extra json.RawMessage
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
		return nil
	case err != nil:
		if err := bodyError(err); domain.ErrorOf(err).Code == domain.ETooLarge {
			return err
		}
	}
	return &domain.Error{Code: domain.EInvalid, Field: "body", Message: "JSON 对象之后还有多余内容"}
}
