package textcheck

import (
	"encoding/binary"
	"hash/fnv"
	"unicode"
)

// Near-duplicates. The stated measure: the Jaccard similarity of two texts'
// character 5-grams (their characters other than spaces and punctuation,
// in runs of five). A piece at least Similar to another is shown beside it.
// To find such pieces among many without comparing with each, a text's
// 5-grams are summed up by MinHash (Hashes functions) cut into Bands bands
// of Rows rows: two texts of similarity s share a band with probability
// 1-(1-s^Rows)^Bands — 0.9996 at s = 0.8, 0.47 at 0.5, 0.006 at 0.2 — and
// the pieces that share a band are then measured exactly.
const (
	Similar = 0.8
	Gram    = 5
	Bands   = 20
	Rows    = 5
	Hashes  = Bands * Rows
)

// Shingles is a text's set of 5-grams, each hashed.
type Shingles map[uint64]struct{}

// ShinglesOf makes a text's shingles. A text shorter than a gram is its
// own single shingle.
func ShinglesOf(text string) Shingles {
	var rs []rune
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			rs = append(rs, unicode.ToLower(r))
		}
	}
	out := Shingles{}
	if len(rs) == 0 {
		return out
	}
	if len(rs) < Gram {
		out[hashRunes(rs)] = struct{}{}
		return out
	}
	for i := 0; i+Gram <= len(rs); i++ {
		out[hashRunes(rs[i:i+Gram])] = struct{}{}
	}
	return out
}

func hashRunes(rs []rune) uint64 {
	h := fnv.New64a()
	var b [4]byte
	for _, r := range rs {
		binary.LittleEndian.PutUint32(b[:], uint32(r))
		h.Write(b[:])
	}
	return h.Sum64()
}

// Jaccard is |a∩b| / |a∪b| (0 for two empty sets).
func Jaccard(a, b Shingles) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	inter := 0
	for k := range a {
		if _, ok := b[k]; ok {
			inter++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

// Bands of a text's shingles: Bands hashes, each of Rows minimum hashes;
// two texts that share one are candidates to measure. Nil for no text.
func BandsOf(sh Shingles) []uint64 {
	if len(sh) == 0 {
		return nil
	}
	var mins [Hashes]uint64
	for i := range mins {
		mins[i] = ^uint64(0)
	}
	for x := range sh {
		for i := range mins {
			// A cheap family: x mixed with the i-th seed (splitmix64).
			if v := mix(x ^ seeds[i]); v < mins[i] {
				mins[i] = v
			}
		}
	}
	out := make([]uint64, Bands)
	var b [8]byte
	for band := range out {
		h := fnv.New64a()
		binary.LittleEndian.PutUint32(b[:4], uint32(band))
		h.Write(b[:4])
		for _, m := range mins[band*Rows : (band+1)*Rows] {
			binary.LittleEndian.PutUint64(b[:], m)
			h.Write(b[:])
		}
		out[band] = h.Sum64()
	}
	return out
}

func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// seeds are the MinHash functions' seeds: fixed, so that bands stored
// by one server are those every server computes.
var seeds = func() (s [Hashes]uint64) {
	x := uint64(0x6b78_2017_5eed)
	for i := range s {
		x = mix(x)
		s[i] = x
	}
	return s
}()
