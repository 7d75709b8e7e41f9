package scriptload

import "github.com/ferrydb/ferry/internal/sandbox"

// PGServer is the package's PostgreSQL, for the external CLI test.
func PGServer() *sandbox.Server { return pg }
