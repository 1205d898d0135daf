# Warden's developer entry points. Everything here works offline once the Go
# module cache is filled (go mod download).

GO ?= go
NPM ?= npm
PG_DSN ?= $(WARDEN_TEST_POSTGRES)
# staticcheck at a pinned version, from the Go module proxy (then the module
# cache); staticcheck.conf says which checks are off and why.
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: build run test check unit compat compat-go compat-node compat-doc permissions-doc fuzz bench load screenshots proto

build:
	$(GO) build -o bin/warden ./cmd/warden
	$(GO) build -o bin/wardenload ./cmd/wardenload

run: build
	./bin/warden start --data-dir ./warden-data --addr 127.0.0.1:8080

# The whole test suite: format, vet, staticcheck, unit + storage conformance + end-to-end tests
# under the race detector, the ZITADEL-client compatibility suites (Go and Node),
# and a short run of every fuzz target. PostgreSQL parts run when WARDEN_TEST_POSTGRES is set.
test: check unit compat fuzz

check:
	@out=$$(gofmt -l . ); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	cd compat && $(GO) vet ./...
	$(STATICCHECK) ./...
	cd compat && $(STATICCHECK) ./...

unit:
	$(GO) test -race -count=1 -timeout 20m ./...

compat: compat-go compat-node

# ZITADEL's Go client (zitadel-go) against a built warden.
compat-go:
	cd compat && $(GO) test -count=1 -timeout 10m ./...

# ZITADEL's npm clients (@zitadel/node, @zitadel/client) and openid-client
# against a built warden: needs Node.js 20+ and npm (.ci/run installs them).
compat-node:
	cd compat/node && $(NPM) ci --no-audit --no-fund --ignore-scripts && $(NPM) test

FUZZTIME ?= 10s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzCheckHashFormat$$' -fuzztime $(FUZZTIME) ./internal/credential
	$(GO) test -run '^$$' -fuzz '^FuzzREST$$' -fuzztime $(FUZZTIME) ./internal/server
	$(GO) test -run '^$$' -fuzz '^FuzzRPC$$' -fuzztime $(FUZZTIME) ./internal/server
	$(GO) test -run '^$$' -fuzz '^FuzzURLTemplate$$' -fuzztime $(FUZZTIME) ./internal/app
	$(GO) test -run '^$$' -fuzz '^FuzzRender$$' -fuzztime $(FUZZTIME) ./internal/msgtext

bench:
	$(GO) test -run '^$$' -bench . -benchtime 3s ./internal/app ./internal/store/...

load:
	./scripts/bench.sh

# The console's screenshots in docs/screenshots (README links them): a test
# server with sample data, signed in and photographed by headless Chromium.
screenshots:
	WARDEN_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run '^TestScreenshots$$' ./internal/console/

# docs/compat.md's list of served methods, from what a test server answers to
# every method of every ZITADEL service (a test fails when the list is stale).
compat-doc:
	WARDEN_WRITE_COMPAT_DOC=1 $(GO) test -count=1 -run '^TestCompatDocListsServedMethods$$' ./internal/server/

# docs/security.md's table of who may call what, from the method → use case
# table (internal/api) and the use case → permission table (internal/app).
permissions-doc:
	WARDEN_WRITE_PERMISSIONS_DOC=1 $(GO) test -count=1 -run '^TestPermissionDocs$$' ./internal/api/

# Warden's own API (proto/warden/...): the Go code beside each .proto's
# go_package, committed. The plugins are the go.mod tools at their pinned
# versions, buf is proto/package.json's; offline once the module cache and
# the npm cache are filled.
proto:
	$(GO) build -o bin/protoc-gen-go google.golang.org/protobuf/cmd/protoc-gen-go
	$(GO) build -o bin/protoc-gen-go-grpc google.golang.org/grpc/cmd/protoc-gen-go-grpc
	cd proto && $(NPM) ci --no-audit --no-fund && npx buf lint && npx buf generate
