// Command exports is the analysts' and operators' tool: it checks dataset
// files, summarizes plans for reviewers and checks dataset branches. It
// never loads CDKTF, so it builds in seconds; `go run ./cmd/exports help`
// lists its commands.
package main

import (
	"os"

	"github.com/ministryofjustice/data-engineering-exports/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}
