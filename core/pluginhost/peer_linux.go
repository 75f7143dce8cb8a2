package pluginhost

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// peerOf returns the uid and pid of the process at the other end of a
// connected Unix socket, as the kernel recorded them when it called
// listen (SO_PEERCRED): what the peer cannot lie about.
func peerOf(conn net.Conn) (uid uint32, pid int32, err error) {
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return 0, 0, fmt.Errorf("%T is not a unix socket", conn)
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return 0, 0, err
	}
	var cred *unix.Ucred
	var gerr error
	if err := raw.Control(func(fd uintptr) {
		cred, gerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return 0, 0, err
	}
	if gerr != nil {
		return 0, 0, fmt.Errorf("SO_PEERCRED: %w", gerr)
	}
	return cred.Uid, cred.Pid, nil
}

// processOwner returns the uid a live process runs as, or an error that
// says it is not running.
func processOwner(pid int) (uint32, error) {
	fi, err := os.Stat(fmt.Sprintf("/proc/%d", pid))
	if errors.Is(err, os.ErrNotExist) {
		return 0, errNotRunning
	}
	if err != nil {
		return 0, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, errors.New("no owner")
	}
	return st.Uid, nil
}
