//go:build !linux

package store

import (
	"context"

	"github.com/terok-ai/terok-auth/core/names"
)

// getManyOS has no batch read on this platform: the caller reads each
// credential with Get.
func (k *Keyring) getManyOS(context.Context, names.Set, []names.Provider) ([]Result, bool) {
	return nil, false
}

func (k *Keyring) warmOS() {}

// listAccountsOS: go-keyring offers no listing on this platform.
func listAccountsOS() ([]string, error) { return nil, ErrCannotList }

func itemsOS() ([]string, error) { return nil, ErrCannotList }

func ownersOS([]string) (map[string]string, []string, error) { return nil, nil, ErrCannotList }
