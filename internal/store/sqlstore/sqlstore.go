// Package sqlstore is what Warden's two SQL engines share: the statements,
// written once; the shapes of the rows they read and write; and store.Reader
// and store.Tx, implemented over a small querier each engine provides.
//
// What truly differs between SQLite and PostgreSQL is a Dialect value (as in
// Dex's SQL storage): the placeholder mark, how a time is stored, how text is
// matched, how a column is tested against a list, and the few statements whose
// text cannot be the same. Connections, transactions, batching and caching
// differ much more and stay in the engines (internal/store/sqlite,
// internal/store/postgres), behind Querier and Execer.
package sqlstore

import (
	"context"
	"regexp"
	"strconv"
	"time"
)

// Dialect is one engine's way of writing what the statements share.
type Dialect struct {
	// Name prefixes the engine's errors ("sqlite", "postgres").
	Name string
	// Numbered: placeholders are $1, $2, … (PostgreSQL); else each is a bare
	// ?, bound in the order it appears (SQLite, whose driver binds those
	// without building a parameter name per value). The statements here number
	// theirs in order of appearance, each once, so either form reads them.
	Numbered bool
	// Classify wraps a driver error with the operation and maps it to a store
	// sentinel (ErrDuplicate, ErrUnavailable).
	Classify func(op string, err error) error
	// Time encodes a time other than the zero time (which is NULL on both
	// engines) as a statement argument.
	Time func(time.Time) any
	// NewTimes returns two scan destinations for nullable time columns (in one
	// allocation: most rows hold two); the driver must be able to scan into them.
	NewTimes func() [2]TimeDest
	// TextCond returns the condition "col compares to v by op", or "" if it
	// holds for every row. Case is settled by then (see textCond).
	TextCond func(a *Args, col string, op TextOp, v string) string
	// In returns the condition "col is one of list", for a []int64 or []string
	// that is not empty.
	In func(a *Args, col string, list any) string
	// Statements are the engine's own texts of the statements that cannot be
	// shared (StmtPrincipal, StmtPutArtifact), used as they are.
	Statements map[Stmt]string
}

// TextOp is how a text filter compares, once its case is settled.
type TextOp int

const (
	TextEquals TextOp = iota
	TextStartsWith
	TextContains
	TextEndsWith
)

// TimeDest is a scan destination for a nullable time column; At is the
// zero time for NULL, else the instant in UTC.
type TimeDest interface{ At() time.Time }

// Row is one row of an answer, as *sql.Row and pgx.Row are.
type Row interface {
	Scan(dest ...any) error
}

// Rows is a whole answer, as pgx.Rows is (and *sql.Rows but for Close's result).
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Querier is what reads go through: an engine's read pool, or its connection
// inside a write.
//
// Fixed statements (Stmt) are lookups by a key, answered from an index at a
// cost that does not grow with the tables; statements built at run time are
// lists and counts, whose cost does. An engine may run the two kinds apart, so
// that a slow list never delays a token lookup.
type Querier interface {
	// QueryRow runs a fixed statement that answers at most one row.
	QueryRow(ctx context.Context, s Stmt, args ...any) Row
	// Query runs a fixed statement.
	Query(ctx context.Context, s Stmt, args ...any) (Rows, error)
	// QueryRowSQL runs a statement built at run time (a count).
	QueryRowSQL(ctx context.Context, sql string, args ...any) Row
	// QuerySQL runs a statement built at run time (a list).
	QuerySQL(ctx context.Context, sql string, args ...any) (Rows, error)
}

// Execer is what writes go through: the engine's connection inside a write.
type Execer interface {
	Querier
	// Exec runs a fixed statement and returns how many rows it changed.
	Exec(ctx context.Context, s Stmt, args ...any) (int64, error)
	// ExecGuarded runs a fixed write whose only expected refusal is "0 rows"
	// (a sequence-guarded update, an event append). An engine may defer it and
	// report deferred: then it meets any refusal itself later, by running the
	// write function again; else n and err are Exec's.
	ExecGuarded(ctx context.Context, s Stmt, args ...any) (n int64, deferred bool, err error)
	// Touched says the write changes what Principal answers for the user, for
	// an engine that caches those answers.
	Touched(userID string)
	// TouchedOrg says the write changes an org, whose state every Principal
	// answer for its users carries (user.OrgInactive).
	TouchedOrg(orgID string)
}

// Args collects the arguments of a statement built at run time and hands out
// their placeholders, which must appear in the statement in the order added.
type Args struct {
	numbered bool
	vals     []any
}

// NewArgs starts the arguments of a statement for d.
func (d *Dialect) NewArgs() *Args { return &Args{numbered: d.Numbered} }

// Add appends v and returns its placeholder.
func (a *Args) Add(v any) string {
	a.vals = append(a.vals, v)
	if !a.numbered {
		return "?"
	}
	return "$" + strconv.Itoa(len(a.vals))
}

// Values are the arguments added so far.
func (a *Args) Values() []any { return a.vals }

var placeholder = regexp.MustCompile(`\$([0-9]+)`)

// Texts returns every fixed statement in d's form, indexed by Stmt. Engines
// call it once, when they start.
func (d *Dialect) Texts() []string {
	out := make([]string, NumStmts)
	for s := range NumStmts {
		if t, ok := d.Statements[s]; ok {
			out[s] = t
			continue
		}
		t := shared[s]
		if t == "" {
			panic("sqlstore: dialect " + d.Name + " lacks statement " + strconv.Itoa(int(s)))
		}
		out[s] = d.translate(t)
	}
	return out
}

// translate rewrites the $n placeholders of a shared text in d's form; bare
// ones bind in order, so there they must number 1, 2, … as they appear.
func (d *Dialect) translate(sql string) string {
	if d.Numbered {
		return sql
	}
	for i, m := range placeholder.FindAllStringSubmatch(sql, -1) {
		if m[1] != strconv.Itoa(i+1) {
			panic("sqlstore: placeholder $" + m[1] + " out of order in " + sql)
		}
	}
	return placeholder.ReplaceAllString(sql, "?")
}

// Placeholder is the first placeholder of a statement.
func (d *Dialect) Placeholder() string {
	if d.Numbered {
		return "$1"
	}
	return "?"
}
