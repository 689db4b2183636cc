package store

import (
	"context"
	"strconv"
	"strings"
)

// LockSimilar makes the near-duplicate work of one year's submissions take
// turns until the transaction ends (PostgreSQL: an advisory lock; SQLite's
// writers take turns already), so that two similar pieces submitted at once
// each find the other.
func (q *Q) LockSimilar(ctx context.Context, year int) error {
	if q.d != postgresDialect {
		return nil
	}
	_, err := q.c.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7262920, $1)`, year)
	return err
}

// SetPieceBands replaces a piece's MinHash bands.
func (q *Q) SetPieceBands(ctx context.Context, pieceID int64, year int, bands []uint64) error {
	if _, err := q.c.ExecContext(ctx, `DELETE FROM piece_bands WHERE piece_id = $1`, pieceID); err != nil {
		return err
	}
	if len(bands) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO piece_bands (piece_id, year, band, hash) VALUES `)
	args := []any{pieceID, year}
	for i, h := range bands {
		if i > 0 {
			b.WriteString(", ")
		}
		args = append(args, i, int64(h))
		b.WriteString("($1, $2, $" + strconv.Itoa(len(args)-1) + ", $" + strconv.Itoa(len(args)) + ")")
	}
	_, err := q.c.ExecContext(ctx, b.String(), args...)
	return err
}

// BandCandidates are the pieces of a year, other than self, that share a
// band with bands.
func (q *Q) BandCandidates(ctx context.Context, year int, self int64, bands []uint64) ([]int64, error) {
	if len(bands) == 0 {
		return nil, nil
	}
	// One indexed lookup a band (an OR of them may scan the table).
	var b strings.Builder
	b.WriteString(`SELECT DISTINCT piece_id FROM (`)
	args := []any{year, self}
	for i, h := range bands {
		if i > 0 {
			b.WriteString(" UNION ALL ")
		}
		args = append(args, i, int64(h))
		b.WriteString("SELECT piece_id FROM piece_bands WHERE year = $1 AND band = $" + strconv.Itoa(len(args)-1) + " AND hash = $" + strconv.Itoa(len(args)) + " AND piece_id <> $2")
	}
	b.WriteString(") c ORDER BY piece_id")
	rows, err := q.c.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// PieceText is what the near-duplicate check reads of another piece.
type PieceText struct {
	ID                   int64
	Title, Body          string
	Department, DeptName string
}

// PieceTexts reads pieces' titles and bodies (no row locks: the pieces are
// another's, only read).
func (q *Q) PieceTexts(ctx context.Context, ids []int64) ([]PieceText, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var w filter
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = w.arg(id)
	}
	rows, err := q.c.QueryContext(ctx, `SELECT p.id, p.title, p.body, d.code, d.name FROM pieces p JOIN departments d ON d.id = p.department_id WHERE p.id IN (`+strings.Join(ph, ",")+`) ORDER BY p.id`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PieceText
	for rows.Next() {
		var t PieceText
		if err := rows.Scan(&t.ID, &t.Title, &t.Body, &t.Department, &t.DeptName); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// SimilarPiece is another piece found similar to one.
type SimilarPiece struct {
	ID                   int64
	Title                string
	Department, DeptName string
	Similarity           float64
}

// SetSimilar replaces the pairs a piece is in: with each of others, both ways.
func (q *Q) SetSimilar(ctx context.Context, pieceID int64, others map[int64]float64) error {
	if _, err := q.c.ExecContext(ctx, `DELETE FROM similar_pieces WHERE piece_id = $1 OR other_id = $1`, pieceID); err != nil {
		return err
	}
	for id, s := range others {
		if _, err := q.c.ExecContext(ctx, `INSERT INTO similar_pieces (piece_id, other_id, similarity) VALUES ($1, $2, $3), ($2, $1, $3)`, pieceID, id, s); err != nil {
			return err
		}
	}
	return nil
}

// SimilarTo lists the pieces found similar to one, most similar first.
func (q *Q) SimilarTo(ctx context.Context, pieceID int64) ([]SimilarPiece, error) {
	rows, err := q.c.QueryContext(ctx, `SELECT p.id, p.title, d.code, d.name, s.similarity FROM similar_pieces s
		JOIN pieces p ON p.id = s.other_id JOIN departments d ON d.id = p.department_id
		WHERE s.piece_id = $1 ORDER BY s.similarity DESC, p.id`, pieceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SimilarPiece
	for rows.Next() {
		var s SimilarPiece
		if err := rows.Scan(&s.ID, &s.Title, &s.Department, &s.DeptName, &s.Similarity); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
