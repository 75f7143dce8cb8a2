package sdk

// ProxyInjectionType is the credential type of the injection the host
// renders for `terok auth exec --proxy` when a tool reads its credential
// from a file, not a variable (codex reads a ChatGPT login from auth.json):
// "proxy/" followed by the stored type, e.g. "proxy/oauth".
//
// The host renders it over a stand-in credential, never the stored one: a
// copy of the stored fields in which the route's Field holds the grant's
// stand-in and every other secret field (secret.IsField) a placeholder
// (ProxyPlaceholder; a JWT keeps its claims, unsigned), plus two fields of
// the host's own:
//
//   - proxy_url: the proxy's loopback listener, http://127.0.0.1:PORT, for
//     the tool's base-URL settings in the files (no trailing slash);
//   - proxy_issued_at: when the files were rendered, RFC 3339 in UTC, for a
//     tool that renews a login it thinks old.
//
// A provider that declares no such injection gets its plain injection for
// the stored type rendered over the same stand-in credential (which points
// the tool at no proxy: its SetupHint must say how). Nothing renders a
// proxy injection outside exec --proxy, and exec without --proxy never
// does.
func ProxyInjectionType(credType string) string { return "proxy/" + credType }

// ProxyPlaceholder is the value of a secret field of a stand-in credential
// that is not the route's Field: no secret, and not a stand-in either, so
// a tool that sends it anywhere (codex would try to renew with it) sends
// nothing of use.
const ProxyPlaceholder = "terok-proxy-placeholder"
