// Package sdk is the public API for writing a terok auth provider.
//
// A provider teaches terok how to authenticate one tool (an AI coding agent,
// a CLI, an API). It never prompts, never stores and never runs a container:
// the terok host does all of that. A provider only answers questions:
//
//   - Describe: who are you (name, label, modes, hints)?
//   - Negotiate: given what the host can offer right now, which login modes
//     are possible, and which one is the default?
//   - KeyPrompt: how should the host ask the user for an API key?
//   - AcceptKey: here is what the user typed; is it valid, and what
//     credential should be stored?
//   - ContainerSpec: for an OAuth or device-code login, which container should
//     the host run, and where does the tool keep its config inside it?
//   - Capture: here are the files that login container left behind; which
//     credential do they hold, and which non-secret state files should the
//     host write back?
//
// # Writing a provider
//
// Implement [Provider] and hand it to Serve from package
// github.com/terok-ai/terok-auth/sdk/plugin in the main package of a binary
// named terok-provider-NAME:
//
//	func main() {
//		plugin.Serve(myprovider.New())
//	}
//
// plugin.Serve takes options (a logger, debug mode: see package plugin);
// plugin.Run is the same but returns an error instead of exiting. Install
// the binary with `terok auth plugins install` (or put it on the plugin
// path, see the terok README) and it appears in `terok auth providers`.
// `terok auth plugins new NAME` writes a module to start from. A provider that supports only API keys implements
// ContainerSpec and Capture by returning [ErrUnsupportedMode]; [UnsupportedContainer]
// can be embedded to do that for you.
//
// Errors that mean something to the host are the sentinels in this package:
// wrap them with %w and a message for the user, e.g.
//
//	return nil, fmt.Errorf("%w: Anthropic keys start with sk-ant-", sdk.ErrInvalidKey)
//
// They survive the trip over the wire, so the host can tell "the key is wrong"
// from "the plugin is broken".
//
// # Optional capabilities
//
// A provider may also implement one-method interfaces the host finds by type
// assertion; each declares data the host checks and carries out, and a
// plugin without one (or built against an older SDK) declares nothing:
//
//   - [Injector]: how a stored credential reaches the tool at run time.
//   - [Renewer]: how the host renews a credential with its refresh token.
//   - [Proxied]: how the host's credential proxy reaches the tool's API, so
//     an agent holds only a stand-in.
//
// # Rules a provider must keep
//
//   - Never write to standard output: it carries the plugin handshake. Log with
//     hclog.L() (github.com/hashicorp/go-hclog); the host forwards those lines
//     to its own log, at the level the user chose with TEROK_LOG_LEVEL.
//   - Never log a secret.
//   - Have no side effects: no files outside your own temp dirs, no network
//     unless you must validate a key, no keyring. The host may kill the plugin
//     process at any moment.
//   - Run the conformance suite in package sdk/providertest from your tests,
//     with a valid key and login files (providertest.WithKey, WithGolden) so
//     it checks the success paths too.
//
// # What the SDK holds
//
// The exact list of every exported name of sdk, sdk/plugin,
// sdk/providertest and sdk/secret is testdata/surface.txt, and a test fails
// when it changes: widening the SDK is a reviewed decision, with upgrade
// notes in docs/plugin-guide.md. In short:
//
//   - The contract: [Provider] and the optional capabilities above, their
//     request and response types, [Mode], and [Credential] with the
//     credential types ([TypeAPIKey], [TypeOAuth], [TypeOAuthToken],
//     [TypePAT]).
//   - The sentinels a provider wraps ([ErrInvalidKey], [ErrUnsupportedMode],
//     [ErrNothingCaptured], …), which survive the wire.
//   - Helpers a provider calls: [APIKey], [NegotiateModes], [JWTExpiry],
//     [CleanRelPath], [UnsupportedContainer]; and what is secret
//     ([IsSecretField], [CheckSecretField], package sdk/secret).
//   - The contract's own checks: [Injection.Validate], [Injection.CheckEnv],
//     [Renewal.Validate] and [Credential.Validate].
//   - Package plugin serves a provider ([plugin.Serve]); package
//     providertest is the conformance suite; package secret decides what is
//     secret.
//
// The host's rules for what a provider may answer (the Check functions:
// images, run arguments, users, variable names and families, templates,
// token endpoints and headers, host dirs, printable text; and
// ValidateDescription, ValidateInjection, ValidateRenewal) are not part of
// the SDK: they are terok's policy, in package sdk/host, which terok and
// providertest import and a provider does not. Tightening one is a change
// to terok, not an SDK release. A provider learns what terok refuses by
// running providertest.
package sdk
