package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"kexuan/domain"
	"kexuan/store"
)

// 企业微信 as the way in on phones: application messages to a person (the
// account's member id, 成员 UserID) with a link that opens the page, and
// sign-in through 企业微信's web authorisation (网页授权, snsapi_base): the
// code it hands back is exchanged for the member id, which finds the
// account. Both call 企业微信 with the application's access token, cached
// and taken anew before it expires.

// WeComEndpoints are where kexuan calls 企业微信 (kexuan serve --wecom-api,
// --wecom-auth; the tests run a local fake).
type WeComEndpoints struct {
	API  string // the server API: gettoken, message/send, auth/getuserinfo
	Auth string // the web authorisation page a phone is sent to
}

// The endpoints of 企业微信 itself.
const (
	DefaultWeComAPI  = "https://qyapi.weixin.qq.com"
	DefaultWeComAuth = "https://open.weixin.qq.com"
)

func (e WeComEndpoints) api() string {
	if e.API == "" {
		return DefaultWeComAPI
	}
	return strings.TrimRight(e.API, "/")
}

func (e WeComEndpoints) auth() string {
	if e.Auth == "" {
		return DefaultWeComAuth
	}
	return strings.TrimRight(e.Auth, "/")
}

var (
	weComMemberRE = regexp.MustCompile(`^[A-Za-z0-9_.@-]{1,64}$`)
	weComCorpRE   = regexp.MustCompile(`^[A-Za-z0-9]{1,64}$`)
)

// weComFree refuses a member id another account than self holds.
func weComFree(ctx context.Context, q *store.Q, member string, self int64) error {
	if member == "" {
		return nil
	}
	u, err := q.UserByWeCom(ctx, member)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if u.ID != self {
		return weComTaken(member)
	}
	return nil
}

func weComTaken(member string) error {
	return invalid("wecom_user", "企业微信账号 %s 已绑定其他账户", member)
}

const setWeComCorp, setWeComAgent, setWeComSecret = "wecom_corp_id", "wecom_agent_id", "wecom_secret"

// WeComSettings are the 企业微信 application kexuan sends as and signs in
// through: the corporation's id, the application's AgentId and Secret.
type WeComSettings struct {
	CorpID    string
	AgentID   int64
	Secret    string // on input: "" keeps the stored one; never returned
	SecretSet bool
}

// Enabled: all three are set.
func (s *WeComSettings) Enabled() bool { return s.CorpID != "" && s.AgentID > 0 && s.Secret != "" }

func (a *App) weComSettings(ctx context.Context, q *store.Q) (*WeComSettings, error) {
	s, err := q.Settings(ctx)
	if err != nil {
		return nil, err
	}
	agent, _ := strconv.ParseInt(s[setWeComAgent], 10, 64)
	return &WeComSettings{CorpID: s[setWeComCorp], AgentID: agent, Secret: a.open(s[setWeComSecret], setWeComSecret)}, nil
}

// WeComSettings returns the application's settings, the secret left out
// (the system administrator).
func (a *App) WeComSettings(ctx context.Context, act *Actor) (_ *WeComSettings, err error) {
	defer a.refused(ctx, act, "settings_read", "wecom", &err)
	if !act.Role.Can(domain.PermUsers) {
		return nil, forbidden("只有管理员可以设置企业微信")
	}
	s, err := a.weComSettings(ctx, a.DB.Q())
	if err != nil {
		return nil, err
	}
	s.SecretSet, s.Secret = s.Secret != "", ""
	return s, nil
}

// SetWeComSettings stores the application's settings (the system
// administrator): all empty turns 企业微信 off; an empty secret keeps the
// stored one. The secret is sealed; the audit row never holds it.
func (a *App) SetWeComSettings(ctx context.Context, act *Actor, in WeComSettings) (err error) {
	defer a.refused(ctx, act, "settings_update", "wecom", &err)
	if !act.Role.Can(domain.PermUsers) {
		return forbidden("只有管理员可以设置企业微信")
	}
	in.CorpID, in.Secret = strings.TrimSpace(in.CorpID), strings.TrimSpace(in.Secret)
	off := in.CorpID == "" && in.AgentID == 0 && in.Secret == ""
	if !off {
		if !weComCorpRE.MatchString(in.CorpID) {
			return invalid("corp_id", "企业 ID（CorpID）应为字母和数字")
		}
		if in.AgentID <= 0 {
			return invalid("agent_id", "应用的 AgentId 应为正整数")
		}
		if len(in.Secret) > 128 || strings.ContainsAny(in.Secret, " \t\r\n") {
			return invalid("secret", "应用的 Secret 不对")
		}
	}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		stored, err := a.weComSettings(ctx, q)
		if err != nil {
			return err
		}
		if !off && in.Secret == "" && stored.Secret == "" {
			return invalid("secret", "请填写应用的 Secret")
		}
		agent := ""
		if in.AgentID > 0 {
			agent = strconv.FormatInt(in.AgentID, 10)
		}
		for k, v := range map[string]string{setWeComCorp: in.CorpID, setWeComAgent: agent} {
			if err := q.SetSetting(ctx, k, v); err != nil {
				return err
			}
		}
		if in.Secret != "" || off {
			sealed := ""
			if in.Secret != "" {
				if sealed, err = a.seal(in.Secret, setWeComSecret); err != nil {
					return err
				}
			}
			if err := q.SetSetting(ctx, setWeComSecret, sealed); err != nil {
				return err
			}
		}
		what := "已关闭企业微信"
		if !off {
			what = fmt.Sprintf("企业 ID %s，应用 AgentId %d%s", in.CorpID, in.AgentID, map[bool]string{true: "；Secret 已更换"}[in.Secret != ""])
		}
		return a.audit(ctx, q, act, "settings_update", "wecom", domain.AuditOK, what)
	})
	if err == nil {
		a.weComToken.drop()
	}
	return err
}

// WeComSignInOffered says whether the sign-in page offers 企业微信.
func (a *App) WeComSignInOffered(ctx context.Context) bool {
	s, err := a.weComSettings(ctx, a.DB.Q())
	return err == nil && s.Enabled()
}

// weComToken is the application's access token, kept by this server until
// shortly before 企业微信 says it expires (7200 s): every message and
// sign-in would otherwise fetch one, and gettoken is limited.
type weComToken struct {
	mu      sync.Mutex
	key     string // the corporation and secret it belongs to
	token   string
	refresh time.Time // take a new one from then
}

func (t *weComToken) drop() {
	t.mu.Lock()
	t.token = ""
	t.mu.Unlock()
}

// weComEarly is how long before its expiry a token is replaced.
const weComEarly = 5 * time.Minute

// weComErrors: 40014 (invalid) and 42001 (expired) mean a new token;
// these mean the settings or the account are wrong, and retrying is no use:
// 40001 and 40013 (the secret or corporation), 60020 (this server's
// address is not in the application's trusted IPs), 81013 (no such member).
var weComGivesUp = map[int]bool{40001: true, 40013: true, 60020: true, 81013: true, 301002: true}

func weComTokenStale(code int) bool { return code == 40014 || code == 42001 }

type weComAnswer struct {
	ErrCode     int    `json:"errcode"`
	ErrMsg      string `json:"errmsg"`
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
	UserID      string `json:"userid"`
	OpenID      string `json:"openid"`
	InvalidUser string `json:"invaliduser"`
}

// weComCall calls one API of 企业微信: GET when body is nil.
func (a *App) weComCall(ctx context.Context, path string, query url.Values, body any) (*weComAnswer, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	method, rd := http.MethodGet, io.Reader(nil)
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		method, rd = http.MethodPost, bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.WeCom.api()+path+"?"+query.Encode(), rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	client := &http.Client{Timeout: 15 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		// The URL holds the token or the secret: name the API only.
		return nil, fmt.Errorf("企业微信 %s 无法连接", path)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("企业微信 %s 回答 HTTP %d", path, res.StatusCode)
	}
	var out weComAnswer
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("企业微信 %s 的回答无法读取", path)
	}
	return &out, nil
}

func weComError(path string, out *weComAnswer) error {
	err := fmt.Errorf("企业微信 %s 回答错误码 %d：%s", path, out.ErrCode, out.ErrMsg)
	if weComGivesUp[out.ErrCode] {
		return &permanentError{fmt.Errorf("%w（重试无用：请检查企业微信设置或账户的企业微信账号）", err)}
	}
	return err
}

// weComAccessToken is the application's token: the kept one unless stale
// (or fresh is asked, after 企业微信 refused it).
func (a *App) weComAccessToken(ctx context.Context, s *WeComSettings, fresh bool) (string, error) {
	key := s.CorpID + "\x00" + s.Secret
	now := a.Now()
	t := &a.weComToken
	t.mu.Lock()
	if !fresh && t.token != "" && t.key == key && now.Before(t.refresh) {
		tok := t.token
		t.mu.Unlock()
		return tok, nil
	}
	t.mu.Unlock()
	// Fetched outside the lock: two at once both fetch, and both tokens work.
	out, err := a.weComCall(ctx, "/cgi-bin/gettoken", url.Values{"corpid": {s.CorpID}, "corpsecret": {s.Secret}}, nil)
	if err != nil {
		return "", err
	}
	if out.ErrCode != 0 || out.AccessToken == "" {
		return "", weComError("gettoken", out)
	}
	life := time.Duration(out.ExpiresIn) * time.Second
	if life <= 0 {
		life = 2 * time.Hour
	}
	refresh := now.Add(max(life-weComEarly, life/2))
	t.mu.Lock()
	t.key, t.token, t.refresh = key, out.AccessToken, refresh
	t.mu.Unlock()
	return out.AccessToken, nil
}

// weComDo calls an API with the access token, once more with a new token
// when 企业微信 says the one given is invalid or expired.
func (a *App) weComDo(ctx context.Context, s *WeComSettings, path string, query url.Values, body any) (*weComAnswer, error) {
	for attempt := 0; ; attempt++ {
		tok, err := a.weComAccessToken(ctx, s, attempt > 0)
		if err != nil {
			return nil, err
		}
		q := url.Values{"access_token": {tok}}
		for k, v := range query {
			q[k] = v
		}
		out, err := a.weComCall(ctx, path, q, body)
		if err != nil {
			return nil, err
		}
		if weComTokenStale(out.ErrCode) && attempt == 0 {
			continue
		}
		return out, nil
	}
}

// sendWeCom sends one application message to a member: a card that opens
// the page when the message ends with its link, else text.
func (a *App) sendWeCom(ctx context.Context, d *domain.Delivery) error {
	s, err := a.weComSettings(ctx, a.DB.Q())
	if err != nil {
		return err
	}
	if !s.Enabled() {
		return &permanentError{errors.New("尚未设置企业微信应用")}
	}
	msg := map[string]any{"touser": d.Target, "agentid": s.AgentID, "msgtype": "text", "text": map[string]string{"content": d.Body}}
	// The notice's link is its last line (enqueue).
	text, link := d.Body, ""
	if i := strings.LastIndexByte(d.Body, '\n'); i >= 0 && (strings.HasPrefix(d.Body[i+1:], "https://") || strings.HasPrefix(d.Body[i+1:], "http://")) {
		text, link = d.Body[:i], d.Body[i+1:]
	}
	if link != "" {
		msg["msgtype"] = "textcard"
		delete(msg, "text")
		msg["textcard"] = map[string]string{"title": d.Subject, "description": text, "url": link, "btntxt": "打开"}
	}
	out, err := a.weComDo(ctx, s, "/cgi-bin/message/send", nil, msg)
	if err != nil {
		return err
	}
	if out.ErrCode != 0 {
		return weComError("message/send", out)
	}
	if out.InvalidUser != "" {
		return &permanentError{fmt.Errorf("企业微信没有成员 %s：请检查账户的企业微信账号", out.InvalidUser)}
	}
	return nil
}

// WeComAuthorizeURL is where a phone is sent to be identified by 企业微信,
// coming back to redirect with a code and state.
func (a *App) WeComAuthorizeURL(ctx context.Context, redirect, state string) (string, error) {
	s, err := a.weComSettings(ctx, a.DB.Q())
	if err != nil {
		return "", err
	}
	if !s.Enabled() {
		return "", &domain.Error{Code: domain.ENotFound, Message: "尚未启用企业微信登录"}
	}
	v := url.Values{"appid": {s.CorpID}, "redirect_uri": {redirect}, "response_type": {"code"}, "scope": {"snsapi_base"},
		"state": {state}, "agentid": {strconv.FormatInt(s.AgentID, 10)}}
	return a.WeCom.auth() + "/connect/oauth2/authorize?" + v.Encode() + "#wechat_redirect", nil
}

var errWeComSignIn = &domain.Error{Code: domain.EUnauthorized, Message: "企业微信登录未成功：请重新打开，或用用户名和密码登录"}

// SignInWeCom exchanges a web-authorisation code for the member id and
// opens its account's session as a password does: administrators still
// give their second factor; a disabled, locked or unassigned account is
// refused alike. Every attempt is audited and counts toward the address's
// throttle.
func (a *App) SignInWeCom(ctx context.Context, code, addr string) (string, *domain.User, error) {
	now := a.Now()
	code = strings.TrimSpace(code)
	if ok, first := a.throttle.allow(addr, "wecom:", now); !ok {
		if first {
			a.auditAlways(ctx, &Actor{Address: addr}, "login_throttled", "wecom", domain.AuditDenied,
				fmt.Sprintf("此地址登录失败次数过多；此后 %v 内的尝试一律拒绝，不再逐条记录", ThrottleWindow))
		}
		return "", nil, &domain.Error{Code: domain.ETooMany, Message: "尝试次数过多，请稍后再试"}
	}
	fail := func(act *Actor, obj, why string) (string, *domain.User, error) {
		a.throttle.fail(addr, "wecom:", now)
		a.auditSignInFailure(ctx, act, obj, "企业微信登录："+why)
		return "", nil, errWeComSignIn
	}
	if code == "" || len(code) > 512 || strings.ContainsFunc(code, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		return fail(&Actor{Address: addr}, "wecom", "授权码缺失或不合规")
	}
	s, err := a.weComSettings(ctx, a.DB.Q())
	if err != nil {
		return "", nil, err
	}
	if !s.Enabled() {
		return "", nil, &domain.Error{Code: domain.ENotFound, Message: "尚未启用企业微信登录"}
	}
	out, err := a.weComDo(ctx, s, "/cgi-bin/auth/getuserinfo", url.Values{"code": {code}}, nil)
	if err != nil {
		a.Log.Warn("wecom sign-in", "err", err)
		return "", nil, &domain.Error{Code: domain.EUnavailable, Message: "暂时无法连接企业微信：请稍后再试，或用用户名和密码登录"}
	}
	switch {
	case out.ErrCode != 0:
		return fail(&Actor{Address: addr}, "wecom", fmt.Sprintf("授权码无效（%d %s）", out.ErrCode, out.ErrMsg))
	case out.UserID == "":
		return fail(&Actor{Address: addr}, "wecom", "不是本企业的成员")
	}
	u, err := a.DB.Q().UserByWeCom(ctx, out.UserID)
	if errors.Is(err, store.ErrNotFound) {
		a.throttle.fail(addr, "wecom:", now)
		a.auditSignInFailure(ctx, &Actor{Address: addr}, "wecom", "企业微信登录：成员 "+out.UserID+" 未绑定科宣账户")
		return "", nil, &domain.Error{Code: domain.EUnauthorized, Message: "您的企业微信账号还没有绑定科宣账户：请联系系统管理员"}
	}
	if err != nil {
		return "", nil, err
	}
	actor := &Actor{User: u, Address: addr}
	switch {
	case u.Disabled:
		return fail(actor, userObj(u.ID), "账户已停用")
	case u.LockedUntil.After(now):
		return fail(actor, userObj(u.ID), "账户已锁定")
	case u.Role == domain.Pending:
		a.auditAlways(ctx, actor, "login", userObj(u.ID), domain.AuditFailed, "企业微信登录：账户尚未授权")
		return "", nil, &domain.Error{Code: domain.EForbidden, Message: "账户尚未分配角色：请联系安全管理员"}
	}
	how := "企业微信身份已确认（成员 " + out.UserID + "）"
	token, err := a.openSession(ctx, u, actor, how, how)
	if err != nil {
		return "", nil, err
	}
	return token, u, nil
}
