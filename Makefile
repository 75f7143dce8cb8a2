# terok auth. `make help` lists the targets.
GO       ?= go
BIN      := bin
TESTBIN  := testbin
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# Release builds drop the symbol table and DWARF (-s -w: a third smaller);
# DEBUG=1 keeps them, for debuggers and perf.
STRIP    := $(if $(DEBUG),,-s -w)
LDFLAGS  := $(STRIP) -X main.version=$(VERSION) \
            -X github.com/terok-ai/terok-auth/plugins/claude/provider.Version=$(VERSION) \
            -X github.com/terok-ai/terok-auth/plugins/codex/provider.Version=$(VERSION)
PREFIX   ?= $(HOME)/.local

# Pinned tool versions. protoc itself is Debian's protobuf-compiler (3.21.12);
# protoc-gen-go matches google.golang.org/protobuf in go.mod.
PROTOC_GEN_GO_VERSION      := v1.36.12
PROTOC_GEN_GO_GRPC_VERSION := v1.5.1
GOLANGCI_LINT_VERSION      := v2.15.0
TOOLS := $(CURDIR)/.tools

PROTO := internal/proto/providerv1/provider.proto

.PHONY: help build testbins test test-unit bench lint generate check-generated install fuzz clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

build: ## build terok and its bundled plugins into bin/
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/terok ./cmd/terok
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/terok-provider-claude ./plugins/claude
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/terok-provider-codex ./plugins/codex

# Test-only binaries: a plugin that misbehaves on demand, and a static stand-in
# for the vendor CLIs that goes into the login container images.
testbins: build
	$(GO) build -o $(TESTBIN)/terok-provider-faulty ./internal/testplugin
	CGO_ENABLED=0 $(GO) build -o $(TESTBIN)/testvendor ./internal/testvendor
	cd examples/acme-plugin && $(GO) build -o ../../$(TESTBIN)/example/terok-provider-acme .

# The end-to-end tests get the binaries of this one build, a private keyring
# session, and podman settings this kind of test machine needs (a caller's own
# CONTAINERS_CONF wins).
TEST_ENV = TEROK_TEST_BIN=$(CURDIR)/$(BIN) TEROK_TEST_PLUGIN=$(CURDIR)/$(TESTBIN)/terok-provider-faulty \
	TEROK_TEST_VENDOR=$(CURDIR)/$(TESTBIN)/testvendor TEROK_TEST_EXAMPLE=$(CURDIR)/$(TESTBIN)/example/terok-provider-acme \
	CONTAINERS_CONF=$${CONTAINERS_CONF:-$(CURDIR)/e2e/testdata/containers.conf}

test: testbins ## run every test, end to end ones included (real keyring, real podman)
	scripts/deps test
	$(TEST_ENV) scripts/with-keyring $(GO) test -count=1 ./...
	cd examples/acme-plugin && $(TEST_ENV) $(GO) test -count=1 ./...

test-unit: ## run the tests that need no keyring and no built binaries
	$(GO) test -short ./...

# bench prints one table (terok against secret-tool, podman and a bare exec,
# each row against its budget) and scaling tables, and keeps it in
# bench/results/latest.txt (the run before: previous.txt). BENCHFLAGS: e.g.
# -pairs 21, -only token, -no-scale.
bench: testbins ## measure terok against its budgets (docs/performance.md); table in bench/results/latest.txt
	scripts/deps test
	$(TEST_ENV) scripts/with-keyring $(GO) run ./bench $(BENCHFLAGS)

fuzz: ## fuzz every parser of untrusted input for FUZZTIME each (default 20s)
	$(GO) test -run '^$$' -fuzz FuzzCapture -fuzztime $(or $(FUZZTIME),20s) ./plugins/claude/provider
	$(GO) test -run '^$$' -fuzz FuzzCapture -fuzztime $(or $(FUZZTIME),20s) ./plugins/codex/provider
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(or $(FUZZTIME),20s) ./core/config
	$(GO) test -run '^$$' -fuzz FuzzCheckRunArgs -fuzztime $(or $(FUZZTIME),20s) ./sdk
	$(GO) test -run '^$$' -fuzz FuzzLoad -fuzztime $(or $(FUZZTIME),20s) ./core/yamlprov

$(TOOLS)/golangci-lint:
	GOBIN=$(TOOLS) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

lint: $(TOOLS)/golangci-lint ## gofmt, go vet and golangci-lint
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: the files above need formatting"; exit 1; }
	$(GO) vet ./...
	$(TOOLS)/golangci-lint run ./...
	cd examples/acme-plugin && $(GO) vet ./... && $(TOOLS)/golangci-lint run --config ../../.golangci.yml ./...

$(TOOLS)/protoc-gen-go:
	GOBIN=$(TOOLS) $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)

$(TOOLS)/protoc-gen-go-grpc:
	GOBIN=$(TOOLS) $(GO) install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GO_GRPC_VERSION)

generate: $(TOOLS)/protoc-gen-go $(TOOLS)/protoc-gen-go-grpc ## regenerate the protobuf code
	scripts/deps generate
	PATH=$(TOOLS):$$PATH protoc --go_out=. --go_opt=paths=source_relative \
		--go-grpc_out=. --go-grpc_opt=paths=source_relative $(PROTO)

check-generated: generate ## fail if the committed generated code differs from what generate makes
	@git diff --exit-code -- internal/proto || { echo "generated code drifted: run 'make generate' and commit the result"; exit 1; }

install: build ## install terok and its plugins into PREFIX/bin (default ~/.local)
	install -d $(PREFIX)/bin
	install -m 0755 $(BIN)/terok $(BIN)/terok-provider-claude $(BIN)/terok-provider-codex $(PREFIX)/bin/

clean: ## remove build output
	rm -rf $(BIN) $(TESTBIN)
