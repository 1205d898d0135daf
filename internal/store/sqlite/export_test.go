package sqlite

import "database/sql"

// OpenRaw opens the file without Warden's setup, for tests that tamper with it.
func OpenRaw(path string) (*sql.DB, error) { return sql.Open("sqlite", path) }
