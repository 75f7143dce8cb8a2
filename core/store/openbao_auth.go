package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	vault "github.com/hashicorp/vault/api"
)

// OpenBaoOptions configure an OpenBao store the way the bao and vault CLIs
// are configured: the address, token, CA and namespace from their
// variables (BAO_* first, then VAULT_*), the token from ~/.vault-token
// when no variable holds one.
type OpenBaoOptions struct {
	Getenv  func(string) string
	Home    string // where .vault-token is looked for; "": the user's home
	Mount   string
	Prefix  string
	Timeout time.Duration
	// Auth is how terok gets its token: "token" (default), "approle" or
	// "jwt". AuthMount is where that method is mounted ("" its name).
	Auth      string
	AuthMount string
	// AppRole: the role id from RoleIDFile or TEROK_OPENBAO_ROLE_ID, the
	// secret id from SecretIDFile or TEROK_OPENBAO_SECRET_ID; with
	// SecretIDWrapped the secret id is a response-wrapping token to unwrap.
	RoleIDFile      string
	SecretIDFile    string
	SecretIDWrapped bool
	// JWT/OIDC: the role, and the identity token from JWTFile or
	// TEROK_OPENBAO_JWT.
	JWTRole string
	JWTFile string
	// Writer is recorded with each write, e.g. "terok v1.2.0".
	Writer string
}

func (o OpenBaoOptions) env(names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(o.Getenv(n)); v != "" {
			return v
		}
	}
	return ""
}

func configError(format string, args ...any) error {
	return &Error{Op: "open", Account: "openbao", Kind: ErrOpenBaoConfig, Err: fmt.Errorf(format, args...),
		Fix: remedyBaoEnv}
}

// NewOpenBao makes the OpenBao store the options describe. It does not
// talk to the server: the first call does (and logs in, for AppRole and
// JWT).
func NewOpenBao(opts OpenBaoOptions) (*OpenBao, error) {
	addr := opts.env("BAO_ADDR", "VAULT_ADDR")
	if addr == "" {
		return nil, configError("no server address: set BAO_ADDR (or VAULT_ADDR), e.g. https://openbao.example.com:8200")
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultOpenBaoTimeout
	}
	cfg := vault.DefaultConfig()
	cfg.Error = nil // the process's own VAULT_* variables were read; ours follow
	cfg.Address = addr
	cfg.Timeout = timeout
	cfg.MaxRetries = 0 // every call is bounded by timeout; a retry would hide a sealed server
	tlsCfg := &vault.TLSConfig{
		CACert: opts.env("BAO_CACERT", "VAULT_CACERT"),
		CAPath: opts.env("BAO_CAPATH", "VAULT_CAPATH"),
	}
	if v := opts.env("BAO_SKIP_VERIFY", "VAULT_SKIP_VERIFY"); v == "1" || strings.EqualFold(v, "true") {
		tlsCfg.Insecure = true
	}
	if err := cfg.ConfigureTLS(tlsCfg); err != nil {
		return nil, configError("TLS settings: %v", err)
	}
	client, err := vault.NewClient(cfg)
	if err != nil {
		return nil, configError("%v", err)
	}
	client.SetNamespace(opts.env("BAO_NAMESPACE", "VAULT_NAMESPACE"))
	client.SetToken("")
	host, _ := os.Hostname()
	o := &OpenBao{Client: client, Mount: opts.Mount, Prefix: opts.Prefix, Timeout: timeout, Writer: opts.Writer, Host: host}
	switch opts.Auth {
	case "", "token":
		tok := opts.env("BAO_TOKEN", "VAULT_TOKEN")
		if tok == "" {
			tok = tokenFile(opts.Home)
		}
		if tok == "" {
			return nil, configError("no token: set BAO_TOKEN (or VAULT_TOKEN), run bao login (it writes ~/.vault-token), or use openbao_auth: approle or jwt")
		}
		client.SetToken(tok)
		o.Login = renewToken
	case "approle":
		roleID, err := secretFrom(opts.RoleIDFile, opts.Getenv("TEROK_OPENBAO_ROLE_ID"), "role id", "openbao_role_id_file", "TEROK_OPENBAO_ROLE_ID")
		if err != nil {
			return nil, err
		}
		secretID, err := secretFrom(opts.SecretIDFile, opts.Getenv("TEROK_OPENBAO_SECRET_ID"), "secret id", "openbao_secret_id_file", "TEROK_OPENBAO_SECRET_ID")
		if err != nil {
			return nil, err
		}
		mount := authMount(opts.AuthMount, "approle")
		o.Login = func(ctx context.Context, c *vault.Client) error {
			if opts.SecretIDWrapped {
				unwrapped, err := c.Logical().UnwrapWithContext(ctx, secretID)
				if err != nil {
					return loginError("unwrap the AppRole secret id", err, timeout)
				}
				if unwrapped == nil || unwrapped.Data["secret_id"] == nil {
					return loginError("unwrap the AppRole secret id", errors.New("the wrapped response holds no secret_id"), timeout)
				}
				secretID, _ = unwrapped.Data["secret_id"].(string)
			}
			return login(ctx, c, "auth/"+mount+"/login", map[string]any{"role_id": roleID, "secret_id": secretID}, "AppRole", timeout)
		}
	case "jwt", "oidc":
		jwt, err := secretFrom(opts.JWTFile, opts.Getenv("TEROK_OPENBAO_JWT"), "identity token", "openbao_jwt_file", "TEROK_OPENBAO_JWT")
		if err != nil {
			return nil, err
		}
		if opts.JWTRole == "" {
			return nil, configError("JWT login needs a role: set openbao_jwt_role (TEROK_OPENBAO_JWT_ROLE)")
		}
		mount := authMount(opts.AuthMount, "jwt")
		o.Login = func(ctx context.Context, c *vault.Client) error {
			return login(ctx, c, "auth/"+mount+"/login", map[string]any{"role": opts.JWTRole, "jwt": jwt}, "JWT", timeout)
		}
	default:
		return nil, configError("unknown openbao_auth %q: use token, approle or jwt", opts.Auth)
	}
	return o, nil
}

func authMount(m, def string) string {
	if m = strings.Trim(m, "/"); m != "" {
		return m
	}
	return def
}

// tokenFile reads the token the CLIs' default token helper keeps.
func tokenFile(home string) string {
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	if home == "" {
		return ""
	}
	data, err := readSmall(filepath.Join(home, ".vault-token"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// secretFrom reads a secret from a file, else takes it from a variable.
func secretFrom(file, env, what, key, envName string) (string, error) {
	if file != "" {
		data, err := readSmall(file)
		if err != nil {
			return "", configError("read the %s from %s: %v", what, file, err)
		}
		if v := strings.TrimSpace(string(data)); v != "" {
			return v, nil
		}
		return "", configError("the %s file %s is empty", what, file)
	}
	if v := strings.TrimSpace(env); v != "" {
		return v, nil
	}
	return "", configError("no %s: set %s to a file holding it, or %s", what, key, envName)
}

// readSmall reads a file of at most 64 KiB: a token, an id.
func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	buf := make([]byte, 64<<10+1)
	n, err := f.Read(buf)
	if err != nil && n == 0 {
		return nil, err
	}
	if n > 64<<10 {
		return nil, errors.New("larger than 64 KiB")
	}
	return buf[:n], nil
}

// login logs in at path and sets the client's token, then keeps it
// renewed while the command runs.
func login(ctx context.Context, c *vault.Client, path string, body map[string]any, method string, timeout time.Duration) error {
	sec, err := c.Logical().WriteWithContext(ctx, path, body)
	if err != nil {
		return loginError(method+" login", err, timeout)
	}
	if sec == nil || sec.Auth == nil || sec.Auth.ClientToken == "" {
		return loginError(method+" login", errors.New("the server's answer holds no token"), timeout)
	}
	c.SetToken(sec.Auth.ClientToken)
	if sec.Auth.Renewable && sec.Auth.LeaseDuration > 0 {
		go keepRenewed(c, time.Duration(sec.Auth.LeaseDuration)*time.Second, timeout)
	}
	return nil
}

func loginError(what string, err error, timeout time.Duration) error {
	e := classifyBao("log in", "openbao", err, timeout)
	e.Err = fmt.Errorf("%s: %w", what, e.Err)
	if errors.Is(e.Kind, ErrDenied) || errors.Is(e.Kind, ErrBackend) {
		e.Kind = ErrTokenInvalid
		e.Fix = "The server refused the login: check the role and its credentials (an AppRole secret id\n" +
			"may be used up or expired; a wrapped one can be unwrapped only once). " + remedyBaoEnv
	}
	return e
}

// renewToken starts keeping a renewable token alive while the command
// runs, without delaying the first call: the token's lookup runs in the
// background.
func renewToken(_ context.Context, c *vault.Client) error {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), c.ClientTimeout())
		sec, err := c.Auth().Token().LookupSelfWithContext(ctx)
		cancel()
		if err != nil || sec == nil {
			return
		}
		renewable, _ := sec.TokenIsRenewable()
		ttl, _ := sec.TokenTTL()
		if renewable && ttl > 0 {
			keepRenewed(c, ttl, c.ClientTimeout())
		}
	}()
	return nil
}

// keepRenewed renews the client's token at two thirds of its TTL, until
// the server stops renewing it (its max TTL) or the process ends.
func keepRenewed(c *vault.Client, ttl, timeout time.Duration) {
	for {
		time.Sleep(ttl * 2 / 3)
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		sec, err := c.Auth().Token().RenewSelfWithContext(ctx, 0)
		cancel()
		if err != nil || sec == nil || sec.Auth == nil || sec.Auth.LeaseDuration <= 0 {
			return
		}
		ttl = time.Duration(sec.Auth.LeaseDuration) * time.Second
	}
}
