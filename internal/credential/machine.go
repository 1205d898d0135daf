package credential

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"time"
)

// Artifact kinds of machine credentials.
const (
	KindMachineKey    = "machine_key"
	KindMachineSecret = "machine_secret" // artifact id = user id
)

// MachineKey is the public half of a machine user's key pair for the JWT profile
// grant (RFC 7523). Warden generates the pair and hands out the private key once.
type MachineKey struct {
	ID           string    `json:"id"`
	UserID       string    `json:"userId"`
	PublicKeyPEM string    `json:"publicKey"`
	Expiration   time.Time `json:"expiration"`
	CreatedAt    time.Time `json:"createdAt"`
	// Epoch as for PATs: recorded, not checked; the user's state decides.
	Epoch    uint64 `json:"epoch"`
	Sequence uint64 `json:"sequence"`
}

// MachineSecret is a machine user's client secret for client credentials.
type MachineSecret struct {
	UserID    string    `json:"userId"`
	Hash      string    `json:"hash"` // hex SHA-256; secrets are 256 random bits
	CreatedAt time.Time `json:"createdAt"`
	Epoch     uint64    `json:"epoch"`
}

// SecretHash is the stored form of a generated secret.
func SecretHash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// SecretMatches compares a presented secret with a stored hash in constant time.
func SecretMatches(hash, secret string) bool {
	want := SecretHash(secret)
	return len(hash) == len(want) && subtle.ConstantTimeCompare([]byte(hash), []byte(want)) == 1
}
