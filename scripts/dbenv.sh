#!/bin/sh
# Start a throwaway MariaDB + PostgreSQL (internal/sandbox), print their DSNs
# and wait; Ctrl-C stops them and deletes their data.
set -e
cd "$(dirname "$0")/.."
exec go run ./internal/sandbox/cmd/dbenv "$@"
