// Package securitytest is Warden's security test suite: each test plays one
// attacker of docs/security.md's threat model — an anonymous client, a
// signed-in user, an org user manager, a third-party app's developer, the
// holder of a copy of the database — against a whole Warden on loopback (API,
// provider, login page, console) on each storage engine, and shows the attack
// fail. Tests are named after the threat; docs/security.md names the test
// behind each line.
package securitytest
