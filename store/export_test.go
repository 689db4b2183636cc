package store

// RollbackJournal reports whether a SQLite import left WAL for the
// rollback journal (see importConn).
func (im *Import) RollbackJournal() bool { return im.conn != nil && im.conn.journal }
