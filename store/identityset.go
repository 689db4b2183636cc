package store

import "encoding/binary"

// identitySet is what an import remembers of the identities it has met:
// for each, its 字数 and the register line that added it. An identity is a
// SHA-256 prefix, uniformly spread, so its first eight bytes place it in the
// table directly (no hashing), and one probe both finds a row and says
// where a new one goes — where a Go map, for a million identities, hashed
// each key twice and missed the cache twice (a seventh of the import's
// reading side).
type identitySet struct {
	slots []identitySlot // a power of two long, at most half full
	n     int
}

type identitySlot struct {
	key  [16]byte
	row  seenRow
	used bool
}

func newIdentitySet() *identitySet { return &identitySet{slots: make([]identitySlot, 1024)} }

// slot returns where key is, or where it is to go (used is then false: set
// key, row and used, then call added).
func (s *identitySet) slot(key [16]byte) *identitySlot {
	mask := uint64(len(s.slots) - 1)
	for i := binary.LittleEndian.Uint64(key[:8]) & mask; ; i = (i + 1) & mask {
		if sl := &s.slots[i]; !sl.used || sl.key == key {
			return sl
		}
	}
}

// put records key with row, replacing what was there.
func (s *identitySet) put(key [16]byte, row seenRow) {
	sl := s.slot(key)
	if !sl.used {
		*sl = identitySlot{key: key, used: true}
		s.added()
		sl = s.slot(key) // the table may have grown
	}
	sl.row = row
}

// added counts a slot just filled, and grows the table past half full.
func (s *identitySet) added() {
	s.n++
	if s.n*2 <= len(s.slots) {
		return
	}
	old := s.slots
	s.slots = make([]identitySlot, 2*len(old))
	for _, sl := range old {
		if sl.used {
			*s.slot(sl.key) = sl
		}
	}
}
