package container

import "strings"

// podmanKeep are the variables the podman client may need: where its
// configuration, storage and runtime dirs are, how to reach a remote
// podman, the locale and terminal, and the user's proxy for pulling
// images (kept out of the container by --http-proxy=false).
var podmanKeep = map[string]bool{
	"PATH": true, "HOME": true, "USER": true, "LOGNAME": true, "TERM": true, "LANG": true, "LANGUAGE": true, "TZ": true,
	"TMPDIR": true, "XDG_RUNTIME_DIR": true, "XDG_CONFIG_HOME": true, "XDG_DATA_HOME": true, "XDG_CACHE_HOME": true,
	"XDG_CONFIG_DIRS": true, "DBUS_SESSION_BUS_ADDRESS": true, "SSH_AUTH_SOCK": true, "REGISTRY_AUTH_FILE": true,
	"STORAGE_DRIVER": true, "STORAGE_OPTS": true, "CONTAINER_HOST": true, "CONTAINER_CONNECTION": true, "CONTAINER_SSHKEY": true,
	"http_proxy": true, "https_proxy": true, "no_proxy": true, "HTTP_PROXY": true, "HTTPS_PROXY": true, "NO_PROXY": true,
}

// podmanKeepPrefix are families of podman's own settings.
var podmanKeepPrefix = []string{"CONTAINERS_", "PODMAN_", "LC_"}

// podmanEnv is the environment the podman client runs with: environ
// without anything podman does not need. A login container cannot get
// the host's variables through podman's arguments (RunArgs turns
// --env-host off), but a containers.conf with env_host = true, or a podman
// older than that flag, would copy the client's whole environment into it;
// a client without the user's secrets (TEROK_*_API_KEY, tokens of other
// tools) has none to copy.
func podmanEnv(environ []string) []string {
	var env []string
	for _, kv := range environ {
		k, _, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		keep := podmanKeep[k]
		for _, p := range podmanKeepPrefix {
			keep = keep || strings.HasPrefix(k, p)
		}
		if keep {
			env = append(env, kv)
		}
	}
	return env
}
