package rpc

// ReattachEnv is the environment variable through which terok attaches to
// plugins started by hand in debug mode (sdk/plugin prints it, the host
// reads it: sdk/host). Its value is a JSON object from provider name to a
// Reattach.
const ReattachEnv = "TEROK_REATTACH_PROVIDERS"

// Reattach is how to reach one plugin started in debug mode: go-plugin's
// ReattachConfig in JSON.
type Reattach struct {
	Protocol        string       `json:"protocol"`
	ProtocolVersion int          `json:"protocol_version"`
	Addr            ReattachAddr `json:"addr"`
	Pid             int          `json:"pid"`
	Test            bool         `json:"test"`
}

// ReattachAddr is a net.Addr in JSON.
type ReattachAddr struct {
	Network string `json:"network"` // "unix" or "tcp"
	String  string `json:"string"`  // socket path or host:port
}
