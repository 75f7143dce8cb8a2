# terok auth. `make help` lists the targets.
GO       ?= go
BIN      := bin
TESTBIN  := testbin
# Host releases are tagged vX.Y.Z; the SDK's own tags (sdk/vX.Y.Z) version
# the SDK module only.
VERSION  ?= $(shell git describe --tags --match 'v[0-9]*' --always --dirty 2>/dev/null || echo dev)
# The time of the last commit: man pages and archives carry it, not the time
# of the build, so two builds of one commit are byte-identical.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
export SOURCE_DATE_EPOCH
LDFLAGS  := -X main.version=$(VERSION) \
            -X github.com/terok-ai/terok-auth/plugins/claude/provider.Version=$(VERSION) \
            -X github.com/terok-ai/terok-auth/plugins/codex/provider.Version=$(VERSION)
# Release builds drop the symbol table and DWARF (-s -w) and the build ID.
# make build does too, unless DEBUG=1, which keeps them and turns off
# optimisations, for a debugger. Both build without cgo, so bin/terok is the
# binary the release archive holds (a cgo build links libc's resolver and
# user lookup instead of Go's, a different and larger binary), and with the
# tag grpcnotrace, which drops grpc's debug pages (golang.org/x/net/trace):
# they bring in html/template, whose reflection keeps the linker from
# dropping unused methods anywhere in the program (3 MB of terok).
GOTAGS   := grpcnotrace
ifeq ($(DEBUG),1)
BUILDFLAGS := -trimpath -tags $(GOTAGS) -gcflags=all='-N -l' -ldflags '$(LDFLAGS)'
else
BUILDFLAGS := -trimpath -tags $(GOTAGS) -ldflags '$(LDFLAGS) -s -w -buildid='
endif
RELEASEFLAGS := -trimpath -tags $(GOTAGS) -buildvcs=false -ldflags '$(LDFLAGS) -s -w -buildid='
# What make dist builds for, as GOOS/GOARCH.
DIST_TARGETS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64
DIST     := dist
PREFIX   ?= $(HOME)/.local

# Pinned tool versions. protoc itself is Debian's protobuf-compiler (3.21.12);
# protoc-gen-go matches google.golang.org/protobuf in go.mod.
PROTOC_GEN_GO_VERSION      := v1.36.12
PROTOC_GEN_GO_GRPC_VERSION := v1.5.1
GOLANGCI_LINT_VERSION      := v2.15.0
TOOLS := $(CURDIR)/.tools

# The wire protocol lives in the SDK's own module (sdk/go.mod); PROTO is
# relative to sdk/.
PROTO := internal/proto/providerv1/provider.proto

.PHONY: docs help build testbins test test-cold-cache test-unit bench bench-openbao bench-proxy lint generate check-generated install fuzz clean man dist cross-vet

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

build: ## build terok and its bundled plugins into bin/ (DEBUG=1 keeps debug info)
	CGO_ENABLED=0 $(GO) build $(BUILDFLAGS) -o $(BIN)/terok ./cmd/terok
	CGO_ENABLED=0 $(GO) build $(BUILDFLAGS) -o $(BIN)/terok-provider-claude ./plugins/claude
	CGO_ENABLED=0 $(GO) build $(BUILDFLAGS) -o $(BIN)/terok-provider-codex ./plugins/codex

# Man pages and completions come from the command tree itself; gen-docs is
# built in only with -tags gendocs. They do not depend on the platform, so
# the host's build writes them for every archive.
docs: ## write the man pages and shell completions into bin/share/
	rm -rf $(BIN)/share
	$(GO) run -tags gendocs -ldflags '-X main.version=$(VERSION)' ./cmd/terok gen-docs $(BIN)/share

man: docs ## write the man pages (bin/share/man/man1) and completions

# One archive per target, each with the binaries, completions, man pages,
# README and LICENSE, plus SHA256SUMS.
dist: docs ## build reproducible release archives and SHA256SUMS into dist/
	rm -rf $(DIST) && mkdir -p $(DIST)
	set -e; for t in $(DIST_TARGETS); do \
		os=$${t%/*}; arch=$${t#*/}; exe=; [ $$os = windows ] && exe=.exe; \
		d=$(DIST)/stage/terok-$(VERSION)-$$os-$$arch; mkdir -p $$d; \
		for p in terok:./cmd/terok terok-provider-claude:./plugins/claude terok-provider-codex:./plugins/codex; do \
			CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build $(RELEASEFLAGS) -o $$d/$${p%%:*}$$exe $${p#*:}; \
		done; \
		cp -R $(BIN)/share/completions $(BIN)/share/man $$d/; cp README.md LICENSE $$d/; \
		ext=tar.gz; [ $$os = windows ] && ext=zip; \
		$(GO) run ./internal/distpack -mtime $(SOURCE_DATE_EPOCH) -o $(DIST)/terok-$(VERSION)-$$os-$$arch.$$ext $$d; \
	done
	rm -rf $(DIST)/stage
	cd $(DIST) && sha256sum terok-* > SHA256SUMS
	@cat $(DIST)/SHA256SUMS

cross-vet: ## vet every package for every target of make dist
	set -e; for t in $(DIST_TARGETS); do \
		echo "vet $$t"; \
		pkgs=./...; [ $${t%/*} = windows ] && pkgs="$$($(GO) list ./... | grep -v /e2e)"; \
		GOOS=$${t%/*} GOARCH=$${t#*/} $(GO) vet $$pkgs; \
		GOOS=$${t%/*} GOARCH=$${t#*/} $(GO) vet -tags gendocs ./cmd/terok; \
		GOOS=$${t%/*} GOARCH=$${t#*/} $(GO) vet -tags teroktest ./cmd/terok; \
		(cd sdk && GOOS=$${t%/*} GOARCH=$${t#*/} $(GO) vet ./...); \
	done

# Test-only binaries: a plugin that misbehaves on demand, a static stand-in
# for the vendor CLIs that goes into the login container images, and
# testbin/crashy/terok, built with -tags teroktest, the only terok that the
# crash tests can tell to kill itself in a renewal (cmd/terok/crashhook.go),
# beside copies of the bundled plugins, which it finds next to itself.
testbins: build
	mkdir -p $(TESTBIN)/crashy
	CGO_ENABLED=0 $(GO) build -trimpath -tags $(GOTAGS),teroktest -ldflags '$(LDFLAGS)' -o $(TESTBIN)/crashy/terok ./cmd/terok
	cp $(BIN)/terok-provider-claude $(BIN)/terok-provider-codex $(TESTBIN)/crashy/
	cd sdk && $(GO) build -o $(CURDIR)/$(TESTBIN)/terok-provider-faulty ./internal/testplugin
	CGO_ENABLED=0 $(GO) build -o $(TESTBIN)/testvendor ./internal/testvendor
	cd examples/acme-plugin && $(GO) build -o ../../$(TESTBIN)/example/terok-provider-acme .
	scripts/deps python
	rm -rf $(TESTBIN)/python-plugin && mkdir -p $(TESTBIN)/python-plugin && chmod 0755 $(TESTBIN)/python-plugin
	cp examples/python-plugin/*.py examples/python-plugin/terok-provider-pyacme $(TESTBIN)/python-plugin/
	protoc -I sdk/$(dir $(PROTO)) --python_out=$(TESTBIN)/python-plugin $(notdir $(PROTO))

# The end-to-end tests get the binaries of this one build, a private keyring
# session, and podman settings this kind of test machine needs (a caller's own
# CONTAINERS_CONF wins).
TEST_ENV = TEROK_TEST_BIN=$(CURDIR)/$(BIN) TEROK_TEST_PLUGIN=$(CURDIR)/$(TESTBIN)/terok-provider-faulty \
	TEROK_TEST_VENDOR=$(CURDIR)/$(TESTBIN)/testvendor TEROK_TEST_EXAMPLE=$(CURDIR)/$(TESTBIN)/example/terok-provider-acme \
	TEROK_TEST_PYTHON=$(CURDIR)/$(TESTBIN)/python-plugin TEROK_TEST_CRASHY=$(CURDIR)/$(TESTBIN)/crashy \
	CONTAINERS_CONF=$${CONTAINERS_CONF:-$(CURDIR)/e2e/testdata/containers.conf}

test: testbins ## run every test, end to end ones included (real keyring, real podman)
	scripts/deps test rootless browser
	$(TEST_ENV) scripts/with-keyring $(GO) test -count=1 ./...
	cd sdk && $(TEST_ENV) $(GO) test -count=1 ./...
	cd examples/acme-plugin && $(TEST_ENV) $(GO) test -count=1 ./...

# The tests that run go themselves (a plugin built outside this module, the
# example plugin built from source), run once more with an empty module
# cache, as on a fresh machine: they may need nothing a long-lived cache
# happens to hold. The test binary is built first, with the cache as it is.
COLD_CACHE_TESTS := ^(TestPluginAuthorJourney|TestExamplePlugin)$$
test-cold-cache: testbins ## run the tests that run go with an empty module cache (a fresh machine)
	$(GO) test -c -o $(TESTBIN)/e2e.test ./e2e
	set -e; cold=$$(mktemp -d "$${TMPDIR:-/tmp}/terok-cold-modcache.XXXXXX"); \
	trap 'chmod -R u+w "$$cold"; rm -rf "$$cold"' EXIT; \
	cd e2e && $(TEST_ENV) TEROK_TEST_EXAMPLE= GOMODCACHE="$$cold" GOFLAGS="$$($(GO) env GOFLAGS) -modcacherw" \
		../scripts/with-keyring ../$(TESTBIN)/e2e.test -test.count=1 -test.v -test.run '$(COLD_CACHE_TESTS)'

test-unit: ## run the tests that need no keyring and no built binaries
	$(GO) test -short ./...
	cd sdk && $(GO) test -short ./...

# bench prints one table (terok against secret-tool, podman and a bare exec,
# each row against its budget) and scaling tables, and keeps it in
# bench/results/latest.txt (the run before: previous.txt), and the proxy's
# table in bench/results/proxy.txt. BENCHFLAGS: e.g. -pairs 21, -only token,
# -only proxy, -no-scale.
bench: testbins ## measure terok against its budgets (docs/performance.md); table in bench/results/latest.txt
	scripts/deps test
	$(TEST_ENV) scripts/with-keyring $(GO) run ./bench $(BENCHFLAGS)

# The OpenBao table alone (terok's token and status against `bao kv get`,
# 1/100/500 credentials), in bench/results/openbao.txt: it needs only the
# terok binary and the dev server (internal/baotest finds bao).
bench-openbao: build ## measure the team store against its budgets; table in bench/results/openbao.txt
	TEROK_TEST_BIN=$(CURDIR)/$(BIN) $(GO) run ./bench -only openbao $(BENCHFLAGS)

# The proxy rows alone (the credential proxy in its own process against the
# same fake upstream reached directly), in bench/results/proxy.txt: they
# build their own helper and need no keyring, podman or plugins.
bench-proxy: ## measure the credential proxy against its budgets; table in bench/results/proxy.txt
	$(GO) run ./bench -only proxy $(BENCHFLAGS)

fuzz: ## fuzz every parser of untrusted input for FUZZTIME each (default 20s)
	$(GO) test -run '^$$' -fuzz '^FuzzCapture$$' -fuzztime $(or $(FUZZTIME),20s) ./plugins/claude/provider
	$(GO) test -run '^$$' -fuzz '^FuzzCapture$$' -fuzztime $(or $(FUZZTIME),20s) ./plugins/codex/provider
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(or $(FUZZTIME),20s) ./core/config
	cd sdk && $(GO) test -run '^$$' -fuzz '^FuzzCheckRunArgs$$' -fuzztime $(or $(FUZZTIME),20s) ./internal/rules
	cd sdk && $(GO) test -run '^$$' -fuzz '^FuzzCheckImage$$' -fuzztime $(or $(FUZZTIME),20s) ./internal/rules
	cd sdk && $(GO) test -run '^$$' -fuzz '^FuzzParseUser$$' -fuzztime $(or $(FUZZTIME),20s) ./internal/rules
	$(GO) test -run '^$$' -fuzz '^FuzzRunArgs$$' -fuzztime $(or $(FUZZTIME),20s) ./core/container
	cd sdk && $(GO) test -run '^$$' -fuzz '^FuzzInjectionTemplate$$' -fuzztime $(or $(FUZZTIME),20s) .
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(or $(FUZZTIME),20s) ./core/yamlprov
	$(GO) test -run '^$$' -fuzz '^FuzzLoadUpstream$$' -fuzztime $(or $(FUZZTIME),20s) ./core/yamlprov
	$(GO) test -run '^$$' -fuzz '^FuzzProxyBlock$$' -fuzztime $(or $(FUZZTIME),20s) ./core/yamlprov
	$(GO) test -run '^$$' -fuzz '^FuzzRequestHandling$$' -fuzztime $(or $(FUZZTIME),20s) ./core/proxy
	$(GO) test -run '^$$' -fuzz '^FuzzFromSDK$$' -fuzztime $(or $(FUZZTIME),20s) ./core/route
	cd sdk && $(GO) test -run '^$$' -fuzz '^FuzzCheckCapture$$' -fuzztime $(or $(FUZZTIME),20s) ./providertest
	cd sdk && $(GO) test -run '^$$' -fuzz '^FuzzValues$$' -fuzztime $(or $(FUZZTIME),20s) ./secret
	$(GO) test -run '^$$' -fuzz '^FuzzParseReattach$$' -fuzztime $(or $(FUZZTIME),20s) ./core/pluginhost
	$(GO) test -run '^$$' -fuzz '^FuzzExtractPlugin$$' -fuzztime $(or $(FUZZTIME),20s) ./core/pluginhost
	$(GO) test -run '^$$' -fuzz '^FuzzParseSums$$' -fuzztime $(or $(FUZZTIME),20s) ./core/pluginhost
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(or $(FUZZTIME),20s) ./core/names
	$(GO) test -run '^$$' -fuzz '^FuzzPrintedText$$' -fuzztime $(or $(FUZZTIME),20s) ./core/termtext
	$(GO) test -run '^$$' -fuzz '^FuzzDotenvRoundTrip$$' -fuzztime $(or $(FUZZTIME),20s) ./core/inject
	$(GO) test -run '^$$' -fuzz '^FuzzParseTarget$$' -fuzztime $(or $(FUZZTIME),20s) ./core/names
	$(GO) test -run '^$$' -fuzz '^FuzzDescribe$$' -fuzztime $(or $(FUZZTIME),20s) ./core/account
	$(GO) test -run '^$$' -fuzz '^FuzzIndexLoad$$' -fuzztime $(or $(FUZZTIME),20s) ./core/account
	$(GO) test -run '^$$' -fuzz '^FuzzParseShebang$$' -fuzztime $(or $(FUZZTIME),20s) ./core/trust
	$(GO) test -run '^$$' -fuzz '^FuzzShellRoundTrip$$' -fuzztime $(or $(FUZZTIME),20s) ./core/inject
	$(GO) test -run '^$$' -fuzz '^FuzzEnvFileRoundTrip$$' -fuzztime $(or $(FUZZTIME),20s) ./core/inject
	$(GO) test -run '^$$' -fuzz '^FuzzJSONRoundTrip$$' -fuzztime $(or $(FUZZTIME),20s) ./core/inject
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeEntry$$' -fuzztime $(or $(FUZZTIME),20s) ./core/store
	cd sdk && $(GO) test -run '^$$' -fuzz '^FuzzRenewalEndpoint$$' -fuzztime $(or $(FUZZTIME),20s) .
	$(GO) test -run '^$$' -fuzz '^FuzzStandInCredential$$' -fuzztime $(or $(FUZZTIME),20s) ./cmd/terok
	$(GO) test -run '^$$' -fuzz '^FuzzMerge$$' -fuzztime $(or $(FUZZTIME),20s) ./core/refresh

$(TOOLS)/golangci-lint:
	GOBIN=$(TOOLS) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

lint: $(TOOLS)/golangci-lint ## gofmt, go vet and golangci-lint
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: the files above need formatting"; exit 1; }
	$(GO) vet ./...
	$(TOOLS)/golangci-lint run ./...
	cd sdk && $(GO) vet ./... && $(TOOLS)/golangci-lint run --config ../.golangci.yml ./...
	cd examples/acme-plugin && $(GO) vet ./... && $(TOOLS)/golangci-lint run --config ../../.golangci.yml ./...
	scripts/check-fuzz-list

$(TOOLS)/protoc-gen-go:
	GOBIN=$(TOOLS) $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)

$(TOOLS)/protoc-gen-go-grpc:
	GOBIN=$(TOOLS) $(GO) install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GO_GRPC_VERSION)

generate: $(TOOLS)/protoc-gen-go $(TOOLS)/protoc-gen-go-grpc ## regenerate the protobuf code
	scripts/deps generate
	cd sdk && PATH=$(TOOLS):$$PATH protoc --go_out=. --go_opt=paths=source_relative \
		--go-grpc_out=. --go-grpc_opt=paths=source_relative $(PROTO)

check-generated: generate ## fail if the committed generated code differs from what generate makes
	@git diff --exit-code -- sdk/internal/proto || { echo "generated code drifted: run 'make generate' and commit the result"; exit 1; }

install: build docs ## install terok, its plugins, man pages and completions under PREFIX (default ~/.local)
	install -d $(PREFIX)/bin $(PREFIX)/share/man/man1 $(PREFIX)/share/bash-completion/completions \
		$(PREFIX)/share/zsh/site-functions $(PREFIX)/share/fish/vendor_completions.d
	install -m 0755 $(BIN)/terok $(BIN)/terok-provider-claude $(BIN)/terok-provider-codex $(PREFIX)/bin/
	install -m 0644 $(BIN)/share/man/man1/*.1 $(PREFIX)/share/man/man1/
	install -m 0644 $(BIN)/share/completions/terok.bash $(PREFIX)/share/bash-completion/completions/terok
	install -m 0644 $(BIN)/share/completions/_terok $(PREFIX)/share/zsh/site-functions/_terok
	install -m 0644 $(BIN)/share/completions/terok.fish $(PREFIX)/share/fish/vendor_completions.d/terok.fish

clean: ## remove build output
	rm -rf $(BIN) $(TESTBIN) $(DIST)
