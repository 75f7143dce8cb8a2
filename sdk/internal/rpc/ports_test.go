package rpc

import (
	"reflect"
	"testing"
)

func TestPortsThatDoNotFitBecomeZero(t *testing.T) {
	got := portsFromPB(portsToPB([]int{1455, -1, 1 << 40, 65535}))
	if want := []int{1455, 0, 0, 65535}; !reflect.DeepEqual(got, want) {
		t.Errorf("ports = %v, want %v", got, want)
	}
	if portsToPB(nil) != nil || portsFromPB(nil) != nil {
		t.Error("no ports must stay nil")
	}
}
