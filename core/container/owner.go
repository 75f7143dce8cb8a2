package container

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Labels that say which terok process started a container, so that a login
// can tell a container whose terok is gone (removed) from one whose terok
// still runs (never touched).
const (
	// LabelHost is the host name of the machine terok ran on: a pid means
	// nothing on another machine sharing the same podman.
	LabelHost = "io.terok.auth.host"
	// LabelStart is the owning process's start time (Linux clock ticks since
	// boot), so that a pid reused by an unrelated process is not taken for
	// the owner.
	LabelStart = "io.terok.auth.start"
)

// OwnerLabels are the labels that mark a container as started by this
// process.
func OwnerLabels() map[string]string {
	m := map[string]string{Label: "1", LabelOwner: strconv.Itoa(os.Getpid())}
	if h, err := os.Hostname(); err == nil && h != "" {
		m[LabelHost] = h
	}
	if st := processStart(os.Getpid()); st != "" {
		m[LabelStart] = st
	}
	return m
}

// Mine reports whether labels are those of a container this process
// started.
func Mine(labels map[string]string) bool {
	if labels[Label] == "" {
		return false
	}
	for k, v := range OwnerLabels() {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// Owner describes the terok that started a container, from its labels.
type Owner struct {
	PID  int
	Host string
	// Alive: that terok may still be running. A container from another
	// host counts as alive, since this host cannot tell.
	Alive bool
}

func (o Owner) String() string {
	if o.Host != "" && o.Host != hostname() {
		return fmt.Sprintf("pid %d on %s", o.PID, o.Host)
	}
	return fmt.Sprintf("pid %d", o.PID)
}

// OwnerOf reads the owner from a container's labels. A container without a
// readable pid has no owner that could be running.
func OwnerOf(labels map[string]string) Owner {
	pid, err := strconv.Atoi(labels[LabelOwner])
	o := Owner{PID: pid, Host: labels[LabelHost]}
	switch {
	case err != nil || pid <= 0:
		return o
	case o.Host != "" && o.Host != hostname():
		o.Alive = true
	case !ProcessAlive(pid):
	default:
		// The pid runs; it is the owner unless it started at another time.
		want, got := labels[LabelStart], processStart(pid)
		o.Alive = want == "" || got == "" || want == got
	}
	return o
}

func hostname() string {
	h, _ := os.Hostname()
	return h
}

// processStart is the start time of process pid in clock ticks since boot
// (field 22 of /proc/PID/stat), or "" where there is no /proc.
func processStart(pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	// The command name (field 2) may hold spaces and parentheses: count
	// fields from the last ')'.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return ""
	}
	fields := strings.Fields(string(data[i+1:]))
	if len(fields) < 20 {
		return ""
	}
	return fields[19]
}
