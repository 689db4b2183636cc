package web

import (
	"net/http"

	"kexuan/domain"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := s.App.Healthy(r.Context()); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

const loginCSRFCookie = "kexuan_login_csrf"

// formError is the message of a field error, for the form shown again.
func formError(err error) (string, bool) {
	if e := domain.ErrorOf(err); err != nil && e.Code == domain.EInvalid {
		return e.Message, true
	}
	return "", false
}
