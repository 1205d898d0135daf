package main

import (
	"github.com/warden-id/warden/internal/fail"
	"google.golang.org/grpc/codes"
)

// The binary's own errors, for operators (its error text ends with the id).
var (
	// Its message names the data dir and the pid holding it (Msgf).
	errDataDirLocked = fail.New(codes.FailedPrecondition, "WARDEN-DATADIR-LOCKED", "data dir is in use by another warden")
)
