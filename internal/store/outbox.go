package store

import "time"

// MessageState is where an outbox message is in its delivery.
type MessageState int

const (
	// MessagePending: not yet delivered; due at NextAttempt (or claimed until then).
	MessagePending MessageState = iota
	// MessageSent: delivered; kept for the record.
	MessageSent
	// MessageDead: given up on after too many attempts (dead letter).
	MessageDead
)

// Message is one row of the notification outbox: something that must leave
// the system (a mail) because of a change, written in that change's own
// transaction so it is sent if and only if the change commits. ID is the
// idempotency key the sender carries (a mail's Message-ID); Data is the owning
// package's encoding of the message itself.
type Message struct {
	ID        string
	Kind      string // e.g. "email"
	Recipient string
	Data      []byte
	State     MessageState
	// Attempts counts the claims so far. A claim increments it, so it also
	// identifies the claim: only the claimer holding that count may finish it.
	Attempts int
	// NextAttempt is when a pending message is due; while claimed, the end of
	// the claim's lease, after which another claimer may take it again.
	NextAttempt time.Time
	LastError   string
	CreatedAt   time.Time
	ChangedAt   time.Time
}
