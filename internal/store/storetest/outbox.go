package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/store"
)

var outboxTests = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"RoundTrip", testOutboxRoundTrip},
	{"RolledBack", testOutboxRolledBack},
	{"ClaimAndFinish", testOutboxClaimAndFinish},
	{"ConcurrentClaims", testOutboxConcurrentClaims},
	{"ClaimByKind", testOutboxClaimByKind},
	{"FinishedLosesData", testOutboxFinishedLosesData},
}

func enqueue(t *testing.T, s store.Store, ms ...*store.Message) {
	t.Helper()
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, m := range ms {
			if err := tx.EnqueueMessage(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
}

func claim(t *testing.T, s store.Store, now, until time.Time, limit int) []*store.Message {
	t.Helper()
	var got []*store.Message
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		var err error
		got, err = tx.ClaimMessages(ctx, "email", now, until, limit)
		return err
	})
	return got
}

// testOutboxRoundTrip: a message reads back as queued; an id is queued once.
func testOutboxRoundTrip(t *testing.T, s store.Store) {
	created := at(-time.Minute)
	m := &store.Message{ID: ids.Next(), Kind: "email", Recipient: "a@example.com", Data: []byte(`{"s":"hi"}`), CreatedAt: created}
	enqueue(t, s, m)
	got, err := s.Message(ctxT(t), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != "email" || got.Recipient != "a@example.com" || string(got.Data) != `{"s":"hi"}` ||
		got.State != store.MessagePending || got.Attempts != 0 || got.LastError != "" ||
		!got.CreatedAt.Equal(created) || !got.NextAttempt.Equal(created) || !got.ChangedAt.Equal(created) {
		t.Fatalf("read back %+v", got)
	}
	err = s.Write(ctxT(t), func(ctx context.Context, tx store.Tx) error {
		return tx.EnqueueMessage(ctx, &store.Message{ID: m.ID, Kind: "email"})
	})
	wantErr(t, err, store.ErrDuplicate)
	_, err = s.Message(ctxT(t), ids.Next())
	wantErr(t, err, store.ErrNotFound)
	if n, err := s.CountMessages(ctxT(t), store.MessagePending); err != nil || n != 1 {
		t.Fatalf("pending count %d, %v", n, err)
	}
}

// testOutboxRolledBack: a message queued in a write that fails is never there.
func testOutboxRolledBack(t *testing.T, s store.Store) {
	id := ids.Next()
	err := s.Write(ctxT(t), func(ctx context.Context, tx store.Tx) error {
		if err := tx.EnqueueMessage(ctx, &store.Message{ID: id, Kind: "email"}); err != nil {
			return err
		}
		return errOut
	})
	wantErr(t, err, errOut)
	_, err = s.Message(ctxT(t), id)
	wantErr(t, err, store.ErrNotFound)
	if got := claim(t, s, at(time.Hour), at(2*time.Hour), 10); len(got) != 0 {
		t.Fatalf("claimed a rolled back message: %+v", got)
	}
}

// testOutboxClaimAndFinish: only due pending messages are claimed, a claim
// holds until its lease ends, and only the current claim may finish one.
func testOutboxClaimAndFinish(t *testing.T, s store.Store) {
	now := at(0)
	due := &store.Message{ID: ids.Next(), Kind: "email", CreatedAt: now.Add(-time.Second)}
	later := &store.Message{ID: ids.Next(), Kind: "email", CreatedAt: now, NextAttempt: now.Add(time.Hour)}
	enqueue(t, s, due, later)

	got := claim(t, s, now, now.Add(time.Minute), 10)
	if len(got) != 1 || got[0].ID != due.ID || got[0].Attempts != 1 || !got[0].NextAttempt.Equal(now.Add(time.Minute)) {
		t.Fatalf("first claim: %+v", got)
	}
	if again := claim(t, s, now.Add(30*time.Second), now.Add(2*time.Minute), 10); len(again) != 0 {
		t.Fatalf("claimed again within the lease: %+v", again)
	}
	// The lease ran out (a crashed claimer): the message is claimed anew, and
	// the first claim may no longer finish it.
	re := claim(t, s, now.Add(2*time.Minute), now.Add(3*time.Minute), 10)
	if len(re) != 1 || re[0].ID != due.ID || re[0].Attempts != 2 {
		t.Fatalf("claim after the lease: %+v", re)
	}
	stale := *got[0]
	stale.State, stale.ChangedAt = store.MessageSent, now
	err := s.Write(ctxT(t), func(ctx context.Context, tx store.Tx) error { return tx.FinishMessage(ctx, &stale) })
	wantErr(t, err, store.ErrNotFound)

	m := *re[0]
	m.State, m.LastError, m.ChangedAt, m.NextAttempt = store.MessageSent, "", now.Add(2*time.Minute), now.Add(2*time.Minute)
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.FinishMessage(ctx, &m) })
	err = s.Write(ctxT(t), func(ctx context.Context, tx store.Tx) error { return tx.FinishMessage(ctx, &m) })
	wantErr(t, err, store.ErrNotFound) // finished once
	if c := claim(t, s, now.Add(10*time.Minute), now.Add(11*time.Minute), 10); len(c) != 0 {
		t.Fatalf("a sent message was claimed: %+v", c)
	}
	read, err := s.Message(ctxT(t), due.ID)
	if err != nil || read.State != store.MessageSent || read.Attempts != 2 {
		t.Fatalf("after finish: %+v, %v", read, err)
	}
	// A failure that is given up on: dead, with its error, never claimed again.
	c := claim(t, s, now.Add(2*time.Hour), now.Add(3*time.Hour), 10)
	if len(c) != 1 || c[0].ID != later.ID {
		t.Fatalf("claim of the later message: %+v", c)
	}
	c[0].State, c[0].LastError, c[0].ChangedAt = store.MessageDead, "550 no such user", now
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.FinishMessage(ctx, c[0]) })
	read, err = s.Message(ctxT(t), later.ID)
	if err != nil || read.State != store.MessageDead || read.LastError != "550 no such user" {
		t.Fatalf("dead: %+v, %v", read, err)
	}
	for st, want := range map[store.MessageState]int64{store.MessagePending: 0, store.MessageSent: 1, store.MessageDead: 1} {
		if n, err := s.CountMessages(ctxT(t), st); err != nil || n != want {
			t.Errorf("count of state %d: %d, %v; want %d", st, n, err, want)
		}
	}
}

// testOutboxConcurrentClaims: claimers racing over the same messages take
// each exactly once.
func testOutboxConcurrentClaims(t *testing.T, s store.Store) {
	const n = 60
	ms := make([]*store.Message, n)
	for i := range ms {
		ms[i] = &store.Message{ID: ids.Next(), Kind: "email", Recipient: fmt.Sprint(i)}
	}
	enqueue(t, s, ms...)
	now := store.Now()
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var got []*store.Message
				err := s.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
					var err error
					got, err = tx.ClaimMessages(ctx, "email", now, now.Add(time.Hour), 3)
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, m := range got {
					seen[m.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("%d of %d messages claimed", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("message %s claimed %d times", id, c)
		}
	}
}

// testOutboxClaimByKind: a claim takes only messages of its kind; the others
// stay pending with no attempt counted.
func testOutboxClaimByKind(t *testing.T, s store.Store) {
	now := at(0)
	mail := &store.Message{ID: ids.Next(), Kind: "email", CreatedAt: now.Add(-time.Second)}
	sms := &store.Message{ID: ids.Next(), Kind: "sms", Recipient: "+41790000000", Data: []byte("sealed"), CreatedAt: now.Add(-time.Second)}
	enqueue(t, s, mail, sms)
	got := claim(t, s, now, now.Add(time.Minute), 10)
	if len(got) != 1 || got[0].ID != mail.ID {
		t.Fatalf("email claim: %+v", got)
	}
	read, err := s.Message(ctxT(t), sms.ID)
	if err != nil || read.State != store.MessagePending || read.Attempts != 0 || !read.NextAttempt.Equal(sms.CreatedAt) {
		t.Fatalf("the sms after an email claim: %+v, %v", read, err)
	}
	var texts []*store.Message
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		var err error
		texts, err = tx.ClaimMessages(ctx, "sms", now, now.Add(time.Minute), 10)
		return err
	})
	if len(texts) != 1 || texts[0].ID != sms.ID || texts[0].Attempts != 1 || string(texts[0].Data) != "sealed" {
		t.Fatalf("sms claim: %+v", texts)
	}
}

// testOutboxFinishedLosesData: a retry keeps the message's data; a message
// finished sent or dead keeps its recipient and error but no data.
func testOutboxFinishedLosesData(t *testing.T, s store.Store) {
	now := at(0)
	sent := &store.Message{ID: ids.Next(), Kind: "email", Recipient: "a@example.com", Data: []byte("body one"), CreatedAt: now.Add(-time.Second)}
	dead := &store.Message{ID: ids.Next(), Kind: "email", Recipient: "b@example.com", Data: []byte("body two"), CreatedAt: now.Add(-time.Second)}
	enqueue(t, s, sent, dead)
	c := claim(t, s, now, now.Add(time.Minute), 10)
	if len(c) != 2 {
		t.Fatalf("claimed %+v", c)
	}
	// The first attempt of both fails: back to pending, data kept.
	for _, m := range c {
		m.NextAttempt, m.LastError, m.ChangedAt = now.Add(time.Second), "451 later", now
		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.FinishMessage(ctx, m) })
	}
	for _, m := range []*store.Message{sent, dead} {
		read, err := s.Message(ctxT(t), m.ID)
		if err != nil || read.State != store.MessagePending || string(read.Data) != string(m.Data) {
			t.Fatalf("after a retry: %+v, %v", read, err)
		}
	}
	c = claim(t, s, now.Add(2*time.Second), now.Add(time.Minute), 10)
	if len(c) != 2 || string(c[0].Data) != "body one" {
		t.Fatalf("second claim: %+v", c)
	}
	c[0].State, c[0].LastError, c[0].ChangedAt = store.MessageSent, "", now
	c[1].State, c[1].LastError, c[1].ChangedAt = store.MessageDead, "550 no", now
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, m := range c {
			if err := tx.FinishMessage(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	for _, want := range []struct {
		m     *store.Message
		state store.MessageState
	}{{sent, store.MessageSent}, {dead, store.MessageDead}} {
		read, err := s.Message(ctxT(t), want.m.ID)
		if err != nil || read.State != want.state || len(read.Data) != 0 || read.Recipient != want.m.Recipient {
			t.Fatalf("finished: %+v, %v", read, err)
		}
	}
}
