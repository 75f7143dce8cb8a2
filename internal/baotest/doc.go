// Package baotest runs a real, throwaway OpenBao (or Vault) dev server for
// tests: in memory, on a random 127.0.0.1 port, with a random root token,
// stopped when the test ends (also when it fails).
//
// The server binary is found as the issue asks: bao (or vault) on PATH,
// then TEROK_TEST_OPENBAO, then the binary kept in ../shared/tools/openbao/
// beside the repository, unpacked once into a cache outside the repository
// keyed by its checksum.
package baotest
