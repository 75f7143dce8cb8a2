package sdk

import "github.com/terok-ai/terok-auth/sdk/internal/rules"

// DefaultUser is the user a login image runs its tool as when a spec names
// none: the first user of a Debian or Alpine image, and upstream terok's
// convention.
const DefaultUser = rules.DefaultUser
