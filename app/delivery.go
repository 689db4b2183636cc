package app

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/mail"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"kexuan/domain"
	"kexuan/secret"
	"kexuan/store"
)

// DefaultWebhookHosts are the group-robot hosts a webhook may call: 企业微信
// and 钉钉. `kexuan serve --webhook-host` adds more.
var DefaultWebhookHosts = []string{"qyapi.weixin.qq.com", "oapi.dingtalk.com"}

// DeliveryPolicy bounds where kexuan sends notices.
type DeliveryPolicy struct {
	WebhookHosts []string // hosts a webhook URL may name (https only)
	// MailHosts are the loopback or link-local mail servers the command
	// line allowed (kexuan serve --mail-host); any other such host is
	// refused, so that the mail settings cannot reach this machine's own
	// ports or the cloud's metadata address.
	MailHosts []string
	AllowHTTP bool // tests' local sinks: plain http allowed too
	Client    *http.Client
	Lease     time.Duration // how long a server holds a delivery it sends (0: Lease)
}

// Delivery attempts: back-off doubles from RetryBase, at most RetryMax, and
// a delivery is given up after MaxAttempts.
const (
	RetryBase   = 30 * time.Second
	RetryMax    = time.Hour
	MaxAttempts = 8
	Lease       = 2 * time.Minute // how long a server holds a delivery it is sending
)

// SMTP settings keys.
const (
	setSMTPHost, setSMTPPort, setSMTPUser, setSMTPPassword, setSMTPFrom, setSMTPTLS, setSiteURL = "smtp_host", "smtp_port", "smtp_user", "smtp_password", "smtp_from", "smtp_tls", "site_url"
)

// MailSettings are the SMTP server notices go out through.
type MailSettings struct {
	Host        string
	Port        int
	Username    string
	Password    string // on input: "" keeps the stored one; never returned
	PasswordSet bool
	From        string
	TLS         string // starttls, tls, none
	SiteURL     string // the address people open kexuan at, for links in messages
	// SiteURLFixed: SiteURL is the server's (App.SiteURL), not a setting.
	SiteURLFixed bool
}

// siteURL is the address links in messages begin with: the server's,
// else the delivery setting.
func (a *App) siteURL(settings map[string]string) string {
	return cmp.Or(a.SiteURL, settings[setSiteURL])
}

// MailSettings returns the SMTP settings, the password left out
// (administrators only).
func (a *App) MailSettings(ctx context.Context, act *Actor) (_ *MailSettings, err error) {
	defer a.refused(ctx, act, "settings_read", "delivery", &err)
	if !act.Role.Can(domain.PermUsers) {
		return nil, forbidden("只有管理员可以设置通知发送")
	}
	m, err := a.mailSettings(ctx)
	if err != nil {
		return nil, err
	}
	m.PasswordSet, m.Password = m.Password != "", ""
	return m, nil
}

func (a *App) mailSettings(ctx context.Context) (*MailSettings, error) {
	s, err := a.DB.Q().Settings(ctx)
	if err != nil {
		return nil, err
	}
	port, _ := strconv.Atoi(s[setSMTPPort])
	return &MailSettings{Host: s[setSMTPHost], Port: port, Username: s[setSMTPUser], Password: a.open(s[setSMTPPassword], setSMTPPassword), From: s[setSMTPFrom],
		TLS: s[setSMTPTLS], SiteURL: a.siteURL(s), SiteURLFixed: a.SiteURL != ""}, nil
}

// SetMailSettings stores the SMTP settings (administrators only); an empty
// password keeps the stored one. Audited, the password never written there.
func (a *App) SetMailSettings(ctx context.Context, act *Actor, in MailSettings) (err error) {
	defer a.refused(ctx, act, "settings_update", "delivery", &err)
	if !act.Role.Can(domain.PermUsers) {
		return forbidden("只有管理员可以设置通知发送")
	}
	in.Host, in.From, in.Username, in.SiteURL = strings.TrimSpace(in.Host), strings.TrimSpace(in.From), strings.TrimSpace(in.Username), strings.TrimSpace(in.SiteURL)
	if in.Host != "" {
		if in.Port <= 0 || in.Port > 65535 {
			return invalid("port", "端口应为 1–65535")
		}
		if _, err := mail.ParseAddress(in.From); err != nil {
			return invalid("from", "发件地址不对")
		}
	}
	if !slices.Contains([]string{"starttls", "tls", "none"}, in.TLS) {
		return invalid("tls", "加密方式应为 starttls、tls 或 none")
	}
	if in.Host != "" {
		if err := a.checkMailHost(ctx, in.Host); err != nil {
			return err
		}
	}
	if in.TLS == "none" && in.Username != "" {
		return invalid("tls", "用户名和密码只经加密连接（starttls 或 tls）发给邮件服务器：请选择加密方式，或不填用户名")
	}
	if in.SiteURL != "" {
		if u, err := url.Parse(in.SiteURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return invalid("site_url", "系统地址应为 https://… ")
		}
	}
	set := map[string]string{setSMTPHost: in.Host, setSMTPPort: strconv.Itoa(in.Port), setSMTPUser: in.Username,
		setSMTPFrom: in.From, setSMTPTLS: in.TLS, setSiteURL: strings.TrimRight(in.SiteURL, "/")}
	if a.SiteURL != "" {
		delete(set, setSiteURL) // the server's address stands; the form only shows it
	}
	return a.DB.InTx(ctx, func(q *store.Q) error {
		for k, v := range set {
			if err := q.SetSetting(ctx, k, v); err != nil {
				return err
			}
		}
		if in.Password != "" {
			// Sealed like personal data: a copy of the database does not
			// give the mail account away.
			sealed, err := a.seal(in.Password, setSMTPPassword)
			if err != nil {
				return err
			}
			if err := q.SetSetting(ctx, setSMTPPassword, sealed); err != nil {
				return err
			}
		}
		return a.audit(ctx, q, act, "settings_update", "delivery", domain.AuditOK,
			fmt.Sprintf("邮件服务器 %s:%d，发件人 %s，加密 %s%s", in.Host, in.Port, in.From, in.TLS, map[bool]string{true: "；密码已更换"}[in.Password != ""]))
	})
}

// checkWebhookURL allows https URLs to the allowlisted robot hosts only, so
// that the server cannot be made to call into the internal network.
func (a *App) checkWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return invalid("url", "机器人地址不对")
	}
	if u.Scheme != "https" && !(a.Delivery.AllowHTTP && u.Scheme == "http") {
		return invalid("url", "机器人地址须为 https")
	}
	if !slices.Contains(a.webhookHosts(), strings.ToLower(u.Host)) {
		return invalid("url", "只允许企业微信、钉钉等已登记的机器人地址（%s）", strings.Join(a.webhookHosts(), "、"))
	}
	return nil
}

func (a *App) webhookHosts() []string {
	if len(a.Delivery.WebhookHosts) > 0 {
		return a.Delivery.WebhookHosts
	}
	return DefaultWebhookHosts
}

// SetWebhook sets a department's group robot (administrators only); an
// empty URL or secret keeps the stored one (the page never shows them
// whole); remove deletes the robot.
func (a *App) SetWebhook(ctx context.Context, act *Actor, w domain.Webhook, remove bool) (err error) {
	defer a.refused(ctx, act, "webhook_update", "department:"+domain.Clip(w.Department, 40), &err)
	if !act.Role.Can(domain.PermUsers) {
		return forbidden("只有管理员可以设置通知发送")
	}
	w.URL = strings.TrimSpace(w.URL)
	// A department the plan does not have is a wrong field, not a failure.
	if pl, err := a.Plan(ctx, 0); err != nil {
		return err
	} else if pl.Department(w.Department) == nil {
		return invalid("department", "方案中没有科室 %q", domain.Clip(w.Department, 40))
	}
	if !remove {
		if w.Kind != "wecom" && w.Kind != "dingtalk" {
			return invalid("kind", "机器人应为企业微信（wecom）或钉钉（dingtalk）")
		}
		if w.URL != "" {
			if err := a.checkWebhookURL(w.URL); err != nil {
				return err
			}
		}
	}
	return a.DB.InTx(ctx, func(q *store.Q) error {
		if !remove && w.URL == "" {
			ws, err := q.Webhooks(ctx)
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(ws, func(x domain.Webhook) bool { return x.Department == w.Department }) {
				return invalid("url", "请填写机器人地址")
			}
		}
		// The robot's address (its key is in it) and the 钉钉 signing
		// secret are sealed like personal data.
		stored := w
		var err error
		if stored.URL, err = a.seal(w.URL, webhookField(w.Department, "url")); err != nil {
			return err
		}
		if stored.Secret, err = a.seal(w.Secret, webhookField(w.Department, "secret")); err != nil {
			return err
		}
		if err := q.SetWebhook(ctx, stored, remove); err != nil {
			return err
		}
		what := w.Kind + " " + redactURL(w.URL)
		if remove {
			what = "已删除"
		}
		return a.audit(ctx, q, act, "webhook_update", "department:"+w.Department, domain.AuditOK, what)
	})
}

// redactURL keeps a robot's host and path, not its key.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	u.RawQuery = ""
	return u.String()
}

// Webhooks lists the departments' robots, secrets and keys left out
// (administrators only).
func (a *App) Webhooks(ctx context.Context, act *Actor) (_ []domain.Webhook, err error) {
	defer a.refused(ctx, act, "settings_read", "delivery", &err)
	if !act.Role.Can(domain.PermUsers) {
		return nil, forbidden("只有管理员可以设置通知发送")
	}
	ws, err := a.DB.Q().Webhooks(ctx)
	for i := range ws {
		// Shown masked: the host and path, and the last 4 characters.
		if ws[i].Secret != "" {
			ws[i].Secret = "…" + lastFour(a.open(ws[i].Secret, webhookField(ws[i].Department, "secret")))
		}
		if u := a.open(ws[i].URL, webhookField(ws[i].Department, "url")); u != "" {
			key := ""
			if pu, err := url.Parse(u); err == nil {
				for _, vs := range pu.Query() {
					key += strings.Join(vs, "")
				}
			}
			ws[i].URL = redactURL(u) + "…" + lastFour(key)
		}
	}
	return ws, err
}

// checkMailHost refuses a mail server on this machine or on a link-local
// address (a name is resolved and each of its addresses checked), unless the
// command line allowed it.
func (a *App) checkMailHost(ctx context.Context, host string) error {
	host = strings.ToLower(strings.Trim(strings.TrimSpace(host), "[]"))
	if slices.Contains(a.Delivery.MailHosts, host) {
		return nil
	}
	refused := invalid("host", "邮件服务器不能是本机或链路本地地址（%s）：如确需使用，请在启动时用 --mail-host 登记", host)
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return refused
	}
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else {
		lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		found, err := net.DefaultResolver.LookupIPAddr(lctx, host)
		if err != nil {
			return nil // not resolvable now: checked again when a mail is sent
		}
		for _, f := range found {
			if ip, ok := netip.AddrFromSlice(f.IP); ok {
				addrs = append(addrs, ip)
			}
		}
	}
	for _, ip := range addrs {
		ip = ip.Unmap()
		if ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() || ip.IsMulticast() {
			return refused
		}
	}
	return nil
}

// webhookField binds a department's sealed robot address or secret.
func webhookField(dept, field string) string { return "webhook:" + dept + ":" + field }

// lastFour is the last 4 characters of a secret, all that is ever shown.
func lastFour(s string) string {
	r := []rune(s)
	if len(r) <= 8 {
		return "****"
	}
	return string(r[len(r)-4:])
}

// openWebhook opens a robot's sealed address and secret to send with.
func (a *App) openWebhook(w domain.Webhook) domain.Webhook {
	w.URL = a.open(w.URL, webhookField(w.Department, "url"))
	w.Secret = a.open(w.Secret, webhookField(w.Department, "secret"))
	return w
}

// RecentDeliveries shows what went out and what failed (administrators):
// metadata only, never a message's content.
func (a *App) RecentDeliveries(ctx context.Context, act *Actor) ([]*domain.Delivery, error) {
	if !act.Role.Can(domain.PermUsers) {
		return nil, forbidden("只有管理员可以设置通知发送")
	}
	ds, err := a.DB.Q().RecentDeliveries(ctx, 50)
	for _, d := range ds {
		if d.Channel == "email" {
			d.Target = secret.MaskEmail(a.open(d.Target, deliveryTarget))
		}
	}
	return ds, err
}

// deliveryTarget binds a sealed address to the outbox.
const deliveryTarget = "delivery:email"

// SetUserEmail sets where a user's notices go by e-mail: the user or an
// administrator; audited.
func (a *App) SetUserEmail(ctx context.Context, act *Actor, userID int64, email string, notify bool) (err error) {
	defer a.refused(ctx, act, "user_email", fmt.Sprintf("user:%d", userID), &err)
	if act.ID != userID && !act.Role.Can(domain.PermUsers) {
		return forbidden("无权修改他人的通知设置")
	}
	email = strings.TrimSpace(email)
	if email != "" {
		if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email {
			return invalid("email", "电子邮箱地址不对")
		}
	}
	if notify && email == "" {
		return invalid("email", "接收邮件通知需填写电子邮箱")
	}
	sealed, err := a.seal(email, userField(userID, "email"))
	if err != nil {
		return err
	}
	return a.DB.InTx(ctx, func(q *store.Q) error {
		if err := q.SetUserEmail(ctx, userID, sealed, notify); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "user_email", fmt.Sprintf("user:%d", userID), domain.AuditOK, fmt.Sprintf("%s，%s", orNone(secret.MaskEmail(email)), map[bool]string{true: "接收邮件通知", false: "不接收邮件通知"}[notify]))
	})
}

// enqueue puts a notice's e-mails (to those who asked) and a department's
// robot message into the outbox, in the transaction of the notice.
func (a *App) enqueue(ctx context.Context, q *store.Q, who []int64, dept, kind, text, link string) error {
	emails, err := q.NotifyEmails(ctx, who)
	if err != nil {
		return err
	}
	robot := false
	if dept != "" {
		ws, err := q.Webhooks(ctx)
		if err != nil {
			return err
		}
		robot = slices.ContainsFunc(ws, func(w domain.Webhook) bool { return w.Department == dept })
	}
	// 企业微信 application messages to the members among them, when the
	// application is set.
	var members map[int64]string
	if wc, err := a.weComSettings(ctx, q); err != nil {
		return err
	} else if wc.Enabled() {
		if members, err = q.WeComMembers(ctx, who); err != nil {
			return err
		}
	}
	if len(emails) == 0 && !robot && len(members) == 0 {
		return nil // nothing leaves the page: most notices, most of the time
	}
	body := text
	if link != "" {
		if s, err := q.Settings(ctx); err != nil {
			return err
		} else if site := a.siteURL(s); site != "" {
			body += "\n" + site + link
		}
	}
	for _, id := range who {
		if m, ok := members[id]; ok {
			if err := q.Enqueue(ctx, &domain.Delivery{Kind: kind, Channel: "wecom", Target: m, Subject: "科宣通知", Body: body}); err != nil {
				return err
			}
		}
	}
	for _, id := range who {
		if addr, ok := emails[id]; ok {
			// The address stays sealed in the outbox too; opened to send.
			target, err := a.seal(a.open(addr, userField(id, "email")), deliveryTarget)
			if err != nil {
				return err
			}
			if err := q.Enqueue(ctx, &domain.Delivery{Kind: kind, Channel: "email", Target: target, Subject: "科宣通知：" + domain.Clip(text, 40), Body: body}); err != nil {
				return err
			}
		}
	}
	if robot {
		// The people it is for are mentioned by their phones (opened here,
		// sealed again in the outbox).
		phones, err := q.Phones(ctx, who)
		if err != nil {
			return err
		}
		var mention []string
		for _, id := range who {
			if p := a.open(phones[id], userField(id, "phone")); p != "" && !slices.Contains(mention, p) {
				mention = append(mention, p)
			}
		}
		sealed := ""
		if len(mention) > 0 {
			if sealed, err = a.seal(strings.Join(mention, ","), deliveryMentions); err != nil {
				return err
			}
		}
		return q.Enqueue(ctx, &domain.Delivery{Kind: kind, Channel: "webhook", Target: dept, Body: "【科宣】" + body, Mentions: sealed})
	}
	return nil
}

// deliveryMentions binds the sealed phones a robot message mentions.
const deliveryMentions = "delivery:mentions"

// robotPayload is a group robot's message: text, mentioning phones —
// 钉钉's at.atMobiles (and "@phone" in the text, which 钉钉 needs to show
// the mention), 企业微信's text.mentioned_mobile_list.
func robotPayload(kind, body string, phones []string) ([]byte, error) {
	if len(phones) == 0 {
		return json.Marshal(map[string]any{"msgtype": "text", "text": map[string]string{"content": body}})
	}
	if kind == "dingtalk" {
		var at strings.Builder
		for _, p := range phones {
			at.WriteString(" @" + p)
		}
		return json.Marshal(map[string]any{"msgtype": "text", "text": map[string]string{"content": body + "\n" + strings.TrimSpace(at.String())},
			"at": map[string]any{"atMobiles": phones, "isAtAll": false}})
	}
	return json.Marshal(map[string]any{"msgtype": "text", "text": map[string]any{"content": body, "mentioned_mobile_list": phones}})
}

// DeliverOnce sends the oldest due delivery, if any: leased so that another
// server does not send it too, retried with back-off on failure, given up
// (and audited) after MaxAttempts. It reports whether there was one.
func (a *App) DeliverOnce(ctx context.Context) (bool, error) {
	now := a.Now()
	lease := a.Delivery.Lease
	if lease <= 0 {
		lease = Lease
	}
	d, err := a.DB.ClaimDelivery(ctx, now, lease)
	if err != nil || d == nil {
		return false, err
	}
	if d.Channel == "webhook" {
		// A robot takes 20 messages a minute (企业微信 and 钉钉 alike; more is
		// refused, 45009): over it, the message waits its turn untried.
		n, err := a.DB.SentSince(ctx, "webhook", d.Target, now.Add(-time.Minute))
		if err != nil {
			return true, err
		}
		if n >= RobotPerMinute {
			return true, a.DB.PostponeDelivery(ctx, d.ID, now.Add(10*time.Second))
		}
	}
	sendErr := a.send(ctx, d)
	var next time.Time
	var perm *permanentError
	if sendErr != nil {
		a.Log.Warn("delivery failed", "delivery", d.ID, "channel", d.Channel, "attempt", d.Attempts, "err", sendErr)
	}
	if sendErr != nil && d.Attempts < MaxAttempts && !errors.As(sendErr, &perm) {
		wait := RetryBase << (d.Attempts - 1)
		if wait > RetryMax || wait <= 0 {
			wait = RetryMax
		}
		next = a.Now().Add(wait)
	}
	if err := a.DB.DeliveryDone(ctx, d.ID, a.Now(), sendErr, next); err != nil {
		return true, err
	}
	if sendErr != nil && next.IsZero() {
		a.auditAlways(ctx, nil, "delivery_failed", fmt.Sprintf("delivery:%d", d.ID), domain.AuditFailed, map[string]string{"email": "邮件", "webhook": "群机器人", "wecom": "企业微信消息"}[d.Channel]+"发送失败："+sendErr.Error())
	}
	return true, nil
}

// RobotPerMinute is how many messages a group robot takes a minute.
const RobotPerMinute = 20

// permanentError is a failure retrying cannot mend (a robot whose key is
// refused): given up at once, and shown to the administrator then.
type permanentError struct{ error }

func (e *permanentError) Unwrap() error { return e.error }

// robotGivesUp are the robots' error codes that say the robot itself is
// wrong, not busy: 企业微信 93000 (the key is invalid), 钉钉 300001 (no such
// token) and 310000 (the signature, keywords or IP list refuse it).
var robotGivesUp = map[int]bool{93000: true, 300001: true, 310000: true}

// RunDeliveries sends what is due until ctx ends, looking every interval.
func (a *App) RunDeliveries(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := a.RemindDue(ctx); err != nil && ctx.Err() == nil {
			a.Log.Error("quota reminders", "err", err)
		}
		if _, err := a.RemindActivities(ctx); err != nil && ctx.Err() == nil {
			a.Log.Error("activity reminders", "err", err)
		}
		if _, err := a.RemindCommissions(ctx); err != nil && ctx.Err() == nil {
			a.Log.Error("commission reminders", "err", err)
		}
		for {
			sent, err := a.DeliverOnce(ctx)
			if err != nil && ctx.Err() == nil {
				a.Log.Error("delivery", "err", err)
			}
			if !sent || err != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (a *App) send(ctx context.Context, d *domain.Delivery) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	switch d.Channel {
	case "email":
		return a.sendMail(ctx, d)
	case "webhook":
		return a.sendWebhook(ctx, d)
	case "wecom":
		return a.sendWeCom(ctx, d)
	}
	return fmt.Errorf("unknown channel %q", d.Channel)
}

func (a *App) sendMail(ctx context.Context, d *domain.Delivery) error {
	m, err := a.mailSettings(ctx)
	if err != nil {
		return err
	}
	if m.Host == "" {
		return fmt.Errorf("尚未设置邮件服务器")
	}
	// Checked again where it is sent: a name may resolve elsewhere now.
	if err := a.checkMailHost(ctx, m.Host); err != nil {
		return errors.New(domain.ErrorOf(err).Message)
	}
	if m.TLS == "none" && m.Username != "" {
		return errors.New("不经加密连接发送用户名和密码：请在通知发送设置中选择 starttls 或 tls")
	}
	msg := gomail.NewMsg()
	if err := msg.From(m.From); err != nil {
		return err
	}
	if err := msg.To(a.open(d.Target, deliveryTarget)); err != nil {
		return err
	}
	msg.Subject(d.Subject)
	// Named for the site (its host, else the sender's domain), not the
	// machine's host name: spam filters score the difference.
	name := mailName(m)
	msg.SetMessageIDWithValue(fmt.Sprintf("kexuan.%d.%s@%s", d.ID, strings.ToLower(rand.Text()[:10]), name))
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, d.Body)
	msg.AddAlternativeString(gomail.TypeTextHTML, mailHTML(d.Subject, d.Body))
	opts := []gomail.Option{gomail.WithTimeout(20 * time.Second), gomail.WithHELO(name)}
	switch m.TLS {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if m.Username != "" {
		// The strongest mechanism the server offers (LOGIN where it offers
		// only that, as many 政务 mail servers do); never without TLS (above).
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(m.Username), gomail.WithPassword(m.Password))
	}
	opts = append(opts, gomail.WithPort(m.Port))
	c, err := gomail.NewClient(m.Host, opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}

// mailName is the host a mail names itself by: the site's, else the
// sender's domain.
func mailName(m *MailSettings) string {
	if u, err := url.Parse(m.SiteURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	if _, domainPart, ok := strings.Cut(m.From, "@"); ok {
		return strings.Trim(domainPart, "<> ")
	}
	return "localhost"
}

// mailHTML is a notice's text as the HTML part of its mail: escaped, a
// paragraph a line, links kept as links.
func mailHTML(subject, body string) string {
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>` + html.EscapeString(subject) + `</title></head><body style="font-family:sans-serif;line-height:1.6">`)
	for _, line := range strings.Split(body, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		if u, err := url.Parse(line); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
			b.WriteString(`<p><a href="` + html.EscapeString(line) + `">` + html.EscapeString(line) + `</a></p>`)
			continue
		}
		b.WriteString("<p>" + html.EscapeString(line) + "</p>")
	}
	b.WriteString("</body></html>")
	return b.String()
}

func (a *App) sendWebhook(ctx context.Context, d *domain.Delivery) error {
	ws, err := a.DB.Q().Webhooks(ctx)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(ws, func(w domain.Webhook) bool { return w.Department == d.Target })
	if i < 0 {
		return fmt.Errorf("科室 %s 已没有群机器人", d.Target)
	}
	w := a.openWebhook(ws[i])
	if err := a.checkWebhookURL(w.URL); err != nil {
		return fmt.Errorf("群机器人地址被拒绝：%v", err)
	}
	target := w.URL
	if w.Kind == "dingtalk" && w.Secret != "" {
		// 钉钉 signs: timestamp in ms and HMAC-SHA256 of "timestamp\nsecret".
		ts := strconv.FormatInt(a.Now().UnixMilli(), 10)
		mac := hmac.New(sha256.New, []byte(w.Secret))
		mac.Write([]byte(ts + "\n" + w.Secret))
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + "timestamp=" + ts + "&sign=" + url.QueryEscape(base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	var phones []string
	if d.Mentions != "" {
		if m := a.open(d.Mentions, deliveryMentions); m != "" {
			phones = strings.Split(m, ",")
		}
	}
	payload, err := robotPayload(w.Kind, d.Body, phones)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", target, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	client := a.Delivery.Client
	if client == nil {
		client = &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	res, err := client.Do(req)
	if err != nil {
		// The error names the URL, whose key and signature are secrets:
		// say the robot's host and path only.
		var ue *url.Error
		if errors.As(err, &ue) {
			return fmt.Errorf("群机器人 %s 无法送达：%v", redactURL(w.URL), ue.Err)
		}
		return fmt.Errorf("群机器人 %s 无法送达", redactURL(w.URL))
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if res.StatusCode != http.StatusOK {
		err := fmt.Errorf("群机器人回答 HTTP %d", res.StatusCode)
		if res.StatusCode == http.StatusNotFound || res.StatusCode == http.StatusForbidden || res.StatusCode == http.StatusUnauthorized {
			return &permanentError{err}
		}
		return err
	}
	var out struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if json.Unmarshal(b, &out) == nil && out.ErrCode != 0 {
		err := fmt.Errorf("群机器人回答错误码 %d：%s", out.ErrCode, out.ErrMsg)
		if robotGivesUp[out.ErrCode] {
			return &permanentError{fmt.Errorf("%w（重试无用：请在通知发送设置中检查这个机器人）", err)}
		}
		return err
	}
	return nil
}
