package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/core/pluginhost"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
)

// TestDoctorShowsAnAttachedProvider: a debug setting left in the
// environment is a warning while it is valid, a failure once it is not.
func TestDoctorShowsAnAttachedProvider(t *testing.T) {
	value := fmt.Sprintf(`{"claude":{"protocol":"grpc","protocol_version":%d,"addr":{"network":"tcp","string":"127.0.0.1:1"},"pid":%d,"test":true}}`,
		sdk.ProtocolVersion, os.Getpid())
	t.Setenv(host.ReattachEnv, value)
	t.Setenv(pluginhost.ReattachTCPEnv, "1")
	checks := doctorAttached()
	if len(checks) != 1 || checks[0].Status != "warn" || !strings.Contains(checks[0].Detail, "not the installed plugin") ||
		!strings.Contains(checks[0].Name, "claude") {
		t.Errorf("doctor with a valid attachment: %+v", checks)
	}
	t.Setenv(pluginhost.ReattachTCPEnv, "")
	checks = doctorAttached()
	if len(checks) != 1 || checks[0].Status != "fail" || !strings.Contains(checks[0].Detail, "refusing to attach") {
		t.Errorf("doctor with a refused attachment: %+v", checks)
	}
	t.Setenv(host.ReattachEnv, "")
	if checks := doctorAttached(); len(checks) != 0 {
		t.Errorf("doctor without attachments: %+v", checks)
	}
}
