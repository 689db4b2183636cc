package store

import (
	"encoding/binary"
	"math/rand/v2"
)

// identitySet is what an import remembers of the identities it has met:
// for each, its 字数 and the register line that added it. An identity is
// already a hash (a SHA-256 prefix), so its first eight bytes, multiplied
// by the set's own random odd number, place it in the table: a register
// made so that many identities share bits cannot pile them into one run
// without knowing that number. One probe both finds a row and says where a
// new one goes — a Go map, for a million identities, hashed each key twice
// and missed the cache twice (a seventh of the import's reading side).
type identitySet struct {
	slots []identitySlot // a power of two long, at most half full
	shift uint           // 64 - log2(len(slots))
	mul   uint64         // odd
	n     int
}

// identitySlot is 24 bytes: an empty slot is one whose 字数 is negative
// (a stored or imported 字数 never is), which a flag would have made 28.
type identitySlot struct {
	key [16]byte
	row seenRow
}

func (sl *identitySlot) used() bool { return sl.row.words >= 0 }

func newIdentitySet() *identitySet {
	return &identitySet{slots: emptySlots(1024), shift: 64 - 10, mul: rand.Uint64() | 1}
}

func emptySlots(n int) []identitySlot {
	slots := make([]identitySlot, n)
	for i := range slots {
		slots[i].row.words = -1
	}
	return slots
}

// slot returns where key is, or where it is to go (not used: set its key
// and row, then call added).
func (s *identitySet) slot(key [16]byte) *identitySlot {
	mask := uint64(len(s.slots) - 1)
	for i := binary.LittleEndian.Uint64(key[:8]) * s.mul >> s.shift; ; i = (i + 1) & mask {
		if sl := &s.slots[i]; !sl.used() || sl.key == key {
			return sl
		}
	}
}

// put records key with row (its words not negative), replacing what was
// there.
func (s *identitySet) put(key [16]byte, row seenRow) {
	sl := s.slot(key)
	used := sl.used()
	*sl = identitySlot{key: key, row: row}
	if !used {
		s.added()
	}
}

// added counts a slot just filled, and grows the table past half full.
func (s *identitySet) added() {
	s.n++
	if s.n*2 <= len(s.slots) {
		return
	}
	old := s.slots
	s.slots, s.shift = emptySlots(2*len(old)), s.shift-1
	for _, sl := range old {
		if sl.used() {
			*s.slot(sl.key) = sl
		}
	}
}
