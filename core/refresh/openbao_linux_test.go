//go:build linux

package refresh

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/internal/fakeoauth"
)

// On Linux a lease records its holder's pid space (boot id and pid
// namespace), so a holder's death on the same machine is seen at once.

// A lease whose holder was killed on this machine is taken over at once:
// its process is gone. (Its ttl is ten minutes; the context, 30 s.)
func TestKilledHoldersLeaseIsTakenOver(t *testing.T) {
	s := startBao(t)
	f := fake(t)
	o := home(t, s, "machine-a")
	seedExpired(t, o, "rt-0")
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "TEROK_TEST_HOLD_LEASE=1", "BAO_ADDR="+s.Addr, "BAO_TOKEN="+s.Token)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if !strings.HasPrefix(line, "held") {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("the holder did not take the lease: %q", line)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := &Renewer{Store: o, LockDir: t.TempDir(), Poll: 50 * time.Millisecond}
	c, renewed, err := r.Renew(ctx, set, provider, decl(f.TokenURL()), due)
	if err != nil || !renewed || c.Get("access_token") != fakeoauth.AccessToken(1) || f.Posts() != 1 {
		t.Fatalf("%q renewed %v err %v, %d requests", c.Get("access_token"), renewed, err, f.Posts())
	}
}
