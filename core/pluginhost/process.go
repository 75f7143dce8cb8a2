package pluginhost

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/go-plugin/runner"
)

// pluginProcess is the go-plugin runner of one plugin process. It exists so
// that terok, not go-plugin, decides how a plugin is started and stopped:
//
//   - what runs is the binary the trust check opened, hashed and returned,
//     not whatever the path names by then (see pinnedCommand);
//   - the environment is the one given, nothing of the host's added;
//   - stdin is /dev/null: the user's terminal, where keys are typed, is not
//     a plugin's;
//   - the process leads its own process group, which Kill kills whole, and
//     on Linux dies with terok (see startProcess).
type pluginProcess struct {
	cmd            *exec.Cmd
	path           string
	stdout, stderr io.ReadCloser
	pid            atomic.Int64 // set once started; read by Close

	binOnce sync.Once
	bin     *os.File
}

var _ runner.Runner = (*pluginProcess)(nil)

// testHookBeforeExec, when set by a test, runs after the binary was checked
// and opened and before it is executed: the window a swap would aim at.
var testHookBeforeExec func(path string)

func newPluginProcess(bin *os.File, path string, env []string) (*pluginProcess, error) {
	cmd := pinnedCommand(bin, path)
	cmd.Env = env
	cmd.Stdin = nil
	cmd.SysProcAttr = sysProcAttr()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	return &pluginProcess{cmd: cmd, path: path, stdout: stdout, stderr: stderr, bin: bin}, nil
}

func (p *pluginProcess) closeBin() { p.binOnce.Do(func() { _ = p.bin.Close() }) }

// Start implements runner.Runner.
func (p *pluginProcess) Start(context.Context) error {
	defer p.closeBin()
	if testHookBeforeExec != nil {
		testHookBeforeExec(p.path)
	}
	if err := startProcess(p.cmd); err != nil {
		return err
	}
	p.pid.Store(int64(p.cmd.Process.Pid))
	return nil
}

// Wait implements runner.Runner.
func (p *pluginProcess) Wait(context.Context) error { return p.cmd.Wait() }

// Kill implements runner.Runner: it kills the plugin's whole process group.
func (p *pluginProcess) Kill(context.Context) error {
	p.closeBin()
	p.killGroup()
	return nil
}

// killGroup kills every process left in the plugin's process group, the
// plugin included; it may be called any number of times.
func (p *pluginProcess) killGroup() {
	if pid := p.pid.Load(); pid > 0 {
		killProcessGroup(int(pid))
		_ = p.cmd.Process.Kill()
	}
}

// Diagnose implements runner.Runner.
func (p *pluginProcess) Diagnose(context.Context) string {
	return fmt.Sprintf("%s did not complete the plugin handshake: it is not a terok provider plugin, "+
		"not built for this system, or it failed at start (run with TEROK_LOG_LEVEL=debug to see its output)", p.path)
}

func (p *pluginProcess) Stdout() io.ReadCloser { return p.stdout }
func (p *pluginProcess) Stderr() io.ReadCloser { return p.stderr }
func (p *pluginProcess) Name() string          { return p.path }

// ID implements runner.Runner: the pid, or "" before the start.
func (p *pluginProcess) ID() string {
	pid := p.pid.Load()
	if pid == 0 {
		return ""
	}
	return strconv.FormatInt(pid, 10)
}

// PluginToHost implements runner.AddrTranslator: plugin and host share the
// network and file system.
func (p *pluginProcess) PluginToHost(n, a string) (string, string, error) { return n, a, nil }

// HostToPlugin implements runner.AddrTranslator.
func (p *pluginProcess) HostToPlugin(n, a string) (string, string, error) { return n, a, nil }
