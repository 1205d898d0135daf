// Package credential holds secrets users present: personal access tokens, kept
// only as SHA-256 hashes, and passwords, kept as argon2id (or imported bcrypt) hashes.
package credential

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"
)

// PAT is a personal access token as stored: never the token itself.
type PAT struct {
	ID         string
	UserID     string
	OrgID      string
	Hash       []byte // SHA-256 of the token
	Expiration time.Time
	CreatedAt  time.Time
	// Epoch is the user's CredentialEpoch when issued, kept for the record. A
	// PAT is issued by an administrator, so the user's state decides whether it
	// works (suspended while locked, valid again after the unlock); the epoch
	// governs only what a sign-in produced.
	Epoch    uint64
	Sequence uint64 // the user's sequence at creation
}

// NewToken returns a fresh random bearer token (256 bits) and its hash.
// High entropy is why a fast hash is enough and a password hash would only cost.
func NewToken() (token string, hash []byte) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("credential: no randomness: " + err.Error()) // crypto/rand never fails on Linux
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token)
}

// HashToken is the lookup key of a bearer token.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Valid tells whether p has not expired; the caller checks its user's state.
func (p *PAT) Valid(now time.Time) bool {
	return p.Expiration.IsZero() || now.Before(p.Expiration)
}
