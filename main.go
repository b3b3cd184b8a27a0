// Command data-engineering-exports is the CDKTF app that cdktf.json runs: it
// turns the dataset files under datasets/ into the exports stack's Terraform
// JSON (cdktf.out/stacks/exports). The analysts' and operators' commands are
// the other program, cmd/exports.
//
//	go run .            synthesize the stack into cdktf.out/
//	go run . validate   the same check as go run ./cmd/exports validate
package main

import (
	"os"

	"github.com/ministryofjustice/data-engineering-exports/internal/synth"
)

func main() {
	os.Exit(synth.Main(os.Args[1:], os.Stdout, os.Stderr))
}
