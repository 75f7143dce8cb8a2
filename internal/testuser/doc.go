// Package testuser makes throwaway local users for tests that play another
// local user (a squatter, a foreign owner). It needs root, and a Unix.
package testuser
