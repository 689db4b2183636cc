package store

import (
	"crypto/sha256"
	"encoding/binary"
	"testing"
)

// The set agrees with a map through growth, for identities as they are
// made (SHA-256 prefixes) and for keys that share their first eight bytes
// (every one collides: probing must still tell them apart).
func TestIdentitySet(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		key  func(i int) [16]byte
	}{
		{"sha256", func(i int) [16]byte {
			var b [8]byte
			binary.LittleEndian.PutUint64(b[:], uint64(i))
			s := sha256.Sum256(b[:])
			return [16]byte(s[:16])
		}},
		{"shared low bits", func(i int) [16]byte {
			var k [16]byte // the low 24 bits of the first eight bytes all zero
			binary.LittleEndian.PutUint64(k[:8], uint64(i)<<24)
			return k
		}},
		{"same prefix", func(i int) [16]byte {
			var k [16]byte
			binary.LittleEndian.PutUint64(k[8:], uint64(i))
			return k
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := 50000
			if tc.name == "same prefix" {
				n = 3000 // quadratic by design
			}
			s, m := newIdentitySet(), map[[16]byte]seenRow{}
			for i := range n {
				k := tc.key(i % (n / 2)) // the second half repeats the first
				row := seenRow{words: int32(i), line: int32(i + 1)}
				if sl := s.slot(k); sl.used() != (m[k] != seenRow{}) {
					t.Fatalf("key %d: set says present %v", i, sl.used())
				} else if sl.used() && sl.row != m[k] {
					t.Fatalf("key %d: %+v, map %+v", i, sl.row, m[k])
				}
				s.put(k, row)
				m[k] = row
			}
			if s.n != len(m) {
				t.Fatalf("%d identities, map %d", s.n, len(m))
			}
			for k, row := range m {
				if sl := s.slot(k); !sl.used() || sl.row != row {
					t.Fatalf("%x: %+v", k, sl)
				}
			}
			if sl := s.slot(tc.key(n)); sl.used() {
				t.Fatal("an identity never put is present")
			}
			// Keys that share bits still spread: no long runs of full slots.
			run, longest := 0, 0
			for _, sl := range s.slots {
				if run++; !sl.used() {
					run = 0
				}
				longest = max(longest, run)
			}
			if tc.name != "same prefix" && longest > 100 {
				t.Fatalf("a run of %d full slots", longest)
			}
		})
	}
}
