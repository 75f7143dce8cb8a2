// Package rules holds the host's rules for what a provider may answer:
// which images, run arguments and users a login container may get, which
// variables an injection may set, which token endpoints and headers a
// renewal may declare, which text the host prints as it is.
//
// They are terok's own, not part of the provider contract: the host
// (through package sdk/host, which exports them) applies them to every
// answer, sdk's contract methods (Injection.Validate, Renewal.Validate)
// call them, and sdk/providertest applies them in a provider's own tests.
// Being internal, they can tighten in any release without widening the
// SDK a provider author imports.
package rules
