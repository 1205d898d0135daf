package app

// QueueMail lets the external tests (outbox_test.go, which needs wardentest,
// which imports app) queue a mail as a use case does.
var QueueMail = (*App).queueMail

// QueueSMS is queueSMS, for the same tests.
var QueueSMS = (*App).queueSMS
