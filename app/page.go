package app

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"kexuan/store"
)

// PageQuery asks for one page of a list: at most Limit items (DefaultPage
// when 0, never over MaxPage), after or before the place Cursor names.
type PageQuery struct {
	Limit  int
	Cursor string
}

// Page is one page of a list with the cursors of the pages after and before
// it ("" at either end).
type Page[T any] struct {
	Items      []T
	Next, Prev string
	// First is the place of the first item in the whole list (1 for the
	// first page), carried by the cursors, so that a reader knows where
	// they are: 第 First–First+len(Items)-1 条.
	First int
	// Total is how many items the list holds, when it is known: the list
	// ended on this page, or the use case counted it. 0: not known.
	Total int
}

// Last is the place of the page's last item (First-1 for an empty page).
func (p *Page[T]) Last() int { return p.First + len(p.Items) - 1 }

// Page sizes.
const (
	DefaultPage = 50
	MaxPage     = 200
)

var errCursor = invalid("cursor", "翻页位置无效，请从第一页重新开始")

// keyCodec turns a list's keyset key into the text of a cursor and back.
type keyCodec[K any] struct {
	encode func(K) string
	decode func(string) (K, bool)
}

// paginate fetches one page by keyset: fetch returns up to n items in list
// order after from (or before it when back), from being nil for the first
// page. One more item than asked tells whether there is a page beyond.
func paginate[T, K any](pq PageQuery, codec keyCodec[K], key func(T) K,
	fetch func(from *K, back bool, n int) ([]T, error)) (*Page[T], error) {
	limit := pq.Limit
	switch {
	case limit < 0:
		return nil, invalid("limit", "每页条数不能为负数")
	case limit == 0:
		limit = DefaultPage
	case limit > MaxPage:
		limit = MaxPage
	}
	var from *K
	back := false
	at := 0 // the place (1-based) of the item the cursor names
	if pq.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(pq.Cursor)
		if err != nil || len(b) < 2 || (b[0] != '<' && b[0] != '>') {
			return nil, errCursor
		}
		place, rest, ok := strings.Cut(string(b[1:]), ".")
		n, err := strconv.Atoi(place)
		if !ok || err != nil || n < 1 {
			return nil, errCursor
		}
		k, ok := codec.decode(rest)
		if !ok {
			return nil, errCursor
		}
		from, back, at = &k, b[0] == '<', n
	}
	items, err := fetch(from, back, limit+1)
	if err != nil {
		return nil, err
	}
	more := len(items) > limit
	if more {
		if back {
			items = items[1:]
		} else {
			items = items[:limit]
		}
	}
	pg := &Page[T]{Items: items, First: 1}
	// Places are counted from the cursor: a list that changed meanwhile
	// shifts them by what came or went, as on a printed page.
	switch {
	case from == nil:
	case back && more:
		pg.First = max(at-len(items), 1)
	case back: // back at the start
	default:
		pg.First = at + 1
	}
	if !more && !back {
		pg.Total = pg.Last() // the list ends here
	}
	if len(items) == 0 {
		return pg, nil
	}
	cursor := func(dir byte, t T, place int) string {
		return base64.RawURLEncoding.EncodeToString(append([]byte{dir}, strconv.Itoa(place)+"."+codec.encode(key(t))...))
	}
	// Forward: a page after this one if more came; one before if we came
	// from a cursor. Back: the mirror.
	if more && !back || back {
		pg.Next = cursor('>', items[len(items)-1], pg.Last())
	}
	if more && back || !back && from != nil {
		pg.Prev = cursor('<', items[0], pg.First)
	}
	return pg, nil
}

// pieceKeys: a piece's last change (Unix microseconds) and id.
var pieceKeys = keyCodec[store.PieceKey]{
	encode: func(k store.PieceKey) string {
		return strconv.FormatInt(k.Updated.UnixMicro(), 10) + "," + strconv.FormatInt(k.ID, 10)
	},
	decode: func(s string) (store.PieceKey, bool) {
		t, id, ok := strings.Cut(s, ",")
		us, err1 := strconv.ParseInt(t, 10, 64)
		n, err2 := strconv.ParseInt(id, 10, 64)
		if !ok || err1 != nil || err2 != nil || n <= 0 {
			return store.PieceKey{}, false
		}
		return store.PieceKey{Updated: time.UnixMicro(us).UTC(), ID: n}, true
	},
}

// idKeys: a list in id order (audit log, verification queue).
var idKeys = keyCodec[int64]{
	encode: func(id int64) string { return strconv.FormatInt(id, 10) },
	decode: func(s string) (int64, bool) {
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil && n > 0
	},
}

// nameKeys: a list in name order (users).
var nameKeys = keyCodec[string]{
	encode: func(s string) string { return s },
	decode: func(s string) (string, bool) { return s, s != "" },
}
