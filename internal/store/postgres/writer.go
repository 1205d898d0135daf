package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/warden-id/warden/internal/store"
)

// maxAttempts bounds how often Write runs a function that keeps conflicting.
const maxAttempts = 10

// Write queues fn for a writer goroutine and waits for the batch it joined to
// commit; see store.Store. With synchronous_commit on (PostgreSQL's default) a
// nil return means the commit is on disk.
func (s *Store) Write(ctx context.Context, fn func(context.Context, store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return errClosed
	}
	select {
	case s.writes <- r:
		s.mu.RUnlock()
	case <-ctx.Done():
		s.mu.RUnlock()
		return ctx.Err()
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		if r.state.CompareAndSwap(reqPending, reqAbandoned) {
			return ctx.Err() // the writer will skip it
		}
		// fn is running or ran: its outcome, commit included, is the answer.
		return <-r.done
	}
}

// Request states: a caller may abandon its request only before a writer took it.
const (
	reqPending int32 = iota
	reqRunning
	reqAbandoned
)

type writeReq struct {
	ctx   context.Context
	fn    func(context.Context, store.Tx) error
	state atomic.Int32
	done  chan error // buffered: the writer never waits for the caller
}

// writeLoop takes whatever requests are waiting, up to maxBatch, and commits
// them in one transaction. While it commits, new requests queue up and form the
// next batch, so the batch size follows the load.
func (s *Store) writeLoop() { batchLoop(s.writes, s.closing, s.cfg.maxBatch, s.commitBatch) }

// batchLoop hands run whatever waits in in, up to max at a time, until closing;
// then it finishes what is still queued one by one. Close holds mu while it
// closes, so no sender is mid-send by then.
func batchLoop[T any](in <-chan T, closing <-chan struct{}, max int, run func([]T)) {
	batch := make([]T, 0, max)
	for {
		var first T
		select {
		case first = <-in:
		case <-closing:
			for {
				select {
				case r := <-in:
					run([]T{r})
				default:
					return
				}
			}
		}
		batch = append(batch[:0], first)
	fill:
		for len(batch) < max {
			select {
			case r := <-in:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		run(batch)
		clear(batch) // drop references for the GC
	}
}

// commitBatch runs every live request of batch in its own savepoint inside one
// transaction, then hands the COMMIT to a goroutine of its own, so the writer
// can run the next batch while this one's WAL flush is under way. Answers go
// out only after COMMIT returned, so a nil answer means durable.
func (s *Store) commitBatch(batch []*writeReq) {
	live := make([]*writeReq, 0, len(batch))
	for _, r := range batch {
		if r.state.CompareAndSwap(reqPending, reqRunning) {
			live = append(live, r)
		}
	}
	if len(live) == 0 {
		return
	}
	answerAll := func(err error) {
		for _, r := range live {
			r.done <- err
		}
	}
	// The batch's statements ignore the callers' cancellation: a cancelled
	// statement would abort the transaction the others share.
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		cancel()
		answerAll(classify("acquire", err))
		return
	}
	b := &batchConn{conn: pc.Conn(), ctx: ctx, rewind: -1}
	fail := func(err error) {
		b.rollback()
		// Release destroys the connection if it is broken or still in a transaction.
		pc.Release()
		cancel()
		// The refusals too: they may have been decided on writes now lost.
		answerAll(err)
	}
	b.control("BEGIN")
	results := make([]error, len(live))
	strict := make([]bool, len(live))
	// Each rewind makes one more request strict, and strict requests defer
	// nothing, so this loop ends after at most len(live) rewinds.
	for i := 0; i <= len(live); {
		var err error
		if i < len(live) {
			results[i], err = b.runOne(live[i], i, strict[i])
		} else if slices.ContainsFunc(b.queue, func(q queued) bool { return !q.control }) {
			// The last deferred writes go now, not with the COMMIT: a refusal
			// must be known before the batch leaves the writer.
			b.roundTrip("", nil)
			err = b.fatal
		}
		if err != nil {
			fail(err)
			return
		}
		if b.rewind >= 0 {
			// The deferred writes of request b.rewind were refused: run it again,
			// strictly, and every request after it, whose reads may have seen them.
			i, b.rewind = b.rewind, -1
			strict[i] = true
			continue
		}
		i++
	}
	// Wait for a commit slot: bounds the connections and batches in flight.
	s.committing <- struct{}{}
	s.done.Go(func() {
		defer func() { <-s.committing }()
		if err := b.commit(); err != nil {
			fail(err)
			return
		}
		pc.Release()
		cancel()
		for i, r := range live {
			r.done <- results[i]
		}
	})
}

func retryable(err error) bool {
	if errors.Is(err, store.ErrConflict) {
		return true
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// callFn runs fn, turning a panic into an error: the writer goroutine serves
// every request and must survive one bad function.
func callFn(ctx context.Context, fn func(context.Context, store.Tx) error, t store.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("postgres: write function panicked: %v", p)
		}
	}()
	return fn(ctx, t)
}
