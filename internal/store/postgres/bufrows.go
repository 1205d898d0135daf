package postgres

import (
	"errors"
	"slices"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// result is one statement's complete answer, copied off the connection so the
// connection can serve the next statement while the caller scans.
type result struct {
	fields []pgconn.FieldDescription
	rows   [][][]byte
	tag    pgconn.CommandTag
	err    error
}

func bufferRows(rows pgx.Rows, err error) *result {
	if err != nil {
		if rows != nil {
			rows.Close()
		}
		return &result{err: err}
	}
	res := &result{}
	for rows.Next() {
		if res.fields == nil {
			res.fields = slices.Clone(rows.FieldDescriptions())
		}
		raw := rows.RawValues()
		n := 0
		for _, v := range raw {
			n += len(v)
		}
		// One allocation for the row's bytes; NULL stays nil, '' stays non-nil.
		slab := make([]byte, 0, n)
		row := make([][]byte, len(raw))
		for i, v := range raw {
			if v != nil {
				start := len(slab)
				slab = append(slab, v...)
				row[i] = slab[start:len(slab):len(slab)]
			}
		}
		res.rows = append(res.rows, row)
	}
	rows.Close()
	res.tag, res.err = rows.CommandTag(), rows.Err()
	return res
}

// typeMaps lend scanners a pgtype.Map, which is not safe for concurrent use
// and costly to build per row.
var typeMaps = sync.Pool{New: func() any { return pgtype.NewMap() }}

// bufRow is pgx.Row over a buffered result.
type bufRow struct{ res *result }

func (r bufRow) Scan(dest ...any) error {
	if r.res.err != nil {
		return r.res.err
	}
	if len(r.res.rows) == 0 {
		return pgx.ErrNoRows
	}
	m := typeMaps.Get().(*pgtype.Map)
	defer typeMaps.Put(m)
	return pgx.ScanRow(m, r.res.fields, r.res.rows[0], dest...)
}

// bufRows is pgx.Rows over a buffered result.
type bufRows struct {
	res *result
	i   int
	m   *pgtype.Map
	err error
}

func newBufRows(res *result) *bufRows {
	return &bufRows{res: res, i: -1, m: typeMaps.Get().(*pgtype.Map)}
}

func (r *bufRows) Close() {
	if r.m != nil {
		typeMaps.Put(r.m)
		r.m = nil
	}
}

func (r *bufRows) Err() error {
	if r.res.err != nil {
		return r.res.err
	}
	return r.err
}

func (r *bufRows) CommandTag() pgconn.CommandTag                { return r.res.tag }
func (r *bufRows) FieldDescriptions() []pgconn.FieldDescription { return r.res.fields }
func (r *bufRows) Conn() *pgx.Conn                              { return nil }
func (r *bufRows) TypeMap() *pgtype.Map                         { return r.m }

func (r *bufRows) Next() bool {
	if r.Err() != nil || r.m == nil || r.i+1 >= len(r.res.rows) {
		r.Close()
		return false
	}
	r.i++
	return true
}

func (r *bufRows) RawValues() [][]byte { return r.res.rows[r.i] }

func (r *bufRows) Scan(dest ...any) error {
	if r.m == nil {
		return errors.New("postgres: scan on closed rows")
	}
	err := pgx.ScanRow(r.m, r.res.fields, r.res.rows[r.i], dest...)
	if err != nil {
		r.err = err
		r.Close()
	}
	return err
}

func (r *bufRows) Values() ([]any, error) {
	if r.m == nil {
		return nil, errors.New("postgres: values of closed rows")
	}
	vals := make([]any, len(r.res.fields))
	for i, fd := range r.res.fields {
		raw := r.res.rows[r.i][i]
		if raw == nil {
			continue
		}
		t, ok := r.m.TypeForOID(fd.DataTypeOID)
		if !ok {
			vals[i] = string(raw)
			continue
		}
		v, err := t.Codec.DecodeValue(r.m, fd.DataTypeOID, fd.Format, raw)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	return vals, nil
}
