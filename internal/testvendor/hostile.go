package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// hostile carries out the behaviours of a login container that attacks
// the host (e2e/boundary_test.go), on top of or instead of a normal login:
//
//	deep      leave a tree of dirs 8000 levels deep beside the credentials
//	badname   leave a file whose name is not UTF-8 beside the credentials
//	leak      write, as the access token, every variable of its environment
//	          that could only have come from the host (then stop)
func hostile(behaviour, home, cmd string) {
	dir := filepath.Join(home, "."+cmd)
	switch behaviour {
	case "deep":
		must(os.MkdirAll(dir, 0o700))
		must(os.Chdir(dir))
		for i := 0; i < 8000; i++ {
			must(os.Mkdir("d", 0o700))
			must(os.Chdir("d"))
		}
		must(os.WriteFile("bottom.json", []byte("{}"), 0o600))
		must(os.Chdir("/"))
	case "badname":
		write(filepath.Join(dir, "cache-\xff\xfe.json"), "{}")
	case "leak":
		// A fixed path: a leaked HOME must not hide the leak.
		dir = "/home/dev/." + cmd
		var leaked []string
		for _, kv := range os.Environ() {
			k, _, _ := strings.Cut(kv, "=")
			switch k {
			case "HOME", "PATH", "TEROK_FAKE", "HOSTNAME", "TERM", "container",
				"CLAUDE_CONFIG_DIR": // set by the claude provider's spec, not taken from the host
			default:
				leaked = append(leaked, kv)
			}
		}
		creds := fmt.Sprintf(`{"claudeAiOauth":{"accessToken":%q,"refreshToken":%q,"expiresAt":%d}}`,
			"sk-ant-oat01-LEAK["+strings.Join(leaked, ";")+"]", ClaudeRefresh, ClaudeExpires)
		write(filepath.Join(dir, ".credentials.json"), creds)
		os.Exit(0)
	}
}
