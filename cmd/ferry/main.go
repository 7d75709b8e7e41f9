// Command ferry migrates databases: MySQL/MariaDB to PostgreSQL, schema
// and data, in one command. Run `ferry --help`.
package main

import (
	"os"

	"github.com/ferrydb/ferry/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
