package auth

import (
	_ "embed"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
)

// Password policy limits.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 128
	// MinGuesses is the fewest guesses an attacker with the breached-password
	// lists, the Chinese list below, keyboard walks, dates, repeats and
	// sequences must need: 10⁸ (zxcvbn's score 3).
	MinGuesses = 1e8
)

//go:embed common-passwords.txt
var commonList string

//go:embed passwords-zh.txt
var zhList string

func lines(list string) []string {
	var out []string
	for _, l := range strings.Split(list, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, strings.ToLower(l))
		}
	}
	return out
}

// Pinyin of the most common surnames and given names, most common first;
// every surname + given name is a dictionary word (zhangwei, wangfang, …).
var (
	surnames = strings.Fields(`wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo
		zheng liang xie song tang han feng deng cao peng zeng xiao tian dong yuan pan yu jiang cai jia ding wei xue ye
		yan lu du shen ren yao jin fu shi qian qin kong bai cui kang mao qiu qi hou shao meng long wan duan lei yin yi
		chang qiao lai gong wen fan fang niu xiong bao zou tan ouyang sima zhuge shangguan`)
	givenNames = strings.Fields(`wei fang na min jing li qiang lei jun yang yong yan jie juan tao ming chao xiuying
		xia ping gang hua hui ying hong jian bin bo peng fei xin yu hao kai ning dan rui lin qing xue mei lan feng long
		hai bing chen xu di ting wen jia yi zhen zhe tong xuan han yue zhiqiang jianhua jianguo guoqiang haiyan xiaoming
		xiaohong xiaoli xiaoyan xiaojun xiaoping lijuan guiying yuying yulan shuying zhiyong jianjun dongmei chunmei
		hongmei lili jingjing tingting lingling wenjing yuxuan haoran zixuan yutong ziyi yichen zihan jiahao junjie
		xinyi yuhang zhihao mingyang weiwei fangfang lanlan yanyan xiaoyu xiaowei xiaofeng xiaodong haitao jianping
		jianming jianxin guohua zhiming zhigang yonggang yongqiang hongwei hongbo haibo jinlong tianyu`)
)

// zhWords is the Chinese dictionary: the list, then the names.
var zhWords = func() []string {
	words := lines(zhList)
	// Diagonals: common surname with common given name first.
	for d := 0; d < len(surnames)+len(givenNames)-1; d++ {
		for i := max(0, d-len(givenNames)+1); i <= d && i < len(surnames); i++ {
			words = append(words, surnames[i]+givenNames[d-i])
		}
	}
	words = append(words, surnames...)
	return append(words, givenNames...)
}()

// common is refused outright: the short list of favourites kept since the
// first policy, and the top of the Chinese list.
var common = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range lines(commonList) {
		m[l] = true
	}
	for _, l := range lines(zhList) {
		m[l] = true
	}
	return m
}()

// CheckPassword applies the policy: 8 to 128 characters, no control
// characters, three of four classes (upper, lower, digit, other), not the
// user name, not a common password, and hard to guess: an estimate
// (zxcvbn) over breached-password lists (English and Chinese: pinyin names
// and words), keyboard walks, dates, repeats and sequences, with the user's
// own names (username, display name, related) as words, must need at least
// MinGuesses guesses. The message is for the user.
func CheckPassword(username, pw string, related ...string) error {
	if !utf8.ValidString(pw) {
		return fmt.Errorf("密码含有无效字符")
	}
	if strings.ContainsFunc(pw, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) {
		return fmt.Errorf("密码不能含控制字符")
	}
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLen {
		return fmt.Errorf("密码至少 %d 个字符", MinPasswordLen)
	}
	if n > MaxPasswordLen {
		return fmt.Errorf("密码最多 %d 个字符", MaxPasswordLen)
	}
	var upper, lower, digit, other bool
	for _, r := range pw {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	classes := 0
	for _, b := range []bool{upper, lower, digit, other} {
		if b {
			classes++
		}
	}
	if classes < 3 {
		return fmt.Errorf("密码需包含大写字母、小写字母、数字、符号中的至少三类")
	}
	low := strings.ToLower(pw)
	if username != "" && strings.Contains(low, strings.ToLower(username)) {
		return fmt.Errorf("密码不能包含用户名")
	}
	if common[low] {
		return fmt.Errorf("这是常见密码，请换一个")
	}
	inputs := make([]string, 0, len(related)+1+len(zhWords))
	inputs = append(inputs, username)
	for _, r := range related {
		if r != "" {
			inputs = append(inputs, r)
		}
	}
	inputs = append(inputs, zhWords...)
	if zxcvbn.PasswordStrength(pw, inputs).Guesses < MinGuesses {
		return fmt.Errorf("密码太容易被猜到（常见密码、拼音姓名、日期、键盘顺序、重复或连续字符），请换一个更长、更无规律的密码")
	}
	return nil
}
