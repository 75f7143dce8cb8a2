package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/config"
)

// helpTopics are the pages `terok help NAME` shows that are not commands.
// Cobra shows a command without Run as an "additional help topic".
func helpTopics() []*cobra.Command {
	topic := func(name, short, long string) *cobra.Command {
		return &cobra.Command{
			Use: name, Short: short, Long: long,
			Annotations: map[string]string{helpTopic: "true", noSetup: "true"},
		}
	}
	return []*cobra.Command{
		topic("environment", "Environment variables terok reads", environmentHelp()),
		topic("exit-codes", "What terok's exit codes mean", exitCodesHelp),
	}
}

func environmentHelp() string {
	var b strings.Builder
	b.WriteString("Settings, in rising precedence: the default, the config file\n" +
		"($XDG_CONFIG_HOME/terok/config.yml), the environment variable, the flag.\n" +
		"'terok config' shows each setting's value and where it came from.\n\n")
	for _, s := range config.Settings() {
		fmt.Fprintf(&b, "  %s\n      %s (config key %s", s.Env, s.Help, s.Key)
		if s.Flag != "" {
			fmt.Fprintf(&b, ", flag --%s", s.Flag)
		}
		if s.Default != "" {
			fmt.Fprintf(&b, ", default %s", s.Default)
		}
		b.WriteString(")\n")
	}
	b.WriteString(`
Credentials:
  TEROK_<PROVIDER>_API_KEY
      an API key that wins over the stored credential of PROVIDER (upper case,
      '-' as '_'), e.g. TEROK_CLAUDE_API_KEY; 'terok auth status' shows it.

The team store (store openbao; see docs/team-store.md), read as the bao and
vault CLIs read them:
  BAO_ADDR, VAULT_ADDR            the server's address
  BAO_TOKEN, VAULT_TOKEN          the token (else ~/.vault-token, as bao login leaves it)
  BAO_CACERT, VAULT_CACERT        the CA that signed the server's certificate
  BAO_NAMESPACE, VAULT_NAMESPACE  the namespace
  TEROK_OPENBAO_ROLE_ID, TEROK_OPENBAO_SECRET_ID
      the AppRole role id and secret id, when no file is named for them
  TEROK_OPENBAO_JWT
      the identity token of a JWT login, when no file is named for it

Plugins and providers:
  TEROK_PLUGIN_PATH
      directories, ':'-separated, searched for terok-provider-* plugins before
      the usual ones ('terok auth providers' lists where each came from)
  TEROK_PROVIDERS_PATH
      YAML provider files or directories of them, ':'-separated, read last so
      they win over the bundled, system and user ones
  TEROK_PODMAN
      the podman binary to run login containers with (default: podman on PATH)
  TEROK_REATTACH_PROVIDERS
      for plugin authors: use a plugin started by hand in debug mode instead of
      the installed one (the line it prints); it must be your own process, and
      every command that uses it says so on stderr
  TEROK_REATTACH_ALLOW_TCP
      set to 1 to let TEROK_REATTACH_PROVIDERS name a plugin on loopback tcp,
      where terok cannot tell which user listens

Directories (XDG base directories):
  XDG_CONFIG_HOME   config.yml, plugins.lock, providers.d/   (default ~/.config)
  XDG_DATA_HOME     credentials of the file store, mounts/   (default ~/.local/share)
  XDG_STATE_HOME    the index of stored credentials, the proxy's grants (hashes
                    only), its sockets (proxy/) and audit log (default ~/.local/state)
  XDG_CACHE_HOME    what plugins said about themselves       (default ~/.cache)
  HOME              the base of the defaults above
`)
	return b.String()
}

const exitCodesHelp = `terok exits with:

    0  success
    1  an error: something failed (the message says what, and what to do);
       a credential store that cannot be read is 1 too
    2  usage: an unknown command, flag, provider, mode or set, a bad setting
       in the config file or the environment, a question that needs a
       terminal asked without one, or an 'env' output that cannot be had
       (a credential in files; a value the chosen --format cannot carry)
    4  not authenticated: 'status PROVIDER', 'token', 'exec' or 'env' found
       nothing stored; 'exec' and 'env' also for an expired OAuth credential;
       'exec', 'env', 'token' and 'refresh' when the token endpoint refused
       the refresh token (invalid_grant): log in again; 'grant', and 'exec'
       and 'env' with --proxy, when a provider is not logged in
    5  the keyring did not confirm a write: whether the new credential was
       stored is unknown (the message says how to check)
128+N  stopped by signal N, once the cleanup is done: 129 the terminal
       closed (SIGHUP), 130 Ctrl-C, 131 Ctrl-\ (SIGQUIT), 143 SIGTERM; a
       credential stored before that stays stored, and terok says which

'terok auth exec' exits with its command's code: the command's own, 128+N
when a signal N ended it (Ctrl-C at a terminal reaches the command itself,
and if it carries on, so does terok), 127 when it was not found and 126
when it could not be started.

'terok auth proxy' runs until SIGINT or SIGTERM and then exits 0, once its
sockets are closed and removed.

Scripts can test for 4 to decide whether to log in:

  terok auth status claude >/dev/null
  if [ $? -eq 4 ]; then terok auth login claude; fi
`
