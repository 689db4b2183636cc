package web

import (
	"net/http"
	"strconv"

	"kexuan/app"
	"kexuan/domain"
)

// deliveryView is the administrator's page for notices beyond the page:
// the SMTP server, each department's group robot, what went out lately.
type deliveryView struct {
	Mail        *app.MailSettings
	WeCom       *app.WeComSettings
	Webhooks    map[string]domain.Webhook
	Departments []domain.DepartmentRef
	Recent      []*domain.Delivery
	Hosts       []string
	Error       string
}

func (s *Server) deliveryPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.renderDelivery(w, r, c, "")
}

func (s *Server) renderDelivery(w http.ResponseWriter, r *http.Request, c *reqCtx, msg string) error {
	m, err := s.App.MailSettings(r.Context(), c.actor)
	if err != nil {
		return err
	}
	ws, err := s.App.Webhooks(r.Context(), c.actor)
	if err != nil {
		return err
	}
	depts, err := s.App.Departments(r.Context())
	if err != nil {
		return err
	}
	wc, err := s.App.WeComSettings(r.Context(), c.actor)
	if err != nil {
		return err
	}
	recent, err := s.App.RecentDeliveries(r.Context(), c.actor)
	if err != nil {
		return err
	}
	byDept := map[string]domain.Webhook{}
	for _, wh := range ws {
		byDept[wh.Department] = wh
	}
	hosts := s.App.Delivery.WebhookHosts
	if len(hosts) == 0 {
		hosts = app.DefaultWebhookHosts
	}
	if msg != "" {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.render(w, r, c, "delivery", "通知发送", deliveryView{Mail: m, WeCom: wc, Webhooks: byDept, Departments: depts, Recent: recent, Hosts: hosts, Error: msg})
	return nil
}

func (s *Server) saveMail(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	port, _ := strconv.Atoi(r.PostFormValue("port"))
	err := s.App.SetMailSettings(r.Context(), c.actor, app.MailSettings{Host: r.PostFormValue("host"), Port: port, Username: r.PostFormValue("username"),
		Password: r.PostFormValue("password"), From: r.PostFormValue("from"), TLS: r.PostFormValue("tls"), SiteURL: r.PostFormValue("site_url")})
	if msg, ok := formError(err); ok {
		return s.renderDelivery(w, r, c, msg)
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/admin/delivery", "邮件设置已保存")
	return nil
}

func (s *Server) saveWebhook(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	err := s.App.SetWebhook(r.Context(), c.actor, domain.Webhook{Department: r.PathValue("code"), Kind: r.PostFormValue("kind"),
		URL: r.PostFormValue("url"), Secret: r.PostFormValue("secret")}, r.PostFormValue("remove") != "")
	if msg, ok := formError(err); ok {
		return s.renderDelivery(w, r, c, msg)
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/admin/delivery", "机器人设置已保存")
	return nil
}

// saveMyEmail: a user's own e-mail for notices (from the password page).
func (s *Server) saveMyEmail(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	err := s.App.SetUserEmail(r.Context(), c.actor, c.user.ID, r.PostFormValue("email"), r.PostFormValue("notify_email") != "")
	if msg, ok := formError(err); ok {
		w.WriteHeader(http.StatusUnprocessableEntity)
		s.render(w, r, c, "password", "修改密码", s.passwordPageView(c, msg))
		return nil
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/password", "通知设置已保存")
	return nil
}
