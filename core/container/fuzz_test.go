package container

import (
	"strings"
	"testing"
)

// podmanValueFlags are the options of podman run that take a value, by the
// long name the short one stands for; enough of them to read every
// argument list RunArgs can produce (an unknown option fails the fuzz
// target anyway).
var podmanValueFlags = map[string]bool{"name": true, "label": true, "env": true, "publish": true, "workdir": true,
	"volume": true, "userns": true, "mount": true, "device": true, "cap-add": true, "security-opt": true, "network": true,
	"pid": true, "ipc": true, "uts": true, "env-file": true, "user": true, "entrypoint": true}

var podmanShort = map[byte]string{'e': "env", 'p': "publish", 'w': "workdir", 'v': "volume", 'l': "label", 'u': "user",
	'i': "interactive", 't': "tty", 'd': "detach"}

type parsedFlag struct{ name, value string }

// parsePodmanRun reads podman run's arguments as podman's flag parser
// does (options until "--" or the first positional argument, which is the
// image), and returns the options, the image and the command.
func parsePodmanRun(t *testing.T, args []string) (flags []parsedFlag, image string, command []string) {
	if len(args) == 0 || args[0] != "run" {
		t.Fatalf("not a run: %q", args)
	}
	i := 1
	for ; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			i++
		case strings.HasPrefix(a, "--"):
			name, value, hasValue := strings.Cut(a[2:], "=")
			if podmanValueFlags[name] && !hasValue {
				i++
				if i >= len(args) {
					t.Fatalf("--%s without a value in %q", name, args)
				}
				value = args[i]
			}
			flags = append(flags, parsedFlag{name, value})
			continue
		case strings.HasPrefix(a, "-") && len(a) > 1:
			for j := 1; j < len(a); j++ {
				long, ok := podmanShort[a[j]]
				if !ok {
					long = "-" + string(a[j])
				}
				if !podmanValueFlags[long] {
					flags = append(flags, parsedFlag{long, ""})
					continue
				}
				value := a[j+1:]
				if value == "" {
					i++
					if i >= len(args) {
						t.Fatalf("-%c without a value in %q", a[j], args)
					}
					value = args[i]
				}
				flags = append(flags, parsedFlag{long, value})
				break
			}
			continue
		}
		break
	}
	if i >= len(args) {
		t.Fatalf("no image in %q", args)
	}
	return flags, args[i], args[i+1:]
}

// FuzzRunArgs builds podman's arguments from any spec that passes the
// host's checks (image, run arguments, environment, config path, command,
// as a provider gives them) and reads them back as podman would: no mount
// but the login's own dir, no privilege, capability, security option,
// device or host namespace, and no way for the host's environment in.
func FuzzRunArgs(f *testing.F) {
	f.Add("localhost/x:1", "-p\x00127.0.0.1:1455:1455", "A", "1", "codex\x00login", "/home/dev/.codex")
	f.Add("--volume=/etc:/host", "-e\x00SECRET", "B", "x", "claude", "/home/dev/.claude")
	f.Add("alpine", "--env=A=1\x00-w\x00/w", "C", "--privileged", "-v\x00/:/h", "/c")
	f.Fuzz(func(t *testing.T, image, runArgs, envKey, envValue, command, configPath string) {
		spec := goodSpec()
		spec.Image, spec.ConfigPath = image, configPath
		spec.RunArgs, spec.Command = split(runArgs), split(command)
		spec.Env = map[string]string{envKey: envValue}
		spec.UserNS = "keep-id:uid=1000,gid=1000"
		if CheckSpec(spec) != nil {
			return
		}
		flags, gotImage, gotCommand := parsePodmanRun(t, RunArgs(spec))
		if gotImage != image || strings.Join(gotCommand, "\x00") != strings.Join(spec.Command, "\x00") {
			t.Fatalf("podman would run image %q command %q, not %q %q", gotImage, gotCommand, image, spec.Command)
		}
		volumes, envHostOff, proxyOff := 0, false, false
		for _, fl := range flags {
			switch fl.name {
			case "rm", "interactive", "tty", "name", "label", "workdir":
			case "userns":
				if !strings.HasPrefix(fl.value, "keep-id") {
					t.Fatalf("user namespace %q", fl.value)
				}
			case "publish":
				if !strings.HasPrefix(fl.value, "127.0.0.1:") && !strings.HasPrefix(fl.value, "[::1]:") {
					t.Fatalf("a port published beyond the loopback: %q", fl.value)
				}
			case "env":
				if !strings.Contains(fl.value, "=") || strings.ContainsAny(strings.SplitN(fl.value, "=", 2)[0], "*?[") {
					t.Fatalf("an environment passthrough: -e %q", fl.value)
				}
			case "volume":
				volumes++
				if fl.value != spec.HostDir+":"+configPath+":Z" {
					t.Fatalf("a mount of the host: -v %q", fl.value)
				}
			case "env-host":
				envHostOff = fl.value == "false"
			case "http-proxy":
				proxyOff = fl.value == "false"
			default:
				t.Fatalf("podman would get --%s %q from %q", fl.name, fl.value, RunArgs(spec))
			}
		}
		if volumes != 1 || !envHostOff || !proxyOff {
			t.Fatalf("mounts %d, env-host off %v, http-proxy off %v in %q", volumes, envHostOff, proxyOff, RunArgs(spec))
		}
	})
}

func split(joined string) []string {
	if joined == "" {
		return nil
	}
	return strings.Split(joined, "\x00")
}
